//! Reports planners look at: the HTML report of every shipped scenario is well-formed
//! and holds its charts, and shows without errors in a real headless browser; the
//! terminal table marks targets and colours only a terminal; `ccsim schema` describes
//! every shipped scenario and refuses what the reader refuses.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::skip_or_fail;

fn ccsim(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ccsim"))
        .args(args)
        .output()
        .expect("the ccsim binary runs")
}

fn shipped() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
}

/// The ids of the charts (`<figure id=…>` holding an `<svg>`) of a report.
fn charts(html: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse_with_options(
        html,
        roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        },
    )
    .unwrap_or_else(|e| panic!("the report is not well-formed: {e}"));
    doc.descendants()
        .filter(|n| n.has_tag_name("figure"))
        .filter(|f| f.descendants().any(|n| n.tag_name().name() == "svg"))
        .map(|f| f.attribute("id").unwrap_or("").to_owned())
        .collect()
}

#[test]
fn every_shipped_scenario_renders_a_well_formed_report_with_its_charts() {
    let dir = tempfile::tempdir().unwrap();
    for scenario in shipped() {
        let report = dir.path().join("report.html");
        let o = ccsim(&[
            "run",
            &scenario.display().to_string(),
            "--replications",
            "3",
            "--format",
            "json",
            "--report",
            &report.display().to_string(),
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
        let html = std::fs::read_to_string(&report).unwrap();
        let found = charts(&html);
        for id in [
            "service-level",
            "answer-rate",
            "contacts",
            "agents",
            "occupancy",
            "waits",
        ] {
            assert!(
                found.iter().any(|f| f == id),
                "{}: no `{id}` chart in {found:?}",
                scenario.display()
            );
        }
        let name = scenario.file_stem().unwrap().to_string_lossy();
        if ["two-tier-helpdesk", "vendor-overflow"].contains(&name.as_ref()) {
            assert!(found.iter().any(|f| f == "cost"), "{name}: no cost chart");
            assert!(found.iter().any(|f| f == "escalations"), "{name}: no escalation chart");
        }
        assert!(html.contains("id=\"summary\""), "{name}: no summary table");
        // Self-contained: nothing fetched from the network.
        for needle in ["<script src", "<link ", "url(http"] {
            assert!(!html.contains(needle), "{name}: the report loads `{needle}`");
        }
    }
}

#[test]
fn the_staffing_report_shows_the_agents_needed() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("staff.html");
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/single-skill.toml");
    let o = ccsim(&[
        "staff",
        &scenario.display().to_string(),
        "--format",
        "json",
        "--report",
        &report.display().to_string(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(html.contains("id=\"staffing\""));
    assert!(charts(&html).iter().any(|c| c == "agents"));
    assert!(html.contains("team required"), "the agents chart shows the requirement");
}

/// Installs nothing: `.ci/run` installs Debian's chromium where it can.
fn browser() -> Option<PathBuf> {
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| {
            std::env::split_paths(&std::env::var_os("PATH")?)
                .map(|d| d.join(name))
                .find(|p| p.is_file())
        })
}

#[test]
fn a_report_shows_without_errors_in_a_headless_browser() {
    let Some(chromium) = browser() else {
        skip_or_fail(
            "a_report_shows_without_errors_in_a_headless_browser: no chromium on PATH \
             (`.ci/run` installs Debian's chromium; install it with `apt-get install chromium`)",
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.html");
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/two-tier-helpdesk.toml");
    let o = ccsim(&[
        "run",
        &scenario.display().to_string(),
        "--replications",
        "3",
        "--format",
        "json",
        "--report",
        &report.display().to_string(),
    ]);
    assert_eq!(o.status.code(), Some(0));
    // --dump-dom prints the document as the browser built it; a page that failed to
    // parse or render would not hold the charts' SVG elements.
    let shown = Command::new(&chromium)
        .args([
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--virtual-time-budget=5000",
            "--dump-dom",
        ])
        .arg(format!("file://{}", report.display()))
        .output()
        .expect("chromium runs");
    assert!(
        shown.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&shown.stderr)
    );
    let dom = String::from_utf8_lossy(&shown.stdout);
    assert!(
        dom.contains("<h1>two-tier-helpdesk</h1>"),
        "the page did not render:\n{dom:.500}"
    );
    assert!(
        dom.matches("<svg").count() >= 7,
        "charts missing from the rendered page"
    );
    // The browser built every chart the file holds (the page has no script, so a failure
    // would show as missing elements, not as console errors).
    for id in [
        "service-level",
        "answer-rate",
        "contacts",
        "agents",
        "occupancy",
        "waits",
        "escalations",
        "cost",
    ] {
        assert!(
            dom.contains(&format!("id=\"{id}\"")),
            "chart `{id}` missing from the rendered page"
        );
    }
    // And a screenshot is drawn.
    let png = dir.path().join("report.png");
    let shot = Command::new(&chromium)
        .args([
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--window-size=1000,1500",
        ])
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("file://{}", report.display()))
        .output()
        .expect("chromium runs");
    assert!(shot.status.success());
    assert!(
        std::fs::metadata(&png).map(|m| m.len() > 10_000).unwrap_or(false),
        "no screenshot"
    );
}

#[test]
fn the_terminal_table_marks_targets_and_colours_only_a_terminal() {
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/two-tier-helpdesk.toml");
    let o = ccsim(&["run", &scenario.display().to_string()]);
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(!text.contains('\u{1b}'), "colour codes in a pipe");
    let complaint = text.lines().find(|l| l.trim_start().starts_with("complaint")).unwrap();
    assert!(complaint.contains('✗'), "complaints miss their target: {complaint}");
    let general = text.lines().find(|l| l.trim_start().starts_with("general")).unwrap();
    assert!(general.contains('✓'), "{general}");
    // The library paints when asked to (as the CLI does on a terminal).
    let model = ccsim::cli::load_model(&scenario).unwrap();
    let summary = ccsim::Summary::new(&model, &ccsim::simulate(&model, 0, &|| {}).unwrap());
    let painted = ccsim::report::table::render(&summary, true);
    assert!(painted.contains("\u{1b}["));
    // Painting never moves a column: without the codes the text is the plain table.
    let stripped = strip_ansi(&painted);
    assert_eq!(stripped, ccsim::report::table::render(&summary, false));
}

fn strip_ansi(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn the_schema_describes_every_shipped_scenario_and_refuses_unknown_keys() {
    let o = ccsim(&["schema"]);
    assert_eq!(o.status.code(), Some(0));
    let schema: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let validator = jsonschema::validator_for(&schema).expect("a valid JSON Schema");
    for scenario in shipped() {
        let text = std::fs::read_to_string(&scenario).unwrap();
        let value: serde_json::Value = toml::from_str(&text).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", scenario.display());
    }
    let bad: serde_json::Value = toml::from_str(
        "[scenario]\nname = \"x\"\nduration = \"1h\"\n[[call_type]]\nname = \"a\"\narrivals = { per_hour = 1 }\n\
         handle_time = { dist = \"exponential\", mean = \"3m\" }\npatiense = { dist = \"exponential\", mean = \"1m\" }\n\
         [[agent_group]]\nname = \"g\"\nagents = 1\nskills = [\"a\"]\n",
    )
    .unwrap();
    assert!(!validator.is_valid(&bad), "an unknown key passes the schema");
    // Every way the reader writes a duration, the schema accepts.
    for duration in [
        "\"5min\"",
        "\"30sec\"",
        "\".5m\"",
        "\"1e2\"",
        "\"28800\"",
        "\"1h30m\"",
        "90",
    ] {
        let text = format!(
            "[scenario]\nname = \"x\"\nduration = {duration}\n[[call_type]]\nname = \"a\"\narrivals = {{ per_hour = 1 }}\nhandle_time = {{ dist = \"exponential\", mean = \"3m\" }}\n[[agent_group]]\nname = \"g\"\nagents = 1\nskills = [\"a\"]\n"
        );
        let value: serde_json::Value = toml::from_str(&text).unwrap();
        assert!(validator.is_valid(&value), "the schema refuses duration {duration}");
    }
}
