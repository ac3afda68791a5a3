//! ccsim in a CI pipeline: `check` with exit codes and JUnit XML, baselines, `compare`
//! on the same callers, and replications spread over machines with `run --shard` and
//! `merge`.

use std::path::Path;
use std::process::{Command, Output};

fn ccsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ccsim"))
        .args(args)
        .output()
        .expect("the ccsim binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[track_caller]
fn exit(o: &Output, code: i32) {
    assert_eq!(
        o.status.code(),
        Some(code),
        "stdout:\n{}\nstderr:\n{}",
        stdout(o),
        String::from_utf8_lossy(&o.stderr)
    );
}

/// A small centre with `expectations` appended.
fn scenario(agents: u32, expectations: &str) -> String {
    format!(
        r#"[scenario]
name = "desk"
duration = "4h"
interval = "1h"
replications = 20
seed = 3

[[call_type]]
name = "sales"
arrivals = {{ per_hour = 120 }}
handle_time = {{ dist = "exponential", mean = "4m" }}
patience = {{ dist = "exponential", mean = "2m" }}

[[agent_group]]
name = "team"
agents = {agents}
skills = ["sales"]
{expectations}"#
    )
}

const HOLDS: &str = r#"
[[expect]]
metric = "answer_rate"
min = 0.80

[[expect]]
metric = "occupancy"
group = "team"
max = 0.95
"#;

/// Appended to `scenario(_, HOLDS)`, its [[expect]] table is on line 28.
const BROKEN: &str = r#"
[[expect]]
metric = "answer_rate"
call_type = "sales"
min = 0.999
"#;

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[test]
fn check_exits_0_when_every_expectation_holds_1_when_one_fails_2_on_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(dir.path(), "good.toml", &scenario(10, HOLDS));
    let o = ccsim(&["check", &good]);
    exit(&o, 0);
    assert!(stdout(&o).contains("PASS") && stdout(&o).contains("2 of 2 expectations hold"));

    let broken = write(dir.path(), "broken.toml", &scenario(10, &format!("{HOLDS}{BROKEN}")));
    let o = ccsim(&["check", &good, &broken]);
    exit(&o, 1);
    let text = stdout(&o);
    // One line per failed expectation: file, line, what, figure, interval and bound.
    let line = text
        .lines()
        .find(|l| l.contains("answer_rate[call_type=sales]"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        line.starts_with(&format!("  {broken}:28: answer_rate[call_type=sales]: 0.")),
        "{line}"
    );
    assert!(line.contains(" ± ") && line.ends_with("is below min 0.999"), "{line}");

    let bad = write(
        dir.path(),
        "bad.toml",
        &scenario(10, HOLDS).replace("agents = 10", "agents = -1"),
    );
    let o = ccsim(&["check", &good, &bad]);
    exit(&o, 2);
    assert!(
        stdout(&o).contains("ERROR") && stdout(&o).contains("bad.toml:16"),
        "{}",
        stdout(&o)
    );
    exit(&ccsim(&["check", "no/such/folder"]), 2);
}

#[test]
fn check_searches_folders_and_writes_junit_that_parses() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.toml", &scenario(10, HOLDS));
    write(dir.path(), "nested/b.toml", &scenario(10, &format!("{HOLDS}{BROKEN}")));
    write(dir.path(), "nested/notes.txt", "not a scenario");
    let junit = dir.path().join("report.xml");
    let o = ccsim(&[
        "check",
        &dir.path().display().to_string(),
        "--junit",
        &junit.display().to_string(),
    ]);
    exit(&o, 1);
    let xml = std::fs::read_to_string(&junit).unwrap();
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    assert_eq!(root.attribute("tests"), Some("5"));
    assert_eq!(root.attribute("failures"), Some("1"));
    assert_eq!(root.attribute("errors"), Some("0"));
    let suites: Vec<_> = root.children().filter(|n| n.has_tag_name("testsuite")).collect();
    assert_eq!(suites.len(), 2);
    let cases: usize = suites
        .iter()
        .map(|s| s.children().filter(|n| n.has_tag_name("testcase")).count())
        .sum();
    assert_eq!(cases, 5);
    for s in &suites {
        let listed: usize = s.attribute("tests").unwrap().parse().unwrap();
        assert_eq!(listed, s.children().filter(|n| n.has_tag_name("testcase")).count());
    }
    let failure = doc
        .descendants()
        .find(|n| n.has_tag_name("failure"))
        .expect("a failure");
    assert!(
        failure
            .attribute("message")
            .unwrap()
            .starts_with("answer_rate[call_type=sales]: ")
    );
    assert_eq!(
        failure.parent().unwrap().attribute("name"),
        Some("answer_rate[call_type=sales]")
    );
}

#[test]
fn a_baseline_flags_real_changes_and_not_noise() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("baseline").display().to_string();
    let file = write(dir.path(), "desk.toml", &scenario(10, HOLDS));
    exit(&ccsim(&["check", &file, "--save-baseline", &base]), 0);
    // Other callers (another seed), same centre: noise only, nothing flagged.
    write(
        dir.path(),
        "desk.toml",
        &scenario(10, HOLDS).replace("seed = 3", "seed = 4"),
    );
    let o = ccsim(&["check", &file, "--baseline", &base]);
    exit(&o, 0);
    assert!(
        stdout(&o).contains("; 0 of ") && stdout(&o).contains("metrics changed significantly"),
        "{}",
        stdout(&o)
    );
    // Two agents fewer: the answer rate moves, though every expectation still holds.
    write(
        dir.path(),
        "desk.toml",
        &scenario(8, HOLDS).replace("max = 0.95", "max = 1.0"),
    );
    let o = ccsim(&["check", &file, "--baseline", &base]);
    exit(&o, 1);
    let text = stdout(&o);
    assert!(text.contains("2 of 2 expectations hold"), "{text}");
    assert!(text.contains("changed: totals.answer_rate:"), "{text}");
}

#[test]
fn shards_merged_equal_one_whole_run_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "desk.toml", &scenario(10, HOLDS));
    let whole = ccsim(&["run", &file, "--replications", "11", "--format", "json"]);
    exit(&whole, 0);
    for n in [1, 2, 3, 5] {
        let parts = dir.path().join(format!("parts-{n}"));
        for k in (1..=n).rev() {
            let o = ccsim(&[
                "run",
                &file,
                "--replications",
                "11",
                "--shard",
                &format!("{k}/{n}"),
                "--out",
                &parts.display().to_string(),
            ]);
            exit(&o, 0);
        }
        let merged = ccsim(&["merge", &parts.display().to_string(), "--format", "json"]);
        exit(&merged, 0);
        assert!(merged.stdout == whole.stdout, "{n} shards merged differ from one run");
    }
    // A missing shard, or parts of different runs, are refused.
    let lonely = dir.path().join("lonely");
    exit(
        &ccsim(&["run", &file, "--shard", "1/2", "--out", &lonely.display().to_string()]),
        0,
    );
    let o = ccsim(&["merge", &lonely.display().to_string()]);
    exit(&o, 2);
    assert!(String::from_utf8_lossy(&o.stderr).contains("shard 2 of 2 is missing"));
    let other = dir.path().join("other");
    exit(
        &ccsim(&[
            "run",
            &file,
            "--shard",
            "2/2",
            "--seed",
            "9",
            "--out",
            &other.display().to_string(),
        ]),
        0,
    );
    let o = ccsim(&["merge", &lonely.display().to_string(), &other.display().to_string()]);
    exit(&o, 2);
    assert!(String::from_utf8_lossy(&o.stderr).contains("parts of different runs"));
    exit(&ccsim(&["run", &file, "--shard", "3/2", "--out", "x"]), 2);
}

#[test]
fn compare_on_the_same_callers_is_sharper_than_independent_runs() {
    let a = ccsim::Model::build(&ccsim::Scenario::parse("a.toml", &scenario(10, "")).unwrap()).unwrap();
    let b = ccsim::Model::build(&ccsim::Scenario::parse("b.toml", &scenario(11, "")).unwrap()).unwrap();
    let c = ccsim::compare::compare(&a, &b, 0, &|| {}).unwrap();
    let row = |name: &str| {
        c.rows
            .iter()
            .find(|r| r.metric == name)
            .unwrap_or_else(|| panic!("{name}"))
    };
    for metric in [
        "totals.service_level",
        "totals.answer_rate",
        "call_types[sales].asa_seconds",
    ] {
        let r = row(metric);
        let (paired, independent) = (r.ci95.unwrap(), r.ci95_independent.unwrap());
        assert!(
            paired < independent,
            "{metric}: paired ±{paired}, independent ±{independent}"
        );
        assert!(
            r.variance_reduction.unwrap() > 0.5,
            "{metric}: {:?}",
            r.variance_reduction
        );
        assert!(r.significant(), "{metric}: one more agent must show: {r:?}");
    }
    // The same callers: offered contacts are identical, their difference exactly 0.
    let offered = row("totals.offered");
    assert_eq!((offered.difference, offered.ci95), (0.0, Some(0.0)));
    let sl = row("totals.service_level");
    assert!((sl.difference - (sl.b.mean.unwrap() - sl.a.mean.unwrap())).abs() < 1e-12);
}

#[test]
fn damaged_parts_and_clashing_baseline_names_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "desk.toml", &scenario(10, HOLDS));
    let parts = dir.path().join("parts");
    exit(
        &ccsim(&["run", &file, "--shard", "1/1", "--out", &parts.display().to_string()]),
        0,
    );
    let part = parts.join("part-1-of-1.json");
    let mut value: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&part).unwrap()).unwrap();
    let sums = value["accumulator"]["calls"]["sums"].as_array_mut().unwrap();
    sums.truncate(sums.len() / 2);
    std::fs::write(&part, value.to_string()).unwrap();
    let o = ccsim(&["merge", &parts.display().to_string()]);
    exit(&o, 2);
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("part-1-of-1.json"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // Two folders with a scenario of the same name would overwrite each other's baseline.
    write(dir.path(), "a/desk.toml", &scenario(10, HOLDS));
    write(dir.path(), "b/desk.toml", &scenario(10, HOLDS));
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    let o = ccsim(&["check", &a.display().to_string(), &b.display().to_string()]);
    exit(&o, 2);
    assert!(String::from_utf8_lossy(&o.stderr).contains("share the baseline name `desk`"));
}
