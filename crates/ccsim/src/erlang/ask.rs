//! The `erlang` verb as a question and its answer: the flags as typed, checked against
//! their ranges, the exact figures (and, with a target, the fewest agents and the table
//! around them), and the JSON document and text table printed for them.
//!
//! One function for every face: the command line (`ccsim erlang`) and the Python module
//! (`ccsim.erlang(...)`) both call [`ask`], so a given question has one JSON answer,
//! byte for byte. Messages name the command line's flags (`--aht`).

use std::fmt::Write;

use super::{Centre, ErlangError, Evaluation, MAX_AGENTS, MAX_LINES, Queue, Targets};

/// The most lines `--retry` takes: its fixed point is solved over every line, up to 200
/// times an answer, and a search asks for dozens of answers (a few seconds at this size).
pub const MAX_LINES_WITH_RETRY: u32 = 500_000;
use crate::error::Error;
use crate::scenario::{DURATION_GRAMMAR, parse_duration};

/// Most calls per hour `erlang` reads (about 280,000 a second).
pub const MAX_CALLS_PER_HOUR: f64 = 1e9;

/// Rows of the neighbour table below and above the answer.
const NEIGHBOURS_BELOW: u32 = 2;
const NEIGHBOURS_ABOVE: u32 = 3;

/// The question, as typed: durations as text (`"180s"`, `"3m"`), shares from 0 to 1.
#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    /// Calls per hour.
    pub per_hour: f64,
    /// Average handle time.
    pub aht: String,
    /// Agents on duty (may be left out with a target, or with `lines` for Erlang B).
    pub agents: Option<u32>,
    /// Mean patience (exponential): Erlang A. Without it callers never abandon.
    pub patience: Option<String>,
    /// Service-level threshold.
    pub threshold: String,
    /// Trunk lines: calls in the centre at once, waiting or talking.
    pub lines: Option<u32>,
    /// Share of blocked callers who try again (needs `lines`).
    pub retry: Option<f64>,
    pub target_sl: Option<f64>,
    pub target_answer_rate: Option<f64>,
    pub max_asa: Option<String>,
    /// Shrinkage from 0 to below 1: paid headcount = agents on duty ÷ (1 − shrinkage).
    pub shrinkage: Option<f64>,
}

impl Question {
    /// A question of `per_hour` calls of `aht` each, with every other flag at its default.
    pub fn new(per_hour: f64, aht: impl Into<String>) -> Question {
        Question {
            per_hour,
            aht: aht.into(),
            agents: None,
            patience: None,
            threshold: "20s".into(),
            lines: None,
            retry: None,
            target_sl: None,
            target_answer_rate: None,
            max_asa: None,
            shrinkage: None,
        }
    }
}

/// The answer: the figures at the agents asked for (or found), and with a target the
/// fewest agents meeting it and the rows around them.
#[derive(Debug, Clone)]
pub struct Answer {
    pub per_hour: f64,
    pub aht: f64,
    pub threshold: f64,
    pub patience: Option<f64>,
    pub lines: Option<u32>,
    pub retry: Option<f64>,
    pub shrinkage: Option<f64>,
    pub targets: Targets,
    /// The agents whose figures are [`Answer::eval`]: those asked for, else the fewest
    /// meeting the targets, else as many as the lines.
    pub agents: u32,
    pub eval: Evaluation,
    /// The fewest agents meeting the targets, when there are targets.
    pub needed: Option<u32>,
    /// The answer's neighbours that have a steady state, with their figures.
    pub neighbours: Vec<(u32, Evaluation)>,
}

/// A duration flag: positive (or, for the threshold, at least 0) and at most a year, like
/// a distribution's mean in a scenario.
fn duration(flag: &str, text: &str, positive: bool) -> Result<f64, Error> {
    let seconds = parse_duration(text).map_err(|m| Error::Other(format!("{flag}: {m}\n  help: {DURATION_GRAMMAR}")))?;
    let max = crate::model::dist::MAX_SECONDS;
    let low_ok = if positive { seconds > 0.0 } else { seconds >= 0.0 };
    if !(low_ok && seconds <= max) {
        let low = if positive { "positive" } else { "at least 0" };
        return Err(Error::Other(format!(
            "{flag} must be {low} and at most a year ({max} s), got {text}"
        )));
    }
    Ok(seconds)
}

/// A share flag: in `[0, 1]`, or `[0, 1)` where 1 has no meaning (`below_one`).
fn share(flag: &str, value: Option<f64>, below_one: bool) -> Result<Option<f64>, Error> {
    if let Some(v) = value {
        let in_range = v.is_finite() && v >= 0.0 && if below_one { v < 1.0 } else { v <= 1.0 };
        if !in_range {
            let range = if below_one {
                "from 0 to below 1"
            } else {
                "between 0 and 1"
            };
            let hint = if v > 1.0 && v <= 100.0 {
                format!(" (a share: for {v} % write {})", v / 100.0)
            } else {
                String::new()
            };
            return Err(Error::Other(format!("{flag} must be {range}, got {v}{hint}")));
        }
    }
    Ok(value)
}

/// Paid headcount for `on_duty` agents: on duty ÷ (1 − shrinkage), rounded up, as
/// `staff` reports it.
pub fn paid_headcount(on_duty: u32, shrinkage: f64) -> u32 {
    // At most 2,000,000 ÷ (1 − s) with s < 1: finite, and far below u32::MAX for any s a
    // planner types (saturating otherwise).
    (f64::from(on_duty) / (1.0 - shrinkage) - 1e-9).ceil().max(0.0) as u32
}

/// Checks the question and answers it. Stops with [`Error::Interrupted`] when a stop was
/// asked for ([`crate::interrupt`]).
pub fn ask(q: &Question) -> Result<Answer, Error> {
    let per_hour = q.per_hour;
    if !(per_hour.is_finite() && (0.0..=MAX_CALLS_PER_HOUR).contains(&per_hour)) {
        return Err(Error::Other(format!(
            "--per-hour must be a number of calls from 0 to {MAX_CALLS_PER_HOUR:e}, got {per_hour}"
        )));
    }
    let aht = duration("--aht", &q.aht, true)?;
    let patience = q
        .patience
        .as_deref()
        .map(|p| duration("--patience", p, true))
        .transpose()?;
    let threshold = duration("--threshold", &q.threshold, false)?;
    let max_asa = q
        .max_asa
        .as_deref()
        .map(|m| duration("--max-asa", m, true))
        .transpose()?;
    let target_sl = share("--target-sl", q.target_sl, false)?;
    let target_answer_rate = share("--target-answer-rate", q.target_answer_rate, false)?;
    let shrinkage = share("--shrinkage", q.shrinkage, true)?;
    let retry = share("--retry", q.retry, true)?;
    if let Some(a) = q.agents {
        if a == 0 {
            return Err(Error::Other("--agents must be at least 1, got 0".to_string()));
        }
        if a > MAX_AGENTS {
            return Err(Error::Other(format!("--agents must be at most {MAX_AGENTS}, got {a}")));
        }
    }
    if let Some(k) = q.lines {
        if k == 0 || k > MAX_LINES {
            return Err(Error::Other(format!("--lines must be from 1 to {MAX_LINES}, got {k}")));
        }
        let searching = target_sl.is_some() || target_answer_rate.is_some() || max_asa.is_some();
        if q.agents.is_none() && !searching && k > MAX_AGENTS {
            return Err(Error::Other(format!(
                "--lines without --agents means as many agents as lines, at most {MAX_AGENTS}, got {k}"
            )));
        }
        if let Some(a) = q.agents
            && a > k
        {
            return Err(Error::Other(format!(
                "--lines must be at least --agents ({a}): lines hold the calls talking and \
                 waiting, got {k}"
            )));
        }
    }
    if retry.is_some() && q.lines.is_none() {
        return Err(Error::Other(
            "--retry needs --lines: it is the share of blocked callers who try again".to_string(),
        ));
    }
    // Each answer with retries solves a fixed point over the whole chain of lines, many
    // times in a search: 4,000,000 lines took two minutes.
    if let (Some(_), Some(k)) = (retry, q.lines)
        && k > MAX_LINES_WITH_RETRY
    {
        return Err(Error::Other(format!(
            "--lines with --retry must be at most {MAX_LINES_WITH_RETRY}, got {k} (each answer solves the retries' fixed point over every line)"
        )));
    }
    let targets = Targets {
        service_level: target_sl,
        answer_rate: target_answer_rate,
        max_asa_seconds: max_asa,
    };
    let searching = targets != Targets::default();
    let centre = |agents: u32| Centre {
        queue: Queue {
            arrival_rate: per_hour / 3600.0,
            mean_handle_time: aht,
            agents,
            mean_patience: patience,
            threshold,
        },
        lines: q.lines,
        retry: retry.unwrap_or(0.0),
    };
    let to_error = |e: ErlangError| match e {
        ErlangError::Interrupted => Error::Interrupted,
        e => Error::Other(format!("erlang: {e}")),
    };
    // Given agents are evaluated first, so that their errors (an unstable queue) come
    // before the search's.
    let given = q
        .agents
        .map(|a| super::evaluate(&centre(a)))
        .transpose()
        .map_err(to_error)?;
    let needed = searching
        .then(|| super::fewest_agents(&centre(1), &targets))
        .transpose()
        .map_err(to_error)?;
    let agents = match (q.agents, needed, q.lines) {
        (Some(a), _, _) => a,
        (None, Some(n), _) => n,
        (None, None, Some(k)) => k,
        (None, None, None) => {
            return Err(Error::Other(
                "--agents is required unless a target (--target-sl, --target-answer-rate, \
                 --max-asa) or --lines (Erlang B: as many agents as lines) is given"
                    .to_string(),
            ));
        }
    };
    let eval = match given {
        Some(e) => e,
        None => super::evaluate(&centre(agents)).map_err(to_error)?,
    };
    // The planner's table: the answer and its neighbours that have a steady state.
    let mut neighbours = Vec::new();
    if let Some(n) = needed {
        let top = q.lines.unwrap_or(MAX_AGENTS).min(MAX_AGENTS);
        for a in n.saturating_sub(NEIGHBOURS_BELOW).max(1)..=n.saturating_add(NEIGHBOURS_ABOVE).min(top) {
            match super::evaluate(&centre(a)) {
                Ok(e) => neighbours.push((a, e)),
                Err(ErlangError::Unstable { .. }) => {}
                Err(e) => return Err(to_error(e)),
            }
        }
    }
    crate::interrupt::check()?;
    Ok(Answer {
        per_hour,
        aht,
        threshold,
        patience,
        lines: q.lines,
        retry,
        shrinkage,
        targets,
        agents,
        eval,
        needed,
        neighbours,
    })
}

impl Answer {
    /// Paid headcount for `n` agents on duty, when a shrinkage was given.
    fn paid(&self, n: u32) -> Option<u32> {
        self.shrinkage.map(|s| paid_headcount(n, s))
    }

    /// The JSON document of `ccsim erlang --format json` (with its final newline).
    pub fn to_json(&self) -> String {
        let figures = |p: &super::Performance| {
            let mut value = serde_json::to_value(p).expect("plain numbers");
            if self.lines.is_none() {
                value.as_object_mut().expect("an object").remove("blocking");
            }
            value
        };
        let mut value = figures(&self.eval.performance);
        if let Some(n) = self.needed {
            value["agents"] = n.into();
        }
        if let Some(p) = self.paid(self.needed.unwrap_or(self.agents)) {
            value["paid_agents"] = p.into();
        }
        if self.retry.is_some() {
            value["attempts_per_hour"] = (self.eval.attempt_rate * 3600.0).into();
            value["lost_to_blocking"] = self.eval.lost_to_blocking.into();
        }
        if self.needed.is_some() {
            let rows: Vec<serde_json::Value> = self
                .neighbours
                .iter()
                .map(|(a, e)| {
                    let mut row = figures(&e.performance);
                    let row_map = row.as_object_mut().expect("an object");
                    row_map.remove("p_wait");
                    row_map.remove("avg_queue_length");
                    row["agents"] = (*a).into();
                    if let Some(p) = self.paid(*a) {
                        row["paid_agents"] = p.into();
                    }
                    row["meets_targets"] = self.targets.met_by(&e.performance).into();
                    row
                })
                .collect();
            value["neighbours"] = rows.into();
        }
        crate::report::json::to_pretty_json(&value)
    }

    /// The text of `ccsim erlang` (the table format).
    pub fn to_table(&self) -> String {
        let mut out = String::new();
        let perf = &self.eval.performance;
        let waiting = self.patience.is_some();
        let retrying = self.retry.is_some_and(|r| r > 0.0);
        let model = match self.lines {
            None if waiting => "Erlang A (M/M/n+M)".to_string(),
            None => "Erlang C (M/M/n)".to_string(),
            Some(k) if k == self.agents && retrying => {
                "Extended Erlang B (M/M/n/n, blocked callers retrying)".to_string()
            }
            Some(k) if k == self.agents => "Erlang B (M/M/n/n, loss system)".to_string(),
            Some(_) => format!(
                "M/M/n/K{} (finite waiting room{})",
                if waiting { "+M" } else { "" },
                if retrying { ", blocked callers retrying" } else { "" }
            ),
        };
        let lines_text = self.lines.map(|k| format!(", {k} lines")).unwrap_or_default();
        let (per_hour, aht, threshold, agents) = (self.per_hour, self.aht, self.threshold, self.agents);
        let _ = writeln!(
            out,
            "{model}: {per_hour} calls/h, AHT {aht}s, {agents} agents{lines_text}, load {:.3} Erlangs",
            per_hour / 3600.0 * aht
        );
        let _ = writeln!(out, "  P(wait)        {:.5}", perf.p_wait);
        let _ = writeln!(
            out,
            "  service level  {:.5}  (answered within {threshold}s ÷ offered)",
            perf.service_level
        );
        let _ = writeln!(
            out,
            "  ASA            {:.3} s  (mean wait of answered calls)",
            perf.asa_seconds
        );
        let _ = writeln!(
            out,
            "  mean wait      {:.3} s  (every caller who got a line, abandoned ones too)",
            perf.mean_wait_seconds
        );
        let _ = writeln!(
            out,
            "  queue length   {:.3}  (calls waiting, time average)",
            perf.avg_queue_length
        );
        let _ = writeln!(out, "  answer rate    {:.5}", perf.answer_rate);
        let _ = writeln!(out, "  abandon rate   {:.5}", perf.abandon_rate);
        if self.lines.is_some() {
            let _ = writeln!(
                out,
                "  blocking       {:.5}  (every line busy: a busy signal)",
                perf.blocking
            );
        }
        if self.retry.is_some() {
            let _ = writeln!(
                out,
                "  attempts       {:.1} per hour  (fresh calls and retries; figures are per attempt)",
                self.eval.attempt_rate * 3600.0
            );
            let _ = writeln!(
                out,
                "  lost to busy   {:.5}  (fresh callers who give up after a busy signal)",
                self.eval.lost_to_blocking
            );
        }
        let _ = writeln!(out, "  occupancy      {:.4}", perf.occupancy);
        let paid_for = self.needed.unwrap_or(agents);
        if let (Some(s), Some(p)) = (self.shrinkage, self.paid(paid_for)) {
            let _ = writeln!(
                out,
                "  paid agents    {p}  ({paid_for} on duty ÷ (1 − {s}), rounded up)"
            );
        }
        if let Some(n) = self.needed {
            let _ = writeln!(out, "  fewest agents for {}: {n}", self.targets.describe());
            out.push_str(&self.neighbour_table(n));
        }
        out
    }

    /// The planner's table around the answer `answer`: one row per agent count.
    fn neighbour_table(&self, answer: u32) -> String {
        let lines = self.lines.is_some();
        let mut out = String::from("\n   agents");
        if self.shrinkage.is_some() {
            out.push_str("     paid");
        }
        out.push_str("  service level   ASA (s)  mean wait (s)  answer rate  abandon rate");
        if lines {
            out.push_str("  blocking");
        }
        out.push_str("  occupancy  targets\n");
        for (agents, e) in &self.neighbours {
            let p = &e.performance;
            let mark = if *agents == answer { "▶" } else { " " };
            let _ = write!(out, " {mark} {agents:>6}");
            if let Some(s) = self.shrinkage {
                let _ = write!(out, " {:>8}", paid_headcount(*agents, s));
            }
            let _ = write!(
                out,
                "  {:>13.5} {:>9.3} {:>14.3} {:>12.5} {:>13.5}",
                p.service_level, p.asa_seconds, p.mean_wait_seconds, p.answer_rate, p.abandon_rate
            );
            if lines {
                let _ = write!(out, " {:>9.5}", p.blocking);
            }
            let verdict = if self.targets.met_by(p) { "met" } else { "missed" };
            let _ = writeln!(out, " {:>10.4}  {verdict}", p.occupancy);
        }
        out
    }
}
