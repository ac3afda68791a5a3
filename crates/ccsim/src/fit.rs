//! Calibration from a switch's call log (`ccsim fit`) and back-testing a scenario against
//! what the log says happened (`ccsim backtest`).
//!
//! A log is a table with a row per call: its date, when it asked for an agent, whether
//! it queued, how long it waited, whether it was served or hung up, its talk time, its
//! type and priority, and the agent who served it. The columns are found by name; the
//! defaults read the Technion "Anonymous Bank" log as it is (tab-separated, dates
//! `YYMMDD`, clock times `H:MM:SS`), and flags map other ACD exports. What the method
//! does and does not model is in `docs/calibration.md`.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Weekday};
use statrs::distribution::{ContinuousCDF, LogNormal};

use crate::error::Error;
use crate::scenario::parse_clock_time;

pub mod backtest;
pub mod discipline;
pub mod dispersion;
pub mod hazard;
pub mod staffing;

use discipline::{Discipline, DisciplineFit};
use dispersion::Dispersion;
use hazard::HazardFit;
use staffing::{DayCounts, IntervalTarget};

pub use backtest::{backtest, backtest_json, render_backtest};

/// Where a field of the log is found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Column {
    /// The column with this header name, which the log must have (named by a flag).
    Named(String),
    /// The column with this header name if the log has one (a preset's guess); else the
    /// log has no such column.
    IfPresent(String),
    /// The log has no such column.
    Absent,
}

impl Column {
    fn name(&self) -> &str {
        match self {
            Column::Named(n) | Column::IfPresent(n) => n,
            Column::Absent => "",
        }
    }
}

/// How to read a log: the separator, the column of each field, and the values that mean
/// served, abandoned, unfinished, ignored and no agent. Times are clock times `H:MM:SS`
/// beside a date column, or date-times `YYYY-MM-DDTHH:MM:SS` (fractional seconds
/// allowed, `T` or a space between), which carry their date; waits and talk times are
/// seconds.
#[derive(Debug, Clone)]
pub struct LogFormat {
    pub delimiter: u8,
    /// The call's date (YYMMDD, YYYYMMDD or YYYY-MM-DD). Without it, arrivals are
    /// date-times and carry their date; with it, a date-time arrival is counted from the
    /// date's midnight (the day the call belongs to, as a switch's business date).
    pub date: Column,
    /// When the call asked for an agent (left the IVR/VRU).
    pub arrival: String,
    /// When it joined the queue; `0:00:00` (or empty) if it never queued. Without this
    /// column every served or abandoned call queued.
    pub queue_start: Column,
    /// Seconds waited in the queue.
    pub wait: String,
    pub outcome: String,
    /// Seconds of talk (may be empty for a call not served).
    pub handle: String,
    /// Seconds of after-call work (wrap-up) of a served call, where the log has it.
    pub wrap_up: Column,
    /// When service began and ended; without both, service begins after the wait and
    /// lasts the talk time.
    pub service_start: Column,
    pub service_end: Column,
    /// The call type; without this column every call is of type `calls`.
    pub kind: Column,
    pub priority: Column,
    pub agent: Column,
    pub served: String,
    pub abandoned: String,
    /// Outcomes of calls still waiting when the log ends (ccsim's `unfinished`): offered,
    /// and their wait is a lower bound of their patience.
    pub unfinished: Vec<String>,
    pub ignored: Vec<String>,
    pub no_agent: String,
    /// Priority values that jump the queue; `>0` stands for every number above 0.
    pub priority_values: Vec<String>,
    /// Read a text cell that ccsim's CSV writer protected from spreadsheets (`'` before
    /// `=`, `+`, `-`, `@`, a tab or a carriage return) without its `'`.
    pub unquote_formulas: bool,
    /// The longest wait or talk time a row may hold, in seconds; beyond is a bad row.
    pub longest: f64,
}

/// The longest wait or talk a switch's log may hold: a day (more is a broken row).
pub const LONGEST_IN_A_SWITCH_LOG: f64 = 86400.0;

impl Default for LogFormat {
    /// The Anonymous Bank log.
    fn default() -> Self {
        LogFormat::bank()
    }
}

impl LogFormat {
    /// The Technion Anonymous Bank log as it is: tab-separated, dates `YYMMDD`, clock
    /// times. The optional columns are taken where the header has them, so a CSV export
    /// that names only its required columns needs no flag to leave the others out.
    pub fn bank() -> Self {
        LogFormat {
            delimiter: b'\t',
            date: Column::IfPresent("date".into()),
            arrival: "vru_exit".into(),
            queue_start: Column::IfPresent("q_start".into()),
            wait: "q_time".into(),
            outcome: "outcome".into(),
            handle: "ser_time".into(),
            wrap_up: Column::Absent,
            service_start: Column::IfPresent("ser_start".into()),
            service_end: Column::IfPresent("ser_exit".into()),
            kind: Column::Named("type".into()),
            priority: Column::IfPresent("priority".into()),
            agent: Column::IfPresent("server".into()),
            served: "AGENT".into(),
            abandoned: "HANG".into(),
            unfinished: Vec::new(),
            ignored: vec!["PHANTOM".into()],
            no_agent: "NO_SERVER".into(),
            priority_values: vec!["2".into()],
            unquote_formulas: false,
            longest: LONGEST_IN_A_SWITCH_LOG,
        }
    }

    /// The call log of `ccsim run --call-log` (see [`crate::calllog`]): comma-separated,
    /// the day's date and arrivals as date-times, every leg queued; a call type of
    /// priority above 0 jumps the queue. Waits may be as long as a simulated horizon (an
    /// email's).
    pub fn ccsim() -> Self {
        LogFormat {
            delimiter: b',',
            date: Column::Named("date".into()),
            arrival: "arrival".into(),
            queue_start: Column::Absent,
            wait: "wait_seconds".into(),
            outcome: "outcome".into(),
            handle: "talk_seconds".into(),
            wrap_up: Column::IfPresent("wrap_up_seconds".into()),
            service_start: Column::Absent,
            service_end: Column::Absent,
            kind: Column::Named("call_type".into()),
            priority: Column::Named("priority".into()),
            // The engine's agents are anonymous within a group: the log names none.
            agent: Column::Absent,
            served: "served".into(),
            abandoned: "abandoned".into(),
            // A message or a disconnection ends a wait that had not run out of patience:
            // censored, as an unfinished wait is. A blocked call never waited.
            unfinished: vec!["unfinished".into(), "message".into(), "disconnected".into()],
            ignored: vec!["blocked".into()],
            no_agent: String::new(),
            priority_values: vec![">0".into()],
            unquote_formulas: true,
            longest: 400.0 * 86400.0,
        }
    }

    /// Whether the header row `names` is that of ccsim's call log.
    pub fn is_ccsim_header<'a>(names: impl IntoIterator<Item = &'a str>) -> bool {
        let names: Vec<&str> = names.into_iter().map(header_name).collect();
        [
            "date",
            "arrival",
            "call_type",
            "priority",
            "wait_seconds",
            "outcome",
            "talk_seconds",
        ]
        .iter()
        .all(|c| names.contains(c))
    }

    /// Whether a priority value jumps the queue.
    fn jumps_the_queue(&self, value: &str) -> bool {
        self.priority_values
            .iter()
            .any(|v| v == value || (v == ">0" && value.parse::<f64>().is_ok_and(|x| x > 0.0)))
    }
}

/// A header cell as a name: trimmed, without the byte-order mark some exports begin with.
fn header_name(cell: &str) -> &str {
    cell.trim_start_matches('\u{feff}').trim()
}

/// The header row of the log at `path` read with `delimiter`, to choose how to read it.
pub fn read_header(path: &Path, delimiter: u8) -> Result<Vec<String>, Error> {
    let file = path.display().to_string();
    let opened = crate::input::open(path, "call log", crate::input::MAX_LOG_BYTES)
        .map_err(|why| Error::Other(format!("{file}: {why}")))?;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(opened);
    let headers = reader
        .headers()
        .map_err(|e| Error::Other(format!("{file}: cannot read the header row: {e}")))?;
    Ok(headers.iter().map(|h| header_name(h).to_owned()).collect())
}

/// One call of the log that asked for an agent.
#[derive(Debug, Clone)]
pub struct Call {
    pub date: NaiveDate,
    /// Seconds after midnight.
    pub arrival: f64,
    /// Reached the agent queue (served, hung up while queued, or still waiting).
    pub queued: bool,
    pub served: bool,
    /// Hung up while queued. A call neither served nor abandoned was still waiting when
    /// the log ended (unfinished).
    pub abandoned: bool,
    pub wait: f64,
    pub handle: f64,
    /// After-call work of a served call, where the log has it.
    pub wrap_up: Option<f64>,
    pub service: Option<(f64, f64)>,
    pub kind: String,
    pub priority: bool,
    pub agent: Option<String>,
}

/// What reading a log found.
#[derive(Debug, Clone, Default)]
pub struct Log {
    pub calls: Vec<Call>,
    pub rows: usize,
    pub ignored: usize,
    /// Hung up before reaching the agent queue (in the IVR/VRU).
    pub hung_up_before_queue: usize,
    pub skipped: usize,
    /// Optional columns the format would have read that the header does not have.
    pub missing_columns: Vec<String>,
}

fn parse_date(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    let format = match t.len() {
        6 => "%y%m%d",
        8 => "%Y%m%d",
        _ => "%Y-%m-%d",
    };
    NaiveDate::parse_from_str(t, format).ok()
}

/// A local date-time `YYYY-MM-DDTHH:MM[:SS[.fff…]]`, with `T` or a space between.
fn parse_date_time(text: &str) -> Option<NaiveDateTime> {
    let (date, time) = text.trim().split_once(['T', ' '])?;
    let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?;
    let time = NaiveTime::parse_from_str(time, "%H:%M:%S%.f")
        .or_else(|_| NaiveTime::parse_from_str(time, "%H:%M"))
        .ok()?;
    Some(date.and_time(time))
}

/// Seconds from midnight of `date` to `at` (beyond a day when `at` is a later date).
fn seconds_since(date: NaiveDate, at: NaiveDateTime) -> f64 {
    let midnight = date.and_time(NaiveTime::MIN);
    (at - midnight)
        .num_microseconds()
        .map_or(f64::NAN, |us| us as f64 / 1e6)
}

/// A time of day of `date`: a clock time, or a date-time (then seconds after that
/// date's midnight).
fn parse_time_on(date: NaiveDate, text: &str) -> Option<f64> {
    match parse_date_time(text) {
        Some(at) => Some(seconds_since(date, at)),
        None => parse_clock_time(text),
    }
}

/// `text` without the `'` ccsim's CSV writer put before a formula character.
fn unquote_formula(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => text,
    }
}

/// The fields of a log, for the columns and the messages that name them.
const DATE: usize = 0;
const ARRIVAL: usize = 1;
const QUEUE_START: usize = 2;
const WAIT: usize = 3;
const OUTCOME: usize = 4;
const HANDLE: usize = 5;
const SERVICE_START: usize = 6;
const SERVICE_END: usize = 7;
const KIND: usize = 8;
const PRIORITY: usize = 9;
const AGENT: usize = 10;
const WRAP_UP: usize = 11;

/// Reads a call log. A row that cannot be read is an error naming its line and column,
/// unless `skip_bad_rows`, which counts it instead.
pub fn read_log(path: &Path, format: &LogFormat, skip_bad_rows: bool) -> Result<Log, Error> {
    let file = path.display().to_string();
    // A regular file within the size limit only (never `/dev/zero`, which never ends).
    let opened = crate::input::open(path, "call log", crate::input::MAX_LOG_BYTES)
        .map_err(|why| Error::Other(format!("{file}: {why}")))?;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(format.delimiter)
        .flexible(true)
        .from_reader(opened);
    let headers = reader
        .headers()
        .map_err(|e| Error::Other(format!("{file}: cannot read the header row: {e}")))?
        .clone();
    let mut log = Log::default();
    let named = |name: &str| -> Result<usize, Error> {
        headers.iter().position(|h| header_name(h) == name).ok_or_else(|| {
            let names: Vec<&str> = headers.iter().map(header_name).collect();
            let hint =
                crate::error::did_you_mean(name, names.iter().copied()).map_or(String::new(), |s| format!("; {s}"));
            Error::Other(format!(
                "{file}: no column `{name}` (the header has: {}){hint}; map it with the column flags of `ccsim fit`",
                names.join(", ")
            ))
        })
    };
    let mut column = |c: &Column| -> Result<Option<usize>, Error> {
        match c {
            Column::Named(name) => named(name).map(Some),
            Column::IfPresent(name) => {
                let found = headers.iter().position(|h| header_name(h) == name);
                if found.is_none() {
                    log.missing_columns.push(name.clone());
                }
                Ok(found)
            }
            Column::Absent => Ok(None),
        }
    };
    // In the order of the field constants above.
    let c: [Option<usize>; 12] = [
        column(&format.date)?,
        Some(named(&format.arrival)?),
        column(&format.queue_start)?,
        Some(named(&format.wait)?),
        Some(named(&format.outcome)?),
        Some(named(&format.handle)?),
        column(&format.service_start)?,
        column(&format.service_end)?,
        column(&format.kind)?,
        column(&format.priority)?,
        column(&format.agent)?,
        column(&format.wrap_up)?,
    ];
    let names = [
        format.date.name(),
        &format.arrival,
        format.queue_start.name(),
        &format.wait,
        &format.outcome,
        &format.handle,
        format.service_start.name(),
        format.service_end.name(),
        format.kind.name(),
        format.priority.name(),
        format.agent.name(),
        format.wrap_up.name(),
    ];
    let longest = if format.longest == LONGEST_IN_A_SWITCH_LOG {
        "seconds from 0 to a day".to_owned()
    } else {
        format!("seconds from 0 to {} days", format.longest / 86400.0)
    };
    // What the calls take in memory, against the budget (a 1 GiB log of short rows holds
    // some 40 million calls, several GB as records).
    let budget = crate::budget::budget()?;
    let mut held: u64 = 0;
    // How far a service may lie from its arrival: the longest wait, and a day for clocks.
    let reach = if format.longest == LONGEST_IN_A_SWITCH_LOG {
        "two days".to_owned()
    } else {
        format!("{} days", format.longest / 86400.0 + 1.0)
    };
    for (i, record) in reader.records().enumerate() {
        if i % 65_536 == 0 {
            crate::interrupt::check()?;
        }
        // The list of calls is about to double: the old and the new one are held at once.
        if log.calls.len() == log.calls.capacity() {
            let bytes = held + (3 * log.calls.capacity().max(4) * std::mem::size_of::<Call>()) as u64;
            if bytes > budget {
                return Err(Error::Other(format!(
                    "{file}: {} calls by line {}, with room for as many more, would take {} in memory, more than the budget of {} ({}): fit a shorter stretch of the log, or raise the limit with {}",
                    log.calls.len(),
                    i + 2,
                    crate::budget::bytes_text(u128::from(bytes)),
                    crate::budget::bytes_text(u128::from(budget)),
                    crate::budget::BUDGET_VARIABLE,
                    crate::budget::BUDGET_VARIABLE,
                )));
            }
        }
        // The file's own line (the reader skips blank lines, so counting rows is not it).
        let line = record
            .as_ref()
            .ok()
            .and_then(|r| r.position())
            .map_or(i + 2, |p| p.line() as usize);
        log.rows += 1;
        let record = match record {
            Ok(r) => r,
            Err(e) if skip_bad_rows => {
                let _ = e;
                log.skipped += 1;
                continue;
            }
            Err(e) => return Err(Error::Other(format!("{file}:{line}: {e}"))),
        };
        let field = |k: usize| c[k].and_then(|at| record.get(at)).unwrap_or("");
        let bad = |k: usize, what: &str| {
            Error::Other(format!(
                "{file}:{line}: column `{}`: expected {what}, got `{}` (use --skip-bad-rows to skip such rows)",
                names[k],
                field(k)
            ))
        };
        let outcome = field(OUTCOME).trim();
        if format.ignored.iter().any(|v| v == outcome) {
            log.ignored += 1;
            continue;
        }
        let parsed = (|| -> Result<Option<Call>, Error> {
            // A date-time arrival carries its date; a clock time needs the date column.
            // Where both are there, the date column says which day the call belongs to (a
            // call just after midnight may be the day before's: 24:00 and more after it).
            let (date, arrival) = match (c[DATE], parse_date_time(field(ARRIVAL))) {
                (None, Some(at)) => (at.date(), seconds_since(at.date(), at)),
                (None, None) => {
                    return Err(bad(
                        ARRIVAL,
                        "a date-time YYYY-MM-DDTHH:MM:SS (the log has no date column to go with a clock time)",
                    ));
                }
                (Some(_), at) => {
                    let date =
                        parse_date(field(DATE)).ok_or_else(|| bad(DATE, "a date (YYMMDD, YYYYMMDD or YYYY-MM-DD)"))?;
                    let arrival = match at {
                        Some(at) => Some(seconds_since(date, at)).filter(|s| (0.0..2.0 * 86400.0).contains(s)),
                        None => parse_clock_time(field(ARRIVAL)),
                    };
                    let arrival = arrival.ok_or_else(|| {
                        bad(
                            ARRIVAL,
                            &format!(
                                "a clock time H:MM:SS or a date-time YYYY-MM-DDTHH:MM:SS on the date {date} or the day after"
                            ),
                        )
                    })?;
                    (date, arrival)
                }
            };
            let queue_start = field(QUEUE_START).trim();
            let queued = if c[QUEUE_START].is_none() {
                true
            } else if queue_start.is_empty() {
                false
            } else {
                parse_time_on(date, queue_start)
                    .ok_or_else(|| bad(QUEUE_START, "a clock time H:MM:SS or a date-time YYYY-MM-DDTHH:MM:SS"))?
                    > 0.0
            };
            let served = outcome == format.served;
            let abandoned = outcome == format.abandoned;
            let unfinished = format.unfinished.iter().any(|v| v == outcome);
            let wait: f64 = field(WAIT).trim().parse().map_err(|_| bad(WAIT, "seconds"))?;
            let talk = field(HANDLE).trim();
            // A call not served may leave its talk time empty.
            let handle: f64 = if talk.is_empty() && !served {
                0.0
            } else {
                talk.parse().map_err(|_| bad(HANDLE, "seconds"))?
            };
            if !(wait.is_finite() && (0.0..=format.longest).contains(&wait)) {
                return Err(bad(WAIT, &longest));
            }
            if !(handle.is_finite() && (0.0..=format.longest).contains(&handle)) {
                return Err(bad(HANDLE, &longest));
            }
            let kind = match c[KIND] {
                Some(_) => {
                    let kind = field(KIND).trim();
                    if kind.is_empty() || kind.chars().any(|ch| ch.is_control()) {
                        return Err(bad(KIND, "a call type name"));
                    }
                    if format.unquote_formulas {
                        unquote_formula(kind)
                    } else {
                        kind
                    }
                }
                None => "calls",
            };
            if !served && !abandoned && !unfinished {
                let mut values = vec![format!("`{}`", format.served), format!("`{}`", format.abandoned)];
                values.extend(format.unfinished.iter().map(|v| format!("`{v}`")));
                return Err(bad(OUTCOME, &format!("{} or an ignored value", values.join(", "))));
            }
            if abandoned && !queued {
                return Ok(None); // hung up before reaching the queue
            }
            let service = match (served, c[SERVICE_START], c[SERVICE_END]) {
                (false, ..) => None,
                (true, Some(_), Some(_)) => match (
                    parse_time_on(date, field(SERVICE_START)),
                    parse_time_on(date, field(SERVICE_END)),
                ) {
                    (Some(s), Some(e)) => {
                        let e = if e >= s { e } else { e + 86400.0 };
                        // Within the log's longest wait of the arrival (and a day's
                        // slack for clocks), and as long as the longest talk: a date
                        // years away would stretch the interval grid over them.
                        if !(arrival - 86400.0..=arrival + format.longest + 86400.0).contains(&s) {
                            return Err(bad(
                                SERVICE_START,
                                &format!("a time from a day before the arrival to {reach} after it"),
                            ));
                        }
                        if e - s > format.longest + 86400.0 {
                            return Err(bad(
                                SERVICE_END,
                                &format!("a time within {reach} of the service's start"),
                            ));
                        }
                        Some((s, e))
                    }
                    _ => None,
                },
                // Without service times: service began after the wait and lasted the talk.
                (true, None, None) => Some((arrival + wait, arrival + wait + handle)),
                (true, ..) => None,
            };
            let agent = field(AGENT).trim();
            let wrap_up = match (served, c[WRAP_UP]) {
                (true, Some(_)) => {
                    let w: f64 = field(WRAP_UP).trim().parse().map_err(|_| bad(WRAP_UP, "seconds"))?;
                    if !(w.is_finite() && (0.0..=format.longest).contains(&w)) {
                        return Err(bad(WRAP_UP, &longest));
                    }
                    Some(w)
                }
                _ => None,
            };
            Ok(Some(Call {
                wrap_up,
                date,
                arrival,
                queued: queued || served || unfinished,
                served,
                abandoned,
                wait,
                handle,
                service,
                kind: kind.to_owned(),
                priority: c[PRIORITY].is_some() && format.jumps_the_queue(field(PRIORITY).trim()),
                agent: (served && !agent.is_empty() && agent != format.no_agent).then(|| agent.to_owned()),
            }))
        })();
        match parsed {
            Ok(Some(call)) => {
                held += (call.kind.capacity() + call.agent.as_ref().map_or(0, String::capacity)) as u64;
                log.calls.push(call);
            }
            Ok(None) => log.hung_up_before_queue += 1,
            Err(_) if skip_bad_rows => log.skipped += 1,
            Err(e) => return Err(e),
        }
    }
    Ok(log)
}

/// Which dates of the log a scenario stands for.
#[derive(Debug, Clone)]
pub enum Days {
    /// The weekdays that carry the bulk of the calls (those whose average volume is at
    /// least half the busiest weekday's).
    Busy,
    Weekdays(Vec<Weekday>),
    /// Dates, from a date, a range of dates, or a list of both.
    Dates(Vec<NaiveDate>),
    /// The days of the first selection that are also among the dates: `busy@DATES`,
    /// `WEEKDAYS@DATES` (a hold-out's weekdays within its weeks).
    Within(Box<Days>, Vec<NaiveDate>),
}

impl Days {
    /// `busy`; a list of weekdays (`sun,mon,tue`); or a list of dates and inclusive
    /// ranges of dates (`1999-02-03`, `1999-02-01..1999-02-14`,
    /// `1999-02-15,1999-02-16`, `1999-02-01..1999-02-07,1999-02-10`). The error names
    /// the flag, the whole value and the part that is wrong.
    pub fn parse(text: &str) -> Result<Days, Error> {
        let bad = |why: String| {
            Error::Other(format!(
                "--days `{text}`: {why} (expected `busy`, weekdays such as `sun,mon,tue`, dates \
                 (YYYY-MM-DD), ranges of dates such as `1999-02-01..1999-02-14`, or a list of dates and ranges; \
                 `busy@DATES` or `WEEKDAYS@DATES` keeps those weekdays among the dates)"
            ))
        };
        let text_t = text.trim();
        if text_t == "busy" {
            return Ok(Days::Busy);
        }
        if let Some((which, dates)) = text_t.split_once('@') {
            let which =
                Days::parse(which).map_err(|_| bad(format!("`{which}` before `@` is not `busy` or weekdays")))?;
            let Ok(Days::Dates(dates)) = Days::parse(dates) else {
                return Err(bad(format!("`{dates}` after `@` is not dates or ranges of dates")));
            };
            if matches!(which, Days::Dates(_)) {
                return Err(bad("before `@` give `busy` or weekdays, after it dates".into()));
            }
            return Ok(Days::Within(Box::new(which), dates));
        }
        let items: Vec<&str> = text_t.split(',').map(str::trim).collect();
        if items.iter().any(|i| i.is_empty()) {
            return Err(bad("an empty item".into()));
        }
        let is_weekday = |i: &str| i.parse::<Weekday>().is_ok();
        if items.iter().all(|i| is_weekday(i)) {
            return Ok(Days::Weekdays(
                items.iter().map(|i| i.parse().expect("checked")).collect(),
            ));
        }
        if let Some(w) = items.iter().find(|i| is_weekday(i)) {
            return Err(bad(format!("`{w}` is a weekday: give weekdays or dates, not both")));
        }
        let date = |t: &str| parse_date(t).ok_or_else(|| bad(format!("`{t}` is not a date (YYYY-MM-DD) or a weekday")));
        let mut dates = Vec::new();
        for item in items {
            match item.split_once("..") {
                Some((a, b)) => {
                    let (a, b) = (date(a.trim())?, date(b.trim())?);
                    if b < a {
                        return Err(bad(format!("the range `{item}` ends before it starts")));
                    }
                    if (b - a).num_days() > 366 * 100 {
                        return Err(bad(format!("the range `{item}` is longer than a century")));
                    }
                    dates.extend(a.iter_days().take_while(|d| *d <= b));
                }
                None => dates.push(date(item)?),
            }
        }
        dates.sort();
        dates.dedup();
        Ok(Days::Dates(dates))
    }

    /// The dates of `log` selected, in order.
    pub fn select(&self, log: &Log) -> Vec<NaiveDate> {
        let mut per_date: BTreeMap<NaiveDate, usize> = BTreeMap::new();
        for c in &log.calls {
            *per_date.entry(c.date).or_default() += 1;
        }
        match self {
            Days::Within(which, d) => which
                .select(log)
                .into_iter()
                .filter(|x| d.binary_search(x).is_ok())
                .collect(),
            Days::Dates(d) => per_date
                .keys()
                .filter(|x| d.binary_search(x).is_ok())
                .copied()
                .collect(),
            Days::Weekdays(w) => per_date.keys().filter(|d| w.contains(&d.weekday())).copied().collect(),
            Days::Busy => {
                let mut by_weekday: BTreeMap<u32, (usize, usize)> = BTreeMap::new();
                for (d, n) in &per_date {
                    let e = by_weekday.entry(d.weekday().num_days_from_monday()).or_default();
                    e.0 += n;
                    e.1 += 1;
                }
                let average = |w: u32| by_weekday.get(&w).map_or(0.0, |&(n, days)| n as f64 / days as f64);
                let busiest = (0..7).map(average).fold(0.0, f64::max);
                per_date
                    .keys()
                    .filter(|d| average(d.weekday().num_days_from_monday()) >= 0.5 * busiest)
                    .copied()
                    .collect()
            }
        }
    }

    pub fn describe(dates: &[NaiveDate]) -> String {
        let mut weekdays: Vec<Weekday> = dates.iter().map(|d| d.weekday()).collect();
        weekdays.sort_by_key(|w| w.num_days_from_sunday());
        weekdays.dedup();
        format!(
            "{} days ({})",
            dates.len(),
            weekdays.iter().map(|w| w.to_string()).collect::<Vec<_>>().join(", ")
        )
    }
}

/// A lognormal fitted to positive samples by maximum likelihood (the mean and variance
/// of their logarithms), with the Kolmogorov–Smirnov distance to the samples.
#[derive(Debug, Clone, Copy)]
pub struct LogNormalFit {
    pub mean: f64,
    pub cv: f64,
    pub ks: f64,
    pub samples: usize,
}

pub fn fit_lognormal(samples: &[f64]) -> Option<LogNormalFit> {
    let logs: Vec<f64> = samples.iter().filter(|&&x| x > 0.0).map(|x| x.ln()).collect();
    if logs.len() < 2 {
        return None;
    }
    let n = logs.len() as f64;
    let mu = logs.iter().sum::<f64>() / n;
    let var = logs.iter().map(|l| (l - mu).powi(2)).sum::<f64>() / n;
    let sigma = var.sqrt().max(1e-9);
    let dist = LogNormal::new(mu, sigma).ok()?;
    let mut sorted: Vec<f64> = samples.iter().copied().filter(|&x| x > 0.0).collect();
    sorted.sort_by(f64::total_cmp);
    let ks = sorted
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            let f = dist.cdf(x);
            (f - i as f64 / n).abs().max(((i + 1) as f64 / n - f).abs())
        })
        .fold(0.0, f64::max);
    Some(LogNormalFit {
        mean: (mu + var / 2.0).exp(),
        cv: (var.exp() - 1.0).sqrt(),
        ks,
        samples: sorted.len(),
    })
}

/// A family of handle-time distributions `fit` chooses among (all simulated by ccsim,
/// see `docs/scenarios.md`, "Distributions").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// Lognormal with the sample's mean and variance.
    LogNormal,
    /// Gamma with the sample's mean and variance.
    Gamma,
    /// Weibull with the sample's mean and coefficient of variation.
    Weibull,
    /// Lognormal by maximum likelihood (mean and variance of the log talk times): a
    /// candidate only when its mean is within 1 % of the sample's.
    LogNormalMle,
}

impl Family {
    pub fn label(self) -> &'static str {
        match self {
            Family::LogNormal => "lognormal",
            Family::Gamma => "gamma",
            Family::Weibull => "weibull",
            Family::LogNormalMle => "lognormal (maximum likelihood)",
        }
    }
}

/// One fitted distribution: its family, mean and CV (Weibull: also shape and scale).
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub family: Family,
    pub mean: f64,
    pub cv: f64,
    /// Weibull only.
    pub weibull: Option<(f64, f64)>,
}

impl Shape {
    /// Matches `family` to the sample; `None` when it cannot be (no spread, or the
    /// lognormal MLE of no positive time).
    fn fit(family: Family, samples: &[f64]) -> Option<Shape> {
        let (mean, cv) = moments(samples)?;
        let cv = cv.min(20.0);
        match family {
            Family::LogNormal | Family::Gamma => (cv > 0.0).then_some(Shape {
                family,
                mean,
                cv,
                weibull: None,
            }),
            Family::Weibull => {
                let k = weibull_shape(cv)?;
                let scale = mean / statrs::function::gamma::gamma(1.0 + 1.0 / k);
                Some(Shape {
                    family,
                    mean,
                    cv,
                    weibull: Some((k, scale)),
                })
            }
            Family::LogNormalMle => {
                let l = fit_lognormal(samples)?;
                Some(Shape {
                    family,
                    mean: l.mean,
                    cv: l.cv.min(20.0),
                    weibull: None,
                })
            }
        }
    }

    fn cdf(&self) -> Option<Box<dyn Fn(f64) -> f64>> {
        use statrs::distribution::{Gamma, Weibull};
        Some(match (self.family, self.weibull) {
            (Family::Gamma, _) => {
                // A shape 1/cv² above 10⁶ (talk times nearly all equal) makes the
                // incomplete gamma function run for ever (a log of 300 talks of 1 ms
                // each did not end): such a narrow spread is left to the other families.
                if self.cv < 1e-3 {
                    return None;
                }
                let shape = 1.0 / (self.cv * self.cv);
                let d = Gamma::new(shape, shape / self.mean).ok()?;
                Box::new(move |x| d.cdf(x))
            }
            (Family::Weibull, Some((k, scale))) => {
                let d = Weibull::new(k, scale).ok()?;
                Box::new(move |x| d.cdf(x))
            }
            (Family::Weibull, None) => return None,
            (Family::LogNormal | Family::LogNormalMle, _) => {
                let var = (1.0 + self.cv * self.cv).ln();
                let d = LogNormal::new(self.mean.ln() - var / 2.0, var.sqrt().max(1e-9)).ok()?;
                Box::new(move |x| d.cdf(x))
            }
        })
    }

    /// The Kolmogorov–Smirnov distance between this distribution and `samples`.
    fn ks(&self, samples: &[f64]) -> Option<f64> {
        let cdf = self.cdf()?;
        let mut sorted = samples.to_vec();
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len() as f64;
        Some(
            sorted
                .iter()
                .enumerate()
                .map(|(i, &x)| {
                    let f = cdf(x);
                    (f - i as f64 / n).abs().max(((i + 1) as f64 / n - f).abs())
                })
                .fold(0.0, f64::max),
        )
    }

    /// The scenario's `handle_time` value.
    pub fn toml(&self) -> String {
        match (self.family, self.weibull) {
            (Family::Weibull, Some((k, scale))) => {
                format!("{{ dist = \"weibull\", shape = {k:.4}, scale = {scale:.2} }}")
            }
            (Family::Gamma, _) => format!(
                "{{ dist = \"gamma\", mean = {}, cv = {:.4} }}",
                mean_text(self.mean),
                self.cv
            ),
            _ => format!(
                "{{ dist = \"lognormal\", mean = {}, cv = {:.4} }}",
                mean_text(self.mean),
                self.cv
            ),
        }
    }
}

/// A mean in seconds as the scenario writes it: one decimal, or four significant digits
/// below a second (talk times of 5 ms were written `0.0`, which no scenario accepts).
fn mean_text(seconds: f64) -> String {
    if seconds >= 1.0 {
        format!("{seconds:.1}")
    } else {
        format!("{seconds:.3e}")
    }
}

/// Mean and coefficient of variation (population) of the samples; `None` for fewer than
/// two or a mean of 0.
fn moments(samples: &[f64]) -> Option<(f64, f64)> {
    if samples.len() < 2 {
        return None;
    }
    let n = samples.len() as f64;
    let mean = samples.iter().sum::<f64>() / n;
    if mean <= 0.0 {
        return None;
    }
    let var = samples.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
    Some((mean, var.sqrt() / mean))
}

/// The Weibull shape whose coefficient of variation is `cv` (within the shapes ccsim
/// simulates, 0.05 to 100), by bisection: the CV falls as the shape grows.
fn weibull_shape(cv: f64) -> Option<f64> {
    use statrs::function::gamma::ln_gamma;
    if cv <= 0.0 {
        return None;
    }
    let cv_of = |k: f64| ((ln_gamma(1.0 + 2.0 / k) - 2.0 * ln_gamma(1.0 + 1.0 / k)).exp() - 1.0).sqrt();
    let (mut lo, mut hi) = (0.05f64.ln(), 100f64.ln());
    if cv >= cv_of(0.05) {
        return Some(0.05);
    }
    if cv <= cv_of(100.0) {
        return Some(100.0);
    }
    for _ in 0..100 {
        let mid = (lo + hi) / 2.0;
        if cv_of(mid.exp()) > cv {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Some(((lo + hi) / 2.0).exp())
}

/// A candidate of [`fit_handle`]: fitted on the calls kept for fitting, and its
/// Kolmogorov–Smirnov distance to the held-out calls (`None`: not a candidate, see
/// `excluded`).
#[derive(Debug, Clone)]
pub struct Candidate {
    pub family: Family,
    pub mean: f64,
    pub ks: Option<f64>,
    pub excluded: Option<String>,
}

/// The handle-time fit of a call type: the chosen distribution, refitted on all the
/// calls (so a moment-matched mean is the sample mean), the sample's figures and the
/// candidates weighed.
#[derive(Debug, Clone)]
pub struct HandleFit {
    pub chosen: Shape,
    /// Its Kolmogorov–Smirnov distance to the held-out calls.
    pub ks: f64,
    pub sample_mean: f64,
    pub sample_cv: f64,
    pub samples: usize,
    /// Calls held out to judge the fits (every 5th); 0 when there were too few calls to
    /// hold any out and the fits were judged on the calls they were fitted to.
    pub held_out: usize,
    pub candidates: Vec<Candidate>,
}

/// The held-out share: every `HOLD_OUT`-th served call (in the log's order) judges the
/// fits made on the others.
pub const HOLD_OUT: usize = 5;

/// Fits handle times: lognormal, gamma and Weibull matched to the sample's mean and
/// variance, and the lognormal by maximum likelihood when its mean is within 1 % of the
/// sample's, each fitted on 4 of every 5 calls; the one closest (Kolmogorov–Smirnov) to
/// the 5th is chosen and refitted on all the calls.
pub fn fit_handle(samples: &[f64]) -> Option<HandleFit> {
    let (sample_mean, sample_cv) = moments(samples)?;
    let (train, test): (Vec<f64>, Vec<f64>) = if samples.len() >= 10 * HOLD_OUT {
        let (a, b): (Vec<_>, Vec<_>) = samples
            .iter()
            .enumerate()
            .partition(|(i, _)| i % HOLD_OUT != HOLD_OUT - 1);
        (
            a.into_iter().map(|p| *p.1).collect(),
            b.into_iter().map(|p| *p.1).collect(),
        )
    } else {
        (samples.to_vec(), samples.to_vec())
    };
    let held_out = if samples.len() >= 10 * HOLD_OUT { test.len() } else { 0 };
    let families = [Family::Gamma, Family::LogNormal, Family::Weibull, Family::LogNormalMle];
    let candidates: Vec<Candidate> = families
        .iter()
        .filter_map(|&family| {
            let all = Shape::fit(family, samples)?;
            let off = all.mean / sample_mean - 1.0;
            if off.abs() > 0.01 {
                return Some(Candidate {
                    family,
                    mean: all.mean,
                    ks: None,
                    excluded: Some(format!("its mean is {:+.1} % off the sample's", off * 100.0)),
                });
            }
            let ks = Shape::fit(family, &train).and_then(|s| s.ks(&test));
            Some(Candidate {
                family,
                mean: all.mean,
                excluded: ks.is_none().then(|| "cannot be fitted".to_owned()),
                ks,
            })
        })
        .collect();
    let best = candidates
        .iter()
        .filter_map(|c| c.ks.map(|k| (c.family, k)))
        .min_by(|a, b| a.1.total_cmp(&b.1));
    let (chosen, ks) = match best {
        Some((family, ks)) => (Shape::fit(family, samples)?, ks),
        // No spread (every talk time the same): a constant, written as lognormal CV 0.
        None => (
            Shape {
                family: Family::LogNormal,
                mean: sample_mean,
                cv: 0.0,
                weibull: None,
            },
            0.0,
        ),
    };
    Some(HandleFit {
        chosen,
        ks,
        sample_mean,
        sample_cv,
        samples: samples.len(),
        held_out,
        candidates,
    })
}

impl HandleFit {
    /// The candidates' figures: `gamma D = 0.041, lognormal D = 0.088, …`.
    /// The family chosen and why, as the scenario's comments and the summary print it:
    /// "lognormal, mean 177.3 s, cv 0.9 (sample mean 177.3 s, CV 0.912, over 900 served
    /// calls), chosen by the … : …".
    pub fn choice(&self) -> String {
        format!(
            "{} (sample mean {} s, CV {:.3}, over {} served calls), chosen by the {}: {}",
            self.describe(),
            seconds(self.sample_mean),
            self.sample_cv,
            self.samples,
            self.judged_on(),
            self.weighed()
        )
    }

    pub fn weighed(&self) -> String {
        self.candidates
            .iter()
            .map(|c| match (&c.ks, &c.excluded) {
                (Some(k), _) => format!("{} D = {k:.3}", c.family.label()),
                (None, Some(why)) => format!("{} not a candidate ({why}: mean {:.1} s)", c.family.label(), c.mean),
                (None, None) => format!("{} not a candidate", c.family.label()),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// How the fits were judged.
    pub fn judged_on(&self) -> String {
        if self.held_out > 0 {
            format!(
                "Kolmogorov–Smirnov D on {} held-out calls (every {HOLD_OUT}th, fitted on the others)",
                self.held_out
            )
        } else {
            format!(
                "Kolmogorov–Smirnov D in-sample ({} calls: too few to hold any out)",
                self.samples
            )
        }
    }

    /// `gamma mean 181.2 s, CV 1.402`.
    pub fn describe(&self) -> String {
        let c = &self.chosen;
        match c.weibull {
            Some((k, scale)) => format!(
                "{} shape {k:.3}, scale {scale:.1} s (mean {:.1} s, CV {:.3})",
                c.family.label(),
                c.mean,
                c.cv
            ),
            None => format!("{} mean {:.1} s, CV {:.3}", c.family.label(), c.mean, c.cv),
        }
    }
}

/// Patience from censored waits: abandoned callers' waits are patience times, served
/// callers' waits are lower bounds. The exponential maximum-likelihood mean is total
/// time waited ÷ abandons; the Kaplan–Meier estimate of the survival of patience shows
/// how far from exponential it is.
#[derive(Debug, Clone)]
pub struct PatienceFit {
    pub mean: Option<f64>,
    pub abandons: usize,
    pub waited: f64,
    /// Kaplan–Meier survival at 30 s, 1, 2 and 5 minutes (`None` beyond the data, unless
    /// the survival has reached 0 in it).
    pub survival: Vec<(f64, Option<f64>)>,
    pub median: Option<f64>,
    /// The piecewise-constant hazard by maximum likelihood, and whether its shape is
    /// significant (then it is the patience written).
    pub hazard: Option<HazardFit>,
}

impl PatienceFit {
    /// The patience the scenario gets: the hazard when the data reject the exponential.
    pub fn toml(&self) -> Option<String> {
        match (&self.hazard, self.mean) {
            (Some(h), Some(_)) if h.shape_is_real() && h.mean().is_finite() => Some(h.toml()),
            (_, Some(m)) => Some(format!("{{ dist = \"exponential\", mean = {} }}", seconds(m))),
            _ => None,
        }
    }

    /// What was fitted, for the scenario's comments and `fit`'s summary.
    pub fn describe(&self) -> String {
        let Some(mean) = self.mean else {
            return "no abandons, so no patience".into();
        };
        let km: Vec<String> = self
            .survival
            .iter()
            .map(|(t, s)| s.map_or(format!("S({t:.0}s) –"), |s| format!("S({t:.0}s) {s:.3}")))
            .collect();
        let exponential = format!(
            "exponential mean {} s ({} abandons over {:.0} s waited)",
            seconds(mean),
            self.abandons,
            self.waited
        );
        let kaplan_meier = format!("Kaplan–Meier {}", km.join(", "));
        match &self.hazard {
            Some(h) if h.shape_is_real() => format!(
                "patience piecewise hazard in {} pieces, mean {} s (the exponential is rejected: likelihood-ratio p = {:.1e}; \
                 it would be {exponential}); {kaplan_meier}",
                h.from.len(),
                seconds(h.mean()),
                h.p_value
            ),
            Some(h) if h.from.len() > 1 => format!(
                "patience {exponential} (a piecewise hazard in {} pieces is not significantly better: p = {:.2}); {kaplan_meier}",
                h.from.len(),
                h.p_value
            ),
            _ => format!("patience {exponential} (too few abandons for a shape); {kaplan_meier}"),
        }
    }
}

pub fn fit_patience(calls: &[&Call]) -> PatienceFit {
    let abandons = calls.iter().filter(|c| c.abandoned).count();
    let waited: f64 = calls.iter().map(|c| c.wait).sum();
    // Kaplan–Meier: at each distinct abandonment time, S *= 1 − d / at risk.
    let mut times: Vec<(f64, bool)> = calls.iter().map(|c| (c.wait, c.abandoned)).collect();
    times.sort_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)));
    let mut at_risk = times.len() as f64;
    let mut s = 1.0;
    let mut curve: Vec<(f64, f64)> = vec![(0.0, 1.0)];
    let mut i = 0;
    while i < times.len() {
        let t = times[i].0;
        let (mut events, mut leaving) = (0.0, 0.0);
        while i < times.len() && times[i].0 == t {
            events += f64::from(u8::from(times[i].1));
            leaving += 1.0;
            i += 1;
        }
        if events > 0.0 && at_risk > 0.0 {
            s *= 1.0 - events / at_risk;
            curve.push((t, s));
        }
        at_risk -= leaving;
    }
    // Defined up to the longest wait, and beyond it once the survival has reached 0 (the
    // longest wait was an abandon no one outlasted).
    let last = times.last().map_or(0.0, |t| t.0);
    let ended = curve.last().is_some_and(|p| p.1 == 0.0);
    let survival_at = |t: f64| (t <= last || ended).then(|| curve.iter().rev().find(|p| p.0 <= t).map_or(1.0, |p| p.1));
    PatienceFit {
        // No time waited (every caller hung up at once) gives no patience to simulate.
        mean: (abandons > 0 && waited > 0.0).then(|| waited / abandons as f64),
        abandons,
        waited,
        survival: [30.0, 60.0, 120.0, 300.0]
            .iter()
            .map(|&t| (t, survival_at(t)))
            .collect(),
        median: curve.iter().find(|p| p.1 <= 0.5).map(|p| p.0),
        hazard: hazard::fit_hazard(&calls.iter().map(|c| (c.wait, c.abandoned)).collect::<Vec<_>>()),
    }
}

/// A call type of the fitted scenario: the log's type, split by priority class.
#[derive(Debug, Clone)]
pub struct FittedType {
    pub name: String,
    pub priority: bool,
    pub kinds: Vec<String>,
    /// Which priority classes of those log types: `regular calls`, `priority calls`, or
    /// `regular and priority calls` (a class too small to stand alone joined the other).
    pub classes: &'static str,
    pub per_interval: Vec<f64>,
    pub handle: Option<HandleFit>,
    /// After-call work, fitted like the talk time where the log has it.
    pub wrap_up: Option<HandleFit>,
    pub patience: PatienceFit,
    pub calls: usize,
    /// Variation of the type's daily volume, and the CV of its own daily factor beyond
    /// the factor common to all types (0: none significant).
    pub dispersion: Option<Dispersion>,
    pub own_forecast_error: f64,
    /// Calls on each of the dates.
    pub daily: Vec<f64>,
}

/// What `fit` found.
#[derive(Debug, Clone)]
pub struct Fit {
    pub source: String,
    pub dates: Vec<NaiveDate>,
    pub interval: f64,
    /// First measured interval (seconds after midnight) and their number.
    pub start: f64,
    pub intervals: usize,
    pub types: Vec<FittedType>,
    /// Agents on duty in each interval: Erlang A's first guess, refined by simulation
    /// by [`calibrate_staffing`] (see [`staffing`]).
    pub agents: Vec<u32>,
    pub erlang_agents: Vec<u32>,
    pub calibration: Option<staffing::Calibrated>,
    /// What the log says of each interval: the staffing's targets.
    pub targets: Vec<IntervalTarget>,
    /// Agents who served in each interval (average over the dates), where the log names
    /// its agents.
    pub serving: Option<Vec<f64>>,
    /// How priority callers were served, where the log has both classes.
    pub discipline: Option<DisciplineFit>,
    /// Variation of the total daily volume (shown beside what the model implies).
    pub dispersion: Option<Dispersion>,
    /// The CV of the day factor common to all types (see [`dispersion::common_cv`]).
    pub common_cv: f64,
    pub log: Log,
}

impl Fit {
    /// The CV of the day factor common to all call types (0: not significant).
    pub fn common_forecast_error(&self) -> f64 {
        self.common_cv
    }
}

/// The interval grid of the selected dates: from the first interval where an agent
/// served (or calls arrived, if no agent is named) to the last.
fn grid(calls: &[&Call], interval: f64) -> (f64, usize) {
    let busy = |c: &&&Call| c.served;
    let times: Vec<f64> = calls
        .iter()
        .filter(busy)
        .map(|c| c.service.map_or(c.arrival, |s| s.0))
        .chain(calls.iter().filter(|c| !c.served).map(|c| c.arrival))
        .collect();
    let first = times.iter().copied().fold(f64::INFINITY, f64::min);
    let last = times.iter().copied().fold(0.0, f64::max);
    if !first.is_finite() {
        return (0.0, 1);
    }
    let start = (first / interval).floor() * interval;
    let end = ((last + 1.0) / interval).ceil() * interval;
    (start, (((end - start) / interval).round() as usize).max(1))
}

/// The fewest calls a fitted call type may have: 100, and 1 % of the calls.
pub fn min_type_calls(total: usize) -> usize {
    100.max(total.div_ceil(100))
}

/// A fitted call type's calls, before fitting.
struct Group<'a> {
    name: String,
    priority: bool,
    kinds: Vec<String>,
    classes: &'static str,
    calls: Vec<&'a Call>,
}

/// The log's types as call types big enough to fit (at least [`min_type_calls`]):
///
/// 1. A log type with enough calls stands alone; the others are pooled into `other`
///    (named after its log type when it holds only one). A pool still too small joins
///    the largest type that stands alone.
/// 2. Each type is split by priority class, `<type>` and `<type>_priority`, when both
///    classes have enough calls; otherwise it stays one type, with the priority of the
///    class that holds most of its calls.
///
/// Only when all the calls together are too few is a type smaller than the minimum.
fn group_types<'a>(calls: &[&'a Call]) -> Vec<Group<'a>> {
    let min = min_type_calls(calls.len());
    let mut volume: BTreeMap<&str, usize> = BTreeMap::new();
    for c in calls {
        *volume.entry(c.kind.as_str()).or_default() += 1;
    }
    let standing: Vec<&str> = volume.iter().filter(|(_, n)| **n >= min).map(|(k, _)| *k).collect();
    let pooled: Vec<&str> = volume.keys().copied().filter(|k| !standing.contains(k)).collect();
    let pooled_calls: usize = pooled.iter().map(|k| volume[k]).sum();
    let mut pool_name = match pooled.as_slice() {
        [one] => (*one).to_owned(),
        _ => "other".to_owned(),
    };
    while pooled.len() > 1 && standing.contains(&pool_name.as_str()) {
        pool_name.push_str("_pooled");
    }
    let largest = standing
        .iter()
        .copied()
        .max_by_key(|k| (volume[k], std::cmp::Reverse(*k)));
    let base_of = |kind: &str| -> String {
        if standing.contains(&kind) {
            kind.to_owned()
        } else if pooled_calls < min
            && let Some(l) = largest
        {
            l.to_owned()
        } else {
            pool_name.clone()
        }
    };
    let mut bases: BTreeMap<String, Vec<&'a Call>> = BTreeMap::new();
    for c in calls {
        bases.entry(base_of(&c.kind)).or_default().push(c);
    }
    let mut groups = Vec::new();
    for (base, members) in bases {
        let mut kinds: Vec<String> = members.iter().map(|c| c.kind.clone()).collect();
        kinds.sort();
        kinds.dedup();
        let (first, regular): (Vec<&Call>, Vec<&Call>) = members.iter().partition(|c| c.priority);
        let name_of = |priority: bool| {
            if priority {
                format!("{base}_priority")
            } else {
                base.clone()
            }
        };
        if first.len() >= min && regular.len() >= min {
            for (priority, calls, classes) in [(false, regular, "regular calls"), (true, first, "priority calls")] {
                groups.push(Group {
                    name: name_of(priority),
                    priority,
                    kinds: kinds.clone(),
                    classes,
                    calls,
                });
            }
        } else {
            let priority = first.len() > regular.len();
            let classes = match (first.is_empty(), regular.is_empty()) {
                (true, _) => "regular calls",
                (false, true) => "priority calls",
                (false, false) => "regular and priority calls",
            };
            groups.push(Group {
                name: name_of(priority),
                priority,
                kinds,
                classes,
                calls: members,
            });
        }
    }
    // A log type may already be called `<type>_priority`: names stay unique.
    let mut taken = std::collections::BTreeSet::new();
    for g in &mut groups {
        let base = g.name.clone();
        let mut n = 2;
        while !taken.insert(g.name.clone()) {
            g.name = format!("{base}_{n}");
            n += 1;
        }
    }
    groups.sort_by(|a, b| a.name.cmp(&b.name));
    groups
}

/// Fits a scenario to the calls of `dates`.
pub fn fit(log: Log, source: &str, days: &Days, interval: f64) -> Result<Fit, Error> {
    let dates = days.select(&log);
    if dates.is_empty() {
        return Err(Error::Other(format!("{source}: no calls on the days asked for")));
    }
    let chosen: Vec<&Call> = log.calls.iter().filter(|c| dates.contains(&c.date)).collect();
    let (start, intervals) = grid(&chosen, interval);
    if intervals > crate::model::limits::MAX_INTERVALS {
        return Err(Error::Other(format!(
            "{source}: the calls of the days asked for arrive and are served over {:.1} days from their dates' midnight: at --interval {} that is {intervals} intervals, more than the {} a scenario may have; check the service times and waits, or choose a longer --interval",
            intervals as f64 * interval / 86400.0,
            crate::scenario::duration_text(interval),
            crate::model::limits::MAX_INTERVALS
        )));
    }
    let index = |t: f64| {
        let k = ((t - start) / interval).floor();
        (k >= 0.0 && (k as usize) < intervals).then_some(k as usize)
    };
    let groups = group_types(&chosen);
    let days_n = dates.len() as f64;
    let types: Vec<FittedType> = groups
        .into_iter()
        .map(|g| {
            let mut per_interval = vec![0.0; intervals];
            for c in &g.calls {
                if let Some(k) = index(c.arrival) {
                    per_interval[k] += 1.0 / days_n;
                }
            }
            let handles: Vec<f64> = g.calls.iter().filter(|c| c.served).map(|c| c.handle).collect();
            let daily: Vec<f64> = dates
                .iter()
                .map(|d| g.calls.iter().filter(|c| c.date == *d).count() as f64)
                .collect();
            FittedType {
                priority: g.priority,
                handle: fit_handle(&handles),
                wrap_up: fit_handle(&g.calls.iter().filter_map(|c| c.wrap_up).collect::<Vec<_>>()),
                patience: fit_patience(&g.calls),
                calls: g.calls.len(),
                dispersion: dispersion::dispersion(&daily),
                daily,
                own_forecast_error: 0.0,
                kinds: g.kinds,
                classes: g.classes,
                per_interval,
                name: g.name,
            }
        })
        .collect();
    // Agents who served during each interval, averaged over the dates.
    let named = chosen.iter().any(|c| c.agent.is_some());
    let serving = named.then(|| {
        let mut present: BTreeMap<(NaiveDate, usize), std::collections::BTreeSet<&str>> = BTreeMap::new();
        for c in &chosen {
            if let (Some(a), Some((s, e))) = (&c.agent, c.service) {
                let (first, last) = (((s - start) / interval).floor(), ((e - start) / interval).floor());
                for k in (first.max(0.0) as usize)..=(last.max(0.0) as usize).min(intervals.saturating_sub(1)) {
                    if (k as f64) >= first && (k as f64) <= last {
                        present.entry((c.date, k)).or_default().insert(a.as_str());
                    }
                }
            }
        }
        let mut per_interval = vec![0.0; intervals];
        for ((_, k), set) in present {
            per_interval[k] += set.len() as f64 / days_n;
        }
        per_interval
    });
    // Agents available, first guess: the fewest for which Erlang A, with the interval's
    // arrivals, talk time and the fitted patience, waits no longer on average than the
    // log shows. `calibrate_staffing` refines it by simulation.
    let mut load = vec![(0.0, 0.0, 0.0, 0.0); intervals]; // (calls, talk, answered, waited)
    let date_index: BTreeMap<NaiveDate, usize> = dates.iter().enumerate().map(|(i, d)| (*d, i)).collect();
    let mut counts = vec![vec![DayCounts::default(); dates.len()]; intervals];
    for c in &chosen {
        if let Some(k) = index(c.arrival) {
            let e = &mut load[k];
            e.0 += 1.0;
            let day = &mut counts[k][date_index[&c.date]];
            day.offered += 1.0;
            if c.served {
                e.1 += c.handle;
                e.2 += 1.0;
                e.3 += c.wait;
                day.answered += 1.0;
                day.waited_answered += c.wait;
            } else if c.abandoned {
                day.abandoned += 1.0;
            }
        }
    }
    let (all_waited, all_abandons): (f64, usize) = types
        .iter()
        .fold((0.0, 0), |(w, a), t| (w + t.patience.waited, a + t.patience.abandons));
    let patience = (all_abandons > 0).then(|| all_waited / all_abandons as f64);
    let erlang_agents: Vec<u32> = load
        .iter()
        .map(|&(calls, talk, answered, waited)| {
            if calls == 0.0 || answered == 0.0 {
                return 0;
            }
            let asa = waited / answered;
            let q = crate::erlang::Queue {
                arrival_rate: calls / days_n / interval,
                mean_handle_time: (talk / answered).max(1.0),
                agents: 1,
                mean_patience: patience,
                threshold: 20.0,
            };
            let first = (q.arrival_rate * q.mean_handle_time).floor().max(1.0) as u32;
            // The fewest agents whose wait is no longer than observed (stop at the first
            // staffing Erlang A cannot evaluate).
            for n in first..first + 500 {
                let mut trial = q;
                trial.agents = n;
                match crate::erlang::performance(&trial) {
                    Ok(p) if p.asa_seconds <= asa.max(0.5) => return n,
                    Ok(_) => {}
                    Err(_) => return n,
                }
            }
            first + 500
        })
        .collect();
    // The measured window: from the first to the last interval with calls or agents.
    let busy: Vec<usize> = (0..intervals).filter(|&k| load[k].0 / days_n >= 1.0).collect();
    let (first, last) = (
        busy.first().copied().unwrap_or(0),
        busy.last().copied().unwrap_or(intervals - 1),
    );
    let trim = |v: &[f64]| v[first..=last].to_vec();
    let daily_total: Vec<f64> = dates
        .iter()
        .map(|d| chosen.iter().filter(|c| c.date == *d).count() as f64)
        .collect();
    let common = dispersion::dispersion(&daily_total);
    // A common factor only where the total is more variable than Poisson at all.
    let common_cv = if common.is_some_and(|d| d.cv() > 0.0) {
        dispersion::common_cv(&types.iter().map(|t| t.daily.clone()).collect::<Vec<_>>())
    } else {
        0.0
    };
    let types = types
        .into_iter()
        .map(|mut t| {
            t.per_interval = trim(&t.per_interval);
            t.own_forecast_error = t.dispersion.map_or(0.0, |d| dispersion::own_cv(d.cv(), common_cv));
            t
        })
        .collect();
    let erlang_agents = erlang_agents[first..=last].to_vec();
    Ok(Fit {
        source: source.to_owned(),
        dates,
        interval,
        start: start + first as f64 * interval,
        intervals: last - first + 1,
        types,
        agents: erlang_agents.clone(),
        erlang_agents,
        calibration: None,
        targets: counts[first..=last].iter().map(|days| staffing::target(days)).collect(),
        serving: serving.map(|s| trim(&s)),
        discipline: discipline::fit_discipline(&chosen),
        dispersion: common,
        common_cv,
        log,
    })
}

/// Replications per staffing tried by [`calibrate_staffing`], and written in the
/// fitted scenario: with the day-to-day variation of a real log, 20 would leave the
/// mean answer rate uncertain by ±2 points; 200 make it ±0.6.
pub const CALIBRATION_REPLICATIONS: u64 = 200;
const FITTED_REPLICATIONS: u64 = CALIBRATION_REPLICATIONS;

/// Refines the fit's staffing by simulation (see [`staffing`]): the agents on duty for
/// which the fitted scenario reproduces each interval's abandons and waits.
pub fn calibrate_staffing(f: &mut Fit, threads: usize) -> Result<(), Error> {
    let build = |agents: &[u32]| -> Result<crate::Model, Error> {
        let text = scenario_text(f, agents);
        let scenario = crate::Scenario::parse("fitted.toml", &text)?;
        let mut model = crate::Model::build(&scenario)?;
        model.replications = CALIBRATION_REPLICATIONS;
        Ok(model)
    };
    let calibrated = staffing::calibrate(f.erlang_agents.clone(), &f.targets, &build, threads)?;
    f.agents = calibrated.agents.clone();
    f.calibration = Some(calibrated);
    Ok(())
}

fn seconds(x: f64) -> String {
    format!("{:.1}", x)
}

/// A TOML basic string: quoted, with quotes, backslashes and control characters escaped.
fn quoted(text: &str) -> String {
    toml_edit::Value::from(text).to_string().trim().to_owned()
}

/// The fitted scenario as a TOML file, with what was fitted in its comments.
pub fn to_toml(f: &Fit) -> String {
    scenario_text(f, &f.agents)
}

/// How the fitted scenario orders priority callers: strict priority unless the log
/// shows a head start.
fn discipline_of(f: &Fit) -> Discipline {
    f.discipline
        .as_ref()
        .map_or(Discipline::Strict, DisciplineFit::discipline)
}

/// The fitted scenario with `agents` on duty in each interval.
fn scenario_text(f: &Fit, agents: &[u32]) -> String {
    let mut out = String::new();
    let days = Days::describe(&f.dates);
    let _ = writeln!(
        out,
        "# Fitted by `ccsim fit` from {}: {days}, {}-second intervals.",
        f.source, f.interval
    );
    let _ = writeln!(
        out,
        "# {} rows read: {} calls asked for an agent, {} hung up before reaching the queue (not offered), {} ignored, {} skipped.",
        f.log.rows,
        f.log.calls.len(),
        f.log.hung_up_before_queue,
        f.log.ignored,
        f.log.skipped
    );
    if f.types.iter().any(|t| t.wrap_up.is_some()) {
        out.push_str("# Not in the log, so not modelled: agents' skills (every agent takes every type), breaks;");
    } else {
        out.push_str("# Not in the log, so not modelled: after-call work (wrap-up), agents' skills (every agent\n");
        out.push_str("# takes every type), breaks;");
    }
    out.push_str(" see docs/calibration.md.\n#\n");
    for t in &f.types {
        let _ = write!(out, "# {}: {} calls", t.name, t.calls);
        if let Some(h) = &t.handle {
            let _ = write!(out, "; talk time {}", h.choice());
        }
        if let Some(w) = &t.wrap_up {
            let _ = write!(out, "; after-call work {}", w.choice());
        }
        let _ = writeln!(out, "; {}", t.patience.describe());
    }
    let _ = writeln!(out, "#\n# {}", describe_discipline(f));
    let _ = writeln!(out, "# {}", describe_dispersion(f));
    let name = Path::new(&f.source)
        .file_stem()
        .map_or("fitted".to_owned(), |s| s.to_string_lossy().into_owned());
    let _ = writeln!(
        out,
        "\n[scenario]\nname = {}\nstart = \"{}\"\nduration = {}\ninterval = {}\n\
         # Enough replications for a precise mean despite the day-to-day variation below.\n\
         replications = {FITTED_REPLICATIONS}\nseed = 1",
        quoted(&format!("{name} ({days})")),
        crate::model::clock_text(f.start),
        f.interval * f.intervals as f64,
        f.interval
    );
    let common = f.common_forecast_error();
    if common > 0.0 {
        let _ = writeln!(out, "forecast_error = {{ cv = {common:.4} }}");
    }
    out.push('\n');
    let list = |v: &[f64], decimals: usize| {
        v.iter()
            .map(|x| format!("{x:.decimals$}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let discipline = discipline_of(f);
    for t in &f.types {
        let _ = writeln!(out, "[[call_type]]\nname = {}", quoted(&t.name));
        let _ = writeln!(out, "# log types: {} ({})", t.kinds.join(", "), t.classes);
        let calls = match t.classes {
            "regular calls" => "regular",
            "priority calls" => "priority",
            _ => "all",
        };
        let _ = writeln!(
            out,
            "from_log = {{ types = [{}], calls = \"{calls}\" }}",
            t.kinds.iter().map(|k| quoted(k)).collect::<Vec<_>>().join(", ")
        );
        let _ = writeln!(out, "arrivals = {{ per_interval = [{}] }}", list(&t.per_interval, 3));
        match &t.handle {
            Some(h) => {
                let _ = writeln!(out, "handle_time = {}", h.chosen.toml());
            }
            None => out.push_str("handle_time = { dist = \"exponential\", mean = 180 }  # no served call to fit\n"),
        }
        if let Some(w) = &t.wrap_up {
            let _ = writeln!(out, "wrap_up = {}", w.chosen.toml());
        }
        if let Some(patience) = t.patience.toml() {
            let _ = writeln!(out, "patience = {patience}");
        }
        if t.priority {
            match discipline {
                Discipline::Strict => out.push_str("priority = 1\n"),
                Discipline::HeadStart(h) if h > 0.0 => {
                    let _ = writeln!(out, "head_start = \"{h:.0}s\"");
                }
                Discipline::HeadStart(_) => {}
            }
        }
        if t.own_forecast_error > 0.0 {
            let _ = writeln!(out, "forecast_error = {{ cv = {:.4} }}", t.own_forecast_error);
        }
        out.push('\n');
    }
    let skills = f.types.iter().map(|t| quoted(&t.name)).collect::<Vec<_>>().join(", ");
    if let Some(serving) = &f.serving {
        let _ = writeln!(
            out,
            "# Agents who served in each interval (averaged over the days): [{}].\n\
             # They were not available all of it (busy well under their time), so they are not the staffing.",
            list(serving, 1)
        );
    }
    out.push_str(
        "# Effective capacity, not a roster: the agents on duty are inferred from what callers\n\
         # experienced, the staffing for which this scenario reproduces each interval's abandon\n\
         # rate and ASA in the log (see docs/calibration.md).\n",
    );
    match &f.calibration {
        Some(c) => {
            let _ = writeln!(
                out,
                "# Erlang A's first guess was [{}]; {} rounds of simulation ({} replications each) moved it to\n\
                 # this, cutting the distance to the log from {:.1} to {:.1} (sum of squared standard errors).",
                f.erlang_agents
                    .iter()
                    .map(u32::to_string)
                    .collect::<Vec<_>>()
                    .join(", "),
                c.rounds,
                CALIBRATION_REPLICATIONS,
                c.distance_before,
                c.distance_after
            );
        }
        None => out.push_str("# Erlang A's estimate, not refined by simulation.\n"),
    }
    let _ = writeln!(
        out,
        "[[agent_group]]\nname = \"agents\"\nagents = [{}]\nskills = [{skills}]",
        agents.iter().map(u32::to_string).collect::<Vec<_>>().join(", ")
    );
    out
}

/// The queue discipline found, in a sentence.
fn describe_discipline(f: &Fit) -> String {
    match &f.discipline {
        None => "Queue discipline: the log never has regular and priority callers of one type waiting together, \
                 so priority callers are served strictly first."
            .into(),
        Some(d) => {
            let chosen = match d.discipline() {
                Discipline::Strict => "strict priority".to_owned(),
                Discipline::HeadStart(h) if h > 0.0 => format!("a head start of {h:.0} s (`head_start`)"),
                Discipline::HeadStart(_) => "first come, first served".to_owned(),
            };
            format!("Queue discipline: {chosen}. {}.", d.describe())
        }
    }
}

/// The day-to-day variation found, in a sentence.
fn describe_dispersion(f: &Fit) -> String {
    let Some(d) = f.dispersion else {
        return "Day-to-day variation: fewer than 3 days, not estimated.".into();
    };
    let own: Vec<String> = f
        .types
        .iter()
        .filter(|t| t.own_forecast_error > 0.0)
        .map(|t| format!("{} {:.3}", t.name, t.own_forecast_error))
        .collect();
    let means: Vec<f64> = f
        .types
        .iter()
        .map(|t| t.calls as f64 / f.dates.len().max(1) as f64)
        .collect();
    let owns: Vec<f64> = f.types.iter().map(|t| t.own_forecast_error).collect();
    let implied = dispersion::implied_total_variance(&means, &owns, f.common_cv).sqrt();
    format!(
        "Day-to-day variation: daily calls {:.0} ± {:.0} over {} days (Poisson alone: ± {:.0}; dispersion test p = {:.2}); \
         a day factor common to all types (from how the types' daily counts move together) with CV {:.3}, \
         and types' own factors: {}; together they imply ± {implied:.0}.",
        d.mean,
        d.variance.sqrt(),
        d.days,
        d.mean.sqrt(),
        d.p_value,
        f.common_cv,
        if own.is_empty() {
            "none significant".into()
        } else {
            own.join(", ")
        }
    )
}

/// What `fit` chose, for the command's summary: each call type's handle-time family
/// and figures, and the types merged.
pub fn summary(f: &Fit) -> String {
    let mut out = String::new();
    let total: usize = f.types.iter().map(|t| t.calls).sum();
    let _ = writeln!(
        out,
        "Fitted {} call types from {total} calls on {}; a type needs at least {} calls (100, and 1 % of the calls).",
        f.types.len(),
        Days::describe(&f.dates),
        min_type_calls(total)
    );
    for t in &f.types {
        let mut merged = Vec::new();
        if t.kinds.len() > 1 || t.kinds.first() != Some(&t.name.trim_end_matches("_priority").to_owned()) {
            merged.push(format!("log types {} merged", t.kinds.join(", ")));
        }
        if t.classes == "regular and priority calls" {
            merged.push("regular and priority calls together (one class too small)".to_owned());
        }
        let merged = if merged.is_empty() {
            String::new()
        } else {
            format!(" [{}]", merged.join("; "))
        };
        match &t.handle {
            Some(h) => {
                let _ = writeln!(
                    out,
                    "  {}: {} calls{merged}; handle time {}",
                    t.name,
                    t.calls,
                    h.choice()
                );
            }
            None => {
                let _ = writeln!(
                    out,
                    "  {}: {} calls{merged}; no served call, handle time not fitted",
                    t.name, t.calls
                );
            }
        }
        if let Some(w) = &t.wrap_up {
            let _ = writeln!(out, "    after-call work {}", w.choice());
        }
        let _ = writeln!(out, "    {}", t.patience.describe());
    }
    let _ = writeln!(out, "{}", describe_discipline(f));
    let _ = writeln!(out, "{}", describe_dispersion(f));
    match &f.calibration {
        Some(c) => {
            let _ = writeln!(
                out,
                "Staffing (effective capacity): Erlang A's first guess refined in {} rounds of simulation{}; \
                 distance to the log's abandon rates and ASAs {:.1} → {:.1} (squared standard errors over {} intervals).",
                c.rounds,
                if c.converged {
                    ""
                } else {
                    " (stopped at the limit, not settled)"
                },
                c.distance_before,
                c.distance_after,
                f.intervals
            );
        }
        None => {
            let _ = writeln!(out, "Staffing (effective capacity): Erlang A's estimate.");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn talk_times_all_equal_and_tiny_are_a_constant_fitted_at_once() {
        // 300 talks of 1 ms: the gamma's shape 1/cv² was about 10^16 and its incomplete
        // gamma function never returned; 5 ms was written `mean = 0.0`.
        for talk in [0.001, 0.005, 0.1] {
            let samples = vec![talk; 300];
            let started = std::time::Instant::now();
            let fit = fit_handle(&samples).expect("a fit");
            assert!(started.elapsed().as_secs() < 5, "{talk}");
            assert!(fit.chosen.cv < 1e-6, "{talk}: cv {}", fit.chosen.cv);
            let text = fit.chosen.toml();
            let mean: f64 = text
                .split("mean = ")
                .nth(1)
                .unwrap()
                .split(',')
                .next()
                .unwrap()
                .parse()
                .unwrap();
            assert!((mean / talk - 1.0).abs() < 1e-3, "{talk}: {text}");
        }
        assert_eq!(mean_text(300.04), "300.0");
        assert_eq!(mean_text(0.005), "5.000e-3");
    }

    /// Kaplan–Meier beyond the longest wait: 0 once the survival has reached 0 there (the
    /// longest wait an abandon), unknown (`None`) if that wait was a served caller's.
    #[test]
    fn kaplan_meier_beyond_the_data_is_zero_only_once_it_reached_zero() {
        let call = |wait: f64, abandoned: bool| Call {
            date: NaiveDate::from_ymd_opt(2024, 3, 5).expect("a date"),
            arrival: 0.0,
            queued: true,
            served: !abandoned,
            abandoned,
            wait,
            handle: 60.0,
            wrap_up: None,
            service: None,
            kind: "sales".into(),
            priority: false,
            agent: None,
        };
        let survival = |calls: &[Call]| fit_patience(&calls.iter().collect::<Vec<_>>()).survival;
        // Served at 10 s and 40 s, abandons at 50 s and 90 s: S(60) = 1 × (1 − 1/2) = 0.5,
        // and the abandon at 90 s leaves no one at risk: S = 0 from there on.
        let ended = [call(10.0, false), call(40.0, false), call(50.0, true), call(90.0, true)];
        assert_eq!(
            survival(&ended),
            [
                (30.0, Some(1.0)),
                (60.0, Some(0.5)),
                (120.0, Some(0.0)),
                (300.0, Some(0.0))
            ]
        );
        // The longest wait served: beyond it the survival is not known.
        let open = [call(10.0, false), call(50.0, true), call(90.0, false)];
        assert_eq!(
            survival(&open),
            [(30.0, Some(1.0)), (60.0, Some(0.5)), (120.0, None), (300.0, None)]
        );
    }

    #[test]
    fn date_times_take_a_t_or_a_space_and_fractions_of_a_second() {
        let at = |text: &str| parse_date_time(text).map(|t| (t.date().to_string(), seconds_since(t.date(), t)));
        assert_eq!(at("2024-03-05T08:00:12"), Some(("2024-03-05".into(), 28812.0)));
        assert_eq!(at(" 2024-03-05 08:00:12.25 "), Some(("2024-03-05".into(), 28812.25)));
        assert_eq!(at("2024-03-05T08:00"), Some(("2024-03-05".into(), 28800.0)));
        for bad in [
            "08:00:12",
            "2024-03-05",
            "2024-03-05T25:00:00",
            "05/03/2024 08:00",
            "2024-03-05T08:00:12Z",
            "",
        ] {
            assert_eq!(at(bad), None, "{bad}");
        }
        // A service that ends after midnight is a time of the next day, past 86,400 s.
        let date = NaiveDate::from_ymd_opt(2024, 3, 5).unwrap();
        assert_eq!(parse_time_on(date, "2024-03-06T00:00:30"), Some(86430.0));
        assert_eq!(parse_time_on(date, "7:02:56"), Some(25376.0));
    }

    #[test]
    fn a_date_column_beside_date_times_is_the_day_the_call_belongs_to() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("calls.csv");
        let header = crate::calllog::COLUMNS.join(",") + "\n";
        std::fs::write(
            &path,
            format!(
                "{header}2000-01-01,2000-01-01T23:59:00.000,'=x,0,new,1.000,served,30.000,4.000,team,1\n\
                 2000-01-01,2000-01-02T00:10:00.500,'=x,0,transfer,2.000,unfinished,0.000,0.000,,1\n"
            ),
        )
        .unwrap();
        let log = read_log(&path, &LogFormat::ccsim(), false).unwrap();
        let day = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap();
        let calls: Vec<(NaiveDate, f64, &str, bool, bool)> = log
            .calls
            .iter()
            .map(|c| (c.date, c.arrival, c.kind.as_str(), c.served, c.abandoned))
            .collect();
        assert_eq!(
            calls,
            vec![(day, 86340.0, "=x", true, false), (day, 87000.5, "=x", false, false)]
        );
        // A service without service times begins after the wait.
        assert_eq!(log.calls[0].service, Some((86341.0, 86371.0)));
        assert_eq!(log.calls[0].wrap_up, Some(4.0));
        // An arrival before its date is a bad row.
        std::fs::write(
            &path,
            format!("{header}2000-01-02,2000-01-01T23:59:00.000,x,0,new,1.000,served,30.000,4.000,team,1\n"),
        )
        .unwrap();
        let e = read_log(&path, &LogFormat::ccsim(), false).unwrap_err().to_string();
        assert!(
            e.contains(":2: column `arrival`: expected") && e.contains("on the date 2000-01-02"),
            "{e}"
        );
    }

    #[test]
    fn ccsim_logs_are_told_by_their_header_and_unquoted() {
        let header = crate::calllog::COLUMNS;
        assert!(LogFormat::is_ccsim_header(header));
        assert!(LogFormat::is_ccsim_header([
            "\u{feff}date",
            " arrival",
            "call_type",
            "priority",
            "wait_seconds",
            "outcome",
            "talk_seconds"
        ]));
        assert!(!LogFormat::is_ccsim_header([
            "date", "vru_exit", "type", "q_time", "outcome", "ser_time"
        ]));
        assert_eq!(unquote_formula("'=SUM(A1)"), "=SUM(A1)");
        assert_eq!(unquote_formula("'quoted"), "'quoted");
        let f = LogFormat::ccsim();
        assert!(
            f.jumps_the_queue("1") && f.jumps_the_queue("2") && !f.jumps_the_queue("0") && !f.jumps_the_queue("-1")
        );
        assert!(LogFormat::bank().jumps_the_queue("2") && !LogFormat::bank().jumps_the_queue("1"));
    }

    #[test]
    fn days_parse_ranges_lists_and_weekdays() {
        let d = |day: u32| NaiveDate::from_ymd_opt(1999, 2, day).unwrap();
        match Days::parse("1999-02-01..1999-02-03,1999-02-10, 1999-02-02").unwrap() {
            Days::Dates(v) => assert_eq!(v, vec![d(1), d(2), d(3), d(10)]),
            other => panic!("{other:?}"),
        }
        assert!(matches!(Days::parse("sun,mon").unwrap(), Days::Weekdays(w) if w.len() == 2));
        assert!(matches!(Days::parse("busy").unwrap(), Days::Busy));
        match Days::parse("busy@1999-02-01..1999-02-03").unwrap() {
            Days::Within(which, v) => {
                assert!(matches!(*which, Days::Busy));
                assert_eq!(v, vec![d(1), d(2), d(3)]);
            }
            other => panic!("{other:?}"),
        }
        assert!(
            matches!(Days::parse("sun,mon@1999-02-01").unwrap(), Days::Within(w, _) if matches!(*w, Days::Weekdays(_)))
        );
        for bad in [
            "1999-02-03..1999-02-01",
            "mon,1999-02-01",
            "1999-13-01",
            "a..b",
            ",",
            "sun,,mon",
            "1999-02-01@1999-02-02",
            "busy@sun",
            "busy@",
        ] {
            let e = Days::parse(bad).unwrap_err().to_string();
            assert!(e.starts_with(&format!("--days `{bad}`: ")), "{e}");
        }
    }

    #[test]
    fn the_weibull_shape_gives_the_cv_asked_for() {
        use statrs::function::gamma::gamma;
        for cv in [0.3, 1.0, 1.5, 3.0] {
            let k = weibull_shape(cv).unwrap();
            let got = (gamma(1.0 + 2.0 / k) / gamma(1.0 + 1.0 / k).powi(2) - 1.0).sqrt();
            assert!((got - cv).abs() < 1e-6, "cv {cv}: shape {k} gives {got}");
        }
        assert!((weibull_shape(1.0).unwrap() - 1.0).abs() < 1e-6); // exponential
    }

    /// Talk times drawn from a gamma: the fit keeps the sample mean, picks the gamma,
    /// and excludes the lognormal MLE, whose mean is far off.
    #[test]
    fn the_handle_fit_keeps_the_mean_and_finds_the_family() {
        use rand::SeedableRng;
        use rand_distr::Distribution;
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let g = rand_distr::Gamma::new(0.7, 200.0).unwrap();
        let samples: Vec<f64> = (0..5000).map(|_| g.sample(&mut rng)).collect();
        let h = fit_handle(&samples).unwrap();
        let mean = samples.iter().sum::<f64>() / samples.len() as f64;
        assert_eq!(h.chosen.family, Family::Gamma, "{}", h.weighed());
        assert!((h.chosen.mean - mean).abs() < 1e-9 * mean);
        assert_eq!(h.held_out, 1000);
        let mle = h.candidates.iter().find(|c| c.family == Family::LogNormalMle).unwrap();
        assert!(mle.ks.is_none() && mle.excluded.is_some(), "{mle:?}");
        // Lognormal data: the moment-matched lognormal wins.
        let l = rand_distr::LogNormal::new(5.0, 0.9).unwrap();
        let samples: Vec<f64> = (0..5000).map(|_| l.sample(&mut rng)).collect();
        let h = fit_handle(&samples).unwrap();
        assert!(
            matches!(h.chosen.family, Family::LogNormal | Family::LogNormalMle),
            "{}",
            h.weighed()
        );
    }

    fn call(kind: &str, priority: bool) -> Call {
        Call {
            wrap_up: None,
            date: NaiveDate::from_ymd_opt(1999, 2, 1).unwrap(),
            arrival: 36000.0,
            queued: true,
            served: true,
            abandoned: false,
            wait: 0.0,
            handle: 100.0,
            service: None,
            kind: kind.into(),
            priority,
            agent: None,
        }
    }

    #[test]
    fn small_types_are_pooled_and_small_classes_join_their_type() {
        let mut calls = Vec::new();
        calls.extend((0..5000).map(|_| call("A", false)));
        calls.extend((0..3000).map(|_| call("A", true)));
        calls.extend((0..400).map(|_| call("B", false)));
        calls.extend((0..20).map(|_| call("B", true)));
        calls.extend((0..60).map(|_| call("C", false)));
        calls.extend((0..50).map(|_| call("D", true)));
        let refs: Vec<&Call> = calls.iter().collect();
        let groups = group_types(&refs);
        let got: Vec<(&str, usize, bool, &str)> = groups
            .iter()
            .map(|g| (g.name.as_str(), g.calls.len(), g.priority, g.classes))
            .collect();
        assert_eq!(
            got,
            vec![
                ("A", 5000, false, "regular calls"),
                ("A_priority", 3000, true, "priority calls"),
                ("B", 420, false, "regular and priority calls"),
                ("other", 110, false, "regular and priority calls"),
            ]
        );
        // A pool still too small joins the largest type.
        let refs: Vec<&Call> = calls.iter().filter(|c| c.kind != "D").collect();
        let groups = group_types(&refs);
        let a = groups.iter().find(|g| g.name == "A").unwrap();
        assert_eq!(a.kinds, vec!["A", "C"]);
        assert_eq!(a.calls.len(), 5060);
    }
}
