//! Back-testing: a scenario's simulation set beside what a call log says happened.
//!
//! The log's figures are averages over the days tested; the simulated figures are means
//! over replications, each one simulated day. A day differs from the average day (its
//! volume, its luck), so an observed average of D days would differ from the simulated
//! mean even if the scenario were exactly right. The band of each simulated figure says
//! how far: the simulation's 95 % half-width widened by √(1 + R/D) for R replications,
//! which is the 95 % range of a D-day average of the simulated centre (the spread of its
//! days, with the scenario's `forecast_error`, estimated from the replications) plus the
//! simulation's own error. An observed figure outside its band is flagged; about 1 in 20
//! are by chance. The verdict says whether the day's figures lie inside their bands and
//! no more intervals are flagged than chance explains.

use std::fmt::Write;

use chrono::NaiveDate;
use statrs::distribution::{Binomial, DiscreteCDF};

use super::{Days, Log};
use crate::summary::{Estimate, Metrics};

/// Observed figures of one interval, averaged over the dates.
#[derive(Debug, Clone, Copy, Default)]
pub struct Observed {
    pub offered: f64,
    pub answered: f64,
    pub abandoned: f64,
    pub within_threshold: f64,
    pub waited_answered: f64,
    pub waited_abandoned: f64,
    pub talk: f64,
}

impl Observed {
    fn figure(&self, metric: &str) -> Option<f64> {
        let ratio = |a: f64, b: f64| (b > 0.0).then(|| a / b);
        match metric {
            "offered" => Some(self.offered),
            "answer_rate" => ratio(self.answered, self.offered),
            "abandon_rate" => ratio(self.abandoned, self.offered),
            "service_level" => ratio(self.within_threshold, self.offered),
            "asa_seconds" => ratio(self.waited_answered, self.answered),
            "avg_abandon_wait_seconds" => ratio(self.waited_abandoned, self.abandoned),
            "aht_seconds" => ratio(self.talk, self.answered),
            _ => None,
        }
    }
}

/// The figures compared, with whether they are shares (shown in percent).
pub const COMPARED: [(&str, bool); 7] = [
    ("offered", false),
    ("answer_rate", true),
    ("abandon_rate", true),
    ("service_level", true),
    ("asa_seconds", false),
    ("avg_abandon_wait_seconds", false),
    ("aht_seconds", false),
];

/// The figures the verdict judges over the day (offered is judged by the arrivals fit,
/// the abandon rate is the answer rate's complement).
const JUDGED_DAY: [&str; 5] = [
    "answer_rate",
    "service_level",
    "asa_seconds",
    "avg_abandon_wait_seconds",
    "aht_seconds",
];

/// What the log says happened in each interval of `model` (matched by clock time), on
/// the dates of `days`, and over the whole day.
pub fn observe(log: &Log, days: &Days, model: &crate::Model) -> (Vec<Observed>, Observed, Vec<NaiveDate>) {
    let dates = days.select(log);
    let n = dates.len().max(1) as f64;
    let clock = &model.clock;
    let interval = clock.interval as f64 / 1e6;
    let threshold = model
        .call_types
        .first()
        .map_or(20.0, |c| c.service_level_threshold as f64 / 1e6);
    let mut per = vec![Observed::default(); clock.intervals];
    let mut day = Observed::default();
    for c in log.calls.iter().filter(|c| dates.contains(&c.date)) {
        let k = ((c.arrival - clock.start_of_day).rem_euclid(86400.0) / interval).floor();
        let add = |o: &mut Observed| {
            o.offered += 1.0 / n;
            if c.served {
                o.answered += 1.0 / n;
                o.waited_answered += c.wait / n;
                o.talk += c.handle / n;
                if c.wait <= threshold {
                    o.within_threshold += 1.0 / n;
                }
            } else if c.abandoned {
                o.abandoned += 1.0 / n;
                o.waited_abandoned += c.wait / n;
            }
        };
        if k >= 0.0 && (k as usize) < clock.intervals {
            add(&mut per[k as usize]);
            add(&mut day);
        }
    }
    (per, day, dates)
}

/// How much of the log's load a back-test replayed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Replayed {
    /// Calls of the days tested that fell to a call type, and those that none stands for.
    pub calls: usize,
    pub unmatched: usize,
}

/// Replays the load of the days tested: each call type that says which log calls it
/// stands for (`from_log`, written by `fit`) gets their arrivals per interval, averaged
/// over the days, and its talk times scaled to their mean. The back-test then judges
/// what the scenario models beyond the forecast (patience, queue discipline, staffing)
/// on days it was not fitted on, whose volume and call mix may differ. `None` (nothing
/// changed) unless every call type has `from_log`.
pub fn replay_load(log: &Log, days: &Days, model: &mut crate::Model) -> Option<Replayed> {
    if model.call_types.is_empty() || model.call_types.iter().any(|c| c.from_log.is_none()) {
        return None;
    }
    let dates = days.select(log);
    let n = dates.len().max(1) as f64;
    let clock = model.clock.clone();
    let interval = clock.interval as f64 / 1e6;
    let types = model.call_types.len();
    let mut arrivals = vec![vec![0.0; clock.intervals]; types];
    let mut talk = vec![(0.0, 0usize); types];
    let mut replayed = Replayed { calls: 0, unmatched: 0 };
    for c in log.calls.iter().filter(|c| dates.contains(&c.date)) {
        let k = ((c.arrival - clock.start_of_day).rem_euclid(86400.0) / interval).floor();
        if k < 0.0 || k as usize >= clock.intervals {
            continue;
        }
        let Some(ct) = model.call_types.iter().position(|t| {
            t.from_log
                .as_ref()
                .is_some_and(|f| f.calls.holds(c.priority) && f.types.contains(&c.kind))
        }) else {
            replayed.unmatched += 1;
            continue;
        };
        replayed.calls += 1;
        arrivals[ct][k as usize] += 1.0 / n;
        if c.served {
            talk[ct].0 += c.handle;
            talk[ct].1 += 1;
        }
    }
    for (ct, t) in model.call_types.iter_mut().enumerate() {
        t.rate_per_second = arrivals[ct].iter().map(|a| a / interval).collect();
        // The drawn talk time (mean `mean_talk`) times this scale has the log's mean, in
        // every interval (a forecast's per-interval AHT is replaced too).
        let (sum, served) = talk[ct];
        if served > 0 && t.mean_talk > 0.0 {
            let scale = sum / served as f64 / t.mean_talk;
            t.handle_scale.iter_mut().for_each(|s| *s = scale);
        }
    }
    Some(replayed)
}

/// One figure of one interval (or the day): observed, simulated, and the band.
#[derive(Debug, Clone, Copy)]
pub struct Compared {
    pub observed: Option<f64>,
    pub simulated: Estimate,
    /// Half-width of the band a D-day average of the simulated centre falls in.
    pub band: Option<f64>,
}

impl Compared {
    /// Whether the observed figure lies outside the band (unknown: not flagged).
    pub fn outside(&self) -> bool {
        matches!((self.observed, self.simulated.mean, self.band), (Some(o), Some(s), Some(b)) if (o - s).abs() > b)
    }
}

/// One interval of a back-test.
#[derive(Debug, Clone)]
pub struct BacktestRow {
    pub start: String,
    pub figures: Vec<Compared>,
}

/// A back-test: per interval and over the day, with mean absolute errors and a verdict.
#[derive(Debug, Clone)]
pub struct Backtest {
    pub dates: Vec<NaiveDate>,
    pub replications: u64,
    /// The log's load replayed, or `None`: the scenario's own arrivals and talk times.
    pub replayed: Option<Replayed>,
    pub rows: Vec<BacktestRow>,
    pub day: Vec<Compared>,
    /// Per figure: mean over intervals with calls of |observed − simulated mean| (`None`
    /// where no interval has the figure, e.g. no abandons).
    pub mae: Vec<(&'static str, Option<f64>)>,
    /// Intervals whose observed answer rate lies outside its band, of those judged, and
    /// the most that chance explains (the 95 % point of Binomial(judged, 0.05)).
    pub flagged: usize,
    pub judged: usize,
    pub expected_by_chance: usize,
    /// Whether the scenario reproduces the log, and why not.
    pub reproduces: bool,
    pub reasons: Vec<String>,
}

fn compare(o: &Observed, m: &Metrics, widen: f64) -> Vec<Compared> {
    COMPARED
        .iter()
        .map(|&(name, _)| {
            let simulated = m.get(name).unwrap_or(Estimate { mean: None, ci95: None });
            Compared {
                observed: o.figure(name),
                simulated,
                band: simulated.ci95.map(|c| c * widen),
            }
        })
        .collect()
}

fn position(metric: &str) -> usize {
    COMPARED
        .iter()
        .position(|(n, _)| *n == metric)
        .expect("a compared figure")
}

/// Back-tests `summary` (a simulation of `model`) against the log.
pub fn backtest(
    log: &Log,
    days: &Days,
    model: &crate::Model,
    summary: &crate::Summary,
    replayed: Option<Replayed>,
) -> Backtest {
    let (per, observed_day, dates) = observe(log, days, model);
    let replications = model.replications;
    let widen = (1.0 + replications as f64 / dates.len().max(1) as f64).sqrt();
    let rows: Vec<BacktestRow> = summary
        .intervals
        .iter()
        .zip(per)
        .map(|(i, o)| BacktestRow {
            start: i.start.clone(),
            figures: compare(&o, &i.metrics, widen),
        })
        .collect();
    let day = compare(&observed_day, &summary.totals, widen);
    let mae = COMPARED
        .iter()
        .enumerate()
        .map(|(j, &(name, _))| {
            let errors: Vec<f64> = rows
                .iter()
                .filter_map(|r| Some((r.figures[j].observed? - r.figures[j].simulated.mean?).abs()))
                .collect();
            (
                name,
                (!errors.is_empty()).then(|| errors.iter().sum::<f64>() / errors.len() as f64),
            )
        })
        .collect();
    let answer = position("answer_rate");
    let judged_rows: Vec<&Compared> = rows
        .iter()
        .map(|r| &r.figures[answer])
        .filter(|c| c.observed.is_some() && c.band.is_some())
        .collect();
    let judged = judged_rows.len();
    let flagged = judged_rows.iter().filter(|c| c.outside()).count();
    let expected_by_chance = if judged == 0 {
        0
    } else {
        let b = Binomial::new(0.05, judged as u64).expect("valid binomial");
        (0..=judged as u64).find(|&m| b.cdf(m) >= 0.95).unwrap_or(judged as u64) as usize
    };
    let mut reasons = Vec::new();
    for name in JUDGED_DAY {
        let c = &day[position(name)];
        if c.outside() {
            let (o, s, b) = (
                c.observed.unwrap_or_default(),
                c.simulated.mean.unwrap_or_default(),
                c.band.unwrap_or_default(),
            );
            let percent = COMPARED[position(name)].1;
            reasons.push(if percent {
                format!(
                    "the day's {name} {:.1} % lies outside the simulated {:.1} % ± {:.1}",
                    o * 100.0,
                    s * 100.0,
                    b * 100.0
                )
            } else {
                format!("the day's {name} {o:.1} lies outside the simulated {s:.1} ± {b:.1}")
            });
        }
    }
    if flagged > expected_by_chance {
        reasons.push(format!(
            "{flagged} of {judged} intervals have their answer rate outside the band (chance explains up to {expected_by_chance})"
        ));
    }
    Backtest {
        dates,
        replications,
        replayed,
        rows,
        reproduces: reasons.is_empty(),
        reasons,
        day,
        mae,
        flagged,
        judged,
        expected_by_chance,
    }
}

impl Backtest {
    /// The figure `metric` over the day.
    pub fn day_figure(&self, metric: &str) -> &Compared {
        &self.day[position(metric)]
    }

    /// Whose load was simulated.
    pub fn load(&self) -> String {
        match self.replayed {
            Some(r) => format!(
                "Load replayed from the log: each call type's arrivals per interval and mean talk time on the days tested \
                 ({} calls{}); the scenario's patience, queue discipline and staffing are what is tested.",
                r.calls,
                if r.unmatched > 0 {
                    format!(", {} of no call type left out", r.unmatched)
                } else {
                    String::new()
                }
            ),
            None => "Load: the scenario's own arrivals and talk times (the forecast is tested too).".into(),
        }
    }

    /// The one-line verdict.
    pub fn verdict(&self) -> String {
        let answer = self.day_figure("answer_rate");
        let summary = format!(
            "day answer rate {} against {} observed (band ± {}), answer-rate MAE {:.1} points, \
             {} of {} intervals outside their band (chance explains up to {})",
            answer
                .simulated
                .mean
                .map_or("–".into(), |s| format!("{:.1} %", s * 100.0)),
            answer.observed.map_or("–".into(), |o| format!("{:.1} %", o * 100.0)),
            answer.band.map_or("–".into(), |b| format!("{:.1}", b * 100.0)),
            self.mae[position("answer_rate")].1.unwrap_or(0.0) * 100.0,
            self.flagged,
            self.judged,
            self.expected_by_chance
        );
        if self.reproduces {
            format!("Verdict: reproduces the log: {summary}.")
        } else {
            format!(
                "Verdict: does not reproduce the log: {}; {summary}.",
                self.reasons.join("; ")
            )
        }
    }
}

/// The back-test as a table.
pub fn render_backtest(b: &Backtest) -> String {
    let shown = ["offered", "answer_rate", "abandon_rate", "service_level", "asa_seconds"];
    let mut header = vec!["interval".to_owned()];
    for name in shown {
        header.push(format!("{name} obs"));
        header.push("sim ± band".to_owned());
    }
    let mut rows: Vec<Vec<String>> = vec![header];
    let cells = |label: &str, figures: &[Compared]| {
        let mut row = vec![label.to_owned()];
        for name in shown {
            let j = position(name);
            let c = &figures[j];
            let scale = if COMPARED[j].1 { 100.0 } else { 1.0 };
            let unit = if COMPARED[j].1 { "%" } else { "" };
            let flag = if c.outside() { " *" } else { "" };
            row.push(
                c.observed
                    .map_or("–".into(), |o| format!("{:.1}{unit}{flag}", o * scale)),
            );
            row.push(match (c.simulated.mean, c.band) {
                (Some(s), Some(w)) => format!("{:.1}{unit} ±{:.1}", s * scale, w * scale),
                (Some(s), None) => format!("{:.1}{unit}", s * scale),
                _ => "–".into(),
            });
        }
        row
    };
    for r in &b.rows {
        rows.push(cells(&r.start, &r.figures));
    }
    rows.push(cells("day", &b.day));
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Back-test over {}: observed (per day, averaged) against simulated ({} replications) ± the band a {}-day \
         average of the simulated centre falls in 95 % of the time; * marks an observed figure outside it\n",
        Days::describe(&b.dates),
        b.replications,
        b.dates.len()
    );
    out.push_str(&crate::report::table::aligned(&rows));
    let _ = writeln!(out, "\n{}", b.load());
    let _ = writeln!(out, "\nOver the day:");
    for name in ["avg_abandon_wait_seconds", "aht_seconds"] {
        let c = b.day_figure(name);
        let _ = writeln!(
            out,
            "  {name:<26} observed {}, simulated {}{}",
            c.observed.map_or("–".into(), |o| format!("{o:.1} s")),
            match (c.simulated.mean, c.band) {
                (Some(s), Some(w)) => format!("{s:.1} s ±{w:.1}"),
                (Some(s), None) => format!("{s:.1} s"),
                _ => "–".into(),
            },
            if c.outside() { " *" } else { "" }
        );
    }
    let _ = writeln!(out, "\nMean absolute error over the intervals:");
    for (name, e) in &b.mae {
        let Some(e) = e else {
            let _ = writeln!(out, "  {name:<26} –");
            continue;
        };
        if COMPARED[position(name)].1 {
            let _ = writeln!(out, "  {name:<26} {:.1} points", e * 100.0);
        } else if *name == "offered" {
            let _ = writeln!(out, "  {name:<26} {e:.1} calls");
        } else {
            let _ = writeln!(out, "  {name:<26} {e:.1} s");
        }
    }
    let _ = writeln!(out, "\n{}", b.verdict());
    out
}

/// The back-test as JSON.
pub fn backtest_json(b: &Backtest) -> String {
    let figures = |f: &[Compared]| {
        let observed: serde_json::Map<String, serde_json::Value> = COMPARED
            .iter()
            .zip(f)
            .map(|((name, _), c)| (name.to_string(), serde_json::json!(c.observed)))
            .collect();
        let simulated: serde_json::Map<String, serde_json::Value> = COMPARED
            .iter()
            .zip(f)
            .map(|((name, _), c)| {
                (
                    name.to_string(),
                    serde_json::json!({ "mean": c.simulated.mean, "ci95": c.simulated.ci95, "band": c.band }),
                )
            })
            .collect();
        let outside: Vec<&str> = COMPARED
            .iter()
            .zip(f)
            .filter(|(_, c)| c.outside())
            .map(|((name, _), _)| *name)
            .collect();
        serde_json::json!({ "observed": observed, "simulated": simulated, "outside_band": outside })
    };
    let intervals: Vec<serde_json::Value> = b
        .rows
        .iter()
        .map(|r| {
            let mut v = figures(&r.figures);
            v["start"] = serde_json::json!(r.start);
            v
        })
        .collect();
    let doc = serde_json::json!({
        "dates": b.dates.iter().map(|d| d.to_string()).collect::<Vec<_>>(),
        "replications": b.replications,
        "load": {
            "replayed_from_log": b.replayed.is_some(),
            "calls": b.replayed.map(|r| r.calls),
            "unmatched": b.replayed.map(|r| r.unmatched),
            "text": b.load(),
        },
        "intervals": intervals,
        "day": figures(&b.day),
        "mae": b.mae.iter().map(|(m, e)| (m.to_string(), serde_json::json!(e))).collect::<serde_json::Map<_, _>>(),
        "verdict": {
            "reproduces": b.reproduces,
            "reasons": b.reasons,
            "intervals_outside_band": b.flagged,
            "intervals_judged": b.judged,
            "expected_by_chance": b.expected_by_chance,
            "text": b.verdict(),
        },
    });
    let mut text = serde_json::to_string_pretty(&doc).expect("numbers");
    text.push('\n');
    text
}
