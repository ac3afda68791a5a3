//! Callbacks (virtual hold, issue 17): an offer nobody accepts changes no byte; an
//! immediate keep-place callback every waiting caller accepts and answers turns an
//! abandoning queue into the FIFO queue without abandonment that Erlang C describes; on a
//! realistic peak day callbacks lower abandonment and move the work later (paired
//! comparisons with common random numbers, intervals that can fail); every contact ends
//! exactly one way in every cell with callbacks among lines, messages, the close and
//! tiers; threads do not change the bytes; bad keys are refused with line and column.

use crate::common::{agrees, ccsim_fails, ci, mean, model, summary};
use ccsim::engine::run_replication;
use ccsim::erlang::erlang_c;
use ccsim::stats::{RepStats, call, group};
use ccsim::{Model, Scenario};

/// One call type with patience and redials, 10 agents, a callback line `callback`.
fn queue(callback: &str, replications: u32) -> String {
    format!(
        r#"
[scenario]
name = "callbacks"
duration = "24h"
warmup = "2h"
interval = "1h"
replications = {replications}
seed = 17

[[call_type]]
name = "sales"
arrivals = {{ per_hour = 96 }}
handle_time = {{ dist = "exponential", mean = "5m" }}
patience = {{ dist = "exponential", mean = "1m" }}
redial = {{ probability = 0.3, delay = {{ dist = "exponential", mean = "5m" }} }}
{callback}

[[agent_group]]
name = "team"
agents = 10
skills = ["sales"]
"#
    )
}

fn json(text: &str) -> String {
    ccsim::report::json::to_json(&summary(text))
}

/// Acceptance 0: the offer is made (from a stream of its own) but never taken, so every
/// figure is the same, byte for byte, in either mode and with either trigger.
#[test]
fn acceptance_zero_is_byte_identical_to_no_callback() {
    let none = json(&queue("", 6));
    for offer in [
        r#"callback = { predicted_wait_over = "0s", accept = 0 }"#,
        r#"callback = { after = "20s", accept = 0, answer = 0.5 }"#,
        r#"callback = { predicted_wait_over = "30s", after = "10s", accept = 0, mode = "scheduled", delay = "15m" }"#,
    ] {
        let with = json(&queue(offer, 6));
        assert_eq!(none, with, "{offer}");
        assert_eq!(mean(&summary(&queue(offer, 6)).totals, "callbacks"), 0.0, "{offer}");
    }
    // Acceptance 1 does change them: the comparison above can fail.
    let taken = json(&queue(r#"callback = { after = "20s", accept = 1 }"#, 6));
    assert_ne!(none, taken);
}

/// Every caller who would wait accepts an immediate keep-place callback and answers it:
/// no one abandons, the virtual queue keeps arrival order, and the waits are those of
/// the M/M/c queue (Erlang C): the share who wait (the callbacks), the mean wait (ASA),
/// the service level, and the mean time to callback (h / (c − a) for those who wait).
#[test]
fn an_immediate_keep_place_callback_is_erlang_c_without_abandonment() {
    let text = queue(r#"callback = { predicted_wait_over = "0s", accept = 1 }"#, 160);
    let s = summary(&text);
    let t = &s.totals;
    let (a, c, h) = (8.0, 10, 300.0);
    let p_wait = erlang_c(a, c);
    assert!((p_wait - 0.409).abs() < 0.001, "C(8, 10) = {p_wait}");
    assert_eq!(mean(t, "abandoned"), 0.0);
    assert_eq!(mean(t, "redials"), 0.0, "no one abandons, so no one redials");
    assert_eq!(mean(t, "answered"), mean(t, "offered"));
    assert_eq!(mean(t, "callbacks_reached"), mean(t, "callbacks"));
    assert_eq!(mean(t, "callback_success"), 1.0);
    // 96 calls an hour for 24 hours.
    agrees(t, "callbacks", 96.0 * 24.0 * p_wait, 0.0, 0.04 * 96.0 * 24.0 * p_wait);
    let asa = p_wait * h / (f64::from(c) - a);
    agrees(t, "asa_seconds", asa, 0.0, 0.05 * asa);
    let sl = 1.0 - p_wait * (-(f64::from(c) - a) * 20.0 / h).exp();
    agrees(t, "service_level", sl, 0.0, 0.01);
    agrees(t, "avg_callback_delay_seconds", h / (f64::from(c) - a), 0.0, 7.5);
    // Without the callback the same callers abandon.
    let before = summary(&queue("", 80));
    assert!(mean(&before.totals, "abandon_rate") > 0.05);
}

/// A bank's peak morning: 30 agents, a peak at 10:00 they cannot keep up with, callers
/// who give up after about two minutes.
fn peak_day(callback: &str) -> String {
    format!(
        r#"
[scenario]
name = "peak"
start = "08:00"
duration = "8h"
interval = "30m"
replications = 40
seed = 2026

[[call_type]]
name = "accounts"
arrivals = {{ per_interval = [150, 200, 260, 320, 340, 320, 280, 230, 190, 160, 150, 140, 130, 120, 110, 100] }}
handle_time = {{ dist = "lognormal", mean = "4m", cv = 0.8 }}
wrap_up = {{ dist = "constant", value = "30s" }}
patience = {{ dist = "lognormal", mean = "2m", cv = 1.0 }}
{callback}

[[agent_group]]
name = "tellers"
agents = 34
skills = ["accounts"]
"#
    )
}

/// Per replication, paired by seed (the same callers arrive in both): `f(with) −
/// f(without)`, its mean and 95 % half-width.
fn paired(without: &Model, with: &Model, f: impl Fn(&RepStats) -> f64) -> (f64, f64) {
    let d: Vec<f64> = (0..without.replications)
        .map(|r| f(&run_replication(with, r)) - f(&run_replication(without, r)))
        .collect();
    let n = d.len() as f64;
    let m = d.iter().sum::<f64>() / n;
    let var = d.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0);
    (m, 1.96 * (var / n).sqrt())
}

fn abandon_rate(s: &RepStats) -> f64 {
    s.call_total(call::ABANDONED) as f64 / s.call_total(call::OFFERED) as f64
}

/// The time (in intervals from the start) around which the agents' busy time lies: the
/// centre of mass of the occupancy curve.
fn busy_centre(s: &RepStats) -> f64 {
    let mut s = s.clone();
    let busy: Vec<f64> = (0..s.intervals)
        .map(|i| s.group_cell(i, 0)[group::BUSY_US] as f64)
        .collect();
    busy.iter().enumerate().map(|(i, b)| (i as f64 + 0.5) * b).sum::<f64>() / busy.iter().sum::<f64>()
}

/// Occupancy (busy ÷ staffed) of the interval `i`.
fn occupancy(s: &RepStats, i: usize) -> f64 {
    let mut s = s.clone();
    let cell = *s.group_cell(i, 0);
    cell[group::BUSY_US] as f64 / cell[group::STAFFED_US] as f64
}

/// What a planner expects of scheduled callbacks on a peak day: fewer callers lost
/// (abandoned, missed callbacks included), and the work of the peak moves later (the
/// centre of the busy time, and the occupancy of the interval after the peak, rise).
/// (Keep-place callbacks at a saturated peak add no capacity: they change who is lost
/// more than how many; see docs/scenarios.md.)
#[test]
fn callbacks_lower_abandonment_and_move_the_peaks_work_later() {
    let without = model(&peak_day(""));
    for (offer, answer) in [
        (
            r#"callback = { predicted_wait_over = "1m", after = "45s", accept = 0.7, answer = 0.85, mode = "scheduled", delay = "45m" }"#,
            0.85,
        ),
        (
            r#"callback = { after = "30s", accept = 0.6, answer = 0.95, mode = "scheduled", delay = "30m" }"#,
            0.95,
        ),
    ] {
        let with = model(&peak_day(offer));
        let (d, half) = paired(&without, &with, abandon_rate);
        assert!(d + half < -0.02, "{offer}: abandon rate moved by {d} ± {half}");
        let (d, half) = paired(&without, &with, busy_centre);
        assert!(d - half > 0.0, "{offer}: busy centre moved by {d} ± {half} intervals");
        // 12:00–12:30, after the 10:00 peak: busier with the callbacks made then.
        let (d, half) = paired(&without, &with, |s| occupancy(s, 8));
        assert!(d - half > 0.0, "{offer}: occupancy at 11:00 moved by {d} ± {half}");
        let s = summary(&peak_day(offer));
        let t = &s.totals;
        assert!(mean(t, "callbacks") > 100.0, "{offer}");
        agrees(t, "callback_success", answer, 0.0, 0.03);
        assert!(
            (mean(t, "callbacks_reached") + mean(t, "callbacks_missed") - mean(t, "callbacks")).abs() < 1e-9,
            "{offer}: every callback is made in the drain"
        );
        assert!(ci(t, "callbacks") > 0.0);
    }
}

/// Every way a contact can end, summed.
fn ended(c: &[u64; call::FIELDS]) -> u64 {
    c[call::ANSWERED]
        + c[call::ABANDONED]
        + c[call::BLOCKED]
        + c[call::MESSAGES]
        + c[call::DISCONNECTED]
        + c[call::UNFINISHED]
}

/// Callbacks of both modes among lines, queue capacity, messages, retries, an
/// escalation into a call type with callbacks, and the close.
const EVERYTHING: &str = r#"
[scenario]
name = "everything"
start = "08:00"
duration = "6h"
interval = "30m"
warmup = "20m"
replications = 12
seed = 99
lines = 30
queue_capacity = 14
at_close = "disconnect"

[[call_type]]
name = "front"
arrivals = { per_hour = 200 }
handle_time = { dist = "exponential", mean = "4m" }
patience = { dist = "exponential", mean = "90s" }
redial = { probability = 0.4, delay = { dist = "exponential", mean = "3m" } }
retry = { probability = 0.6, delay = { dist = "exponential", mean = "2m" } }
max_wait = { after = "4m", outcome = "message" }
resolution = 0.8
unresolved = { escalate_to = "back" }
callback = { predicted_wait_over = "40s", after = "30s", accept = 0.6, answer = 0.8 }

[[call_type]]
name = "back"
arrivals = { per_hour = 20 }
handle_time = { dist = "exponential", mean = "6m" }
patience = { dist = "exponential", mean = "3m" }
callback = { predicted_wait_over = "1m", after = "1m", accept = 0.7, answer = 0.7, mode = "scheduled", delay = "20m", no_answer_time = "1m" }

[[agent_group]]
name = "first"
agents = 12
skills = ["front"]

[[agent_group]]
name = "second"
agents = 4
skills = ["back"]
"#;

#[test]
fn every_contact_ends_one_way_in_every_cell_with_callbacks() {
    let m = model(EVERYTHING);
    let mut seen = [0u64; call::FIELDS];
    for r in 0..m.replications {
        let mut s = run_replication(&m, r);
        assert!(s.halt.is_none());
        for i in 0..s.intervals {
            for c in 0..m.call_types.len() {
                let cell = *s.call_cell(i, c);
                assert_eq!(
                    cell[call::OFFERED],
                    ended(&cell),
                    "replication {r}, interval {i}, type {c}"
                );
                assert!(cell[call::CALLBACKS_REACHED] + cell[call::CALLBACKS_MISSED] <= cell[call::CALLBACKS]);
                assert!(cell[call::CALLBACKS_MISSED] <= cell[call::ABANDONED]);
                for (f, x) in seen.iter_mut().enumerate() {
                    *x += cell[f];
                }
            }
            let contacts = *s.contacts_cell(i);
            assert_eq!(
                contacts[call::OFFERED],
                ended(&contacts),
                "replication {r}, interval {i}"
            );
        }
    }
    for f in [
        call::CALLBACKS,
        call::CALLBACKS_REACHED,
        call::CALLBACKS_MISSED,
        call::BLOCKED,
        call::MESSAGES,
        call::DISCONNECTED,
        call::RETRIES,
        call::REDIALS,
        call::TRANSFERS_IN,
    ] {
        assert!(seen[f] > 0, "field {f} never happened");
    }
    // The close disconnects pending callbacks too: none is reached or missed after it.
    assert!(seen[call::CALLBACKS_REACHED] + seen[call::CALLBACKS_MISSED] < seen[call::CALLBACKS]);
}

/// Same bytes whatever the number of threads.
#[test]
fn callbacks_are_deterministic_across_threads() {
    let m = model(EVERYTHING);
    let run = |threads| {
        ccsim::report::json::to_json(&ccsim::Summary::new(
            &m,
            &ccsim::simulate(&m, threads, &|| {}).expect("runs"),
        ))
    };
    assert_eq!(run(1), run(3));
}

/// The first error message of `text` (a file `s.toml`).
fn error(text: &str) -> String {
    match Scenario::parse("s.toml", text).and_then(|s| Model::build(&s)) {
        Ok(_) => panic!("expected an error:\n{text}"),
        Err(e) => e.to_string(),
    }
}

fn with_callback(line: &str, channel: &str) -> String {
    format!(
        "[scenario]\nname = \"t\"\nduration = \"2h\"\n\n[[call_type]]\nname = \"sales\"\n{channel}arrivals = {{ per_hour = 60 }}\nhandle_time = {{ dist = \"exponential\", mean = \"3m\" }}\n{line}\n\n[[agent_group]]\nname = \"team\"\nagents = 5\nskills = [\"sales\"]\n"
    )
}

#[test]
fn bad_callback_keys_are_refused_with_line_and_column() {
    let e = |line: &str| error(&with_callback(line, ""));
    assert_eq!(
        e(r#"callback = { predicted_wait_over = "1m", acept = 0.5 }"#),
        "s.toml:9:42: call_type[0].callback.acept: unknown key `acept` (expected one of: predicted_wait_over, after, accept, answer, mode, delay, no_answer_time)\n  help: did you mean `accept`?\ns.toml:9:12: call_type[0].callback.accept: missing required key `accept`"
    );
    assert_eq!(
        e(r#"callback = { accept = 0.5 }"#),
        "s.toml:9:12: call_type[0].callback.predicted_wait_over: give `predicted_wait_over` (offered at arrival when the predicted wait exceeds it) or `after` (offered to a caller who has waited that long), or both"
    );
    assert_eq!(
        e(r#"callback = { after = "1m", accept = 0.5, mode = "sheduled" }"#),
        "s.toml:9:49: call_type[0].callback.mode: unknown mode `sheduled`: `keep_place` (the callback keeps the caller's place in the queue) or `scheduled` (it joins the queue `delay` after it was accepted)\n  help: did you mean `scheduled`?"
    );
    assert_eq!(
        e(r#"callback = { after = "1m", accept = 0.5, mode = "scheduled" }"#),
        "s.toml:9:12: call_type[0].callback.delay: a `scheduled` callback needs `delay`: how long after it was accepted it joins the queue"
    );
    assert_eq!(
        e(r#"callback = { after = "1m", accept = 0.5, delay = "5m" }"#),
        "s.toml:9:50: call_type[0].callback.delay: `delay` goes with `mode = \"scheduled\"`: a `keep_place` callback keeps the caller's place in the queue"
    );
    assert_eq!(
        e(r#"callback = { after = "31d", accept = 0.5 }"#),
        "s.toml:9:22: call_type[0].callback.after: must be a duration ≥ 0 and at most 30 days, got 31d"
    );
    assert!(
        e(r#"callback = { after = "1m", accept = 1.5 }"#).starts_with("s.toml:9:37: call_type[0].callback.accept: ")
    );
    assert_eq!(
        error(&with_callback(
            r#"callback = { after = "1m", accept = 0.5 }"#,
            "channel = \"chat\"\n"
        )),
        "s.toml:10:12: call_type[0].callback: `callback` does not apply to a chat call type: only a caller on the line is offered a callback"
    );
    // Through the binary: exit 2 with the position.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(
        &path,
        with_callback(r#"callback = { after = "1m", accept = 0.5, mode = "x" }"#, ""),
    )
    .unwrap();
    let stderr = ccsim_fails(&["run", path.to_str().unwrap()]);
    assert!(
        stderr.contains("bad.toml:9:49: call_type[0].callback.mode: unknown mode `x`"),
        "{stderr}"
    );
}

/// The shipped scenario's reports show the callbacks where the other outcomes appear:
/// a "Callbacks" section in the table, a line in the HTML contacts chart, columns in the
/// CSV, and a scenario without callbacks shows no such section.
#[test]
fn the_reports_show_the_callbacks() {
    let scenario = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/small-bank-lines.toml");
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("r.html");
    let out = crate::common::ccsim_ok(&[
        "run",
        scenario.to_str().unwrap(),
        "--replications",
        "3",
        "--report",
        html.to_str().unwrap(),
    ]);
    let table = String::from_utf8(out.stdout).unwrap();
    let section = table
        .find("\nCallbacks (")
        .unwrap_or_else(|| panic!("no Callbacks section:\n{table}"));
    let mortgages = table[section..]
        .lines()
        .find(|l| l.trim_start().starts_with("mortgages"))
        .expect("a mortgages row");
    assert!(mortgages.contains('%'), "{mortgages}");
    assert!(std::fs::read_to_string(&html).unwrap().contains("\ncallbacks\n</text>"));
    let csv_dir = dir.path().join("out");
    crate::common::ccsim_ok(&[
        "run",
        scenario.to_str().unwrap(),
        "--replications",
        "2",
        "--out",
        csv_dir.to_str().unwrap(),
    ]);
    let header = std::fs::read_to_string(csv_dir.join("call_types.csv")).unwrap();
    for column in [
        "callbacks",
        "callbacks_reached",
        "callbacks_missed",
        "callback_success",
        "avg_callback_delay_seconds",
    ] {
        assert!(
            header.lines().next().unwrap().split(',').any(|c| c == column),
            "{column}"
        );
    }
    let single = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/single-skill.toml");
    let out = crate::common::ccsim_ok(&["run", single.to_str().unwrap(), "--replications", "2"]);
    assert!(!String::from_utf8(out.stdout).unwrap().contains("Callbacks ("));
}

/// The most contacts waiting at once is never below the time-average: a scheduled
/// callback's customer waits for service from the call on (its `delay` included, as
/// `avg_queue_length` books it), so the maximum counts them too, though they join the
/// lane's queue only when due. Checked exactly, per replication and interval (the queue
/// time booked in an interval ≤ its most waiting × its length), and on the report.
#[test]
fn the_most_waiting_at_once_is_never_below_the_average_with_scheduled_callbacks() {
    let text = r#"
[scenario]
name = "scheduled"
duration = "12h"
warmup = "2h"
interval = "1h"
replications = 8
seed = 21

[[call_type]]
name = "v"
arrivals = { per_hour = 48 }
handle_time = { dist = "exponential", mean = "5m" }
patience = { dist = "exponential", mean = "3m" }
callback = { predicted_wait_over = "0s", accept = 1, answer = 1, mode = "scheduled", delay = "20m" }

[[agent_group]]
name = "g"
agents = 5
skills = ["v"]
"#;
    let m = model(text);
    for r in 0..m.replications {
        let mut s = run_replication(&m, r);
        assert!(s.call_total(call::CALLBACKS) > 50, "{}", s.call_total(call::CALLBACKS));
        for i in 0..s.intervals {
            let cell = *s.call_cell(i, 0);
            assert!(
                u128::from(cell[call::QUEUE_US])
                    <= u128::from(cell[call::MAX_QUEUE]) * u128::from(cell[call::CLOCK_US]),
                "replication {r}, interval {i}: {} µs of waiting in {} µs with at most {} waiting",
                cell[call::QUEUE_US],
                cell[call::CLOCK_US],
                cell[call::MAX_QUEUE]
            );
        }
    }
    let s = summary(text);
    // Little's law: the average is the callers answered an hour × their mean wait
    // (callbacks ≈ all of them, waiting about the 20-minute delay), far above the
    // handful waiting on the line: the old maximum (the line only) read 3.7 against 8.4.
    assert!(mean(&s.totals, "avg_queue_length") > 6.0);
    for row in &s.intervals {
        let (avg, max) = (
            mean(&row.metrics, "avg_queue_length"),
            mean(&row.metrics, "max_queue_length"),
        );
        assert!(max >= avg, "{}: max {max} < average {avg}", row.start);
    }
}
