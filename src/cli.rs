//! The command line: clap definitions, progress bars and what each verb prints.
//!
//! Nothing else in the crate knows about the terminal. Every verb returns
//! `Result<ExitCode-ish, Error>`; `main` maps errors to exit code 2.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};

use ccsim::erlang;
use ccsim::error::{Diagnostic, Error, printable};
use ccsim::output::Batch;
use ccsim::report;
use ccsim::scenario::{DURATION_GRAMMAR, parse_duration};
use ccsim::{Model, Scenario, Summary};

#[derive(Debug, Parser)]
#[command(
    name = "ccsim",
    version,
    about = "Contact-centre simulator: staffing, service levels and costs with confidence intervals"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
    Csv,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ErlangFormat {
    Table,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Simulate a scenario and report its figures with confidence intervals.
    Run {
        scenario: PathBuf,
        /// Replications (default: the scenario's `replications`).
        #[arg(long)]
        replications: Option<u64>,
        /// Seed (default: the scenario's `seed`).
        #[arg(long)]
        seed: Option<u64>,
        /// Worker threads (at most 256); 0 uses every core. The output does not depend on it.
        #[arg(long, default_value_t = 0, value_parser = threads_arg)]
        threads: usize,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// Also write intervals.csv, call_types.csv, channels.csv, groups.csv and
        /// summary.json here (with --shard: the part file).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Run only the K-th of N disjoint slices of the replications (K from 1) and write
        /// its part file into --out; `ccsim merge` combines the parts.
        #[arg(long, value_name = "K/N")]
        shard: Option<String>,
        /// Also write a self-contained HTML report with charts here.
        #[arg(long, value_name = "FILE.html")]
        report: Option<PathBuf>,
        /// Also write a call log here: a CSV row for every leg offered to an agent queue
        /// (arrival, type, wait, outcome, talk, group), which `ccsim fit` reads back as it
        /// is. With --shard: the log of the shard's replications.
        #[arg(long, value_name = "FILE.csv")]
        call_log: Option<PathBuf>,
        /// Also write an Excel workbook here: a sheet per table, numbers as numbers,
        /// rates as percentages.
        #[arg(long, value_name = "FILE.xlsx")]
        xlsx: Option<PathBuf>,
    },
    /// Combine the part files of `run --shard` into the result of one whole run.
    Merge {
        /// Folders holding part-K-of-N.json files, or the files.
        #[arg(required = true)]
        parts: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// Also write the CSV files and summary.json here.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Find the agents each group needs in each interval to meet every target.
    Staff {
        scenario: PathBuf,
        /// Replications per candidate at first (default: the scenario's staffing
        /// `replications`, else its `replications`).
        #[arg(long)]
        replications: Option<u64>,
        /// Seed (default: the scenario's `seed`).
        #[arg(long)]
        seed: Option<u64>,
        /// Worker threads (at most 256); 0 uses every core. The output does not depend on it.
        #[arg(long, default_value_t = 0, value_parser = threads_arg)]
        threads: usize,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// Also write staffing.csv and staffing.json here.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Also write a self-contained HTML report with charts here.
        #[arg(long, value_name = "FILE.html")]
        report: Option<PathBuf>,
        /// Also write an Excel workbook here: a sheet per table, numbers as numbers,
        /// rates as percentages.
        #[arg(long, value_name = "FILE.xlsx")]
        xlsx: Option<PathBuf>,
    },
    /// Run scenarios as regression tests: judge their [[expect]] tables (exit 1 if one
    /// fails), optionally against a baseline of an earlier run.
    Check {
        /// Scenario files, or folders searched recursively for *.toml.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Also write a JUnit XML report here.
        #[arg(long)]
        junit: Option<PathBuf>,
        /// Compare every metric with the summaries saved here (by --save-baseline or
        /// `run --out`, as <scenario>.json) and fail on significant changes.
        #[arg(long)]
        baseline: Option<PathBuf>,
        /// Save each scenario's summary here as the baseline of later checks.
        #[arg(long)]
        save_baseline: Option<PathBuf>,
        /// Worker threads (at most 256); 0 uses every core.
        #[arg(long, default_value_t = 0, value_parser = threads_arg)]
        threads: usize,
    },
    /// Paired differences of every metric between two variants, on the same callers.
    Compare {
        a: PathBuf,
        b: PathBuf,
        /// Replications (default: A's `replications`).
        #[arg(long)]
        replications: Option<u64>,
        /// Seed for both (default: A's `seed`).
        #[arg(long)]
        seed: Option<u64>,
        #[arg(long, default_value_t = 0, value_parser = threads_arg)]
        threads: usize,
        #[arg(long, value_enum, default_value_t = ErlangFormat::Table)]
        format: ErlangFormat,
        /// Also write an Excel workbook here: a sheet per table, numbers as numbers,
        /// rates as percentages.
        #[arg(long, value_name = "FILE.xlsx")]
        xlsx: Option<PathBuf>,
    },
    /// Print a JSON Schema of the scenario format, for editors that complete and check
    /// TOML files (Even Better TOML, Taplo, VS Code).
    Schema,
    /// Fit a scenario to a call log (arrivals, handle times, patience, staffing).
    Fit {
        log: PathBuf,
        /// The planning grain of the scenario.
        #[arg(long, default_value = "30m")]
        interval: String,
        #[command(flatten)]
        read: LogArgs,
        /// Write the scenario here instead of to stdout.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Worker threads for the staffing's simulations (at most 256); 0 uses every
        /// core. The scenario written does not depend on it.
        #[arg(long, default_value_t = 0, value_parser = threads_arg)]
        threads: usize,
    },
    /// Compare a scenario's simulation with what a call log says happened.
    Backtest {
        log: PathBuf,
        scenario: PathBuf,
        #[command(flatten)]
        read: LogArgs,
        #[arg(long, default_value_t = 0, value_parser = threads_arg)]
        threads: usize,
        #[arg(long, value_enum, default_value_t = ErlangFormat::Table)]
        format: ErlangFormat,
        /// Whose load to simulate: `log` replays the arrivals and mean talk times of the
        /// days tested (for a scenario written by `fit`, whose call types say which log
        /// calls they stand for), `scenario` keeps the scenario's own (tests the forecast
        /// too).
        #[arg(long, value_enum, default_value_t = Load::Log)]
        load: Load,
    },
    /// Check scenario files without simulating them.
    Validate {
        #[arg(required = true)]
        scenarios: Vec<PathBuf>,
    },
    /// The planner's workbench in a browser: edit, validate, run, staff and compare the
    /// scenarios under a folder (see "Workbench" in docs/scenarios.md).
    Serve {
        /// Port to listen on (0: any free port; the address is printed).
        #[arg(long, default_value_t = 8421)]
        port: u16,
        /// Folder whose scenario files it works on (and nothing outside it).
        #[arg(long, default_value = ".")]
        dir: PathBuf,
        /// Address to listen on instead of 127.0.0.1 (a warning says who can then reach it).
        #[arg(long)]
        bind: Option<std::net::IpAddr>,
        /// Worker threads per run (at most 256); 0 uses every core.
        #[arg(long, default_value_t = 0, value_parser = threads_arg)]
        threads: usize,
    },
    /// Exact Erlang C (Erlang A with --patience, Erlang B or M/M/n/K with --lines) figures
    /// for one stationary queue, and the fewest agents meeting targets.
    Erlang {
        /// Calls per hour.
        #[arg(long)]
        per_hour: f64,
        /// Average handle time, e.g. "180s" or "3m".
        #[arg(long)]
        aht: String,
        /// Agents on duty (may be left out with a target, or with --lines for Erlang B).
        #[arg(long)]
        agents: Option<u32>,
        /// Mean patience (exponential): Erlang A. Without it callers never abandon.
        #[arg(long)]
        patience: Option<String>,
        /// Service-level threshold.
        #[arg(long, default_value = "20s")]
        threshold: String,
        /// Trunk lines: calls in the centre at once, waiting or talking (≥ agents); a call
        /// finding them all busy is blocked. As many as the agents: Erlang B.
        #[arg(long)]
        lines: Option<u32>,
        /// Share of blocked callers who try again (extended Erlang B), from 0 to below 1.
        #[arg(long)]
        retry: Option<f64>,
        /// Find the fewest agents whose service level is at least this.
        #[arg(long)]
        target_sl: Option<f64>,
        /// Find the fewest agents whose answer rate is at least this.
        #[arg(long)]
        target_answer_rate: Option<f64>,
        /// Find the fewest agents whose ASA (mean wait of answered calls) is at most this.
        #[arg(long)]
        max_asa: Option<String>,
        /// Shrinkage from 0 to below 1: paid headcount = agents on duty ÷ (1 − shrinkage).
        #[arg(long)]
        shrinkage: Option<f64>,
        #[arg(long, value_enum, default_value_t = ErlangFormat::Table)]
        format: ErlangFormat,
    },
}

/// Whose load a back-test simulates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Load {
    Log,
    Scenario,
}

/// Presets of `--log-format`: the defaults the column flags override.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogPreset {
    /// The Technion Anonymous Bank log (tab-separated, `YYMMDD` dates, clock times).
    Bank,
    /// The call log of `ccsim run --call-log`.
    Ccsim,
}

/// How to read a call log: a preset (detected from the header unless given), with any
/// column or value flag given overriding it.
#[derive(Debug, Clone, clap::Args)]
pub struct LogArgs {
    /// Which dates: `busy` (the weekdays that carry the bulk of the calls), weekdays
    /// such as `sun,mon,tue,wed,thu`, or dates (YYYY-MM-DD) and inclusive ranges of
    /// dates, alone or in a list: `1999-02-01..1999-02-14`, `1999-02-15,1999-02-16`;
    /// `busy@DATES` or `WEEKDAYS@DATES` keeps those weekdays among the dates.
    #[arg(long, default_value = "busy")]
    days: String,
    /// Skip rows that cannot be read (counted) instead of stopping at the first.
    #[arg(long)]
    skip_bad_rows: bool,
    /// The defaults of the flags below: `bank` (the Anonymous Bank log, shown in
    /// brackets) or `ccsim` (a call log of `ccsim run --call-log`). Default: `ccsim` when
    /// the header has the call log's columns, else `bank`.
    #[arg(long, value_enum)]
    log_format: Option<LogPreset>,
    /// Column separator: `tab`, `,` or `;` [tab].
    #[arg(long)]
    delimiter: Option<String>,
    /// The date column (YYMMDD, YYYYMMDD or YYYY-MM-DD); "" for none: the arrival
    /// column then holds date-times [date, if the header has it].
    #[arg(long)]
    date_col: Option<String>,
    /// When the call asked for an agent (left the IVR): a clock time H:MM:SS beside the
    /// date column, or a date-time YYYY-MM-DDTHH:MM:SS[.fff] [vru_exit].
    #[arg(long)]
    arrival_col: Option<String>,
    /// When it joined the queue (0:00:00 or empty: never queued); "" for none: every
    /// served or abandoned call queued [q_start, if the header has it].
    #[arg(long)]
    queue_start_col: Option<String>,
    /// Seconds waited in the queue [q_time].
    #[arg(long)]
    wait_col: Option<String>,
    /// The outcome column [outcome].
    #[arg(long)]
    outcome_col: Option<String>,
    /// Seconds of talk [ser_time].
    #[arg(long)]
    handle_col: Option<String>,
    /// When service began; "" for none [ser_start, if the header has it].
    #[arg(long)]
    service_start_col: Option<String>,
    /// When service ended; "" for none [ser_exit, if the header has it].
    #[arg(long)]
    service_end_col: Option<String>,
    /// The call type; "" for none: every call is of type `calls` [type].
    #[arg(long)]
    type_col: Option<String>,
    /// The priority; "" for none [priority, if the header has it].
    #[arg(long)]
    priority_col: Option<String>,
    /// The agent who served; "" for none [server, if the header has it].
    #[arg(long)]
    agent_col: Option<String>,
    /// Seconds of after-call work (wrap-up) of a served call, fitted like the talk time
    /// [wrap_up_seconds in ccsim's call log; none in the bank's].
    #[arg(long)]
    wrap_up_col: Option<String>,
    /// Outcome of a served call [AGENT].
    #[arg(long)]
    served: Option<String>,
    /// Outcome of a call that hung up [HANG].
    #[arg(long)]
    abandoned: Option<String>,
    /// Outcomes of calls still waiting when the log ended (comma-separated) [none].
    #[arg(long)]
    unfinished: Option<String>,
    /// Outcomes to ignore (comma-separated) [PHANTOM].
    #[arg(long)]
    ignored: Option<String>,
    /// The agent column's value for "no agent" [NO_SERVER].
    #[arg(long)]
    no_agent: Option<String>,
    /// Priority values that jump the queue (comma-separated; `>0`: any number above 0) [2].
    #[arg(long)]
    priority_values: Option<String>,
}

impl LogArgs {
    /// The format to read the log at `path` with: the preset asked for or detected, with
    /// the flags given.
    fn format(&self, path: &Path) -> Result<ccsim::fit::LogFormat, Error> {
        use ccsim::fit::{Column, LogFormat};
        let delimiter = match self.delimiter.as_deref() {
            None => None,
            Some("tab" | "\\t") => Some(b'\t'),
            Some(",") => Some(b','),
            Some(";") => Some(b';'),
            Some(other) => {
                return Err(Error::Other(format!(
                    "--delimiter: expected tab, `,` or `;`, got `{other}`"
                )));
            }
        };
        let preset = match self.log_format {
            Some(p) => p,
            None => {
                // ccsim writes commas; a header read with another separator is one cell.
                let header = ccsim::fit::read_header(path, delimiter.unwrap_or(b','))?;
                if LogFormat::is_ccsim_header(header.iter().map(String::as_str)) {
                    LogPreset::Ccsim
                } else {
                    LogPreset::Bank
                }
            }
        };
        let mut f = match preset {
            LogPreset::Bank => LogFormat::bank(),
            LogPreset::Ccsim => LogFormat::ccsim(),
        };
        if let Some(d) = delimiter {
            f.delimiter = d;
        }
        let list = |s: &str| {
            s.split(',')
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
                .collect()
        };
        // A column named by a flag must be in the log; "" says the log has none.
        let optional = |flag: &Option<String>, into: &mut Column| {
            if let Some(name) = flag {
                *into = if name.trim().is_empty() {
                    Column::Absent
                } else {
                    Column::Named(name.trim().to_owned())
                };
            }
        };
        optional(&self.date_col, &mut f.date);
        optional(&self.queue_start_col, &mut f.queue_start);
        optional(&self.service_start_col, &mut f.service_start);
        optional(&self.service_end_col, &mut f.service_end);
        optional(&self.type_col, &mut f.kind);
        optional(&self.priority_col, &mut f.priority);
        optional(&self.agent_col, &mut f.agent);
        optional(&self.wrap_up_col, &mut f.wrap_up);
        for (flag, value, into) in [
            ("--arrival-col", &self.arrival_col, &mut f.arrival),
            ("--wait-col", &self.wait_col, &mut f.wait),
            ("--outcome-col", &self.outcome_col, &mut f.outcome),
            ("--handle-col", &self.handle_col, &mut f.handle),
        ] {
            if let Some(name) = value {
                if name.trim().is_empty() {
                    return Err(Error::Other(format!("{flag}: every log needs this column: name it")));
                }
                *into = name.trim().to_owned();
            }
        }
        if let Some(v) = &self.served {
            f.served = v.clone();
        }
        if let Some(v) = &self.abandoned {
            f.abandoned = v.clone();
        }
        if let Some(v) = &self.no_agent {
            f.no_agent = v.clone();
        }
        if let Some(v) = &self.unfinished {
            f.unfinished = list(v);
        }
        if let Some(v) = &self.ignored {
            f.ignored = list(v);
        }
        if let Some(v) = &self.priority_values {
            f.priority_values = list(v);
        }
        Ok(f)
    }

    fn read(&self, path: &Path) -> Result<(ccsim::fit::Log, ccsim::fit::Days), Error> {
        let days = ccsim::fit::Days::parse(&self.days)?;
        let log = ccsim::fit::read_log(path, &self.format(path)?, self.skip_bad_rows)?;
        // Reading a long log does not look at Ctrl-C: it is honoured once it is read.
        ccsim::interrupt::check()?;
        let shown = path.display().to_string();
        let shown = printable(&shown);
        if !log.missing_columns.is_empty() {
            eprintln!(
                "{shown}: no column {} in the header, so none is read (name a column with its flag)",
                log.missing_columns
                    .iter()
                    .map(|c| format!("`{}`", printable(c)))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        if log.skipped > 0 {
            eprintln!("{shown}: skipped {} rows that could not be read", log.skipped);
        }
        Ok((log, days))
    }
}

/// Runs a parsed command line; the returned number is the exit code.
pub fn execute(cli: Cli) -> Result<u8, Error> {
    match cli.command {
        Command::Run {
            scenario,
            replications,
            seed,
            threads,
            format,
            out,
            shard,
            report,
            call_log,
            xlsx,
        } => {
            if let Some(path) = &report {
                not_an_input("--report", path, &[&scenario])?;
            }
            if let Some(dir) = &out {
                dir_not_an_input("--out", dir, &SUMMARY_FILES, &[&scenario])?;
            }
            if let Some(path) = &call_log {
                not_an_input("--call-log", path, &[&scenario])?;
            }
            if let Some(path) = &xlsx {
                not_an_input("--xlsx", path, &[&scenario])?;
                if shard.is_some() {
                    return Err(Error::Other(
                        "--xlsx needs the whole run: write the workbook when the parts are merged".into(),
                    ));
                }
            }
            let part_name = shard
                .as_deref()
                .map(ccsim::shard::Shard::parse)
                .transpose()?
                .map(|s| s.file_name());
            let in_out: Vec<&str> = match &part_name {
                Some(name) => vec![name.as_str()],
                None => SUMMARY_FILES.to_vec(),
            };
            distinct_outputs(
                &[
                    ("--call-log", call_log.as_deref()),
                    ("--report", report.as_deref()),
                    ("--xlsx", xlsx.as_deref()),
                ],
                out.as_deref().map(|d| (d, &in_out[..])),
            )?;
            let outputs = Outputs {
                out: out.as_deref(),
                report: report.as_deref(),
                call_log: call_log.as_deref(),
                xlsx: xlsx.as_deref(),
            };
            match shard {
                Some(shard) => run_shard(&scenario, replications, seed, threads, &shard, &outputs),
                None => run(&scenario, replications, seed, threads, format, &outputs),
            }
        }
        Command::Merge { parts, format, out } => {
            if let Some(dir) = &out {
                let inputs: Vec<&Path> = parts.iter().map(PathBuf::as_path).collect();
                dir_not_an_input("--out", dir, &SUMMARY_FILES, &inputs)?;
            }
            distinct_outputs(&[], out.as_deref().map(|d| (d, &SUMMARY_FILES[..])))?;
            let summary = ccsim::shard::merge(&parts)?;
            ccsim::interrupt::check()?;
            let out = out.as_deref().map(ccsim::output::FileSet::begin).transpose()?;
            print_summary(&summary, format, out, Batch::default())
        }
        Command::Staff {
            scenario,
            replications,
            seed,
            threads,
            format,
            out,
            report,
            xlsx,
        } => {
            if let Some(path) = &report {
                not_an_input("--report", path, &[&scenario])?;
            }
            if let Some(dir) = &out {
                let mut written = vec!["staffing.csv", "staffing.json", "staffed.toml"];
                written.extend(report::roster::FILES);
                dir_not_an_input("--out", dir, &written, &[&scenario])?;
            }
            if let Some(path) = &xlsx {
                not_an_input("--xlsx", path, &[&scenario])?;
            }
            let mut in_out = vec!["staffing.csv", "staffing.json", "staffed.toml"];
            in_out.extend(report::roster::FILES);
            distinct_outputs(
                &[("--report", report.as_deref()), ("--xlsx", xlsx.as_deref())],
                out.as_deref().map(|d| (d, &in_out[..])),
            )?;
            let outputs = Outputs {
                out: out.as_deref(),
                report: report.as_deref(),
                call_log: None,
                xlsx: xlsx.as_deref(),
            };
            staff(&scenario, replications, seed, threads, format, &outputs)
        }
        Command::Validate { scenarios } => validate(&scenarios),
        Command::Serve {
            port,
            dir,
            bind,
            threads,
        } => {
            ccsim_serve::serve(ccsim_serve::Options {
                dir,
                port,
                bind,
                threads,
            })?;
            Ok(0)
        }
        Command::Fit {
            log,
            interval,
            read,
            out,
            threads,
        } => {
            if let Some(path) = &out {
                not_an_input("--out", path, &[&log])?;
            }
            distinct_outputs(&[("--out", out.as_deref())], None)?;
            let interval = duration_arg("--interval", &interval)?;
            if !(60.0..=86400.0).contains(&interval) {
                return Err(Error::Other(format!(
                    "--interval must be between 1 minute and a day, got {interval} s"
                )));
            }
            let (parsed, days) = read.read(&log)?;
            let mut fitted = ccsim::fit::fit(parsed, &log.display().to_string(), &days, interval)?;
            ccsim::fit::calibrate_staffing(&mut fitted, threads).map_err(|e| match e {
                Error::Interrupted => e,
                e => Error::Other(format!("{}: the log gives no valid scenario: {e}", log.display())),
            })?;
            ccsim::interrupt::check()?;
            let text = ccsim::fit::to_toml(&fitted);
            // What is written must be a valid scenario.
            Scenario::parse("fitted.toml", &text)
                .and_then(|s| Model::build(&s))
                .map_err(|e| Error::Other(format!("{}: the log gives no valid scenario: {e}", log.display())))?;
            // What was chosen: on standard output beside a written file, else on standard
            // error (standard output is the scenario).
            let chosen = ccsim::fit::summary(&fitted);
            match out {
                Some(path) => {
                    report::csv::write_atomic(&path, &text)?;
                    print!("{chosen}");
                }
                None => {
                    print!("{text}");
                    eprint!("{chosen}");
                }
            }
            Ok(0)
        }
        Command::Backtest {
            log,
            scenario,
            read,
            threads,
            format,
            load,
        } => {
            let mut model = load_model(&scenario)?;
            if model.clock.interval * model.clock.intervals as u64 > 86_400_000_000 {
                return Err(Error::Other(format!(
                    "{}: backtest compares one average day; this scenario's window is longer than a day",
                    scenario.display()
                )));
            }
            let (parsed, days) = read.read(&log)?;
            let replayed = match load {
                Load::Log => ccsim::fit::backtest::replay_load(&parsed, &days, &mut model),
                Load::Scenario => None,
            };
            let bar = progress_bar(model.replications, "replications");
            let acc = ccsim::simulate(&model, threads, &|| bar.inc(1))?;
            bar.finish_and_clear();
            let summary = Summary::new(&model, &acc);
            let b = ccsim::fit::backtest(&parsed, &days, &model, &summary, replayed);
            if b.dates.is_empty() {
                return Err(Error::Other(format!(
                    "{}: no calls on the days asked for",
                    log.display()
                )));
            }
            match format {
                ErlangFormat::Table => print!("{}", printable(&ccsim::fit::render_backtest(&b))),
                ErlangFormat::Json => print!("{}", ccsim::fit::backtest_json(&b)),
            }
            Ok(0)
        }
        Command::Schema => {
            println!(
                "{}",
                serde_json::to_string_pretty(&ccsim::schema::schema()).expect("a JSON value")
            );
            Ok(0)
        }
        Command::Compare {
            a,
            b,
            replications,
            seed,
            threads,
            format,
            xlsx,
        } => {
            if let Some(path) = &xlsx {
                not_an_input("--xlsx", path, &[&a, &b])?;
            }
            distinct_outputs(&[("--xlsx", xlsx.as_deref())], None)?;
            let mut model_a = load_model(&a)?;
            let model_b = load_model(&b)?;
            if let Some(path) = &xlsx {
                report::xlsx::check(&model_a, report::xlsx::Verb::Compare, path)?;
            }
            if let Some(r) = replications {
                model_a = model_a.with_replications(r)?;
            }
            if let Some(s) = seed {
                model_a.seed = s;
            }
            let bar = progress_bar(2 * model_a.replications, "replications");
            let comparison = ccsim::compare::compare(&model_a, &model_b, threads, &|| bar.inc(1))?;
            bar.finish_and_clear();
            ccsim::interrupt::check()?;
            if let Some(path) = &xlsx {
                ccsim::output::write_file_with(path, |w| report::xlsx::write_compare(&comparison, w))?;
            }
            match format {
                ErlangFormat::Table => print!("{}", printable(&ccsim::compare::render(&comparison))),
                ErlangFormat::Json => print!("{}", ccsim::compare::to_json(&comparison)),
            }
            Ok(0)
        }
        Command::Check {
            paths,
            junit,
            baseline,
            save_baseline,
            threads,
        } => check(
            &paths,
            junit.as_deref(),
            baseline.as_deref(),
            save_baseline.as_deref(),
            threads,
        ),
        Command::Erlang {
            per_hour,
            aht,
            agents,
            patience,
            threshold,
            lines,
            retry,
            target_sl,
            target_answer_rate,
            max_asa,
            shrinkage,
            format,
        } => erlang_cmd(
            &erlang::ask::Question {
                per_hour,
                aht,
                agents,
                patience,
                threshold,
                lines,
                retry,
                target_sl,
                target_answer_rate,
                max_asa,
                shrinkage,
            },
            format,
        ),
    }
}

/// Loads and validates a scenario file, and prints its warnings on stderr.
fn load_model(path: &Path) -> Result<Model, Error> {
    let model = Model::build(&Scenario::load(path)?)?;
    print_warnings(&model.warnings);
    Ok(model)
}

/// Prints warnings (implausible values that still run) on stderr, where they never mix
/// with a report on stdout nor change the exit code.
fn print_warnings(warnings: &[Diagnostic]) {
    for w in warnings {
        eprintln!("{}", printable(&w.to_string()));
    }
}

/// A progress bar on stderr when it is a terminal; hidden otherwise.
fn progress_bar(len: u64, what: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({eta})")
            .expect("a fixed template")
            .progress_chars("=> "),
    );
    bar.set_message(what.to_owned());
    bar
}

/// Where `run` and `staff` write beside standard output.
struct Outputs<'a> {
    out: Option<&'a Path>,
    report: Option<&'a Path>,
    call_log: Option<&'a Path>,
    xlsx: Option<&'a Path>,
}

fn run(
    path: &Path,
    replications: Option<u64>,
    seed: Option<u64>,
    threads: usize,
    format: Format,
    outputs: &Outputs,
) -> Result<u8, Error> {
    let mut model = load_model(path)?;
    if let Some(r) = replications {
        model = model.with_replications(r)?;
    }
    if let Some(s) = seed {
        model.seed = s;
    }
    if let Some(path) = outputs.xlsx {
        report::xlsx::check(&model, report::xlsx::Verb::Run, path)?;
    }
    let bar = progress_bar(model.replications, "replications");
    let progress = || bar.inc(1);
    // Every file goes in place at the end, together, or none does. The `--out` folder
    // is made (and locked) first: other outputs may go in it.
    let mut batch = Batch::default();
    let out = outputs.out.map(ccsim::output::FileSet::begin).transpose()?;
    let acc = match outputs.call_log {
        Some(log) => {
            ccsim::calllog::simulate_with_call_log(&model, 0..model.replications, threads, log, &mut batch, &progress)?
        }
        None => ccsim::simulate(&model, threads, &progress)?,
    };
    bar.finish_and_clear();
    let summary = Summary::new(&model, &acc);
    drop(acc); // the summary holds what is reported
    if let Some(path) = outputs.report {
        batch.file(path, &report::html::run_report(&summary, &model))?;
    }
    if let Some(path) = outputs.xlsx {
        batch.file_with(path, |w| report::xlsx::write_run(&summary, w))?;
    }
    print_summary(&summary, format, out, batch)
}

/// Prints a summary in `format`, after writing its files into the set `out` and putting
/// them in place with the command's other outputs (`batch`).
fn print_summary(
    summary: &Summary,
    format: Format,
    out: Option<ccsim::output::FileSet>,
    mut batch: Batch,
) -> Result<u8, Error> {
    if let Some(mut set) = out {
        report::csv::add_summary_files(&mut set, summary)?;
        batch.set(set);
    }
    batch.commit()?;
    let text = match format {
        Format::Table => report::table::render(summary, std::io::stdout().is_terminal()),
        Format::Json => {
            // Streamed (a long run's document is large), its strings already escaped.
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            report::json::write_json(summary, &mut out)
                .and_then(|()| std::io::Write::flush(&mut out))
                .map_err(|e| Error::io("standard output", e))?;
            return Ok(0);
        }
        Format::Csv => report::csv::intervals_csv(summary),
    };
    print!("{}", printable(&text));
    Ok(0)
}

fn run_shard(
    path: &Path,
    replications: Option<u64>,
    seed: Option<u64>,
    threads: usize,
    shard: &str,
    outputs: &Outputs,
) -> Result<u8, Error> {
    let shard = ccsim::shard::Shard::parse(shard)?;
    let Some(dir) = outputs.out else {
        return Err(Error::Other("--shard needs --out DIR for its part file".into()));
    };
    let text = ccsim::input::scenario_text(path)?;
    let mut model = Model::build(&Scenario::parse(&path.display().to_string(), &text)?)?;
    print_warnings(&model.warnings);
    if let Some(r) = replications {
        model = model.with_replications(r)?;
    }
    if let Some(s) = seed {
        model.seed = s;
    }
    let range = shard.range(model.replications);
    let bar = progress_bar(range.end - range.start, "replications");
    let mut batch = Batch::default();
    // The part's folder is made first (a call log may go in it) and removed again if the
    // run fails while it is still empty.
    let made = !dir.exists();
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir.display().to_string(), e))?;
    let written = ccsim::shard::run_shard(
        &model,
        &text,
        shard,
        dir,
        threads,
        outputs.call_log,
        &mut batch,
        &|| bar.inc(1),
    )
    .and_then(|written| batch.commit().map(|()| written))
    .inspect_err(|_| {
        if made {
            let _ = std::fs::remove_dir(dir);
        }
    })?;
    bar.finish_and_clear();
    println!(
        "{}: replications {}..{} of {} (shard {} of {})",
        printable(&written.display().to_string()),
        range.start,
        range.end,
        model.replications,
        shard.index,
        shard.count
    );
    Ok(0)
}

fn staff(
    path: &Path,
    replications: Option<u64>,
    seed: Option<u64>,
    threads: usize,
    format: Format,
    outputs: &Outputs,
) -> Result<u8, Error> {
    let mut model = load_model(path)?;
    if let Some(path) = outputs.xlsx {
        report::xlsx::check(&model, report::xlsx::Verb::Staff, path)?;
    }
    if let Some(r) = replications {
        model = model.with_staffing_replications(r)?;
    }
    if let Some(s) = seed {
        model.seed = s;
    }
    let bar = if std::io::stderr().is_terminal() {
        let bar = ProgressBar::new_spinner();
        bar.set_message("searching");
        bar
    } else {
        ProgressBar::hidden()
    };
    let labels: Vec<String> = (0..model.clock.intervals).map(|k| model.clock.label(k)).collect();
    let plan = ccsim::staff::staff(&model, threads, &|p| {
        let short = match p.first_short {
            Some(k) => format!(
                "{} of {} intervals short, the first at {}",
                p.short, p.intervals, labels[k]
            ),
            None => format!("all {} intervals met", p.intervals),
        };
        bar.set_message(format!(
            "{} on {} replications, round {}: {short}; {} candidate staffings simulated",
            p.stage, p.replications, p.round, p.candidates
        ));
        bar.tick();
    })?;
    bar.finish_and_clear();
    if plan.incomplete {
        // Ctrl-C: the best staffing so far, marked incomplete, on the terminal only;
        // no output file is written from a search that did not finish.
        let text = match format {
            Format::Table => report::staff::to_table(&plan),
            Format::Json => report::staff::to_json(&plan),
            Format::Csv => report::staff::to_csv(&plan),
        };
        print!("{}", printable(&text));
        return Err(Error::Interrupted);
    }
    ccsim::interrupt::check()?;
    let mut batch = Batch::default();
    // The `--out` folder first: other outputs may go in it.
    let set = outputs.out.map(ccsim::output::FileSet::begin).transpose()?;
    if let Some(path) = outputs.report {
        batch.file(path, &report::html::staff_report(&plan))?;
    }
    if let Some(path) = outputs.xlsx {
        batch.file_with(path, |w| report::xlsx::write_staff(&plan, w))?;
    }
    if let Some(mut set) = set {
        set.add("staffing.csv", &report::staff::to_csv(&plan))?;
        set.add("staffing.json", &report::staff::to_json(&plan))?;
        let text = ccsim::input::scenario_text(path)?;
        set.add("staffed.toml", &report::staff::staffed_scenario(&text, &plan)?)?;
        if !plan.roster.is_empty() {
            for table in report::roster::tables(&plan) {
                set.add(&format!("{}.csv", table.name), &table.to_csv())?;
            }
            set.add("rostered.toml", &report::roster::rostered_scenario(&text, &plan)?)?;
        }
        batch.set(set);
    }
    batch.commit()?;
    let text = match format {
        Format::Table => report::staff::to_table(&plan),
        Format::Json => report::staff::to_json(&plan),
        Format::Csv => report::staff::to_csv(&plan),
    };
    print!("{}", printable(&text));
    Ok(0)
}

fn check(
    paths: &[PathBuf],
    junit: Option<&Path>,
    baseline: Option<&Path>,
    save_baseline: Option<&Path>,
    threads: usize,
) -> Result<u8, Error> {
    if let Some(dir) = baseline
        && !dir.is_dir()
    {
        return Err(Error::Other(format!("--baseline {}: no such folder", dir.display())));
    }
    let files = ccsim::check::scenario_files(paths)?;
    if files.is_empty() {
        return Err(Error::Other(format!(
            "no scenario files (*.toml) in {}",
            paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    if let Some(path) = junit {
        let mut inputs: Vec<PathBuf> = files.iter().map(|(f, _)| f.clone()).collect();
        if let Some(dir) = baseline {
            inputs.extend(files.iter().map(|(_, key)| dir.join(format!("{key}.json"))));
        }
        not_an_input(
            "--junit",
            path,
            &inputs.iter().map(PathBuf::as_path).collect::<Vec<_>>(),
        )?;
    }
    distinct_outputs(&[("--junit", junit)], None)?;
    if let Some(dir) = save_baseline
        && dir.exists()
        && !dir.is_dir()
    {
        return Err(Error::Other(format!(
            "--save-baseline {} is not a folder: it names the folder the baselines go in",
            dir.display()
        )));
    }
    if let Some(dir) = save_baseline {
        let scenarios: Vec<&Path> = files.iter().map(|(f, _)| f.as_path()).collect();
        for (_, key) in &files {
            not_an_input("--save-baseline", &dir.join(format!("{key}.json")), &scenarios)?;
        }
    }
    let bar = progress_bar(files.len() as u64, "scenarios");
    let results = ccsim::check::check(&files, threads, baseline, save_baseline, &|_| bar.inc(1))?;
    bar.finish_and_clear();
    for r in &results {
        print_warnings(&r.warnings);
    }
    let unchecked = results.iter().filter(|r| r.error.is_some()).count();
    if let Some(dir) = save_baseline
        && unchecked > 0
    {
        eprintln!(
            "{}",
            printable(&format!(
                "--save-baseline {}: nothing saved, as {unchecked} of {} scenarios could not be checked (the baselines are saved all together or not at all)",
                dir.display(),
                results.len()
            ))
        );
    }
    if let Some(path) = junit {
        report::csv::write_atomic(path, &report::junit::render(&results))?;
    }
    print!("{}", printable(&ccsim::check::render(&results)));
    Ok(ccsim::check::exit_code(&results))
}

fn validate(paths: &[PathBuf]) -> Result<u8, Error> {
    let mut diagnostics = Vec::new();
    for path in paths {
        match load_model(path) {
            Ok(model) => println!(
                "{}: ok ({}, {}, {})",
                printable(&path.display().to_string()),
                plural(model.call_types.len(), "call type"),
                plural(model.groups.len(), "group"),
                plural(model.clock.intervals, "interval"),
            ),
            Err(Error::Invalid(d)) => diagnostics.extend(d),
            Err(e) => return Err(e),
        }
    }
    if diagnostics.is_empty() {
        Ok(0)
    } else {
        Err(Error::Invalid(diagnostics))
    }
}

fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// Whether `a` and `b` are one file (after symlinks; on Unix also hard links). A path
/// that does not exist is no input.
fn same_file(a: &Path, b: &Path) -> bool {
    let (Ok(ma), Ok(mb)) = (std::fs::metadata(a), std::fs::metadata(b)) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if (ma.dev(), ma.ino()) == (mb.dev(), mb.ino()) {
            return true;
        }
    }
    let _ = (ma, mb);
    matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y)
}

/// Refuses to write `output` (given as `flag`) where it would replace one of `inputs`.
fn not_an_input(flag: &str, output: &Path, inputs: &[&Path]) -> Result<(), Error> {
    match inputs.iter().find(|input| same_file(output, input)) {
        Some(input) => Err(Error::Other(format!(
            "{flag} {} would overwrite the input {}: write it somewhere else",
            output.display(),
            input.display()
        ))),
        None => Ok(()),
    }
}

/// Checks a command's outputs before anything is simulated: each file (`outputs`,
/// given as its flag) can be written where it is named (its folder exists, it is not a
/// folder), the folder `dir` (given as `--out`, with the names of the files it gets) is
/// not some other kind of file, and no two outputs name the same file (the second
/// written would replace the first), files of `dir` included.
fn distinct_outputs(outputs: &[(&str, Option<&Path>)], dir: Option<(&Path, &[&str])>) -> Result<(), Error> {
    let mut given: Vec<(&str, PathBuf)> = outputs
        .iter()
        .filter_map(|&(flag, path)| Some((flag, path?.to_owned())))
        .collect();
    if let Some((dir, names)) = dir {
        if dir.exists() && !dir.is_dir() {
            return Err(Error::Other(format!(
                "--out {} is not a folder: --out names the folder its files go in",
                dir.display()
            )));
        }
        given.extend(names.iter().map(|name| ("--out", dir.join(name))));
    }
    // Named alike once the folder is resolved, or one file through links.
    let resolved = |p: &Path| {
        let folder = p
            .parent()
            .filter(|f| !f.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let folder = folder.canonicalize().unwrap_or_else(|_| {
            let plain: PathBuf = folder
                .components()
                .filter(|c| *c != std::path::Component::CurDir)
                .collect();
            plain
        });
        p.file_name().map(|n| folder.join(n))
    };
    for (k, (first, a)) in given.iter().enumerate() {
        let clash = given[k + 1..].iter().find(|(_, b)| {
            !(ccsim::output::writes_in_place(a) && ccsim::output::writes_in_place(b))
                && (a == b || same_file(a, b) || resolved(a) == resolved(b))
        });
        if let Some((second, b)) = clash {
            return Err(Error::Other(format!(
                "{first} {} and {second} {} name the same file: give each its own",
                a.display(),
                b.display()
            )));
        }
    }
    for &(flag, path) in outputs {
        let Some(path) = path else { continue };
        if path.is_dir() {
            return Err(Error::Other(format!(
                "{flag} {} is a folder: name the file to write",
                path.display()
            )));
        }
        let folder = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        // The `--out` folder is made before the run.
        let made = dir.is_some_and(|(d, _)| resolved(&d.join("x")) == resolved(&folder.join("x")));
        if !folder.is_dir() && !made && !ccsim::output::writes_in_place(path) {
            return Err(Error::Other(format!(
                "{flag} {}: no folder {} to write it in",
                path.display(),
                folder.display()
            )));
        }
    }
    Ok(())
}

/// Refuses an output folder that is an input, or whose files `names` would replace one.
fn dir_not_an_input(flag: &str, dir: &Path, names: &[&str], inputs: &[&Path]) -> Result<(), Error> {
    not_an_input(flag, dir, inputs)?;
    for name in names {
        not_an_input(flag, &dir.join(name), inputs)?;
    }
    Ok(())
}

/// The files `run --out` and `merge --out` write.
const SUMMARY_FILES: [&str; 5] = [
    "intervals.csv",
    "call_types.csv",
    "channels.csv",
    "groups.csv",
    "summary.json",
];

/// `--threads N`: 0 (every core) up to [`ccsim::simulate::MAX_THREADS`].
fn threads_arg(text: &str) -> Result<usize, String> {
    let n: usize = text
        .parse()
        .map_err(|_| format!("expected a whole number of threads (0 uses every core), got `{text}`"))?;
    let max = ccsim::simulate::MAX_THREADS;
    if n > max {
        return Err(format!("at most {max} threads (0 uses every core), got {n}"));
    }
    Ok(n)
}

fn duration_arg(flag: &str, text: &str) -> Result<f64, Error> {
    parse_duration(text).map_err(|m| Error::Other(format!("{flag}: {m}\n  help: {DURATION_GRAMMAR}")))
}

/// Answers `ccsim erlang` and prints the answer in `format`.
fn erlang_cmd(question: &erlang::ask::Question, format: ErlangFormat) -> Result<u8, Error> {
    let answer = erlang::ask::ask(question)?;
    match format {
        ErlangFormat::Json => print!("{}", answer.to_json()),
        ErlangFormat::Table => print!("{}", answer.to_table()),
    }
    Ok(0)
}
