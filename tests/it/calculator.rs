//! `ccsim erlang` as a planner's calculator, through the real binary: Erlang B and the
//! finite waiting room behind `--lines`, retries, the fewest agents for one or several
//! targets with `--agents` left out, the neighbour table, shrinkage, and bad flags.

use serde_json::Value;

use crate::common::{ccsim, ccsim_fails};

#[track_caller]
fn stdout(args: &[&str]) -> String {
    String::from_utf8(crate::common::ccsim_ok(args).stdout).expect("UTF-8 on stdout")
}

#[track_caller]
fn json(args: &[&str]) -> Value {
    let mut all = vec!["erlang"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    let text = stdout(&all);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("ccsim {all:?}: not JSON ({e}):\n{text}"))
}

#[track_caller]
fn number(v: &Value, key: &str) -> f64 {
    v[key]
        .as_f64()
        .unwrap_or_else(|| panic!("{key}: expected a number in {v}"))
}

#[track_caller]
fn close(got: f64, expected: f64, tolerance: f64, what: &str) {
    assert!(
        (got - expected).abs() <= tolerance,
        "{what}: got {got}, expected {expected} ± {tolerance}"
    );
}

fn keys(v: &Value) -> Vec<&str> {
    v.as_object().expect("an object").keys().map(String::as_str).collect()
}

/// The keys every `erlang` document has: SPEC's fixed core, the mean wait of all callers
/// and the mean queue length.
const FIGURES: [&str; 8] = [
    "abandon_rate",
    "answer_rate",
    "asa_seconds",
    "avg_queue_length",
    "mean_wait_seconds",
    "occupancy",
    "p_wait",
    "service_level",
];

#[test]
fn erlang_json_keys_are_the_core_and_the_mean_wait() {
    let v = json(&["--per-hour", "200", "--aht", "3m", "--agents", "14"]);
    assert_eq!(keys(&v), FIGURES.to_vec(), "{v}");
    // Erlang C answers everyone: both ASA conventions agree, and Little's law holds.
    assert_eq!(number(&v, "mean_wait_seconds"), number(&v, "asa_seconds"));
    close(number(&v, "asa_seconds"), 7.836, 5e-4, "ASA");
    close(number(&v, "avg_queue_length"), 200.0 / 3600.0 * 7.836, 5e-5, "Lq = λ·W");
    // With lines: `blocking` as well.
    let v = json(&["--per-hour", "200", "--aht", "3m", "--agents", "14", "--lines", "16"]);
    let mut with_lines = FIGURES.to_vec();
    with_lines.insert(4, "blocking");
    assert_eq!(keys(&v), with_lines, "{v}");
}

#[test]
fn asa_convention_is_stated_and_the_mean_wait_counts_abandoned_callers() {
    let text = stdout(&[
        "erlang",
        "--per-hour",
        "200",
        "--aht",
        "3m",
        "--agents",
        "12",
        "--patience",
        "2m",
    ]);
    assert!(
        text.contains("ASA") && text.contains("(mean wait of answered calls)"),
        "{text}"
    );
    assert!(
        text.contains("mean wait") && text.contains("abandoned ones too"),
        "{text}"
    );
    // Erlang A: abandons are θ·(calls waiting), so the mean wait of every caller is the
    // abandon rate times the mean patience (Little's law), here below the ASA.
    let v = json(&["--per-hour", "200", "--aht", "3m", "--agents", "12", "--patience", "2m"]);
    let mean_wait = number(&v, "mean_wait_seconds");
    close(
        mean_wait,
        number(&v, "abandon_rate") * 120.0,
        1e-9,
        "W = abandon rate / θ",
    );
    assert!(mean_wait > 0.0, "{v}");
}

#[test]
fn lines_equal_to_agents_give_erlang_b() {
    // Published Erlang B tables: 10 E on 15 lines 0.0365, 2 E on 5 lines 0.0367.
    for (per_hour, aht, lines, b) in [("200", "3m", "15", 0.036_497), ("120", "1m", "5", 0.036_697)] {
        // --agents left out: as many agents as lines.
        let v = json(&["--per-hour", per_hour, "--aht", aht, "--lines", lines]);
        close(number(&v, "blocking"), b, 5e-7, "blocking");
        close(number(&v, "answer_rate"), 1.0 - b, 5e-7, "answered = not blocked");
        assert_eq!(number(&v, "p_wait"), 0.0, "nobody waits in a loss system: {v}");
        assert!(v.get("agents").is_none(), "no search without a target: {v}");
        let same = json(&[
            "--per-hour",
            per_hour,
            "--aht",
            aht,
            "--lines",
            lines,
            "--agents",
            lines,
        ]);
        assert_eq!(v, same);
    }
    let text = stdout(&["erlang", "--per-hour", "200", "--aht", "3m", "--lines", "15"]);
    assert!(text.contains("Erlang B") && text.contains("15 lines"), "{text}");
    assert!(text.contains("blocking       0.03650"), "{text}");
}

#[test]
fn a_finite_waiting_room_is_the_exact_mm5_8_queue() {
    // λ = 1/min, AHT 4 min, 5 agents, 8 lines: the chain π_k ∝ A^k/min(k,5)!·5^(k−5)
    // summed by hand (π_8 = blocking, Erlang(i + 1, 5μ) waits for the service level).
    let v = json(&["--per-hour", "60", "--aht", "4m", "--agents", "5", "--lines", "8"]);
    close(number(&v, "blocking"), 0.073_400_413_952_529_86, 1e-13, "blocking");
    close(number(&v, "p_wait"), 0.349_798_847_742_525_1, 1e-13, "p_wait");
    close(
        number(&v, "avg_queue_length"),
        0.518_390_423_539_742_2,
        1e-12,
        "queue length",
    );
    close(number(&v, "asa_seconds"), 33.567_277_474_254_22, 1e-9, "ASA");
    close(
        number(&v, "mean_wait_seconds"),
        33.567_277_474_254_22,
        1e-9,
        "mean wait",
    );
    close(
        number(&v, "service_level"),
        0.634_042_166_492_792_9,
        1e-12,
        "service level",
    );
    close(number(&v, "occupancy"), 0.741_279_668_837_976_1, 1e-12, "occupancy");
    close(
        number(&v, "answer_rate") + number(&v, "blocking"),
        1.0,
        1e-12,
        "no abandonment",
    );
    let text = stdout(&[
        "erlang",
        "--per-hour",
        "60",
        "--aht",
        "4m",
        "--agents",
        "5",
        "--lines",
        "8",
    ]);
    assert!(text.contains("M/M/n/K (finite waiting room)"), "{text}");
}

#[test]
fn a_retry_share_is_extended_erlang_b() {
    // One line, 1 Erlang of first attempts, half the blocked retry: Λ = √2 Erlangs,
    // B = √2/(1 + √2), and 1/(1 + √2) of the callers give up after a busy signal.
    let v = json(&["--per-hour", "60", "--aht", "1m", "--lines", "1", "--retry", "0.5"]);
    let root2 = 2f64.sqrt();
    close(number(&v, "attempts_per_hour"), 60.0 * root2, 1e-9, "attempts");
    close(
        number(&v, "blocking"),
        root2 / (1.0 + root2),
        1e-12,
        "blocking per attempt",
    );
    close(
        number(&v, "lost_to_blocking"),
        1.0 / (1.0 + root2),
        1e-12,
        "lost callers",
    );
    // No retry share: no retry keys.
    let v = json(&["--per-hour", "60", "--aht", "1m", "--lines", "1"]);
    assert!(
        v.get("attempts_per_hour").is_none() && v.get("lost_to_blocking").is_none(),
        "{v}"
    );
}

#[test]
fn agents_may_be_left_out_with_a_target() {
    let v = json(&["--per-hour", "200", "--aht", "3m", "--target-sl", "0.8"]);
    assert_eq!(v["agents"], Value::from(14), "{v}");
    // The figures are those of the answer.
    close(number(&v, "service_level"), 0.88835, 5e-6, "SL at 14");
    let rows = v["neighbours"].as_array().expect("neighbours");
    let agents: Vec<u64> = rows.iter().map(|r| r["agents"].as_u64().unwrap()).collect();
    assert_eq!(agents, [12, 13, 14, 15, 16, 17], "answer −2 … +3");
    let meets: Vec<bool> = rows.iter().map(|r| r["meets_targets"].as_bool().unwrap()).collect();
    assert_eq!(meets, [false, false, true, true, true, true]);
    close(number(&rows[1], "service_level"), 0.79559, 5e-6, "SL at 13");
    assert_eq!(rows[2]["service_level"], v["service_level"]);
    // The table says the same.
    let text = stdout(&["erlang", "--per-hour", "200", "--aht", "3m", "--target-sl", "0.8"]);
    assert!(text.contains("fewest agents for service level ≥ 0.8: 14"), "{text}");
    assert!(
        text.contains("▶     14") && text.contains("0.79559") && text.contains("missed"),
        "{text}"
    );
}

#[test]
fn every_target_given_must_hold() {
    // 80/20 needs 14; ASA ≤ 5 s needs 15 (7.8 s at 14, 3.7 s at 15).
    let v = json(&[
        "--per-hour",
        "200",
        "--aht",
        "3m",
        "--target-sl",
        "0.8",
        "--max-asa",
        "5s",
    ]);
    assert_eq!(v["agents"], Value::from(15), "{v}");
    let text = stdout(&[
        "erlang",
        "--per-hour",
        "200",
        "--aht",
        "3m",
        "--target-sl",
        "0.8",
        "--max-asa",
        "5s",
    ]);
    assert!(text.contains("service level ≥ 0.8 and ASA ≤ 5 s: 15"), "{text}");
    // With abandonment, an answer-rate target: the answer meets it, one fewer does not.
    let v = json(&[
        "--per-hour",
        "200",
        "--aht",
        "3m",
        "--patience",
        "2m",
        "--target-answer-rate",
        "0.97",
    ]);
    let n = v["agents"].as_u64().unwrap();
    let rows = v["neighbours"].as_array().unwrap();
    for r in rows {
        let a = r["agents"].as_u64().unwrap();
        assert_eq!(number(r, "answer_rate") >= 0.97, a >= n, "{r}");
        assert_eq!(r["meets_targets"], Value::from(a >= n), "{r}");
    }
    // Erlang C answers everyone once stable: answer rate 1 needs ⌊A⌋ + 1 = 11, and the
    // unstable counts 9 and 10 are left out of the table.
    let v = json(&["--per-hour", "200", "--aht", "3m", "--target-answer-rate", "1"]);
    assert_eq!(v["agents"], Value::from(11), "{v}");
    let agents: Vec<u64> = v["neighbours"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["agents"].as_u64().unwrap())
        .collect();
    assert_eq!(agents, [11, 12, 13, 14]);
    // Behind lines the search stays within them.
    let v = json(&[
        "--per-hour",
        "200",
        "--aht",
        "3m",
        "--lines",
        "15",
        "--target-answer-rate",
        "0.96",
    ]);
    assert_eq!(v["agents"], Value::from(14), "{v}");
    let top = v["neighbours"].as_array().unwrap().last().unwrap()["agents"].as_u64();
    assert_eq!(top, Some(15), "no row beyond the lines");
}

#[test]
fn neighbour_rows_have_their_keys() {
    let row_keys = |v: &Value| -> Vec<Vec<String>> {
        v["neighbours"]
            .as_array()
            .expect("neighbours")
            .iter()
            .map(|r| r.as_object().unwrap().keys().cloned().collect())
            .collect()
    };
    let plain = [
        "abandon_rate",
        "agents",
        "answer_rate",
        "asa_seconds",
        "mean_wait_seconds",
        "meets_targets",
        "occupancy",
        "service_level",
    ];
    let v = json(&["--per-hour", "200", "--aht", "3m", "--target-sl", "0.8"]);
    assert!(row_keys(&v).iter().all(|k| k == &plain), "{v}");
    let v = json(&[
        "--per-hour",
        "200",
        "--aht",
        "3m",
        "--target-sl",
        "0.8",
        "--lines",
        "30",
        "--shrinkage",
        "0.3",
    ]);
    let mut full: Vec<&str> = plain.to_vec();
    full.extend(["blocking", "paid_agents"]);
    full.sort_unstable();
    assert!(row_keys(&v).iter().all(|k| k == &full), "{v}");
    // Near one agent the table starts at 1 (0.5 E: 2 agents, rows 1 … 5).
    let v = json(&["--per-hour", "10", "--aht", "3m", "--target-sl", "0.8"]);
    let agents: Vec<u64> = v["neighbours"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["agents"].as_u64().unwrap())
        .collect();
    assert_eq!((v["agents"].as_u64(), agents), (Some(2), vec![1, 2, 3, 4, 5]), "{v}");
    // No target, no table.
    let v = json(&["--per-hour", "200", "--aht", "3m", "--agents", "14"]);
    assert!(v.get("neighbours").is_none());
}

#[test]
fn shrinkage_turns_agents_on_duty_into_paid_headcount() {
    // 14 ÷ (1 − 0.3) = 20 exactly (not 21 from round-off); 14 ÷ 0.75 = 18.7 → 19.
    let v = json(&[
        "--per-hour",
        "200",
        "--aht",
        "3m",
        "--target-sl",
        "0.8",
        "--shrinkage",
        "0.3",
    ]);
    assert_eq!(v["paid_agents"], Value::from(20), "{v}");
    let paid: Vec<u64> = v["neighbours"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["paid_agents"].as_u64().unwrap())
        .collect();
    // 12, 13, …, 17 on duty ÷ 0.7, rounded up.
    assert_eq!(paid, [18, 19, 20, 22, 23, 25]);
    let v = json(&[
        "--per-hour",
        "200",
        "--aht",
        "3m",
        "--agents",
        "14",
        "--shrinkage",
        "0.25",
    ]);
    assert_eq!(v["paid_agents"], Value::from(19), "{v}");
    let text = stdout(&[
        "erlang",
        "--per-hour",
        "200",
        "--aht",
        "3m",
        "--agents",
        "14",
        "--shrinkage",
        "0.25",
    ]);
    assert!(
        text.contains("paid agents    19  (14 on duty ÷ (1 − 0.25), rounded up)"),
        "{text}"
    );
}

#[test]
fn bad_calculator_flags_exit_2_naming_the_flag() {
    let base = ["erlang", "--per-hour", "200", "--aht", "3m"];
    let cases: [(&[&str], &str); 19] = [
        (&["--agents", "0"], "--agents"),
        (&["--agents", "3000000"], "--agents must be at most 2000000"),
        (&["--agents", "14", "--per-hour=-5"], "--per-hour"),
        (&["--agents", "14", "--per-hour=NaN"], "--per-hour"),
        (&["--agents", "14", "--per-hour=2e9"], "--per-hour"),
        (&["--agents", "14", "--patience", "0s"], "--patience"),
        (&["--agents", "14", "--threshold=-1"], "--threshold"),
        (
            &["--agents", "14", "--lines", "10"],
            "--lines must be at least --agents (14)",
        ),
        (&["--agents", "14", "--lines", "0"], "--lines"),
        (&["--agents", "14", "--lines", "5000000"], "--lines"),
        (&["--lines", "3000000"], "--lines without --agents"),
        (&["--agents", "14", "--retry", "0.5"], "--retry needs --lines"),
        (&["--lines", "20", "--retry", "1"], "--retry"),
        (
            &["--target-sl", "80"],
            "--target-sl must be between 0 and 1, got 80 (a share: for 80 % write 0.8)",
        ),
        (&["--target-answer-rate", "NaN"], "--target-answer-rate"),
        (&["--max-asa", "0s"], "--max-asa"),
        (&["--agents", "14", "--shrinkage", "1"], "--shrinkage"),
        (&[], "--agents is required unless a target"),
        (&["--target-sl", "1"], "no agent count up to"),
    ];
    for (extra, expected) in cases {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        let stderr = ccsim_fails(&args);
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
    // --aht is required and checked.
    let stderr = ccsim_fails(&["erlang", "--per-hour", "200", "--aht", "400d", "--agents", "14"]);
    assert!(stderr.contains("--aht must be positive and at most a year"), "{stderr}");
}

#[test]
fn huge_loads_finish_quickly_with_finite_figures() {
    let start = std::time::Instant::now();
    // 100,000 Erlangs (2,000,000 calls an hour of 3 minutes).
    let cases: [&[&str]; 5] = [
        &["--target-sl", "0.8"],
        &["--target-sl", "0.8", "--patience", "1m"],
        &["--max-asa", "1s", "--patience", "10m", "--lines", "110000"],
        &["--agents", "99000", "--lines", "150000"],
        &["--agents", "100000", "--lines", "101000", "--retry", "0.9"],
    ];
    for extra in cases {
        let mut args = vec!["erlang", "--per-hour", "2e6", "--aht", "3m", "--format", "json"];
        args.extend_from_slice(extra);
        let out = ccsim(&args);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        // serde_json writes a NaN or an infinity as null.
        assert!(!text.contains("null"), "{args:?}: {text}");
        let v: Value = serde_json::from_str(&text).unwrap();
        for key in ["service_level", "answer_rate", "occupancy"] {
            let x = number(&v, key);
            assert!((0.0..=1.0).contains(&x), "{args:?}: {key} = {x}");
        }
    }
    // The agents the search may consider are bounded (2,000,000): refused, not searched.
    let stderr = ccsim_fails(&["erlang", "--per-hour", "1e9", "--aht", "1h", "--target-sl", "0.8"]);
    assert!(stderr.contains("more than 2000000 agents"), "{stderr}");
    // An overloaded Erlang A with a long patience: refused before the work.
    let stderr = ccsim_fails(&[
        "erlang",
        "--per-hour",
        "1e9",
        "--aht",
        "3m",
        "--agents",
        "10",
        "--patience",
        "1h",
    ]);
    assert!(stderr.contains("computation too large"), "{stderr}");
    assert!(start.elapsed().as_secs() < 20, "took {:?}", start.elapsed());
}

/// With many lines the state probabilities summed to 1 + 4e-14 (and 1 + 7e-11 with
/// 4,000,000 lines): a share is never above 1.
#[test]
fn the_answer_rate_is_never_above_one() {
    let v = json(&[
        "--per-hour",
        "1e6",
        "--aht",
        "1s",
        "--lines",
        "40000",
        "--agents",
        "279",
    ]);
    let rate = number(&v, "answer_rate");
    assert!(rate <= 1.0 && rate > 0.999_999, "{rate}");
}

/// Retries solve a fixed point over every line, many times in a search: 4,000,000 lines
/// with `--retry` took two minutes, so `--retry` takes at most 500,000 lines.
#[test]
fn retries_take_at_most_half_a_million_lines() {
    let err = ccsim_fails(&[
        "erlang",
        "--per-hour",
        "5e8",
        "--aht",
        "1s",
        "--lines",
        "4000000",
        "--retry",
        "0.5",
        "--target-sl",
        "0.99",
    ]);
    assert!(
        err.contains("--lines with --retry must be at most 500000, got 4000000"),
        "{err}"
    );
}
