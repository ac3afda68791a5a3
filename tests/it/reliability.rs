//! Reliability: mutated inputs never panic, properties that must hold on random valid
//! centres, and the corpus of inputs that once broke something.
//!
//! The fuzzer mutates real scenario files (and the CSV forecasts they read): bytes
//! flipped, lines deleted or doubled, numbers replaced by extremes, snippets inserted,
//! files cut short. Every input must end in a model or a clear error; models small
//! enough are also simulated and their JSON must hold no NaN. Inputs that ever failed
//! are kept in `tests/corpus/` and replayed on every run. Large but cheap models (a leap
//! year, thousands of intervals, a million agents, no calls) are simulated too: what a
//! fuzz case may cost is judged by its calls, cells and staffing churn ([`cheap`]), not
//! by its horizon.

use std::panic::AssertUnwindSafe;
use std::path::Path;

use ccsim::engine::run_replication;
use ccsim::stats::{RepStats, call, group};
use ccsim::{Error, Model, Scenario, Summary};
use proptest::prelude::*;

/// Parses, validates and (when small) simulates `text` as `file`; returns a message if
/// anything panicked or an error came without a message.
fn survive(file: &str, text: &str) -> Result<(), String> {
    // `CCSIM_FUZZ_LAST=FILE`: each case is written to FILE before it is tried, so a case
    // that aborts the process (out of memory under `ulimit -v`) leaves its input behind.
    if let Ok(last) = std::env::var("CCSIM_FUZZ_LAST") {
        std::fs::write(last, format!("# mutated from {file}\n{text}")).unwrap();
    }
    let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| -> Result<(), String> {
        match Scenario::parse(file, text).and_then(|s| Model::build(&s)) {
            Err(Error::Invalid(d)) if d.is_empty() => Err("an error without diagnostics".into()),
            Err(e) if e.to_string().trim().is_empty() => Err("an empty error message".into()),
            Err(_) => Ok(()),
            Ok(model) => {
                if !cheap(&model) {
                    return Ok(()); // too big to simulate in a fuzz case; validated is enough
                }
                let model = model.with_replications(2).map_err(|e| e.to_string())?;
                // A run may end at a documented limit (a sum past 2^64, too many legs or
                // contacts waiting): a clear error naming the limit, like a refused file.
                let acc = match ccsim::simulate(&model, 1, &|| {}) {
                    Ok(acc) => acc,
                    Err(e) if e.to_string().contains("see Limits in docs/scenarios.md") => return Ok(()),
                    Err(e) => return Err(e.to_string()),
                };
                let summary = Summary::new(&model, &acc);
                // serde_json would write NaN as null: look at the numbers themselves.
                let all = std::iter::once(&summary.totals)
                    .chain(summary.call_types.iter().map(|c| &c.metrics))
                    .chain(summary.groups.iter().map(|g| &g.metrics))
                    .chain(summary.intervals.iter().map(|i| &i.metrics));
                for metrics in all {
                    for (name, e) in metrics.iter() {
                        if e.mean.is_some_and(|m| !m.is_finite()) || e.ci95.is_some_and(|c| !c.is_finite()) {
                            return Err(format!("{name} is not finite: {e:?}"));
                        }
                    }
                }
                let json = ccsim::report::json::to_json(&summary);
                let value: serde_json::Value = serde_json::from_str(&json).map_err(|e| e.to_string())?;
                sane(&value, "");
                Ok(())
            }
        }
    }));
    match outcome {
        Ok(r) => r,
        Err(p) => Err(format!(
            "panicked: {}",
            p.downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| p.downcast_ref::<&str>().copied())
                .unwrap_or("?")
        )),
    }
}

/// Whether simulating two replications of `model` takes well under a second: what it
/// costs is the calls (expected from the rates), the cells of its statistics (intervals ×
/// call columns, and the summary's rows) and the agents who come and go at staffing
/// steps, not the length of the horizon nor the number of agents on duty. So a year with
/// no calls, or a million agents who never change, is simulated.
fn cheap(model: &Model) -> bool {
    let clock = &model.clock;
    let expected: f64 = model
        .call_types
        .iter()
        .map(|c| c.rate_per_second.iter().sum::<f64>() * clock.interval as f64 / 1e6)
        .sum();
    let cells = clock.intervals * (model.call_types.len() + model.groups.len() + 4);
    let churn: u64 = model
        .groups
        .iter()
        .map(|g| {
            let first = g.staffing.first().map_or(0, |s| u64::from(s.1));
            first
                + g.staffing
                    .windows(2)
                    .map(|w| u64::from(w[0].1.abs_diff(w[1].1)))
                    .sum::<u64>()
        })
        .sum();
    expected <= 20_000.0 && cells <= 60_000 && churn <= 10_000_000
}

fn fuzz_cases() -> u32 {
    std::env::var("CCSIM_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(600)
}

fn seeds() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for dir in ["scenarios", "tests/fixtures"] {
        let mut files: Vec<_> = std::fs::read_dir(root.join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        files.sort();
        for f in files {
            out.push((f.display().to_string(), std::fs::read_to_string(&f).unwrap()));
        }
    }
    out
}

const EXTREMES: &[&str] = &[
    "0",
    "-1",
    "1e308",
    "-1e308",
    "1e-300",
    "nan",
    "inf",
    "18446744073709551616",
    "9223372036854775807",
    "99999999999",
    "\"\"",
    "[]",
    "{}",
    "\"0s\"",
    "\"1000000h\"",
    "\"25:61\"",
    "0.0000001",
    "true",
];

const SNIPPETS: &[&str] = &[
    "[[call_type]]\nname = \"x\"\narrivals = { per_hour = 1e9 }\nhandle_time = { dist = \"constant\", value = 0 }",
    "[[agent_group]]\nname = \"g\"\nagents = 1000000000\nskills = [\"x\"]",
    "routing = [{ group = \"nobody\", share = 2 }]",
    "unresolved = { escalate_to = \"sales\" }",
    "resolution = 0",
    "chat = { concurrency = 0 }",
    "interval = \"1s\"",
    "duration = \"36500d\"",
    "channel = \"fax\"",
    "[scenario.staffing]\nmax_agents = 0",
    "agents = []",
    "patience = { dist = \"empirical\", samples = [] }",
    "arrivals = { csv = \"/dev/null\", column = \"x\" }",
    "shifts = [{ start = \"08:00\", end = \"08:00\", agents = 3 }]",
    "\u{0}\u{ffff}",
    "patience = { dist = \"hazard\", from = [0, 1e300], rate = [1e300, 5e-324] }",
    "patience = { dist = \"hazard\", from = [0, \"1s\"], rate = [0, 1e-300] }",
    "head_start = \"1d\"",
    "forecast_error = { cv = 2 }",
];

#[derive(Debug, Clone)]
enum Mutation {
    Byte(usize, u8),
    DeleteLine(usize),
    DoubleLine(usize),
    Number(usize, usize),
    Insert(usize, usize),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 32u8..127).prop_map(|(i, b)| Mutation::Byte(i, b)),
        any::<usize>().prop_map(Mutation::DeleteLine),
        any::<usize>().prop_map(Mutation::DoubleLine),
        (any::<usize>(), 0..EXTREMES.len()).prop_map(|(i, e)| Mutation::Number(i, e)),
        (any::<usize>(), 0..SNIPPETS.len()).prop_map(|(i, s)| Mutation::Insert(i, s)),
        any::<usize>().prop_map(Mutation::Truncate),
    ]
}

fn apply(text: &str, m: &Mutation) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let n = lines.len().max(1);
    match *m {
        Mutation::Byte(i, b) => {
            let mut bytes = text.as_bytes().to_vec();
            if !bytes.is_empty() {
                let i = i % bytes.len();
                bytes[i] = b;
            }
            String::from_utf8_lossy(&bytes).into_owned()
        }
        Mutation::DeleteLine(i) => {
            let i = i % n;
            lines
                .iter()
                .enumerate()
                .filter(|(k, _)| *k != i)
                .map(|(_, l)| *l)
                .collect::<Vec<_>>()
                .join("\n")
        }
        Mutation::DoubleLine(i) => {
            let i = i % n;
            let mut out: Vec<&str> = lines.clone();
            if let Some(l) = lines.get(i) {
                out.insert(i, l);
            }
            out.join("\n")
        }
        Mutation::Number(i, e) => {
            // Replace the i-th number of the text.
            let positions: Vec<(usize, usize)> = {
                let bytes = text.as_bytes();
                let mut v = Vec::new();
                let mut k = 0;
                while k < bytes.len() {
                    if bytes[k].is_ascii_digit() {
                        let start = k;
                        while k < bytes.len() && (bytes[k].is_ascii_digit() || bytes[k] == b'.') {
                            k += 1;
                        }
                        v.push((start, k));
                    } else {
                        k += 1;
                    }
                }
                v
            };
            if positions.is_empty() {
                return text.to_owned();
            }
            let (a, b) = positions[i % positions.len()];
            format!("{}{}{}", &text[..a], EXTREMES[e], &text[b..])
        }
        Mutation::Insert(i, s) => {
            let i = i % (n + 1);
            let mut out: Vec<&str> = lines.clone();
            out.insert(i.min(out.len()), SNIPPETS[s]);
            out.join("\n")
        }
        Mutation::Truncate(i) => {
            let mut cut = i % (text.len() + 1);
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            text[..cut].to_owned()
        }
    }
}

proptest! {
    // `CCSIM_FUZZ_CASES=20000 cargo test --release mutated_` fuzzes longer; add
    // `CCSIM_FUZZ_LAST=/tmp/case.toml` under `ulimit -v 6000000` to catch aborts.
    #![proptest_config(ProptestConfig { cases: fuzz_cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_scenario_files_end_in_a_model_or_a_clear_error(
        seed in 0usize..64,
        mutations in proptest::collection::vec(mutation(), 1..4),
    ) {
        let seeds = seeds();
        let (file, text) = &seeds[seed % seeds.len()];
        let mutated = mutations.iter().fold(text.clone(), |t, m| apply(&t, m));
        if let Err(why) = survive(file, &mutated) {
            prop_assert!(false, "{why} on this input:\n{mutated}");
        }
    }

    #[test]
    fn mutated_csv_forecasts_end_in_a_model_or_a_clear_error(
        mutations in proptest::collection::vec(mutation(), 1..4),
    ) {
        let csv = "interval,calls,aht\n08:00,120,170\n08:30,150,180\n09:00,180,175\n09:30,140,190\n";
        let mutated = mutations.iter().fold(csv.to_owned(), |t, m| apply(&t, m));
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("forecast.csv"), &mutated).unwrap();
        let scenario = r#"[scenario]
name = "csv"
start = "08:00"
duration = "2h"
[[call_type]]
name = "a"
arrivals = { csv = "forecast.csv", column = "calls", aht_column = "aht" }
handle_time = { dist = "exponential", mean = "3m" }
[[agent_group]]
name = "g"
agents = 10
skills = ["a"]
"#;
        let file = dir.path().join("s.toml").display().to_string();
        if let Err(why) = survive(&file, scenario) {
            prop_assert!(false, "{why} on this CSV:\n{mutated}");
        }
    }
}

/// A large but cheap centre: a long horizon (up to a leap year) in few or many
/// intervals, huge agent counts (up to the documented 1,000,000 a group, constant or
/// switching between 0 and that number over the first four intervals), and few calls or
/// none.
#[derive(Debug, Clone)]
struct LargeCheap {
    /// (duration, interval) of the window.
    horizon: (&'static str, &'static str),
    /// Calls per hour of each call type (0: none).
    volumes: Vec<f64>,
    /// Agents of each group: constant, or alternating with 0 over the first intervals.
    agents: Vec<(u32, bool)>,
    patience: bool,
    warmup: &'static str,
}

const HORIZONS: &[(&str, &str)] = &[
    ("366d", "1d"),
    ("366d", "8h"),
    ("366d", "2h"),
    ("30d", "15m"),
    ("1h", "1s"),
    ("2h", "30m"),
];

fn large_cheap() -> impl Strategy<Value = LargeCheap> {
    (
        0..HORIZONS.len(),
        proptest::collection::vec(prop_oneof![Just(0.0), Just(0.001), Just(0.05), Just(0.5)], 1..4),
        proptest::collection::vec((prop_oneof![Just(0u32), Just(1), Just(1_000_000)], any::<bool>()), 1..3),
        any::<bool>(),
        prop_oneof![Just("0s"), Just("30d")],
    )
        .prop_map(|(h, volumes, agents, patience, warmup)| LargeCheap {
            horizon: HORIZONS[h],
            volumes,
            agents,
            patience,
            warmup,
        })
}

fn large_cheap_text(c: &LargeCheap) -> String {
    let (duration, interval) = c.horizon;
    let mut s = format!(
        "[scenario]\nname = \"large\"\nduration = \"{duration}\"\ninterval = \"{interval}\"\nwarmup = \"{}\"\nreplications = 2\nseed = 3\n",
        c.warmup
    );
    let names: Vec<String> = (0..c.volumes.len()).map(|i| format!("\"t{i}\"")).collect();
    for (i, per_hour) in c.volumes.iter().enumerate() {
        s += &format!(
            "\n[[call_type]]\nname = \"t{i}\"\narrivals = {{ per_hour = {per_hour} }}\nhandle_time = {{ dist = \"exponential\", mean = \"5m\" }}\n"
        );
        if c.patience {
            s += "patience = { dist = \"exponential\", mean = \"2m\" }\n";
        }
    }
    let intervals = |d: &str, i: &str| -> usize {
        let secs = |t: &str| ccsim::scenario::parse_duration(t).unwrap();
        (secs(d) / secs(i)).round() as usize
    };
    for (g, &(agents, alternating)) in c.agents.iter().enumerate() {
        let n = intervals(duration, interval);
        let staffing = if alternating {
            let steps: Vec<String> = (0..n)
                .map(|k| if k < 4 && k % 2 == 1 { 0 } else { agents }.to_string())
                .collect();
            format!("[{}]", steps.join(", "))
        } else {
            agents.to_string()
        };
        s += &format!(
            "\n[[agent_group]]\nname = \"g{g}\"\nagents = {staffing}\nskills = [{}]\n",
            names.join(", ")
        );
    }
    s
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, failure_persistence: None, ..ProptestConfig::default() })]

    /// Large but cheap models (many intervals, huge agent counts, long horizons, no calls)
    /// are simulated, not only validated: each ends in figures (finite, rates in [0, 1])
    /// or a clear error, never a panic, in seconds.
    #[test]
    fn large_but_cheap_models_end_in_figures_or_a_clear_error(c in large_cheap()) {
        let text = large_cheap_text(&c);
        let started = std::time::Instant::now();
        // Each of these is simulated (unless it is refused), not only validated.
        if let Ok(model) = Scenario::parse("large.toml", &text).and_then(|s| Model::build(&s)) {
            prop_assert!(cheap(&model), "{c:?} is not simulated by `survive`");
        }
        if let Err(why) = survive("large.toml", &text) {
            prop_assert!(false, "{why} on this input:\n{text}");
        }
        prop_assert!(started.elapsed().as_secs() < 20, "{c:?} took {:?}", started.elapsed());
    }
}

/// The extremes themselves, through the command line: 50,000 one-minute intervals, a
/// million agents, a leap year, no calls. Each ends with exit code 0, 1 or 2 (a clear
/// refusal is fine), never a panic or a signal, within a minute.
#[test]
fn extreme_but_valid_sizes_end_with_an_exit_code_never_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("50000m", "1m", "0", "1000000"),
        ("366d", "1h", "1", "1000000"),
        ("366d", "1d", "0", "0"),
        ("1h", "1s", "0.5", "1000000"),
    ];
    for (duration, interval, per_hour, agents) in cases {
        let text = format!(
            "[scenario]\nname = \"extreme\"\nduration = \"{duration}\"\ninterval = \"{interval}\"\nreplications = 2\n\
             [[call_type]]\nname = \"a\"\narrivals = {{ per_hour = {per_hour} }}\nhandle_time = {{ dist = \"exponential\", mean = \"5m\" }}\n\
             patience = {{ dist = \"exponential\", mean = \"2m\" }}\n\
             [[agent_group]]\nname = \"g\"\nagents = {agents}\nskills = [\"a\"]\n"
        );
        let file = dir.path().join("extreme.toml");
        std::fs::write(&file, &text).unwrap();
        let started = std::time::Instant::now();
        let out = crate::common::ccsim(&["run", &file.display().to_string(), "--threads", "1", "--format", "csv"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            matches!(out.status.code(), Some(0..=2)),
            "{duration}/{interval}, {per_hour}/h, {agents} agents: {:?}\n{stderr}",
            out.status
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
        if out.status.code() == Some(2) {
            assert!(!stderr.trim().is_empty(), "exit 2 without a message");
        }
        assert!(
            started.elapsed().as_secs() < 60,
            "{duration}/{interval} took {:?}",
            started.elapsed()
        );
    }
}

#[test]
fn the_corpus_of_inputs_that_once_failed_is_handled() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "the corpus is in {}", dir.display());
    for f in files {
        let text = String::from_utf8_lossy(&std::fs::read(&f).unwrap()).into_owned();
        if let Err(why) = survive(&f.display().to_string(), &text) {
            panic!("{}: {why}", f.display());
        }
        expected_outcome(&f, &text);
    }
}

/// A corpus file may state its outcome in a comment: `# expect: ok` (it validates) or
/// `# expect: error <text>` (it is refused, with `<text>` in the message after its
/// `file:line:column: `).
fn expected_outcome(f: &Path, text: &str) {
    let Some(expect) = text.lines().find_map(|l| l.strip_prefix("# expect: ")) else {
        return;
    };
    let file = f.display().to_string();
    let outcome = Scenario::parse(&file, text).and_then(|s| Model::build(&s));
    match (expect.strip_prefix("error "), outcome) {
        (None, Ok(_)) if expect == "ok" => {}
        (Some(wanted), Err(Error::Invalid(d))) => assert!(
            d.iter().any(|d| d.line > 0 && d.to_string().contains(wanted)),
            "{file}: expected an error at a position with `{wanted}`, got:\n{}",
            Error::Invalid(d)
        ),
        (_, outcome) => panic!(
            "{file}: expected `{expect}`, got {:?}",
            outcome.map(|_| "a valid model")
        ),
    }
}

/// A random valid centre: 1–3 call types (voice, chat or email), 1–3 groups, shifting
/// volumes and staffing, patience, redials, resolution with escalation or repeats.
/// A call type: channel, volumes, mean talk, patience, redials, follow-up kind.
type RandomType = (u8, Vec<u32>, u32, Option<u32>, bool, u8);

#[derive(Debug, Clone)]
struct Centre {
    types: Vec<RandomType>,
    groups: Vec<(Vec<u32>, Vec<bool>, u8)>,
}

fn centre() -> impl Strategy<Value = Centre> {
    let intervals = 4;
    let call_type = (
        0u8..3,
        proptest::collection::vec(0u32..60, intervals),
        30u32..600,
        proptest::option::of(10u32..600),
        any::<bool>(),
        0u8..3,
    );
    let group = (
        proptest::collection::vec(0u32..12, intervals),
        proptest::collection::vec(any::<bool>(), 3),
        1u8..4,
    );
    (
        proptest::collection::vec(call_type, 1..4),
        proptest::collection::vec(group, 1..4),
    )
        .prop_map(|(types, groups)| Centre { types, groups })
}

fn centre_text(c: &Centre) -> String {
    let mut s = String::from(
        "[scenario]\nname = \"random\"\nduration = \"2h\"\ninterval = \"30m\"\ndrain_limit = \"72h\"\nreplications = 2\nseed = 9\n",
    );
    let n = c.types.len();
    for (i, (channel, volumes, aht, patience, redial, follow)) in c.types.iter().enumerate() {
        let channel = ["voice", "chat", "email"][*channel as usize];
        let list = volumes.iter().map(u32::to_string).collect::<Vec<_>>().join(", ");
        s += &format!(
            "\n[[call_type]]\nname = \"t{i}\"\nchannel = \"{channel}\"\narrivals = {{ per_interval = [{list}] }}\nhandle_time = {{ dist = \"lognormal\", mean = {aht}, cv = 1.0 }}\n"
        );
        if let (true, Some(p)) = (channel != "email", patience) {
            s += &format!("patience = {{ dist = \"exponential\", mean = {p} }}\n");
            if *redial {
                s += "redial = { probability = 0.3, delay = { dist = \"exponential\", mean = \"5m\" } }\n";
            }
        }
        match follow {
            1 if n > 1 => {
                s += &format!(
                    "resolution = 0.7\nunresolved = {{ escalate_to = \"t{}\" }}\n",
                    (i + 1) % n
                )
            }
            2 => {
                s += "resolution = 0.8\nunresolved = { repeat_after = { dist = \"exponential\", mean = \"20m\" }, probability = 0.5 }\n"
            }
            _ => {}
        }
    }
    for (g, (agents, skills, concurrency)) in c.groups.iter().enumerate() {
        let mut agents = agents.clone();
        if g == 0 {
            // Someone is on duty at the end, so the drain can finish every call and chat.
            let last = agents.len() - 1;
            agents[last] = agents[last].max(1);
        }
        let list = agents.iter().map(u32::to_string).collect::<Vec<_>>().join(", ");
        let mut names: Vec<String> = (0..n)
            .filter(|&t| skills.get(t).copied().unwrap_or(false))
            .map(|t| format!("\"t{t}\""))
            .collect();
        if g == 0 {
            // The first group serves everything, so every call type is served.
            names = (0..n).map(|t| format!("\"t{t}\"")).collect();
        }
        if names.is_empty() {
            names.push("\"t0\"".into());
        }
        s += &format!(
            "\n[[agent_group]]\nname = \"g{g}\"\nagents = [{list}]\nskills = [{}]\nchat = {{ concurrency = {concurrency}, slowdown = 0.1 }}\ncost = {{ per_hour = 20 }}\n",
            names.join(", ")
        );
    }
    s
}

fn conserved(s: &RepStats, email: &[bool]) {
    for i in 0..s.intervals {
        for (ct, &is_email) in email.iter().enumerate().take(s.call_types) {
            let c = s.call_cell_ref(i, ct);
            assert_eq!(
                c[call::OFFERED],
                c[call::ANSWERED] + c[call::ABANDONED] + c[call::UNFINISHED]
            );
            assert_eq!(
                c[call::ANSWERED],
                c[call::RESOLVED] + c[call::ESCALATED] + c[call::REPEATED] + c[call::UNRESOLVED]
            );
            assert!(c[call::ANSWERED_IN_SL] <= c[call::ANSWERED]);
            if !is_email {
                assert_eq!(c[call::UNFINISHED], 0, "a 72-hour drain finishes calls and chats");
            }
        }
    }
    for g in &s.group_cells {
        assert!(g[group::BUSY_US] <= g[group::STAFFED_US]);
        assert!(g[group::SLOTS_US] <= g[group::SLOT_CAPACITY_US]);
    }
}

/// Every rate in [0, 1] (occupancy included), every figure finite.
fn sane(v: &serde_json::Value, path: &str) {
    match v {
        serde_json::Value::Object(map) => {
            if let (Some(mean), true) = (map.get("mean"), map.contains_key("ci95")) {
                if let Some(x) = mean.as_f64() {
                    assert!(x.is_finite(), "{path}: {x}");
                    let name = path.rsplit('.').next().unwrap_or("");
                    let rate = name.ends_with("_rate")
                        || [
                            "service_level",
                            "occupancy",
                            "fcr",
                            "outsourced_share",
                            "within_target",
                            "slot_utilisation",
                        ]
                        .contains(&name);
                    if rate {
                        assert!((-1e-12..=1.0 + 1e-12).contains(&x), "{path} = {x}");
                    }
                }
                return;
            }
            for (k, child) in map {
                sane(child, &format!("{path}.{k}"));
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|i| sane(i, path)),
        _ => {}
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 60, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_centres_conserve_contacts_and_keep_rates_in_range(c in centre()) {
        let text = centre_text(&c);
        let model = Model::build(&Scenario::parse("random.toml", &text).unwrap()).unwrap_or_else(|e| panic!("{e}\n{text}"));
        let email: Vec<bool> = model.call_types.iter().map(|t| t.channel == ccsim::model::Channel::Email).collect();
        for r in 0..2 {
            conserved(&run_replication(&model, r), &email);
        }
        let acc = ccsim::simulate(&model, 1, &|| {}).unwrap();
        let json: serde_json::Value = serde_json::from_str(&ccsim::report::json::to_json(&Summary::new(&model, &acc))).unwrap();
        sane(&json, "");
    }
}

/// One skill, FCFS, no abandonment, arrivals bucketed per second (so a bucket holds about
/// one caller): with the same callers, one more agent never makes a caller wait longer.
fn fcfs(agents: u32, patience: bool) -> Model {
    let text = format!(
        r#"[scenario]
name = "fcfs"
duration = "2h"
interval = "1s"
replications = 10
seed = 77

[[call_type]]
name = "calls"
arrivals = {{ per_hour = 200 }}
handle_time = {{ dist = "lognormal", mean = "3m", cv = 1.5 }}
{}

[[agent_group]]
name = "team"
agents = {agents}
skills = ["calls"]
"#,
        if patience {
            "patience = { dist = \"exponential\", mean = \"1m\" }"
        } else {
            ""
        }
    );
    Model::build(&Scenario::parse("fcfs.toml", &text).unwrap()).unwrap()
}

#[test]
fn one_more_agent_never_makes_a_caller_wait_longer() {
    for agents in [9, 10, 11, 12] {
        let (fewer, more) = (fcfs(agents, false), fcfs(agents + 1, false));
        for r in 0..fewer.replications {
            let (a, b) = (run_replication(&fewer, r), run_replication(&more, r));
            for i in 0..a.intervals {
                let (x, y) = (a.call_cell_ref(i, 0), b.call_cell_ref(i, 0));
                assert_eq!(x[call::OFFERED], y[call::OFFERED], "the same callers");
                assert!(
                    y[call::WAIT_ANSWERED_US] <= x[call::WAIT_ANSWERED_US],
                    "{agents}→{} agents, replication {r}, second {i}: waits {} → {} µs",
                    agents + 1,
                    x[call::WAIT_ANSWERED_US],
                    y[call::WAIT_ANSWERED_US]
                );
                assert!(y[call::ANSWERED_IN_SL] >= x[call::ANSWERED_IN_SL]);
            }
        }
    }
}

#[test]
fn with_abandonment_one_more_agent_helps_on_the_mean() {
    let asa = |m: &Model| {
        let acc = ccsim::simulate(m, 0, &|| {}).unwrap();
        let s = Summary::new(m, &acc);
        (
            s.totals.get("asa_seconds").unwrap().mean.unwrap(),
            s.totals.get("abandon_rate").unwrap().mean.unwrap(),
        )
    };
    // Hour-long intervals here: only the means matter.
    let hourly = |agents| {
        let mut m = fcfs(agents, true);
        m.clock.interval = 3600 * 1_000_000;
        m.clock.intervals = 2;
        m
    };
    for agents in [9, 10, 11] {
        let (a, b) = (asa(&hourly(agents)), asa(&hourly(agents + 1)));
        assert!(b.0 < a.0 && b.1 < a.1, "{agents}: {a:?} → {b:?}");
    }
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_promptly_says_so_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("long.toml");
    std::fs::write(
        &scenario,
        "[scenario]\nname = \"long\"\nduration = \"300h\"\ninterval = \"1h\"\nreplications = 1000\n\
         [[call_type]]\nname = \"a\"\narrivals = { per_hour = 3000 }\nhandle_time = { dist = \"exponential\", mean = \"5m\" }\n\
         patience = { dist = \"exponential\", mean = \"3m\" }\n[[agent_group]]\nname = \"g\"\nagents = 250\nskills = [\"a\"]\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let report = dir.path().join("report.html");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_ccsim"))
        .args([
            "run",
            &scenario.display().to_string(),
            "--out",
            &out.display().to_string(),
        ])
        .arg("--report")
        .arg(&report)
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let sent = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            started.elapsed().as_secs() < 10,
            "ccsim did not stop within 10 s of Ctrl-C"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(130));
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(stderr.contains("interrupted"), "{stderr}");
    assert!(!out.exists() && !report.exists(), "output written after Ctrl-C");
}

#[test]
fn a_failed_write_leaves_no_file_behind() {
    let dir = tempfile::tempdir().unwrap();
    // The target is a folder: the rename fails, and the temporary file is removed.
    let target = dir.path().join("summary.json");
    std::fs::create_dir(&target).unwrap();
    std::fs::write(target.join("keep"), "x").unwrap();
    assert!(ccsim::report::csv::write_atomic(&target, "{}").is_err());
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, vec![std::ffi::OsString::from("summary.json")], "{left:?}");
}
