//! Bounded before spent, and numbers that never wrap (issue 16): every reproducer in
//! `tests/corpus/` ends with its stated outcome (exit 0, 1 or 2, never an abort) within a
//! minute under a 4 GB address-space cap; memory is estimated and refused up front; the
//! engine's runtime caps end a run with a clear message that is the same whatever the
//! thread count; a merge checks what a part claims before allocating for it; Ctrl-C
//! stops every long verb with exit 130; sums past 2^64 stay exact, the clock never
//! wraps, and the limit on calls counts the warm-up and every leg.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ccsim::model::{Sampler, legs_per_contact, limits};
use ccsim::stats::call;

use crate::common::{ccsim, ccsim_fails as fails, ccsim_ok as ok, mean, model, named};

/// `ulimit -v`: 4 GB of address space, in KiB as the shell counts it.
const ADDRESS_SPACE_KB: u64 = 4_000_000;

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

fn corpus(name: &str) -> String {
    corpus_dir().join(name).display().to_string()
}

fn s(p: &Path) -> String {
    p.display().to_string()
}

/// How a capped run ended.
pub(crate) struct Capped {
    pub(crate) code: Option<i32>,
    pub(crate) output: String,
    pub(crate) took: Duration,
}

/// Runs ccsim with `args` under the address-space cap (through `sh -c 'ulimit -v …;
/// exec …'`), with `env` set; kills it and fails after a minute.
pub(crate) fn capped(args: &[String], env: &[(&str, &str)]) -> Capped {
    let dir = tempfile::tempdir().unwrap();
    let (out, err) = (dir.path().join("stdout"), dir.path().join("stderr"));
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(format!("ulimit -v {ADDRESS_SPACE_KB} && exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_ccsim"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(&err).unwrap());
    for (k, v) in env {
        command.env(k, v);
    }
    let started = Instant::now();
    let mut child = command.spawn().expect("sh runs");
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("ccsim {args:?} still running after a minute");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let read = |p: &Path| String::from_utf8_lossy(&std::fs::read(p).unwrap()).into_owned();
    Capped {
        code: status.code(),
        output: format!("{}\n{}", read(&out), read(&err)),
        took: started.elapsed(),
    }
}

/// A corpus file's directives: `# command: ARGS` (`{file}` is the file; default `run
/// {file} --threads 2`), `# outcome: exit N [TEXT]` (the exit code, and text the output
/// holds), `# pad-to: BYTES` (run on a copy padded with comments to that size).
struct Directives {
    command: String,
    outcome: Option<(i32, String)>,
    pad_to: Option<usize>,
}

fn directives(text: &str) -> Directives {
    let get = |key: &str| text.lines().find_map(|l| l.strip_prefix(key)).map(str::trim);
    let outcome = get("# outcome: exit ").map(|rest| {
        let (code, fragment) = rest.split_once(' ').unwrap_or((rest, ""));
        (code.parse().expect("an exit code"), fragment.to_owned())
    });
    Directives {
        command: get("# command: ").unwrap_or("run {file} --threads 2").to_owned(),
        outcome,
        pad_to: get("# pad-to: ").map(|n| n.parse().expect("a size in bytes")),
    }
}

#[test]
fn every_reproducer_in_the_corpus_ends_cleanly_within_a_minute_under_a_4_gb_cap() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    let scratch = tempfile::tempdir().unwrap();
    let mut with_outcome = 0;
    for f in files {
        let text = String::from_utf8_lossy(&std::fs::read(&f).unwrap()).into_owned();
        let d = directives(&text);
        let file = match d.pad_to {
            None => s(&f),
            Some(size) => {
                let padded = scratch.path().join(f.file_name().unwrap());
                let mut body = text.clone().into_bytes();
                let line = format!("# {}\n", "padding ".repeat(12));
                while body.len() < size {
                    body.extend_from_slice(line.as_bytes());
                }
                std::fs::write(&padded, body).unwrap();
                s(&padded)
            }
        };
        let args: Vec<String> = d
            .command
            .split_whitespace()
            .map(|a| a.replace("{file}", &file))
            .collect();
        let run = capped(&args, &[]);
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            matches!(run.code, Some(0..=2)),
            "{name}: ended with {:?} (a signal, or an unexpected code) after {:?}\n{}",
            run.code,
            run.took,
            run.output
        );
        if let Some((code, fragment)) = &d.outcome {
            with_outcome += 1;
            assert_eq!(run.code, Some(*code), "{name}: {}", run.output);
            assert!(
                run.output.contains(fragment.as_str()),
                "{name}: no `{fragment}` in\n{}",
                run.output
            );
            if *code == 2 {
                assert!(run.output.contains("error: "), "{name}: {}", run.output);
            }
        }
    }
    assert!(with_outcome >= 8, "the issue's reproducers state their outcome");
}

/// 366 days × 1,000,000 agents: the day's agent time (3.16e19 µs) passed 2^64 and
/// printed 3659904423 agent hours. Exact now, with its interval (0: no randomness).
/// A scenario with `n` call types, each with an empirical handle time from `column[i]`
/// of `samples.csv`.
fn empirical_scenario(columns: &[&str]) -> String {
    let mut text = String::from("[scenario]\nname = \"samples\"\nduration = \"1h\"\nreplications = 2\n");
    for (i, c) in columns.iter().enumerate() {
        text += &format!(
            "\n[[call_type]]\nname = \"t{i}\"\narrivals = {{ per_hour = 10 }}\n\
             handle_time = {{ dist = \"empirical\", csv = \"samples.csv\", column = \"{c}\" }}\n"
        );
    }
    let skills: Vec<String> = (0..columns.len()).map(|i| format!("\"t{i}\"")).collect();
    text + &format!(
        "\n[[agent_group]]\nname = \"g\"\nagents = 5\nskills = [{}]\n",
        skills.join(", ")
    )
}

/// The numbers a scenario takes from CSV files are bounded in all, counted at every
/// reference: four references to a 100 MiB column of 52 million samples held 1.7 GB each
/// and ran out of a 4 GB address space. Three references to 8 million samples (each
/// reference holds its copy) pass the 20 million, at the third.
#[test]
fn the_numbers_taken_from_csv_files_are_bounded_in_all() {
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("seconds\n");
    csv += &"30\n".repeat(8_000_000);
    std::fs::write(dir.path().join("samples.csv"), csv).unwrap();
    let file = dir.path().join("two.toml");
    std::fs::write(&file, empirical_scenario(&["seconds", "seconds"])).unwrap();
    let run = capped(&["validate".into(), s(&file)], &[]);
    assert_eq!(run.code, Some(0), "{}", run.output);
    std::fs::write(&file, empirical_scenario(&["seconds", "seconds", "seconds"])).unwrap();
    let run = capped(&["validate".into(), s(&file)], &[]);
    assert_eq!(run.code, Some(2), "{}", run.output);
    assert!(
        run.output
            .contains("call_type[2].handle_time.column: the CSV columns named up to here hold 24000000 numbers in all")
            && run
                .output
                .contains("takes at most 20000000 from CSV files per scenario"),
        "{}",
        run.output
    );
}

/// A CSV file is read once per column, however many references name it, and the bytes
/// read in all are bounded: six references to one column of a 100 MiB file read it once;
/// six different columns of it would read 600 MiB, and the sixth is refused.
#[test]
fn a_csv_column_is_read_once_and_the_bytes_read_are_bounded_in_all() {
    let dir = tempfile::tempdir().unwrap();
    let pad = "x".repeat(1_000);
    let mut csv = String::from("a,b,c,d,e,f,pad\n");
    let row = format!("1,2,3,4,5,6,{pad}\n");
    while csv.len() + row.len() <= 100 << 20 {
        csv += &row;
    }
    std::fs::write(dir.path().join("samples.csv"), csv).unwrap();
    let file = dir.path().join("six.toml");
    std::fs::write(&file, empirical_scenario(&["a"; 6])).unwrap();
    let run = capped(&["validate".into(), s(&file)], &[]);
    assert_eq!(run.code, Some(0), "{}", run.output);
    std::fs::write(&file, empirical_scenario(&["a", "b", "c", "d", "e", "f"])).unwrap();
    let run = capped(&["validate".into(), s(&file)], &[]);
    assert_eq!(run.code, Some(2), "{}", run.output);
    assert!(
        run.output.contains("call_type[5].handle_time.csv: ")
            && run.output.contains("ccsim reads at most 512 MiB of CSV per scenario"),
        "{}",
        run.output
    );
    assert!(!run.output.contains("call_type[4]"), "{}", run.output);
}

/// Each interval's rows of the report hold a copy of the call types' and groups' names:
/// a call type named with 4,000,000 characters over 2,000 one-minute intervals (an 8 MB
/// file) ran out of a 4 GB address space. The memory estimate counts the names now.
#[test]
fn the_memory_estimate_counts_the_names_every_interval_repeats() {
    let dir = tempfile::tempdir().unwrap();
    let name = "n".repeat(1_000_000);
    let file = dir.path().join("long-name.toml");
    std::fs::write(
        &file,
        format!(
            "[scenario]\nname = \"long name\"\nduration = \"3000m\"\ninterval = \"1m\"\nreplications = 2\n\
             \n[[call_type]]\nname = \"{name}\"\narrivals = {{ per_hour = 60 }}\n\
             handle_time = {{ dist = \"exponential\", mean = \"3m\" }}\n\
             \n[[agent_group]]\nname = \"g\"\nagents = 5\nskills = [\"{name}\"]\n"
        ),
    )
    .unwrap();
    let run = capped(&["run".into(), s(&file), "--format".into(), "json".into()], &[]);
    assert_eq!(run.code, Some(2), "{}", &run.output[..run.output.len().min(2_000)]);
    assert!(
        run.output.contains("and the names in every interval's rows, 2.8 GiB")
            && run.output.contains("over the 2 GiB memory limit"),
        "{}",
        &run.output[..run.output.len().min(2_000)]
    );
}

/// A folder holding links to itself: each folder is walked once (two links `a -> .` and
/// `b -> .` doubled the paths at every level, and `check` did not end), under the
/// minute's cap so that a regression fails instead of hanging CI.
#[cfg(unix)]
#[test]
fn check_walks_each_folder_once_whatever_links_lead_back_to_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/single-skill.toml"),
        dir.path().join("desk.toml"),
    )
    .unwrap();
    std::os::unix::fs::symlink(".", dir.path().join("a")).unwrap();
    std::os::unix::fs::symlink(".", dir.path().join("b")).unwrap();
    let run = capped(&["check".into(), s(dir.path())], &[]);
    assert_eq!(run.code, Some(0), "{}", run.output);
    assert!(run.output.contains("check: 1 scenario,"), "{}", run.output);
}

#[test]
fn a_year_of_a_million_agents_is_exactly_8784000000_agent_hours() {
    let text = std::fs::read_to_string(corpus("agent-hours-year.toml")).unwrap();
    let m = model(&text);
    let summary = ccsim::Summary::new(&m, &ccsim::simulate(&m, 2, &|| {}).unwrap());
    for metrics in [&summary.totals, named(&summary.groups, "g")] {
        let e = crate::common::get(metrics, "agent_hours");
        assert_eq!(e.mean, Some(8_784_000_000.0));
        assert_eq!(e.ci95, Some(0.0));
        assert_eq!(mean(metrics, "occupancy"), 0.0);
    }
    // Each day: 24,000,000 agent hours.
    for i in &summary.intervals {
        assert_eq!(crate::common::get(&i.metrics, "agent_hours").mean, Some(24_000_000.0));
    }
}

/// A draw of 10^300 s (a heavy tail's; the validated parameters cannot give it, so the
/// model is edited) times a proficiency of 100, plus as much after-call work: the clock
/// does not wrap into the past. Each agent takes one call and stays busy to the end.
#[test]
fn a_draw_longer_than_any_run_never_wraps_the_clock() {
    let mut m = model(
        r#"
[scenario]
name = "endless calls"
duration = "2h"
replications = 1
[[call_type]]
name = "a"
arrivals = { per_hour = 600 }
handle_time = { dist = "constant", value = "1m" }
wrap_up = { dist = "constant", value = "10s" }
[[agent_group]]
name = "g"
agents = 10
skills = [{ call_type = "a", factor = 100 }]
"#,
    );
    m.call_types[0].handle_time = Sampler::Constant(1e300);
    m.call_types[0].wrap_up = Some(Box::new(Sampler::Constant(1e300)));
    let stats = ccsim::engine::run_replication(&m, 0);
    assert_eq!(stats.halt, None);
    assert_eq!(
        stats.call_total(call::ANSWERED),
        10,
        "each agent answers once, then is busy for ever"
    );
    assert_eq!(
        stats.call_total(call::HANDLE_US),
        10 * 101 * limits::MAX_DRAWN,
        "talk and after-call work each cut at ten years, talk × 100"
    );
    let summary = ccsim::Summary::new(&m, &ccsim::simulate(&m, 1, &|| {}).unwrap());
    assert!(mean(&summary.totals, "occupancy") > 0.99);
}

/// The legs one contact makes: a loop with probability p counts 1/(1 − p), an
/// escalation the share left unresolved, a loop that never resolves the engine's cap.
#[test]
fn legs_per_contact_count_every_loop() {
    let legs = |extra: &str, second: &str| {
        let m = model(&format!(
            r#"
[scenario]
name = "legs"
duration = "1h"
[[call_type]]
name = "a"
arrivals = {{ per_hour = 60 }}
handle_time = {{ dist = "exponential", mean = "3m" }}
{extra}
[[call_type]]
name = "b"
arrivals = {{ per_hour = 0 }}
handle_time = {{ dist = "exponential", mean = "3m" }}
{second}
[[agent_group]]
name = "g"
agents = 10
skills = ["a", "b"]
"#
        ));
        legs_per_contact(&m.call_types, &m.groups)[0]
    };
    let close = |got: f64, want: f64| assert!((got - want).abs() < 1e-9, "{got} vs {want}");
    close(legs("", ""), 1.0);
    let redial = "patience = { dist = \"exponential\", mean = \"1m\" }\nredial = { probability = 0.75, delay = { dist = \"exponential\", mean = \"5m\" } }";
    close(legs(redial, ""), (1.0 - 0.75f64.powi(100)) / 0.25);
    close(legs("resolution = 0.5\nunresolved = { escalate_to = \"b\" }", ""), 1.5);
    let repeat = "resolution = 0.0\nunresolved = { repeat_after = { dist = \"exponential\", mean = \"1h\" }, probability = 0.5 }";
    close(legs(repeat, ""), (1.0 - 0.5f64.powi(100)) / 0.5);
    let there = "resolution = 0.0\nunresolved = { escalate_to = \"b\" }";
    let back = "resolution = 0.0\nunresolved = { escalate_to = \"a\" }";
    close(legs(there, back), 100.0);
}

/// The limit on calls per replication counts what the window alone hides.
#[test]
fn the_limit_on_calls_counts_the_warm_up_and_every_leg() {
    let stderr = fails(&["validate", &corpus("warmup-calls.toml")]);
    assert!(
        stderr.contains("scenario.warmup: about 2.333e15 calls per replication")
            && stderr.contains("9.000e8 arriving in the window + 2.333e15 in the warm-up"),
        "{stderr}"
    );
    let stderr = fails(&["validate", &corpus("escalation-loop.toml")]);
    assert!(
        stderr.contains("about 1.600e10 calls per replication") && stderr.contains("1.600e8 contacts × 100 legs each"),
        "{stderr}"
    );
}

/// The same limit reached gives the same message whatever the thread count (the lowest
/// replication that reaches it is reported).
#[test]
fn a_limit_reached_while_running_reads_the_same_whatever_the_threads() {
    let one = ccsim(&["run", &corpus("unbounded-queue.toml"), "--threads", "1"]);
    let two = ccsim(&["run", &corpus("unbounded-queue.toml"), "--threads", "2"]);
    assert_eq!(one.status.code(), Some(2));
    assert_eq!(one.stderr, two.stderr);
    let stderr = String::from_utf8_lossy(&one.stderr);
    assert!(
        stderr.contains(
            "replication 0: more than 1,000,000 contacts waiting at once (call type `flood`, in interval 00:00)"
        ),
        "{stderr}"
    );
}

/// 4.5 million agents busy for ten hours: no caller waits, but each busy agent has an
/// event pending. The run ends at the cap on pending events, with the same message
/// whatever the thread count.
#[test]
fn more_than_four_million_pending_events_end_the_run_the_same_whatever_the_threads() {
    let one = ccsim(&["run", &corpus("pending-events.toml"), "--threads", "1"]);
    let two = ccsim(&["run", &corpus("pending-events.toml"), "--threads", "2"]);
    assert_eq!(one.status.code(), Some(2));
    assert_eq!(two.status.code(), Some(2));
    assert_eq!(one.stderr, two.stderr);
    let stderr = String::from_utf8_lossy(&one.stderr);
    assert!(
        stderr.contains("replication 0: more than 4,000,000 events pending at once (in interval 00:00)"),
        "{stderr}"
    );
    assert_eq!(
        limits::MAX_PENDING_EVENTS,
        4_000_000,
        "the corpus file states this limit"
    );
}

/// In `check`, a scenario over a limit is that scenario's error: the others are still
/// checked and the JUnit report is written.
#[test]
fn check_reports_a_scenario_over_a_limit_and_keeps_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let suite = dir.path().join("suite");
    std::fs::create_dir(&suite).unwrap();
    for name in ["unbounded-queue.toml", "name-formula.toml"] {
        std::fs::copy(corpus(name), suite.join(name)).unwrap();
    }
    let junit = dir.path().join("report.xml");
    let o = ccsim(&["check", &s(&suite), "--junit", &s(&junit), "--threads", "2"]);
    assert_eq!(o.status.code(), Some(2));
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(
        xml.contains("contacts waiting at once") && xml.contains("formula"),
        "{xml}"
    );
}

/// The memory budget: named in the message with the products, read from
/// `CCSIM_MEMORY_LIMIT`, and a bad value is an error.
#[test]
fn the_memory_budget_names_the_products_and_can_be_raised() {
    let file = corpus("long-horizon-two-threads.toml");
    let args = |threads: &str| vec!["run".to_owned(), file.clone(), "--threads".into(), threads.into()];
    let refused = capped(&args("2"), &[]);
    assert_eq!(refused.code, Some(2));
    assert!(
        refused.output.contains("over the 2 GiB memory limit")
            && refused.output.contains("100001 intervals × 5 columns")
            && refused.output.contains("× 3 accumulators (2 threads + 1)")
            && refused.output.contains("CCSIM_MEMORY_LIMIT="),
        "{}",
        refused.output
    );
    let small = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/small.toml");
    let tiny = capped(&["run".into(), s(&small)], &[("CCSIM_MEMORY_LIMIT", "64KiB")]);
    assert_eq!(tiny.code, Some(2));
    assert!(tiny.output.contains("over the 64 KiB memory limit"), "{}", tiny.output);
    let bad = capped(&["run".into(), s(&small)], &[("CCSIM_MEMORY_LIMIT", "lots")]);
    assert_eq!(bad.code, Some(2));
    assert!(
        bad.output.contains("CCSIM_MEMORY_LIMIT=lots: expected a size"),
        "{}",
        bad.output
    );
    let raised = capped(&["run".into(), s(&small)], &[("CCSIM_MEMORY_LIMIT", "3GiB")]);
    assert_eq!(raised.code, Some(0), "{}", raised.output);
}

/// A part is untrusted input: what it claims is checked before anything is allocated
/// for it (a claimed 200,000 call types × 100,000 intervals would ask for 22 TB).
#[test]
fn merge_checks_what_a_part_claims_before_allocating() {
    let dir = tempfile::tempdir().unwrap();
    let small = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/small.toml");
    let out = dir.path().join("good");
    ok(&[
        "run",
        &s(&small),
        "--shard",
        "1/1",
        "--out",
        &s(&out),
        "--replications",
        "3",
    ]);
    let good = out.join("part-1-of-1.json");
    // Edited as text: a JSON value would turn sums past 2^64 into floats. A part is
    // sealed with its SHA-256, which anyone can compute: each edit below is sealed
    // again, so that what it claims is what gets checked.
    let text = std::fs::read_to_string(&good).unwrap();
    let write = |name: &str, text: &str| -> String {
        let path = dir.path().join(name);
        std::fs::write(&path, reseal(text)).unwrap();
        s(&path)
    };
    let damaged = |file: &str| {
        let run = capped(&["merge".into(), file.to_owned()], &[]);
        assert_eq!(run.code, Some(2), "{}", run.output);
        assert!(run.took < Duration::from_secs(10), "{:?}", run.took);
        run.output
    };
    let claims = r#","replications":3,"shard":{"index":1,"count":1}"#;
    assert!(text.contains(claims), "{text}");
    for (name, edited) in [
        (
            "replications-1e9.json",
            r#","replications":1000000000,"shard":{"index":1,"count":1}"#,
        ),
        (
            "replications-1e12.json",
            r#","replications":1000000000000,"shard":{"index":1,"count":1}"#,
        ),
        (
            "shards-1e12.json",
            r#","replications":3,"shard":{"index":1,"count":1000000000000}"#,
        ),
    ] {
        let output = damaged(&write(name, &text.replace(claims, edited)));
        assert!(output.contains("a damaged part file"), "{name}: {output}");
    }
    // A 200,000 call types × 100,000 intervals layout in a file of a few MB.
    let (from, to) = (text.find(r#""layout":"#).unwrap() + 9, text.find(claims).unwrap());
    let mut layout: serde_json::Value = serde_json::from_str(&text[from..to]).unwrap();
    let names: Vec<serde_json::Value> = (0..200_000).map(|i| format!("t{i}").into()).collect();
    let labels: Vec<serde_json::Value> = (0..100_000).map(|i| format!("i{i}").into()).collect();
    let (channel, target) = (layout["channels"][0].clone(), layout["targets"][0].clone());
    layout["channels"] = vec![channel; names.len()].into();
    layout["targets"] = vec![target; names.len()].into();
    layout["call_types"] = names.into();
    layout["intervals"] = labels.into();
    let huge = format!("{}{}{}", &text[..from], layout, &text[to..]);
    let output = damaged(&write("huge-layout.json", &huge));
    assert!(output.contains("a damaged part file"), "{output}");
    // More sums than the layout holds: refused while reading, not after storing them.
    let at = text.find(r#""sums":["#).unwrap() + 8;
    let padded = format!("{}{}{}", &text[..at], "0,".repeat(100_000), &text[at..]);
    let output = damaged(&write("extra-sums.json", &padded));
    assert!(output.contains("sums its layout holds"), "{output}");
    // An edit not sealed again: refused by the seal, whatever it changed.
    let path = dir.path().join("unsealed.json");
    std::fs::write(
        &path,
        text.replace(claims, r#","replications":4,"shard":{"index":1,"count":1}"#),
    )
    .unwrap();
    let output = damaged(&s(&path));
    assert!(output.contains("does not match its SHA-256"), "{output}");
    // The good part still merges, and so does the same part sealed again unchanged.
    ok(&["merge", &s(&good)]);
    ok(&["merge", &write("resealed.json", &text)]);
}

/// A part file whose part was edited, sealed again with the SHA-256 of its new text.
fn reseal(file: &str) -> String {
    use sha2::Digest;
    let at = file.find(r#","part":"#).expect("a sealed part") + 8;
    let part = &file[at..file.len() - 1];
    let sha: String = sha2::Sha256::digest(part.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    // `{"format":"…","sha256":"…"`, closed.
    let head: serde_json::Value = serde_json::from_str(&format!("{}}}", &file[..at - 8])).unwrap();
    let format = head["format"].as_str().unwrap();
    format!(r#"{{"format":"{format}","sha256":"{sha}","part":{part}}}"#)
}

/// What a verb did with one Ctrl-C: its exit code, how long it took to stop after the
/// signal, and what it wrote on stdout and stderr.
struct Interrupted {
    code: Option<i32>,
    took: Duration,
    stdout: String,
    stderr: String,
}

/// Starts ccsim with `args`, sends it SIGINT after `after`, and returns how it stopped
/// (its stdout goes to a file, so a verb that prints much cannot block on a full pipe).
fn interrupted(args: &[&str], after: Duration) -> Interrupted {
    let stdout_file = tempfile::NamedTempFile::new().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_ccsim"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(stdout_file.reopen().unwrap())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(after);
    assert!(
        child.try_wait().unwrap().is_none(),
        "ccsim {args:?} ended before the signal"
    );
    let sent = Instant::now();
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if sent.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            panic!("ccsim {args:?} still running 30 s after Ctrl-C");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let took = sent.elapsed();
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    let stdout = std::fs::read_to_string(stdout_file.path()).unwrap();
    Interrupted {
        code: status.code(),
        took,
        stdout,
        stderr,
    }
}

/// Asserts that `args` stopped by one Ctrl-C exits 130 within 10 s, says so, prints
/// nothing on stdout and writes none of `outputs`.
fn stops_cleanly(args: &[&str], after: Duration, outputs: &[&Path]) {
    let run = interrupted(args, after);
    assert_eq!(run.code, Some(130), "{args:?}: {}", run.stderr);
    assert!(
        run.took < Duration::from_secs(10),
        "{args:?} took {:?} to stop",
        run.took
    );
    assert!(run.stderr.contains("interrupted"), "{args:?}: {}", run.stderr);
    assert_eq!(run.stdout, "", "{args:?} printed results after Ctrl-C");
    for out in outputs {
        assert!(!out.exists(), "{args:?} wrote {} after Ctrl-C", out.display());
    }
}

#[test]
fn one_ctrl_c_stops_every_long_verb_with_exit_130() {
    let dir = tempfile::tempdir().unwrap();
    let long = dir.path().join("long.toml");
    std::fs::write(
        &long,
        r#"
[scenario]
name = "long"
duration = "24h"
replications = 100000
[[call_type]]
name = "a"
arrivals = { per_hour = 20000 }
handle_time = { dist = "exponential", mean = "3m" }
patience = { dist = "exponential", mean = "2m" }
[[agent_group]]
name = "g"
agents = 1000
skills = ["a"]
"#,
    )
    .unwrap();
    let long = s(&long);
    let retail = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/retail-helpdesk.toml");
    let retail = s(&retail);
    let xlsx = dir.path().join("book.xlsx");
    let book = s(&xlsx);
    let verbs: Vec<Vec<&str>> = vec![
        vec!["run", &long, "--threads", "2", "--xlsx", &book],
        vec![
            "staff",
            &retail,
            "--replications",
            "20000",
            "--threads",
            "2",
            "--xlsx",
            &book,
        ],
        vec!["check", &long, "--threads", "2"],
        vec![
            "compare",
            &long,
            &long,
            "--replications",
            "1000",
            "--threads",
            "2",
            "--xlsx",
            &book,
        ],
    ];
    for args in verbs {
        stops_cleanly(&args, Duration::from_millis(1500), &[&xlsx]);
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left, ["long.toml"], "{args:?} left {left:?}");
    }
}

/// `serve` ended on the second Ctrl-C only; the first one cancelled every job it would
/// run after. One Ctrl-C now ends it with exit 130.
#[test]
fn one_ctrl_c_stops_serve_with_exit_130() {
    let dir = tempfile::tempdir().unwrap();
    let run = interrupted(
        &["serve", "--dir", &s(dir.path()), "--port", "0"],
        Duration::from_millis(500),
    );
    assert_eq!(run.code, Some(130), "{}", run.stderr);
    assert!(run.took < Duration::from_secs(2), "took {:?} to stop", run.took);
    assert!(run.stderr.contains("interrupted"), "{}", run.stderr);
    assert!(run.stdout.starts_with("ccsim serve: http://"), "{}", run.stdout);
}

/// A call log streamed into a pipe whose reader stopped reading held the run in a
/// blocked write: the first Ctrl-C was not seen, only a second one ended it. And a run
/// stopped after rows had gone to a pipe or standard output said "stopped before writing
/// any output". One Ctrl-C now ends it at once, saying the rows sent stay there.
#[test]
fn one_ctrl_c_stops_a_call_log_whose_reader_stopped_reading() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/three-tier-weekday.toml");
    let fifo = dir.path().join("calls.fifo");
    let _reader = crate::common::fifo_with_stalled_reader(&fifo);
    let run = interrupted(
        &["run", &s(&scenario), "--replications", "2000", "--call-log", &s(&fifo)],
        Duration::from_millis(1500),
    );
    assert_eq!(run.code, Some(130), "{}", run.stderr);
    assert!(run.took < Duration::from_secs(2), "took {:?} to stop", run.took);
    assert!(
        run.stderr
            .contains(&format!("what was already written to {} stays there", s(&fifo))),
        "{}",
        run.stderr
    );
    // Into standard output: the rows sent stay, and the message says so.
    let run = interrupted(
        &[
            "run",
            &s(&scenario),
            "--replications",
            "2000",
            "--call-log",
            "/dev/stdout",
        ],
        Duration::from_millis(1500),
    );
    assert_eq!(run.code, Some(130), "{}", run.stderr);
    assert!(
        run.stdout.starts_with("date,arrival,call_type,"),
        "{}",
        &run.stdout[..run.stdout.len().min(200)]
    );
    assert!(
        run.stderr
            .contains("what was already written to /dev/stdout stays there, and nothing else was written"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("before writing any output"), "{}", run.stderr);
}

#[test]
fn one_ctrl_c_stops_fit_backtest_merge_and_erlang_with_exit_130() {
    let dir = tempfile::tempdir().unwrap();
    let at = |name: &str| dir.path().join(name);
    // erlang: the largest staffing search the limits allow (about 3 s of Erlang A trials).
    let erlang = [
        "erlang",
        "--per-hour",
        "30000000",
        "--aht",
        "3m",
        "--agents",
        "1600000",
        "--patience",
        "1h",
        "--target-sl",
        "0.99",
    ];
    stops_cleanly(&erlang, Duration::from_millis(700), &[]);
    // merge: four parts of 28,800 intervals, about 30 MB each (read one at a time).
    let wide = at("wide.toml");
    std::fs::write(
        &wide,
        r#"
[scenario]
name = "wide"
duration = "20d"
interval = "1m"
replications = 4
[[call_type]]
name = "a"
arrivals = { per_hour = 1 }
handle_time = { dist = "exponential", mean = "3m" }
[[call_type]]
name = "b"
arrivals = { per_hour = 1 }
handle_time = { dist = "exponential", mean = "3m" }
[[agent_group]]
name = "g"
agents = 2
skills = ["a", "b"]
"#,
    )
    .unwrap();
    let parts = at("parts");
    for k in 1..=4 {
        let shard = format!("{k}/4");
        ok(&[
            "run",
            &s(&wide),
            "--shard",
            &shard,
            "--threads",
            "1",
            "--out",
            &s(&parts),
        ]);
    }
    let merged = at("merged");
    stops_cleanly(
        &["merge", &s(&parts), "--out", &s(&merged)],
        Duration::from_millis(1000),
        &[&merged],
    );
    // fit and backtest read the bank log where it stands.
    let Some(log) = crate::calibration::bank_log() else {
        return;
    };
    let log = s(&log);
    // fit: five-minute intervals and one thread take about 20 s (staffing by simulation).
    let fitted = at("fitted.toml");
    stops_cleanly(
        &["fit", &log, "--interval", "5m", "--threads", "1", "--out", &s(&fitted)],
        Duration::from_millis(1500),
        &[&fitted],
    );
    // backtest: the fitted scenario with 100 times its replications.
    ok(&["fit", &log, "--out", &s(&fitted)]);
    let text = std::fs::read_to_string(&fitted).unwrap();
    let long = text.replacen("\nreplications = 200\n", "\nreplications = 20000\n", 1);
    assert_ne!(long, text, "the fitted scenario names its replications");
    let long_file = at("fitted-long.toml");
    std::fs::write(&long_file, long).unwrap();
    stops_cleanly(
        &["backtest", &log, &s(&long_file), "--threads", "2"],
        Duration::from_millis(1500),
        &[],
    );
}

#[test]
fn ctrl_c_during_staff_prints_the_best_staffing_so_far_marked_incomplete() {
    let dir = tempfile::tempdir().unwrap();
    let retail = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/retail-helpdesk.toml");
    let out = dir.path().join("staffing");
    // 400 replications a candidate: the search runs for many seconds, and its first
    // whole day is simulated within the first few hundred milliseconds.
    let args = [
        "staff",
        &s(&retail),
        "--replications",
        "400",
        "--threads",
        "2",
        "--out",
        &s(&out),
    ];
    let run = interrupted(&args, Duration::from_millis(2500));
    assert_eq!(run.code, Some(130), "{}", run.stderr);
    assert!(run.took < Duration::from_secs(10), "took {:?} to stop", run.took);
    assert!(run.stderr.contains("interrupted"), "{}", run.stderr);
    assert!(
        run.stdout.starts_with("INCOMPLETE: the search was interrupted"),
        "{}",
        run.stdout
    );
    // Every interval of the day has a row with its agents.
    for start in ["08:00", "12:30", "19:30"] {
        assert!(
            run.stdout.contains(&format!("\n  {start}  ")),
            "{start}: {}",
            run.stdout
        );
    }
    assert!(!out.exists(), "an interrupted search wrote its outputs");
}

/// `fit` on hostile but well-formed logs: a service start in the year 9999 stretched the
/// interval grid over 8,000 years (a 1.1 GB allocation, abort); a wait of 393 days
/// (within the 400 a ccsim log may hold) at one-minute intervals built a 566,667-interval
/// grid (3.9 GB, abort); and a log's calls were held without a budget (43 million short
/// rows in a 1 GiB log: 4 GB, abort). Each is now exit 2 at once, naming what to change.
#[test]
fn fit_refuses_service_times_far_from_their_calls_and_logs_past_the_budget() {
    let dir = tempfile::tempdir().unwrap();
    let at = |name: &str| dir.path().join(name);
    let header =
        "date,arrival,call_type,priority,leg,wait_seconds,outcome,talk_seconds,wrap_up_seconds,group,replication\n";
    let rows = |n: usize, first_wait: &str| {
        let mut text = String::from(header);
        for k in 0..n {
            let wait = if k == 0 { first_wait } else { "12.5" };
            text += &format!(
                "2000-01-01,2000-01-01T{:02}:{:02}:{:02}.000,sales,0,new,{wait},served,180.0,0.000,team,1\n",
                8 + k / 3600 % 10,
                k / 60 % 60,
                k % 60
            );
        }
        text
    };
    let fails_fast = |args: &[&str], env: &[(&str, &str)], said: &str| {
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        let run = capped(&args, env);
        assert_eq!(run.code, Some(2), "{args:?}: {}", run.output);
        assert!(run.took < Duration::from_secs(20), "{args:?} took {:?}", run.took);
        assert!(run.output.contains(said), "{args:?}: {}", run.output);
    };
    // A wait of 393 days, at one-minute intervals.
    std::fs::write(at("long-wait.csv"), rows(400, "34000000.000")).unwrap();
    fails_fast(
        &["fit", &s(&at("long-wait.csv")), "--interval", "1m"],
        &[],
        "566667 intervals, more than the 100000 a scenario may have",
    );
    // A service start in 9999, in a switch log with service times.
    let switch = "vru+line\tcall_id\tcustomer_id\tpriority\ttype\tdate\tvru_entry\tvru_exit\tvru_time\tq_start\tq_exit\tq_time\toutcome\tser_start\tser_exit\tser_time\tserver\n\
        AA0101\t1\t0\t0\tPS\t990201\t7:02:47\t7:02:56\t9\t0:00:00\t0:00:00\t0\tAGENT\t9999-12-31T00:00:00\t7:05:41\t166\tDORIT\n";
    std::fs::write(at("far-service.tsv"), switch).unwrap();
    fails_fast(
        &["fit", &s(&at("far-service.tsv"))],
        &[],
        "far-service.tsv:2: column `ser_start`: expected a time from a day before the arrival to two days after it",
    );
    // 100,000 calls against a budget of 4 MiB.
    std::fs::write(at("many.csv"), rows(100_000, "1.0")).unwrap();
    fails_fast(
        &["fit", &s(&at("many.csv"))],
        &[("CCSIM_MEMORY_LIMIT", "4MiB")],
        "would take",
    );
}
