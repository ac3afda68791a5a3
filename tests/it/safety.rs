//! Safe outputs (issue 16): CSV cells never run as spreadsheet formulas, names are
//! printable and user input never reaches a terminal raw, `--threads` is capped, a bad
//! baseline is an error that keeps the other scenarios' JUnit report, and no output is
//! written over an input.

use crate::common::{ccsim, ccsim_fails as fails, ccsim_ok as ok};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn corpus(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus")
        .join(name)
        .display()
        .to_string()
}

fn small() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/small.toml")
        .display()
        .to_string()
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

fn s(p: &Path) -> String {
    p.display().to_string()
}

/// Every cell of every CSV: either a number or text a spreadsheet cannot read as a formula.
#[track_caller]
fn assert_no_formula(file: &Path) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_path(file).unwrap();
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    for row in &rows {
        for cell in row {
            if cell.starts_with(['=', '+', '-', '@']) {
                assert!(
                    cell.parse::<f64>().is_ok_and(f64::is_finite),
                    "{}: the cell {cell:?} would run as a formula",
                    file.display()
                );
            }
        }
    }
    rows
}

#[test]
fn csv_cells_that_would_run_as_formulas_are_neutralised_in_every_csv() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let formula = "=HYPERLINK(\"http://example.com\",\"x\")";
    ok(&[
        "run",
        &corpus("name-formula.toml"),
        "--out",
        &s(&out),
        "--format",
        "json",
    ]);
    for name in ["intervals.csv", "call_types.csv", "channels.csv", "groups.csv"] {
        assert_no_formula(&out.join(name));
    }
    let types = assert_no_formula(&out.join("call_types.csv"));
    assert!(types.iter().any(|r| r[0] == format!("'{formula}")), "{types:?}");
    let groups = assert_no_formula(&out.join("groups.csv"));
    assert!(groups.iter().any(|r| r[1] == "'@g"), "{groups:?}");
    // What `--format csv` prints is neutralised too, and the JSON keeps the name as it is.
    let printed = ok(&["run", &corpus("name-formula.toml"), "--format", "csv"]);
    let path = write(dir.path(), "printed.csv", &String::from_utf8(printed.stdout).unwrap());
    assert_no_formula(Path::new(&path));
    let json = std::fs::read_to_string(out.join("summary.json")).unwrap();
    assert!(json.contains("\"=HYPERLINK(\\\"http://example.com\\\""), "{json}");
    // staffing.csv as well.
    let staffed = dir.path().join("staff");
    ok(&[
        "staff",
        &corpus("name-formula.toml"),
        "--out",
        &s(&staffed),
        "--format",
        "json",
    ]);
    let rows = assert_no_formula(&staffed.join("staffing.csv"));
    assert!(rows.iter().any(|r| r[1] == "'@g"), "{rows:?}");
}

#[test]
fn unprintable_names_are_refused_with_their_position() {
    let dir = tempfile::tempdir().unwrap();
    for (name, char) in [
        ("a\\u0001b", "U+0001"),
        ("a\\u001b[2J", "U+001B"),
        ("a\\u007f", "U+007F"),
        ("a\\u0085", "U+0085"),
        ("a\\u202Eb", "U+202E"),
        ("a\\u2066b", "U+2066"),
    ] {
        let text = format!(
            "[scenario]\nname = \"s\"\nduration = \"1h\"\n[[call_type]]\nname = \"c\"\narrivals = {{ per_hour = 1 }}\nhandle_time = {{ dist = \"constant\", value = 60 }}\n[[agent_group]]\nname = \"{name}\"\nagents = 1\nskills = [\"c\"]\n"
        );
        let file = write(dir.path(), "s.toml", &text);
        let stderr = fails(&["validate", &file]);
        assert!(
            stderr.contains(&format!("{file}:9:8: agent_group[0].name: must be printable text"))
                && stderr.contains(char),
            "{name}: {stderr}"
        );
        assert!(!stderr.contains('\u{1b}'), "{stderr:?}");
    }
}

#[test]
fn user_input_reaches_the_terminal_escaped() {
    let dir = tempfile::tempdir().unwrap();
    // A quoted key may hold any character: its "unknown key" message echoes it.
    let text = std::fs::read_to_string(small())
        .unwrap()
        .replace("seed = 7", "seed = 7\n\"\\u001b]0;pwned\\u0007\\u001b[2J\\u202e\" = 1");
    let file = write(dir.path(), "keys.toml", &text);
    for args in [vec!["validate", &file], vec!["run", &file]] {
        let out = ccsim(&args);
        let (stdout, stderr) = (
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
        );
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        for c in ['\u{1b}', '\u{7}', '\u{202e}'] {
            assert!(
                !stderr.contains(c) && !stdout.contains(c),
                "{c:?} printed raw: {stderr:?}"
            );
        }
        assert!(stderr.contains("\\u{1b}]0;pwned"), "{stderr}");
    }
    // `check` prints the same message in its report, and its JUnit file stays XML.
    let junit = dir.path().join("junit.xml");
    let out = ccsim(&["check", &file, "--junit", &s(&junit)]);
    assert_eq!(out.status.code(), Some(2));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains('\u{1b}') && stdout.contains("\\u{1b}"), "{stdout}");
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(!xml.contains('\u{1b}') && !xml.contains('\u{7}'), "{xml:?}");
}

#[test]
fn threads_are_capped_on_every_verb() {
    let dir = tempfile::tempdir().unwrap();
    let log = write(dir.path(), "log.tsv", "date\tvru_exit\n");
    let small = small();
    let verbs: Vec<Vec<&str>> = vec![
        vec!["run", &small],
        vec!["staff", &small],
        vec!["check", &small],
        vec!["compare", &small, &small],
        vec!["backtest", &log, &small],
    ];
    for verb in verbs {
        let mut args = verb.clone();
        args.extend(["--threads", "100000"]);
        let started = Instant::now();
        let stderr = fails(&args);
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{args:?} took {:?}",
            started.elapsed()
        );
        assert!(stderr.contains("at most 256"), "{args:?}: {stderr}");
    }
    // The cap itself is allowed (and the output does not depend on it).
    ok(&["run", &small, "--threads", "256", "--replications", "2"]);
}

#[test]
fn bad_baselines_are_errors_naming_the_file_and_keep_the_junit_report() {
    let dir = tempfile::tempdir().unwrap();
    let scenarios = dir.path().join("scenarios");
    std::fs::create_dir(&scenarios).unwrap();
    let small_text = std::fs::read_to_string(small()).unwrap();
    write(&scenarios, "good.toml", &small_text);
    write(
        &scenarios,
        "bad.toml",
        &small_text.replace("name = \"small\"", "name = \"other\""),
    );
    let baseline = dir.path().join("baseline");
    ok(&["check", &s(&scenarios), "--save-baseline", &s(&baseline)]);
    let good_summary = std::fs::read_to_string(baseline.join("good.json")).unwrap();
    let mut one_replication: serde_json::Value = serde_json::from_str(&good_summary).unwrap();
    one_replication["replications"] = 1.into();
    one_replication["scenario"] = "other".into();
    let cases = [
        ("empty", String::new()),
        ("null", "null".to_owned()),
        ("truncated", good_summary[..good_summary.len() / 2].to_owned()),
        ("an array", "[]".to_owned()),
        ("of another scenario", good_summary.clone()),
        ("of one replication", one_replication.to_string()),
        (
            "with no metric in common",
            r#"{"scenario": "other", "replications": 10, "totals": {}}"#.to_owned(),
        ),
    ];
    for (what, text) in cases {
        std::fs::write(baseline.join("bad.json"), &text).unwrap();
        let junit = dir.path().join("junit.xml");
        let _ = std::fs::remove_file(&junit);
        let out = ccsim(&[
            "check",
            &s(&scenarios),
            "--baseline",
            &s(&baseline),
            "--junit",
            &s(&junit),
        ]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(2), "a baseline {what}:\n{stdout}");
        let bad = s(&baseline.join("bad.json"));
        assert!(
            stdout.contains(&format!("{bad}: bad baseline")),
            "a baseline {what}:\n{stdout}"
        );
        assert!(!stdout.contains("of 0 metrics"), "a baseline {what}:\n{stdout}");
        // The good scenario is still compared and reported, in the JUnit file too.
        assert!(
            stdout.contains("PASS") && stdout.contains("metrics changed"),
            "{stdout}"
        );
        let xml = std::fs::read_to_string(&junit).unwrap_or_else(|e| panic!("a baseline {what}: no JUnit file: {e}"));
        assert!(xml.contains("errors=\"1\"") && xml.contains("bad baseline"), "{xml}");
        assert!(xml.contains("unchanged since the baseline"), "{xml}");
    }
}

#[test]
fn an_output_over_an_input_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(dir.path(), "s.toml", &std::fs::read_to_string(small()).unwrap());
    let before = std::fs::read(&scenario).unwrap();
    let log = write(dir.path(), "calls.tsv", "date\tvru_exit\n1999-01-01\t08:00:00\n");
    let log_before = std::fs::read(&log).unwrap();
    #[cfg(unix)]
    let link = {
        let link = dir.path().join("link.html");
        std::os::unix::fs::symlink(&scenario, &link).unwrap();
        s(&link)
    };
    #[cfg(not(unix))]
    let link = scenario.clone();
    // The same file under another spelling is the same file.
    let spelled = s(&dir.path().join(".").join("s.toml"));
    let other = write(dir.path(), "b.toml", &std::fs::read_to_string(small()).unwrap());
    let mut cases: Vec<Vec<&str>> = vec![
        vec!["run", &scenario, "--report", &scenario],
        vec!["run", &scenario, "--report", &spelled],
        vec!["run", &scenario, "--report", &link],
        vec!["staff", &scenario, "--report", &scenario],
        vec!["run", &scenario, "--xlsx", &scenario],
        vec!["run", &scenario, "--xlsx", &link],
        vec!["staff", &scenario, "--xlsx", &spelled],
        vec!["compare", &scenario, &other, "--xlsx", &other],
        vec!["compare", &scenario, &other, "--xlsx", &link],
        vec!["check", &scenario, "--junit", &scenario],
        vec!["check", &scenario, "--junit", &link],
        vec!["fit", &log, "--out", &log],
    ];
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let inside = write(&out_dir, "summary.json", "{}");
    let staffing = write(&out_dir, "staffing.csv", "x");
    let out_dir = s(&out_dir);
    cases.push(vec!["run", &inside, "--out", &out_dir]);
    cases.push(vec!["staff", &staffing, "--out", &out_dir]);
    cases.push(vec!["merge", &inside, "--out", &out_dir]);
    cases.push(vec!["run", &scenario, "--out", &scenario]);
    for args in cases {
        let stderr = fails(&args);
        assert!(stderr.contains("would overwrite the input"), "{args:?}: {stderr}");
    }
    assert_eq!(std::fs::read(&scenario).unwrap(), before);
    assert_eq!(std::fs::read(&log).unwrap(), log_before);
    assert_eq!(std::fs::read_to_string(&inside).unwrap(), "{}");
    // Another file in the same folder is fine.
    let report: PathBuf = dir.path().join("report.html");
    ok(&["run", &scenario, "--report", &s(&report), "--replications", "2"]);
    assert!(report.exists());
    // Two outputs of one command never name the same file (the second would replace the
    // first), whether spelled alike or not.
    let book = s(&dir.path().join("book.xlsx"));
    let book_spelled = s(&dir.path().join(".").join("book.xlsx"));
    std::fs::write(&book, "old").unwrap();
    for args in [
        vec!["run", &scenario, "--report", &book, "--xlsx", &book],
        vec!["run", &scenario, "--call-log", &book, "--xlsx", &book_spelled],
        vec!["staff", &scenario, "--report", &book_spelled, "--xlsx", &book],
    ] {
        let stderr = fails(&args);
        assert!(stderr.contains("name the same file"), "{args:?}: {stderr}");
    }
    assert_eq!(std::fs::read_to_string(&book).unwrap(), "old");
    // A shard is part of a run: its workbook is the merged run's.
    let stderr = fails(&["run", &scenario, "--shard", "1/2", "--out", &out_dir, "--xlsx", &book]);
    assert!(stderr.contains("--xlsx needs the whole run"), "{stderr}");
}

/// A device, a pipe or the process's own stream named as an output is written in place,
/// never replaced by a file (as root, `--report /dev/null` used to replace the system's
/// `/dev/null` with an 84 KB file); a pipe with no reader is an error at once, not a
/// wait; and `/dev/stdout` is the stream ccsim prints on, in order.
#[cfg(unix)]
#[test]
fn devices_pipes_and_own_streams_are_written_in_place() {
    use std::os::unix::fs::FileTypeExt;
    let scenario = small();
    let run = |args: &[&str]| crate::bounds::capped(&args.iter().map(|a| a.to_string()).collect::<Vec<_>>(), &[]);
    // /dev/null (each output kind; the call log too) stays the device it is.
    for flag in ["--report", "--xlsx", "--call-log"] {
        let done = run(&["run", &scenario, "--replications", "2", flag, "/dev/null"]);
        assert_eq!(done.code, Some(0), "{flag}: {}", done.output);
        let null = std::fs::metadata("/dev/null").unwrap();
        assert!(
            null.file_type().is_char_device(),
            "{flag}: /dev/null is no longer a device"
        );
    }
    // A full device is an error, and stays a device.
    let full = run(&["run", &scenario, "--replications", "2", "--report", "/dev/full"]);
    assert_eq!(full.code, Some(2), "{}", full.output);
    assert!(full.output.contains("/dev/full"), "{}", full.output);
    assert!(std::fs::metadata("/dev/full").unwrap().file_type().is_char_device());
    // A FIFO: with no reader, an error at once; with one, it reads the whole report.
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("report.fifo");
    crate::common::make_fifo(&fifo);
    let alone = run(&["run", &scenario, "--replications", "2", "--report", &s(&fifo)]);
    assert_eq!(alone.code, Some(2), "{}", alone.output);
    assert!(alone.output.contains("a pipe with no reader"), "{}", alone.output);
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    // The reader opens the FIFO in its own time: try until it has.
    let started = Instant::now();
    loop {
        let done = run(&["run", &scenario, "--replications", "2", "--report", &s(&fifo)]);
        if done.code == Some(0) {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "{}", done.output);
        std::thread::sleep(Duration::from_millis(50));
    }
    // With other outputs: a pipe that fails leaves them all as they were (it goes first).
    let out = dir.path().join("out");
    let with_set = run(&[
        "run",
        &scenario,
        "--replications",
        "2",
        "--out",
        &s(&out),
        "--report",
        &s(&fifo),
    ]);
    assert_eq!(with_set.code, Some(2), "{}", with_set.output);
    assert!(!out.exists(), "--out was written though the pipe failed");
    let html = reader.join().unwrap();
    assert!(
        html.starts_with("<!DOCTYPE html>") && html.trim_end().ends_with("</html>"),
        "{}",
        &html[..html.len().min(200)]
    );
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
    // /dev/stdout: the report, then the JSON document, on the one stream.
    let both = run(&[
        "run",
        &scenario,
        "--replications",
        "2",
        "--report",
        "/dev/stdout",
        "--format",
        "json",
    ]);
    assert_eq!(both.code, Some(0), "{}", both.output);
    let at = both.output.find("</html>").expect("the report on standard output") + 7;
    let json: serde_json::Value = serde_json::from_str(both.output[at..].trim()).expect("then the JSON document");
    assert_eq!(json["replications"], 2);
    assert!(both.output.starts_with("<!DOCTYPE html>"));
}

/// A call log has no size limit, so one written to a device, a pipe or standard output
/// is streamed into it as it is made, never staged first in the system's temporary
/// folder (which may be memory, a tmpfs): with `TMPDIR` a folder that does not exist it
/// still works, and its bytes are those of the same log written to a file, whatever the
/// threads.
#[test]
fn a_call_log_to_a_device_or_pipe_is_streamed_not_staged() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = small();
    let file = dir.path().join("calls.csv");
    let run = |args: &[&str], env: &[(&str, &str)]| {
        crate::bounds::capped(&args.iter().map(|a| a.to_string()).collect::<Vec<_>>(), env)
    };
    let to_file = run(
        &[
            "run",
            &scenario,
            "--replications",
            "3",
            "--threads",
            "2",
            "--call-log",
            &s(&file),
        ],
        &[],
    );
    assert_eq!(to_file.code, Some(0), "{}", to_file.output);
    let log = std::fs::read_to_string(&file).unwrap();
    assert!(log.lines().count() > 100, "{}", &log[..log.len().min(300)]);
    let nowhere = [("TMPDIR", "/nonexistent-ccsim-tmp")];
    let to_stdout = run(
        &[
            "run",
            &scenario,
            "--replications",
            "3",
            "--threads",
            "2",
            "--call-log",
            "/dev/stdout",
        ],
        &nowhere,
    );
    assert_eq!(to_stdout.code, Some(0), "{}", to_stdout.output);
    assert!(
        to_stdout.output.starts_with(&log),
        "standard output does not begin with the log: {}",
        &to_stdout.output[..to_stdout.output.len().min(300)]
    );
    assert!(
        to_stdout.output[log.len()..].contains("service level"),
        "then the table"
    );
    // Through a pipe to a reader, without the temporary folder too.
    let fifo = dir.path().join("calls.fifo");
    crate::common::make_fifo(&fifo);
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    let started = Instant::now();
    loop {
        let done = run(
            &[
                "run",
                &scenario,
                "--replications",
                "3",
                "--threads",
                "1",
                "--call-log",
                &s(&fifo),
            ],
            &nowhere,
        );
        if done.code == Some(0) {
            break;
        }
        assert!(done.output.contains("a pipe with no reader"), "{}", done.output);
        assert!(started.elapsed() < Duration::from_secs(20), "{}", done.output);
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(reader.join().unwrap(), log);
}

/// Outputs are checked before anything is simulated, and written all together at the
/// end: an `--out` that is a file, an output in a missing folder, an output that is a
/// folder, or two outputs that are one file (the `--out` folder's files included) are
/// refused at once, with nothing written.
#[test]
fn outputs_are_checked_before_the_run_and_written_together() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = small();
    let afile = write(dir.path(), "afile", "kept");
    let stray = dir.path().join("stray.html");
    let out = dir.path().join("out");
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec![
                "run".into(),
                scenario.clone(),
                "--report".into(),
                s(&stray),
                "--out".into(),
                afile.clone(),
            ],
            "--out",
        ),
        (
            vec![
                "staff".into(),
                scenario.clone(),
                "--report".into(),
                s(&stray),
                "--out".into(),
                afile.clone(),
            ],
            "is not a folder",
        ),
        (
            vec![
                "run".into(),
                scenario.clone(),
                "--report".into(),
                s(&stray),
                "--xlsx".into(),
                s(&dir.path().join("no/such/book.xlsx")),
            ],
            "no folder",
        ),
        (
            vec!["run".into(), scenario.clone(), "--report".into(), s(dir.path())],
            "is a folder",
        ),
        (
            vec![
                "run".into(),
                scenario.clone(),
                "--out".into(),
                s(&out),
                "--report".into(),
                s(&out.join("summary.json")),
            ],
            "name the same file",
        ),
        (
            vec![
                "run".into(),
                scenario.clone(),
                "--out".into(),
                s(&out),
                "--call-log".into(),
                s(&out.join(".").join("intervals.csv")),
            ],
            "name the same file",
        ),
        (
            vec![
                "check".into(),
                scenario.clone(),
                "--save-baseline".into(),
                afile.clone(),
            ],
            "is not a folder",
        ),
    ];
    for (args, said) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let stderr = fails(&args);
        assert!(stderr.contains(said), "{args:?}: {stderr}");
        assert!(!stray.exists(), "{args:?}: a stray output was written");
        assert!(!out.exists(), "{args:?}: --out was made");
    }
    assert_eq!(std::fs::read_to_string(&afile).unwrap(), "kept");
    // All of them at once, when they are right.
    ok(&[
        "run",
        &scenario,
        "--replications",
        "2",
        "--out",
        &s(&out),
        "--report",
        &s(&stray),
        "--call-log",
        &s(&out.join("calls.csv")),
    ]);
    assert!(stray.exists() && out.join("summary.json").exists() && out.join("calls.csv").exists());
}
