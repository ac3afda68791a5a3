//! The call log of a run (`ccsim run --call-log FILE`): one CSV row for every leg the
//! simulation offered to an agent queue, as a switch would log it, so that what ccsim
//! simulates can be read back by `ccsim fit` (which recognises the header and needs no
//! flags) and checked against the scenario it came from.
//!
//! The engine does no I/O: it tells a [`crate::engine::LegObserver`] what happened to
//! each leg it counts as offered. Each block of replications writes its rows to a
//! temporary file of its own in FILE's folder while it runs (nothing is held in memory);
//! the blocks are then appended in replication order to a temporary file that is renamed
//! onto FILE at the end. So the bytes do not depend on `--threads`, and FILE is either
//! whole or not there: an error or a Ctrl-C removes the temporary files and leaves no FILE.
//! A device or pipe (`/dev/null`, a FIFO, `/dev/stdout`) takes the rows as they are made,
//! the replications one after another: a log has no size limit, and staging it would
//! pass it through the system's temporary folder, which may be memory.
//!
//! Dates: replication r (from 0) takes the dates from 2000-01-01 + r·D days, where D is
//! the number of days its measured window touches ([`days_per_replication`]), so every
//! replication is a set of dates of its own. The `date` column is the day a leg belongs
//! to, the `arrival` its true time: a transfer that arrives in the drain after midnight
//! keeps its day's date, as a switch's business date does. The format is described in
//! `docs/calibration.md` ("The call log of a run").

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rayon::prelude::*;

use crate::engine::{LegRecord, run_replication_observed};
use crate::error::Error;
use crate::model::{Micros, Model};
use crate::stats::Accumulator;

/// The header of the call log, in order. `ccsim fit` recognises a log by these names.
pub const COLUMNS: [&str; 11] = [
    "date",
    "arrival",
    "call_type",
    "priority",
    "leg",
    "wait_seconds",
    "outcome",
    "talk_seconds",
    "wrap_up_seconds",
    "group",
    "replication",
];

/// The date of the first simulated day of replication 0.
pub fn first_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2000, 1, 1).expect("a valid date")
}

const DAY_US: u64 = 86_400_000_000;

/// Clock time (µs after midnight of the first day) of the start of the measured window.
fn window_start_us(model: &Model) -> u64 {
    (model.clock.start_of_day * 1e6).round().max(0.0) as u64
}

/// The dates one replication takes: the days its measured window touches (it ends
/// before its end: an interval is half-open).
pub fn days_per_replication(model: &Model) -> u64 {
    let clock = &model.clock;
    let window_end = window_start_us(model) + clock.interval * clock.intervals as Micros;
    window_end.saturating_sub(1) / DAY_US + 1
}

/// Text of a name as a CSV field: neutralised against spreadsheet formulas (as every CSV
/// of ccsim is, see [`crate::report::csv::cell`]) and quoted where CSV needs it.
fn csv_field(name: &str) -> String {
    let text = crate::report::csv::cell(name);
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.into_owned()
    }
}

/// What every row of a run shares: the names as written, and the calendar.
struct Layout {
    call_types: Vec<String>,
    priorities: Vec<i64>,
    groups: Vec<String>,
    warmup: Micros,
    window_start_us: u64,
    days_per_replication: u64,
}

impl Layout {
    fn of(model: &Model) -> Layout {
        Layout {
            call_types: model.call_types.iter().map(|c| csv_field(&c.name)).collect(),
            priorities: model.call_types.iter().map(|c| c.priority).collect(),
            groups: model.groups.iter().map(|g| csv_field(&g.name)).collect(),
            warmup: model.clock.warmup,
            window_start_us: window_start_us(model),
            days_per_replication: days_per_replication(model),
        }
    }

    /// Writes the row of one leg of replication `replication` (from 0).
    fn write_row(&self, out: &mut (impl Write + ?Sized), replication: u64, leg: &LegRecord) -> std::io::Result<()> {
        // Counted legs arrive in the window or after it, never in the warm-up.
        let clock_ms = (self.window_start_us + leg.arrival.saturating_sub(self.warmup)) / 1000;
        let day = clock_ms / 86_400_000;
        let first = replication * self.days_per_replication;
        // A leg after the window (a transfer in the drain) belongs to the window's last day.
        let date = first_date() + chrono::Days::new(first + day.min(self.days_per_replication - 1));
        let arrived = first_date() + chrono::Days::new(first + day);
        let ms = clock_ms % 86_400_000;
        let (hours, minutes, seconds, millis) = (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
        let ct = leg.call_type as usize;
        let rounded_ms = |us: Micros| (us + 500) / 1000;
        let (wait, talk, wrap_up) = (rounded_ms(leg.wait), rounded_ms(leg.talk), rounded_ms(leg.wrap_up));
        let group = leg.group.map_or("", |g| self.groups[g as usize].as_str());
        writeln!(
            out,
            "{date},{arrived}T{hours:02}:{minutes:02}:{seconds:02}.{millis:03},{},{},{},{}.{:03},{},{}.{:03},{}.{:03},{group},{}",
            self.call_types[ct],
            self.priorities[ct],
            leg.kind.name(),
            wait / 1000,
            wait % 1000,
            leg.outcome.name(),
            talk / 1000,
            talk % 1000,
            wrap_up / 1000,
            wrap_up % 1000,
            replication + 1
        )
    }
}

/// A temporary file in `dir` whose name says what it is part of. The one that becomes
/// the log gets the permissions of any new file (0666 less the umask), not a temporary
/// file's owner-only ones.
fn temporary(dir: &Path, name: &str, suffix: &str, becomes_the_log: bool) -> std::io::Result<tempfile::NamedTempFile> {
    let prefix = format!(".{name}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(suffix);
    #[cfg(unix)]
    let permissions = <std::fs::Permissions as std::os::unix::fs::PermissionsExt>::from_mode(0o666);
    #[cfg(unix)]
    if becomes_the_log {
        builder.permissions(permissions);
    }
    #[cfg(not(unix))]
    let _ = becomes_the_log;
    builder.tempfile_in(dir)
}

/// Runs replications `range` of `model` on `threads` threads (0: all cores), as
/// [`crate::simulate_range`] does, and writes their call log for `path` into `outputs`
/// (put in place with the command's other outputs, never half-written). A device, pipe
/// or stream `path` instead takes the rows as they are made, the replications one after
/// another, and `outputs` is left as it is. Returns the replications' sums.
pub fn simulate_with_call_log(
    model: &Model,
    range: std::ops::Range<u64>,
    threads: usize,
    path: &Path,
    outputs: &mut crate::output::Batch,
    progress: &(dyn Fn() + Sync),
) -> Result<Accumulator, Error> {
    let shown = path.display().to_string();
    let io = |e: std::io::Error| Error::io(format!("--call-log {shown}"), e);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| Error::Other(format!("--call-log {shown}: not a file name")))?;
    let in_place = crate::output::writes_in_place(path);
    let dir: PathBuf = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !in_place && !dir.is_dir() {
        return Err(Error::Other(format!(
            "--call-log {shown}: no folder {} to write it in",
            dir.display()
        )));
    }
    let layout = Layout::of(model);
    // The drain lasts at most 30 days past the last window.
    let last_day = range.end.saturating_mul(layout.days_per_replication).saturating_add(31);
    if first_date().checked_add_days(chrono::Days::new(last_day)).is_none() {
        return Err(Error::Other(format!(
            "--call-log {shown}: {} replications of {} days each run past the last date a log can hold",
            range.end, layout.days_per_replication
        )));
    }
    let (intervals, call_types, groups) = (model.clock.intervals, model.call_types.len(), model.groups.len());
    let halted = crate::simulate::Halted::new();
    // Replications `block` in order, each leg's row written to `out` as it is made.
    let log_block = |block: std::ops::Range<u64>, out: &mut dyn Write| -> Result<Accumulator, Error> {
        let mut acc = Accumulator::new(intervals, call_types, groups);
        for r in block {
            if crate::interrupt::requested() || halted.after(r) {
                break;
            }
            let mut failed: Option<std::io::Error> = None;
            let stats = run_replication_observed(model, r, &mut |leg: &LegRecord| {
                if failed.is_none()
                    && let Err(e) = layout.write_row(out, r, leg)
                {
                    failed = Some(e);
                }
            });
            if let Some(e) = failed {
                return Err(crate::output::stopped_or(io(e)));
            }
            if let Some(why) = &stats.halt {
                halted.note(r, why);
                break;
            }
            acc.add(&stats);
            if !crate::interrupt::requested() {
                // Only a replication run whole is done.
                progress();
            }
        }
        Ok(acc)
    };

    if in_place {
        // A device, a pipe or the process's own stream (`/dev/null`, a FIFO,
        // `/dev/stdout`) takes the rows as they are made, as the shell's `>` would, with
        // the replications run one after another in their order: staged whole it would
        // pass through the system's temporary folder, which may be memory (a tmpfs), and
        // a log has no size limit. Opened first, so a pipe with no reader is said at once.
        crate::budget::check_accumulators(model, 1, 1)?;
        let device = crate::output::InPlace::open(path).map_err(io)?;
        let mut out = BufWriter::with_capacity(1 << 16, device);
        writeln!(out, "{}", COLUMNS.join(",")).map_err(|e| crate::output::stopped_or(io(e)))?;
        let total = log_block(range, &mut out)?;
        out.flush().map_err(|e| crate::output::stopped_or(io(e)))?;
        crate::interrupt::check()?;
        halted.check()?;
        return Ok(total);
    }

    // The whole log is written here first: made before simulating, so a folder that
    // cannot be written to is said at once.
    let mut whole = temporary(&dir, &name, ".tmp", true).map_err(io)?;
    writeln!(whole, "{}", COLUMNS.join(",")).map_err(io)?;

    let pool = crate::simulate::thread_pool(threads)?;
    // Contiguous blocks of replications, each writing one part file; how many blocks does
    // not change the bytes, only how well the threads share the work.
    let count = range.end - range.start;
    let blocks = count.min(4 * pool.current_num_threads() as u64).max(1);
    // Every block's sums are held until they are added up.
    crate::budget::check_accumulators(model, pool.current_num_threads(), blocks as usize + 1)?;
    let bounds: Vec<std::ops::Range<u64>> = (0..blocks)
        .map(|b| range.start + count * b / blocks..range.start + count * (b + 1) / blocks)
        .collect();
    let parts: Vec<Result<(Accumulator, tempfile::TempPath), Error>> = pool.install(|| {
        bounds
            .par_iter()
            .map(|block| {
                let part = temporary(&dir, &name, ".part", false).map_err(io)?;
                let mut out = BufWriter::with_capacity(1 << 16, part);
                let acc = log_block(block.clone(), &mut out)?;
                let part = out.into_inner().map_err(|e| io(e.into_error()))?;
                Ok((acc, part.into_temp_path()))
            })
            .collect()
    });
    crate::interrupt::check()?;
    halted.check()?;
    let mut total = Accumulator::new(intervals, call_types, groups);
    let mut paths = Vec::with_capacity(parts.len());
    for part in parts {
        let (acc, part_path) = part?;
        total += &acc;
        paths.push(part_path);
    }
    for part_path in paths {
        let mut part = std::fs::File::open(&part_path).map_err(io)?;
        std::io::copy(&mut part, &mut whole).map_err(io)?;
        part_path.close().map_err(io)?;
    }
    std::io::Write::flush(&mut whole).map_err(io)?;
    whole.as_file().sync_all().map_err(io)?;
    crate::interrupt::check()?;
    outputs.add_temp(whole, path);
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(start: &str, duration: &str, escalates: bool) -> Model {
        let escalation = if escalates {
            "unresolved = { escalate_to = \"expert\" }\nresolution = 0.5\n"
        } else {
            ""
        };
        let text = format!(
            r#"
            [scenario]
            name = "days"
            start = "{start}"
            duration = "{duration}"

            [[call_type]]
            name = "general"
            arrivals = {{ per_hour = 10 }}
            handle_time = {{ dist = "exponential", mean = "3m" }}
            {escalation}

            [[call_type]]
            name = "expert"
            arrivals = {{ per_hour = 0 }}
            handle_time = {{ dist = "exponential", mean = "3m" }}

            [[agent_group]]
            name = "team"
            agents = 2
            skills = ["general", "expert"]
            "#
        );
        Model::build(&crate::Scenario::parse("days.toml", &text).expect("parses")).expect("valid")
    }

    #[test]
    fn a_replication_takes_the_days_its_window_touches() {
        assert_eq!(
            days_per_replication(&model("08:00", "16h", false)),
            1,
            "ends at midnight"
        );
        assert_eq!(days_per_replication(&model("08:00", "17h", false)), 2);
        assert_eq!(days_per_replication(&model("00:00", "7 days", false)), 7);
        // A transfer in the drain (4 h) takes no date of its own.
        assert_eq!(days_per_replication(&model("20:00", "4h", true)), 1);
    }

    #[test]
    fn a_transfer_after_midnight_keeps_its_days_date() {
        let model = model("20:00", "4h", true);
        let layout = Layout::of(&model);
        let leg = |after_window_start: Micros| LegRecord {
            call_type: 1,
            kind: crate::engine::Kind::Transfer,
            arrival: model.clock.warmup + after_window_start,
            wait: 1_500,
            outcome: crate::engine::LegOutcome::Served,
            talk: 60_000_000,
            wrap_up: 5_000_000,
            group: Some(0),
        };
        let row = |us: Micros, replication: u64| {
            let mut out = Vec::new();
            layout.write_row(&mut out, replication, &leg(us)).unwrap();
            String::from_utf8(out).unwrap()
        };
        assert_eq!(
            row(3_600_000_000, 0),
            "2000-01-01,2000-01-01T21:00:00.000,expert,0,transfer,0.002,served,60.000,5.000,team,1\n"
        );
        // 00:30 in the drain: the date of its day, the time of the next.
        assert_eq!(
            row(4 * 3_600_000_000 + 1_800_000_000, 1),
            "2000-01-02,2000-01-03T00:30:00.000,expert,0,transfer,0.002,served,60.000,5.000,team,2\n"
        );
    }

    #[test]
    fn names_are_quoted_for_csv_and_kept_from_spreadsheet_formulas() {
        assert_eq!(csv_field("billing"), "billing");
        assert_eq!(csv_field("a, \"b\""), "\"a, \"\"b\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
    }
}
