//! Outputs all or nothing, and only where asked (issue 16): temporary files are created
//! exclusively and never follow a link, a link at an output's name is replaced (its
//! target untouched), a failed write leaves the previous complete set (or nothing) and no
//! temporary file, and concurrent runs into one folder end with one run's complete set.

use std::path::{Path, PathBuf};

use crate::common::{ccsim, ccsim_ok as ok};

const SET: [&str; 5] = [
    "intervals.csv",
    "call_types.csv",
    "channels.csv",
    "groups.csv",
    "summary.json",
];

fn small() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/small.toml")
        .display()
        .to_string()
}

fn s(p: &Path) -> String {
    p.display().to_string()
}

/// Names in `dir` that look like a temporary file or folder of a write.
fn temporaries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.') || n.contains("tmp"))
        .collect()
}

/// The bytes of the five files of `run --out` in `dir`.
fn set_bytes(dir: &Path) -> Vec<Vec<u8>> {
    SET.iter()
        .map(|n| std::fs::read(dir.join(n)).unwrap_or_else(|e| panic!("{}: {e}", dir.join(n).display())))
        .collect()
}

/// `run small.toml --out OUT --seed SEED` with two replications.
fn run_args(out: &Path, seed: u64) -> Vec<String> {
    let args = [
        "run",
        &small(),
        "--out",
        &s(out),
        "--seed",
        &seed.to_string(),
        "--replications",
        "2",
    ];
    args.map(str::to_owned).to_vec()
}

fn refs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

fn run_into(out: &Path, seed: u64) -> std::process::Output {
    ccsim(&refs(&run_args(out, seed)))
}

#[cfg(unix)]
#[test]
fn a_link_at_the_old_predictable_temporary_name_is_never_followed() {
    let dir = tempfile::tempdir().unwrap();
    let outside = dir.path().join("outside.txt");
    std::fs::write(&outside, "keep").unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    // Before issue 16 the temporary file of `summary.json` was `.summary.json.tmp<PID>`.
    let link = out.join(format!(".summary.json.tmp{}", std::process::id()));
    std::os::unix::fs::symlink(&outside, &link).unwrap();
    ccsim::report::csv::write_atomic(&out.join("summary.json"), "{}").unwrap();
    assert_eq!(std::fs::read_to_string(&outside).unwrap(), "keep");
    assert_eq!(std::fs::read_link(&link).unwrap(), outside);
    assert_eq!(std::fs::read_to_string(out.join("summary.json")).unwrap(), "{}");
}

#[cfg(unix)]
#[test]
fn a_link_at_an_output_name_is_replaced_and_its_target_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let elsewhere = dir.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    for name in SET {
        std::fs::write(elsewhere.join(name), "keep").unwrap();
        std::os::unix::fs::symlink(elsewhere.join(name), out.join(name)).unwrap();
    }
    let report = dir.path().join("report.html");
    std::fs::write(elsewhere.join("report.html"), "keep").unwrap();
    std::os::unix::fs::symlink(elsewhere.join("report.html"), &report).unwrap();
    let junit = dir.path().join("junit.xml");
    std::fs::write(elsewhere.join("junit.xml"), "keep").unwrap();
    std::os::unix::fs::symlink(elsewhere.join("junit.xml"), &junit).unwrap();
    let xlsx = dir.path().join("day.xlsx");
    std::fs::write(elsewhere.join("day.xlsx"), "keep").unwrap();
    std::os::unix::fs::symlink(elsewhere.join("day.xlsx"), &xlsx).unwrap();
    let small = small();
    ok(&[
        "run",
        &small,
        "--out",
        &s(&out),
        "--report",
        &s(&report),
        "--xlsx",
        &s(&xlsx),
        "--replications",
        "2",
    ]);
    ok(&["check", &small, "--junit", &s(&junit)]);
    for name in SET.iter().chain(&["report.html", "junit.xml", "day.xlsx"]) {
        assert_eq!(
            std::fs::read_to_string(elsewhere.join(name)).unwrap(),
            "keep",
            "{name}'s link was followed"
        );
    }
    for path in SET.iter().map(|n| out.join(n)).chain([report, junit, xlsx]) {
        let meta = std::fs::symlink_metadata(&path).unwrap();
        assert!(meta.is_file(), "{} is still a link", path.display());
    }
    assert!(temporaries(&out).is_empty() && temporaries(dir.path()).is_empty());
}

#[test]
fn a_failed_write_leaves_the_previous_complete_set_or_nothing_and_no_temporary() {
    let dir = tempfile::tempdir().unwrap();
    // Nothing before: a manifest that cannot be written leaves nothing of the set.
    let fresh = dir.path().join("fresh");
    std::fs::create_dir_all(fresh.join("summary.json")).unwrap();
    let out = run_into(&fresh, 1);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("summary.json") && stderr.contains("folder"), "{stderr}");
    let left: Vec<_> = std::fs::read_dir(&fresh)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, ["summary.json"], "{left:?}");
    // A complete set before: any one file that cannot be replaced (the first or the last
    // written) leaves every file of that set as it was.
    for blocked in ["intervals.csv", "summary.json"] {
        let out_dir = dir.path().join(format!("out-{blocked}"));
        ok(&refs(&run_args(&out_dir, 1)));
        let before = set_bytes(&out_dir);
        let moved = out_dir.join("moved-aside");
        std::fs::rename(out_dir.join(blocked), &moved).unwrap();
        std::fs::create_dir(out_dir.join(blocked)).unwrap();
        let failed = run_into(&out_dir, 2);
        assert_eq!(failed.status.code(), Some(2));
        std::fs::remove_dir(out_dir.join(blocked)).unwrap();
        std::fs::rename(&moved, out_dir.join(blocked)).unwrap();
        assert_eq!(set_bytes(&out_dir), before, "{blocked}: the previous set changed");
        assert!(temporaries(&out_dir).is_empty(), "{:?}", temporaries(&out_dir));
    }
    assert!(temporaries(dir.path()).is_empty(), "{:?}", temporaries(dir.path()));
}

#[test]
fn concurrent_runs_into_one_folder_end_with_one_runs_complete_set() {
    let dir = tempfile::tempdir().unwrap();
    let seeds = [11u64, 12, 13, 14];
    // Each seed's set, written alone.
    let alone: Vec<(u64, Vec<Vec<u8>>)> = seeds
        .iter()
        .map(|&seed| {
            let out = dir.path().join(format!("alone-{seed}"));
            ok(&refs(&run_args(&out, seed)));
            (seed, set_bytes(&out))
        })
        .collect();
    let shared: PathBuf = dir.path().join("shared");
    for round in 0..5 {
        let children: Vec<_> = seeds
            .iter()
            .map(|&seed| {
                std::process::Command::new(env!("CARGO_BIN_EXE_ccsim"))
                    .args(run_args(&shared, seed))
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for child in children {
            let out = child.wait_with_output().unwrap();
            assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        }
        let summary: serde_json::Value =
            serde_json::from_slice(&std::fs::read(shared.join("summary.json")).unwrap()).unwrap();
        let seed = summary["seed"].as_u64().unwrap();
        let (_, expected) = alone.iter().find(|(s, _)| *s == seed).expect("a seed of the runs");
        assert!(
            set_bytes(&shared) == *expected,
            "round {round}: the files in the folder are not all from the run with seed {seed}"
        );
        assert!(temporaries(&shared).is_empty(), "{:?}", temporaries(&shared));
    }
}

#[test]
fn staffing_outputs_are_one_set_too() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("staff");
    std::fs::create_dir_all(out.join("staffing.json")).unwrap();
    let failed = ccsim(&["staff", &small(), "--out", &s(&out)]);
    assert_eq!(failed.status.code(), Some(2));
    let left: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        left,
        ["staffing.json"],
        "no staffing.csv without its manifest: {left:?}"
    );
}

#[test]
fn a_workbook_is_written_whole_or_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let other = dir.path().join("b.toml");
    std::fs::copy(small(), &other).unwrap();
    // A workbook whose name is a folder: refused, the folder as it was, no temporary.
    let folder = dir.path().join("book.xlsx");
    std::fs::create_dir(&folder).unwrap();
    let (small, other, book) = (small(), s(&other), s(&folder));
    for mut args in [
        vec!["run", &small, "--replications", "2"],
        vec!["staff", &small],
        vec!["compare", &small, &other, "--replications", "2"],
    ] {
        args.extend(["--xlsx", &book]);
        let out = ccsim(&args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("book.xlsx is a folder"), "{args:?}: {stderr}");
        assert!(std::fs::read_dir(&folder).unwrap().next().is_none(), "{args:?}");
        assert!(temporaries(dir.path()).is_empty(), "{:?}", temporaries(dir.path()));
    }
    // Replaced whole: a second run's workbook over the first leaves no temporary.
    let book = dir.path().join("day.xlsx");
    ok(&["run", &small, "--replications", "2", "--xlsx", &s(&book)]);
    let first = std::fs::read(&book).unwrap();
    ok(&["run", &small, "--replications", "2", "--seed", "8", "--xlsx", &s(&book)]);
    assert_ne!(std::fs::read(&book).unwrap(), first);
    assert!(temporaries(dir.path()).is_empty(), "{:?}", temporaries(dir.path()));
}
