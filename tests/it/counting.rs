//! SPEC.md's counting rules: contacts belong to their arrival interval, are followed to
//! their end after the window up to the drain limit, and are conserved; busy time is
//! counted inside the window only, so occupancy never exceeds 1.

use ccsim::engine::run_replication;
use ccsim::stats::{RepStats, call, group};
use ccsim::{Model, Scenario, Summary};

fn model(text: &str) -> Model {
    Model::build(&Scenario::parse("t.toml", text).expect("parses")).expect("valid")
}

/// A centre that is overloaded in its last interval, with staffing that drops mid-day.
const UNEVEN_DAY: &str = r#"
[scenario]
name = "uneven"
start = "08:00"
duration = "2h"
interval = "30m"
warmup = "20m"
drain_limit = "DRAIN"
replications = 6

[[call_type]]
name = "calls"
arrivals = { per_interval = [60, 90, 40, 160] }
handle_time = { dist = "exponential", mean = "5m" }
patience = { dist = "exponential", mean = "10m" }

[[agent_group]]
name = "team"
agents = [12, 14, 3, 8]
skills = ["calls"]
"#;

fn conserved(s: &RepStats) {
    for (k, c) in s.calls.iter().enumerate() {
        assert_eq!(
            c[call::OFFERED],
            c[call::ANSWERED] + c[call::ABANDONED] + c[call::UNFINISHED],
            "cell {k}: {c:?}"
        );
        assert!(c[call::ANSWERED_IN_SL] <= c[call::ANSWERED]);
    }
    for g in &s.group_cells {
        assert!(g[group::BUSY_US] <= g[group::STAFFED_US], "busy beyond staffed: {g:?}");
    }
}

#[test]
fn contacts_are_conserved_in_every_interval() {
    let m = model(&UNEVEN_DAY.replace("DRAIN", "4h"));
    for r in 0..m.replications {
        let s = run_replication(&m, r);
        conserved(&s);
        assert_eq!(s.call_total(call::UNFINISHED), 0, "a 4 h drain empties the queue");
    }
}

#[test]
fn a_short_drain_leaves_contacts_unfinished() {
    // The last interval is overloaded; a 1-minute drain cannot serve its queue.
    let m = model(&UNEVEN_DAY.replace("DRAIN", "1m"));
    let s = run_replication(&m, 0);
    conserved(&s);
    assert!(
        s.call_cell_ref(3, 0)[call::UNFINISHED] > 0,
        "{:?}",
        s.call_cell_ref(3, 0)
    );
}

#[test]
fn staffing_drops_are_finished_as_overtime_and_occupancy_stays_below_one() {
    let m = model(&UNEVEN_DAY.replace("DRAIN", "4h"));
    let summary = Summary::new(&m, &ccsim::simulate(&m, 0, &|| {}).unwrap());
    for i in &summary.intervals {
        let occ = i.metrics.get("occupancy").unwrap().mean.unwrap();
        assert!((0.0..=1.0).contains(&occ), "{}: occupancy {occ}", i.start);
    }
    // 14 → 3 agents at 09:00 with most of them busy: they finish their calls as overtime.
    let overtime = summary.intervals[2].groups[0]
        .metrics
        .get("overtime_hours")
        .unwrap()
        .mean
        .unwrap();
    assert!(overtime > 0.0);
    // Staffed time is exactly the schedule: 12+14+3+8 agents × 0.5 h.
    let hours = summary.groups[0].metrics.get("agent_hours").unwrap();
    assert_eq!(hours.mean, Some(18.5));
    assert_eq!(hours.ci95, Some(0.0));
}

#[test]
fn warmup_calls_are_not_counted_and_offered_follows_the_forecast() {
    // Offered per interval is Poisson with the forecast mean: check each interval's mean
    // is within its reported interval of the forecast (3·ci95).
    let mut m = model(&UNEVEN_DAY.replace("DRAIN", "4h"));
    m = m.with_replications(200).unwrap();
    let summary = Summary::new(&m, &ccsim::simulate(&m, 0, &|| {}).unwrap());
    for (i, expected) in summary.intervals.iter().zip([60.0, 90.0, 40.0, 160.0]) {
        let e = i.metrics.get("offered").unwrap();
        let (mean, ci) = (e.mean.unwrap(), e.ci95.unwrap());
        assert!(
            (mean - expected).abs() <= 3.0 * ci,
            "{}: {mean} ± {ci} vs {expected}",
            i.start
        );
        // Poisson: the variance equals the mean, so ci ≈ 1.97·√(mean/200).
        let poisson_ci = 1.972 * (expected / 200.0f64).sqrt();
        assert!(
            (ci / poisson_ci - 1.0).abs() < 0.25,
            "{}: ci {ci} vs Poisson {poisson_ci}",
            i.start
        );
    }
}

#[test]
fn an_interval_without_calls_reports_null_rates() {
    let text = UNEVEN_DAY
        .replace("DRAIN", "4h")
        .replace("[60, 90, 40, 160]", "[60, 0, 40, 160]");
    let m = model(&text);
    let summary = Summary::new(&m, &ccsim::simulate(&m, 0, &|| {}).unwrap());
    let quiet = &summary.intervals[1].metrics;
    assert_eq!(quiet.get("offered").unwrap().mean, Some(0.0));
    assert_eq!(quiet.get("answer_rate").unwrap().mean, None);
    assert_eq!(quiet.get("service_level").unwrap().ci95, None);
    let json = ccsim::report::json::to_json(&summary);
    assert!(!json.contains("NaN") && json.contains("null"));
}

#[test]
fn one_replication_has_no_interval() {
    let m = model(&UNEVEN_DAY.replace("DRAIN", "4h")).with_replications(1).unwrap();
    let summary = Summary::new(&m, &ccsim::simulate(&m, 0, &|| {}).unwrap());
    let e = summary.totals.get("answer_rate").unwrap();
    assert!(e.mean.is_some() && e.ci95.is_none());
}
