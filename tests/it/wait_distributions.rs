//! Wait distributions and service-level variants: the quantiles of the wait of answered
//! calls, the mean and longest wait, the queue's time-average and maximum, short
//! abandons, the service level over answered calls and the figures per customer.

use crate::common::*;

/// M/M/c without abandonment: c = 10, λ = 102 an hour, AHT 5 min (8.5 Erlang).
const MMC: &str = r#"
[scenario]
name = "mmc"
duration = "200h"
warmup = "1h"
interval = "8h"
replications = 30
seed = 3

[[call_type]]
name = "sales"
arrivals = { per_hour = 102 }
handle_time = { dist = "exponential", mean = "5m" }

[[agent_group]]
name = "team"
agents = 10
skills = ["sales"]
"#;

/// Erlang C's probability of waiting, from Erlang B's recursion.
fn erlang_c(c: u32, a: f64) -> f64 {
    let mut b = 1.0;
    for k in 1..=c {
        b = a * b / (k as f64 + a * b);
    }
    let rho = a / c as f64;
    b / (1.0 - rho + rho * b)
}

/// |simulated − exact| within the reported half-width, and the half-width at most `widest`.
#[track_caller]
fn within_its_interval(m: &ccsim::summary::Metrics, metric: &str, exact: f64, widest: f64) {
    let (got, half) = (mean(m, metric), ci(m, metric));
    assert!(
        (got - exact).abs() <= half,
        "{metric}: simulated {got} ± {half}, exact {exact}"
    );
    assert!(half <= widest, "{metric}: ±{half} is too wide to test anything");
}

#[test]
fn erlang_c_wait_quantiles_match_the_exact_waiting_time_distribution() {
    let s = summary(MMC);
    let (lambda, mu, c) = (102.0 / 3600.0, 1.0 / 300.0, 10);
    let p_wait = erlang_c(c, lambda / mu);
    let theta = c as f64 * mu - lambda;
    // P(W > t) = C·e^(−θt) for the answered calls' waits, zeros included: the
    // p-quantile is ln(C / (1 − p)) / θ where 1 − p < C, else 0.
    let quantile = |p: f64| (p_wait / (1.0 - p)).ln().max(0.0) / theta;
    assert!((p_wait - 0.5299).abs() < 1e-3, "{p_wait}");
    for (metric, p, widest) in [
        ("wait_p50_seconds", 0.50, 8.0),
        ("wait_p90_seconds", 0.90, 25.0),
        ("wait_p95_seconds", 0.95, 35.0),
    ] {
        within_its_interval(&s.totals, metric, quantile(p), widest);
        within_its_interval(named(&s.call_types, "sales"), metric, quantile(p), widest);
    }
    // Pinned, so a change of the estimator shows: p90 ≈ 333.5 s exact.
    assert!((mean(&s.totals, "wait_p90_seconds") - 321.23).abs() < 0.01);
}

#[test]
fn erlang_c_mean_wait_and_queue_length_match() {
    let s = summary(MMC);
    let (lambda, mu, c) = (102.0 / 3600.0, 1.0 / 300.0, 10);
    let wq = erlang_c(c, lambda / mu) / (c as f64 * mu - lambda);
    // No abandonment: every wait that ends is an answered one, so the mean wait of all
    // callers is the ASA; Little's law gives the mean queue length.
    within_its_interval(&s.totals, "mean_wait_seconds", wq, 8.0);
    within_its_interval(&s.totals, "asa_seconds", wq, 8.0);
    within_its_interval(&s.totals, "avg_queue_length", lambda * wq, 0.25);
    assert_eq!(mean(&s.totals, "mean_wait_seconds"), mean(&s.totals, "asa_seconds"));
    // The longest wait lies beyond the p95, and the day's longest beyond each interval's.
    let (max_wait, p95) = (mean(&s.totals, "max_wait_seconds"), mean(&s.totals, "wait_p95_seconds"));
    assert!(max_wait > p95, "{max_wait} {p95}");
    for i in &s.intervals {
        assert!(mean(&i.metrics, "max_wait_seconds") <= max_wait);
        assert!(mean(&i.metrics, "max_queue_length") <= mean(&s.totals, "max_queue_length"));
        // Per interval, quantiles come from the coarse buckets: defined, finite.
        assert!(mean(&i.metrics, "wait_p90_seconds") > 0.0);
    }
}

/// A lazily abandoning queue with no agent: everyone waits exactly 10 s and hangs up, so
/// the queue at time t is the number of arrivals in (t − 10 s, t] — computed here from the
/// call log and compared exactly with what the engine reports.
#[test]
fn the_queue_of_lazy_abandons_is_counted_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("lazy.toml");
    std::fs::write(
        &scenario,
        r#"
[scenario]
name = "lazy"
duration = "2h"
interval = "1h"
replications = 1
seed = 11

[[call_type]]
name = "sales"
arrivals = { per_hour = 360 }
handle_time = { dist = "exponential", mean = "5m" }
patience = { dist = "constant", value = "10s" }

[[agent_group]]
name = "team"
agents = [0, 1]
skills = ["sales"]
"#,
    )
    .unwrap();
    let log = dir.path().join("log.csv");
    let out = ccsim_ok(&[
        "run",
        scenario.to_str().unwrap(),
        "--format",
        "json",
        "--call-log",
        log.to_str().unwrap(),
    ]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let text = std::fs::read_to_string(&log).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (arrival, wait) = (col("arrival"), col("wait_seconds"));
    // Arrivals in the first hour (no agent), in seconds from the start.
    let seconds = |hms: &str| -> f64 {
        let t = hms.rsplit('T').next().unwrap();
        let parts: Vec<f64> = t.split(':').map(|p| p.parse().unwrap()).collect();
        parts[0] * 3600.0 + parts[1] * 60.0 + parts.get(2).copied().unwrap_or(0.0)
    };
    let mut first_hour: Vec<(f64, f64)> = lines
        .map(|l| l.split(',').collect::<Vec<_>>())
        .map(|f| (seconds(f[arrival]), f[wait].parse::<f64>().unwrap()))
        .filter(|&(a, _)| a < 3600.0)
        .collect();
    first_hour.sort_by(|a, b| a.partial_cmp(b).unwrap());
    assert!(first_hour.len() > 300, "{}", first_hour.len());
    // Everyone waits 10 s, but for the one answered when the agent comes at 01:00.
    for &(t, w) in &first_hour {
        assert!(
            (w - 10.0).abs() < 1e-3 || (t + w - 3600.0).abs() < 1e-2,
            "{t} waited {w}"
        );
    }
    // The most in (t − 10, t] at an arrival t: a sliding window over sorted arrivals
    // (to the log's millisecond).
    let times: Vec<f64> = first_hour.iter().map(|a| a.0).collect();
    let mut most = 0;
    let mut from = 0;
    for (k, &t) in times.iter().enumerate() {
        while times[from] <= t - 10.0 {
            from += 1;
        }
        most = most.max(k + 1 - from);
    }
    let first = &json["intervals"][0];
    assert_eq!(first["max_queue_length"]["mean"].as_f64().unwrap(), most as f64);
    // Its time-average: 10 s per caller, clipped to the hour.
    let waited: f64 = times.iter().map(|&t| (t + 10.0).min(3600.0) - t).sum();
    let avg = first["avg_queue_length"]["mean"].as_f64().unwrap();
    // (The log's arrival times are truncated to the millisecond.)
    assert!(
        (avg - waited / 3600.0).abs() < 1e-3,
        "{avg} against {}",
        waited / 3600.0
    );
    assert!(most >= 5, "a real queue: {most}");
}

/// Everyone waits 10 s and hangs up in the first hour (no agent), then redials a minute
/// later until the second hour's agents answer at once: every caller is answered exactly
/// once, whatever the number of attempts.
const REDIALS: &str = r#"
[scenario]
name = "redials"
duration = "2h"
interval = "1h"
replications = 5
seed = 5
short_abandon = "10s"

[[call_type]]
name = "sales"
arrivals = { per_interval = [60, 20] }
handle_time = { dist = "constant", value = "1s" }
patience = { dist = "constant", value = "10s" }
redial = { probability = 1.0, delay = { dist = "constant", value = "50s" } }

[[agent_group]]
name = "team"
agents = [0, 100]
skills = ["sales"]
"#;

#[test]
fn short_abandons_leave_the_service_level_and_customers_count_once() {
    let s = summary(REDIALS);
    let t = &s.totals;
    let (offered, answered, abandoned, fresh) = (
        mean(t, "offered"),
        mean(t, "answered"),
        mean(t, "abandoned"),
        mean(t, "fresh"),
    );
    assert!(
        abandoned > 1000.0,
        "callers of the first hour redial every minute: {abandoned}"
    );
    assert_eq!(answered, fresh, "every caller answered once");
    assert!((offered - (answered + abandoned)).abs() < 1e-9);
    // Every abandon waited exactly 10 s: all short; the service level leaves them out,
    // and every answer was at once.
    assert_eq!(mean(t, "short_abandoned"), abandoned);
    assert_eq!(mean(t, "service_level"), 1.0);
    assert_eq!(mean(t, "service_level_answered"), 1.0);
    assert_eq!(mean(t, "answer_rate_per_customer"), 1.0);
    assert_eq!(mean(t, "service_level_per_customer"), 1.0);
    assert_eq!(ci(t, "answer_rate_per_customer"), 0.0);
    assert!((mean(t, "answer_rate") - answered / offered).abs() < 1e-12);
    // Mean wait of everyone whose wait ended: 10 s per abandon, the ASA per answer (0
    // but for those waiting when the agents come at 01:00, each less than 10 s).
    assert!((mean(t, "avg_abandon_wait_seconds") - 10.0).abs() < 1e-9);
    let asa = mean(t, "asa_seconds");
    assert!(asa > 0.0 && asa < 10.0, "{asa}");
    let mean_wait = (10.0 * abandoned + asa * answered) / (abandoned + answered);
    assert!((mean(t, "mean_wait_seconds") - mean_wait).abs() < 1e-9);
    // One second shorter and no abandon is short: the service level counts them as misses.
    let s = summary(&REDIALS.replace("short_abandon = \"10s\"", "short_abandon = \"9.999s\""));
    assert_eq!(mean(&s.totals, "short_abandoned"), 0.0);
    let t = &s.totals;
    assert!((mean(t, "service_level") - mean(t, "answered") / mean(t, "offered")).abs() < 1e-12);
    // A call type's own threshold wins over the scenario's.
    let own = REDIALS.replace("patience = { dist", "short_abandon = \"5s\"\npatience = { dist");
    assert_eq!(mean(&summary(&own).totals, "short_abandoned"), 0.0);
}

#[test]
fn shards_and_threads_give_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("mmc.toml");
    std::fs::write(
        &scenario,
        MMC.replace("200h", "40h")
            .replace("replications = 30", "replications = 7"),
    )
    .unwrap();
    let path = scenario.to_str().unwrap();
    let whole = ccsim_ok(&["run", path, "--format", "json", "--threads", "1"]).stdout;
    let two = ccsim_ok(&["run", path, "--format", "json", "--threads", "2"]).stdout;
    assert_eq!(whole, two);
    let parts = dir.path().join("parts");
    for k in ["2/3", "1/3", "3/3"] {
        ccsim_ok(&["run", path, "--shard", k, "--out", parts.to_str().unwrap()]);
    }
    let merged = ccsim_ok(&["merge", parts.to_str().unwrap(), "--format", "json"]).stdout;
    assert_eq!(
        String::from_utf8(merged).unwrap(),
        String::from_utf8(whole.clone()).unwrap()
    );
    let json: serde_json::Value = serde_json::from_slice(&whole).unwrap();
    assert!(json["totals"]["wait_p90_seconds"]["ci95"].as_f64().unwrap() > 0.0);
}

/// A caller counts once however many times they call: repeats (after an answer) and the
/// redials that follow them are not callers answered again, so no figure per customer
/// passes 100 %, in the window or in any interval (it read 127 % once).
#[test]
fn a_caller_answered_counts_once_whatever_follows() {
    let s = summary(
        r#"
[scenario]
name = "repeats-and-redials"
start = "08:00"
duration = "4h"
interval = "1h"
replications = 10
seed = 3
service_level = { threshold = "20s", target = 0.80 }

[[call_type]]
name = "calls"
arrivals = { per_hour = 60 }
handle_time = { dist = "exponential", mean = "3m" }
patience = { dist = "exponential", mean = "20s" }
redial = { probability = 1.0, delay = { dist = "constant", value = "30s" } }
resolution = 0.1
unresolved = { repeat_after = { dist = "constant", value = "1m" }, probability = 1.0 }

[[agent_group]]
name = "team"
agents = 4
skills = ["calls"]
"#,
    );
    for (label, m) in
        std::iter::once(("totals", &s.totals)).chain(s.intervals.iter().map(|i| (i.start.as_str(), &i.metrics)))
    {
        let answered = mean(m, "answer_rate_per_customer");
        let in_sl = mean(m, "service_level_per_customer");
        assert!(answered <= 1.0, "{label}: answer rate per customer {answered}");
        assert!(
            in_sl <= answered,
            "{label}: {in_sl} within the threshold of {answered} answered"
        );
    }
    // Every caller redials until answered: nearly all are, in the end (the drain
    // included), though most attempts are not.
    assert!(mean(&s.totals, "answer_rate_per_customer") > 0.7);
    assert!(mean(&s.totals, "answer_rate") < 0.2);
}

/// `mean_wait_seconds` is the mean wait of every caller whose wait ended, messages
/// included: by Little's law it is the queue's time-average × the window ÷ the callers
/// (up to the few waits the window's end cuts), where leaving messages out read 40 % low.
#[test]
fn the_mean_wait_counts_the_callers_who_left_a_message() {
    let s = summary(
        r#"
[scenario]
name = "messages"
start = "08:00"
duration = "8h"
interval = "1h"
replications = 10
seed = 5

[[call_type]]
name = "calls"
arrivals = { per_hour = 120 }
handle_time = { dist = "exponential", mean = "5m" }
max_wait = { after = "60s", outcome = "message" }

[[agent_group]]
name = "team"
agents = 10
skills = ["calls"]
"#,
    );
    let t = &s.totals;
    assert!(
        mean(t, "messages") > 0.05 * mean(t, "offered"),
        "too few messages to test"
    );
    let little = mean(t, "avg_queue_length") * 8.0 * 3600.0 / mean(t, "offered");
    let got = mean(t, "mean_wait_seconds");
    assert!(
        (got - little).abs() <= 0.02 * little,
        "mean wait {got} s, Little's law {little} s"
    );
    assert!(got > mean(t, "asa_seconds"), "messages waited longest");
}

/// With a queue capacity the queue never holds more, even in a lane whose head agents
/// take after each arrival (a route looks at its length): an arrival an agent takes at
/// once is not counted waiting on top of a full queue.
#[test]
fn the_longest_queue_stays_within_the_queue_capacity() {
    let s = summary(
        r#"
[scenario]
name = "capacity"
start = "08:00"
duration = "4h"
interval = "1h"
replications = 5
seed = 1
queue_capacity = 2

[[call_type]]
name = "calls"
arrivals = { per_hour = 100 }
handle_time = { dist = "exponential", mean = "5m" }
routing = [{ group = "main" }, { group = "reserve", queue_length = 3 }]

[[agent_group]]
name = "main"
agents = 8
skills = ["calls"]

[[agent_group]]
name = "reserve"
agents = 3
skills = ["calls"]
"#,
    );
    assert!(mean(&s.totals, "blocked") > 0.0, "the queue never filled");
    assert_eq!(mean(&s.totals, "max_queue_length"), 2.0);
    for i in &s.intervals {
        assert!(mean(&i.metrics, "max_queue_length") <= 2.0, "{}", i.start);
    }
}

/// `max_wait_seconds` is the longest wait of an *answered* contact: where no contact was
/// answered in any replication (an interval with no calls, a call type nobody calls, an
/// interval whose callers all hung up), there is no such wait, and the figure is
/// undefined (`null`), as the quantiles and the ASA beside it are, never "0 s". A
/// planner reading "longest wait 0.0 s" for an interval where every caller waited a
/// minute and hung up is misled.
#[test]
fn longest_wait_is_undefined_where_nothing_was_answered() {
    let s = summary(
        r#"
[scenario]
name = "no answers"
duration = "1h"
interval = "30m"
replications = 4
drain_limit = "0s"

[[call_type]]
name = "a"
arrivals = { per_interval = [0, 12] }
handle_time = { dist = "constant", value = "2m" }

[[call_type]]
name = "lost"
arrivals = { per_hour = 20 }
handle_time = { dist = "constant", value = "2m" }
patience = { dist = "constant", value = "1m" }

[[call_type]]
name = "silent"
arrivals = { per_hour = 0 }
handle_time = { dist = "constant", value = "2m" }

[[agent_group]]
name = "team"
agents = 3
skills = ["a", "silent"]

[[agent_group]]
name = "nobody"
agents = 0
skills = ["lost"]
"#,
    );
    // Nothing answered: the longest wait is undefined, like the ASA and the quantiles.
    for m in [
        &s.intervals[0].metrics,
        named(&s.intervals[0].call_types, "a"),
        named(&s.call_types, "lost"),
        named(&s.call_types, "silent"),
        named(&s.intervals[1].call_types, "lost"),
    ] {
        assert_eq!(get(m, "asa_seconds").mean, None);
        assert_eq!(get(m, "wait_p50_seconds").mean, None);
        let longest = get(m, "max_wait_seconds");
        assert_eq!((longest.mean, longest.ci95), (None, None), "{longest:?}");
    }
    // The callers of `lost` did wait (a minute each, then hung up): only answered
    // contacts define the longest wait.
    assert!(mean(named(&s.call_types, "lost"), "avg_abandon_wait_seconds") > 59.0);
    // Where contacts were answered it is defined.
    for m in [&s.totals, named(&s.call_types, "a"), &s.intervals[1].metrics] {
        assert!(get(m, "max_wait_seconds").mean.is_some());
    }
    // The queue length is a level, 0 where nobody waited: still defined.
    assert_eq!(mean(named(&s.call_types, "silent"), "max_queue_length"), 0.0);
}

/// Where only some replications answer anything (a sparse interval), the longest wait
/// is the mean over those replications: never below the ASA, as a mean that counted the
/// others as 0 s would be. The agent comes at 00:30, callers leave after a minute, so
/// only the last caller or two before it may be answered, in some replications.
#[test]
fn the_longest_wait_of_a_sparse_interval_is_over_the_replications_that_answered() {
    let s = summary(
        r#"
[scenario]
name = "sparse"
duration = "1h"
interval = "30m"
replications = 40
drain_limit = "0s"

[[call_type]]
name = "a"
arrivals = { per_hour = 20 }
handle_time = { dist = "constant", value = "2m" }
patience = { dist = "constant", value = "1m" }

[[agent_group]]
name = "g"
agents = [0, 1]
skills = ["a"]
"#,
    );
    let first = &s.intervals[0];
    let answered = mean(&first.metrics, "answered");
    // Some replications answered a caller at 00:30, most did not.
    assert!(answered > 0.0 && answered < 0.5, "{answered}");
    for m in [
        &first.metrics,
        named(&first.call_types, "a"),
        &s.totals,
        &s.intervals[1].metrics,
    ] {
        let (longest, asa) = (mean(m, "max_wait_seconds"), mean(m, "asa_seconds"));
        assert!(longest >= asa - 1e-9, "longest {longest} < ASA {asa}");
    }
    // A caller answered at 00:30 arrived less than a minute before (patience 1 min).
    let longest = mean(&first.metrics, "max_wait_seconds");
    assert!(longest > 0.0 && longest <= 60.0, "{longest}");
}
