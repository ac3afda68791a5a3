//! Reports planners look at: the HTML report of every shipped scenario is well-formed
//! and holds its charts, and shows without errors in a real headless browser; the
//! terminal table marks targets and colours only a terminal; `ccsim schema` describes
//! every shipped scenario and refuses what the reader refuses.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::ccsim;
use crate::common::chromium_or_skip;

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

#[test]
fn a_report_shows_without_errors_in_a_headless_browser() {
    let Some(chromium) = chromium_or_skip("a_report_shows_without_errors_in_a_headless_browser") else {
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
    let model = ccsim::Model::build(&ccsim::Scenario::load(&scenario).unwrap()).unwrap();
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
    // A hazard patience, a head start and a call type's own forecast error, as `ccsim
    // fit` writes them.
    let calibrated: serde_json::Value = toml::from_str(
        "[scenario]\nname = \"x\"\nduration = \"1h\"\nforecast_error = { cv = 0.05 }\n[[call_type]]\nname = \"a\"\n\
         arrivals = { per_hour = 1 }\nhandle_time = { dist = \"exponential\", mean = \"3m\" }\n\
         patience = { dist = \"hazard\", from = [\"0s\", 10, 30.5], rate = [1.2e-2, 0.0, 4e-3] }\n\
         head_start = \"30s\"\nforecast_error = { cv = 0.1 }\n[[agent_group]]\nname = \"g\"\nagents = 1\nskills = [\"a\"]\n",
    )
    .unwrap();
    let errors: Vec<String> = validator.iter_errors(&calibrated).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    // Every way the reader writes a duration, the schema accepts; what it refuses, the
    // schema refuses too.
    let with_duration = |duration: &str| {
        let text = format!(
            "[scenario]\nname = \"x\"\nduration = {duration}\n[[call_type]]\nname = \"a\"\narrivals = {{ per_hour = 1 }}\nhandle_time = {{ dist = \"exponential\", mean = \"3m\" }}\n[[agent_group]]\nname = \"g\"\nagents = 1\nskills = [\"a\"]\n"
        );
        let value: serde_json::Value = toml::from_str(&text).unwrap();
        (
            ccsim::scenario::parse_duration(&text_of(&value["scenario"]["duration"])).is_ok(),
            validator.is_valid(&value),
        )
    };
    fn text_of(v: &serde_json::Value) -> String {
        v.as_str().map_or_else(|| v.to_string(), str::to_owned)
    }
    for duration in [
        "\"5min\"",
        "\"30sec\"",
        "\".5m\"",
        "\"1e2\"",
        "\"28800\"",
        "\"1h30m\"",
        "\"6 minutes\"",
        "\"1 h 30 min\"",
        "\"2 days\"",
        "\"90 seconds\"",
        "\"2 hrs 15 mins\"",
        "\"1d2h3m4s5ms\"",
        "\"500 milliseconds\"",
        "90",
    ] {
        assert_eq!(
            with_duration(duration),
            (true, true),
            "reader and schema must accept {duration}"
        );
    }
    for duration in [
        "\"1h1h\"",
        "\"30m1h\"",
        "\"5 parsecs\"",
        "\"1h 30\"",
        "\"5.s\"",
        "\"-5s\"",
        "\"\"",
    ] {
        assert_eq!(
            with_duration(duration),
            (false, false),
            "reader and schema must refuse {duration}"
        );
    }
    // Fractions: a number from 0 to 1 or a percentage string.
    for (target, ok) in [
        ("0.8", true),
        ("\"80%\"", true),
        ("\"80 %\"", true),
        ("\"100%\"", true),
        ("\"12.5%\"", true),
        ("80", false),
        ("\"120%\"", false),
        ("\"0.8\"", false),
    ] {
        let text = format!(
            "[scenario]\nname = \"x\"\nduration = \"1h\"\nservice_level = {{ target = {target} }}\n[[call_type]]\nname = \"a\"\narrivals = {{ per_hour = 1 }}\nhandle_time = {{ dist = \"exponential\", mean = \"3m\" }}\n[[agent_group]]\nname = \"g\"\nagents = 1\nskills = [\"a\"]\n"
        );
        let value: serde_json::Value = toml::from_str(&text).unwrap();
        assert_eq!(validator.is_valid(&value), ok, "the schema on target = {target}");
        assert_eq!(
            ccsim::Scenario::parse("x.toml", &text).is_ok(),
            ok,
            "the reader on target = {target}"
        );
    }
}

/// Runs `scenario` (a path) with `--report` and returns the HTML.
fn report_of(scenario: &Path, replications: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.html");
    let o = ccsim(&[
        "run",
        &scenario.display().to_string(),
        "--replications",
        replications,
        "--format",
        "json",
        "--report",
        &report.display().to_string(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    std::fs::read_to_string(&report).unwrap()
}

fn parse(html: &str) -> roxmltree::Document<'_> {
    roxmltree::Document::parse_with_options(
        html,
        roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        },
    )
    .unwrap_or_else(|e| panic!("the report is not well-formed: {e}"))
}

/// A `<text>` of a chart: its content, anchor and position.
struct SvgText {
    text: String,
    anchor: String,
    x: f64,
    y: f64,
}

/// Every chart of a report by id: its height and its texts.
fn chart_texts(doc: &roxmltree::Document) -> Vec<(String, f64, Vec<SvgText>)> {
    doc.descendants()
        .filter(|n| n.has_tag_name("figure"))
        .filter_map(|f| {
            let svg = f.descendants().find(|n| n.tag_name().name() == "svg")?;
            let height: f64 = svg.attribute("height")?.trim_end_matches("px").parse().ok()?;
            let texts = svg
                .descendants()
                .filter(|n| n.tag_name().name() == "text")
                .map(|t| SvgText {
                    text: t.text().unwrap_or("").trim().to_owned(),
                    anchor: t.attribute("text-anchor").unwrap_or("").to_owned(),
                    x: t.attribute("x").unwrap().parse().unwrap(),
                    y: t.attribute("y").unwrap().parse().unwrap(),
                })
                .collect();
            Some((f.attribute("id").unwrap_or("").to_owned(), height, texts))
        })
        .collect()
}

/// A centre of eight agent groups.
fn eight_groups() -> String {
    let mut text = String::from(
        "[scenario]\nname = \"eight\"\nduration = \"4h\"\ninterval = \"30m\"\nseed = 5\n\n\
         [[call_type]]\nname = \"sales\"\narrivals = { per_hour = 300 }\n\
         handle_time = { dist = \"exponential\", mean = \"4m\" }\n\
         patience = { dist = \"exponential\", mean = \"2m\" }\n",
    );
    for g in 1..=8 {
        text.push_str(&format!(
            "\n[[agent_group]]\nname = \"group-{g}\"\nagents = {}\nskills = [\"sales\"]\n",
            g + 1
        ));
    }
    text
}

#[test]
fn the_agents_chart_draws_every_group_and_legends_sit_below_the_axes() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("eight.toml");
    std::fs::write(&scenario, eight_groups()).unwrap();
    let html = report_of(&scenario, "3");
    let doc = parse(&html);
    let charts = chart_texts(&doc);
    let legend = |id: &str| -> Vec<String> {
        let (_, _, texts) = charts
            .iter()
            .find(|(c, _, _)| c == id)
            .unwrap_or_else(|| panic!("no {id}"));
        texts
            .iter()
            .filter(|t| t.anchor == "start")
            .map(|t| t.text.clone())
            .collect()
    };
    let expected: Vec<String> = (1..=8).map(|g| format!("group-{g} on duty")).collect();
    assert_eq!(legend("agents"), expected, "every group is in the agents chart");
    let expected: Vec<String> = (1..=8).map(|g| format!("group-{g}")).collect();
    assert_eq!(legend("occupancy"), expected, "every group is in the occupancy chart");
    // The agents chart draws a line for each group: eight colours.
    let agents = doc.descendants().find(|n| n.attribute("id") == Some("agents")).unwrap();
    let colours: std::collections::BTreeSet<&str> = agents
        .descendants()
        .filter(|n| n.tag_name().name() == "polyline")
        .filter_map(|n| n.attribute("stroke"))
        .collect();
    assert!(colours.len() >= 8, "{colours:?}");

    // In every chart the legend (the left-aligned texts; axis labels are centred or
    // right-aligned) lies below the x axis's labels and title, so it cannot cover the
    // plotting area above them, and inside the picture.
    for (id, height, texts) in &charts {
        let axis_bottom = texts
            .iter()
            .filter(|t| t.text == "interval start" || t.text.len() == 5 && t.text.as_bytes()[2] == b':')
            .map(|t| t.y)
            .fold(f64::NAN, f64::max);
        assert!(axis_bottom.is_finite(), "{id}: no x axis labels");
        let entries: Vec<&SvgText> = texts.iter().filter(|t| t.anchor == "start").collect();
        assert!(!entries.is_empty(), "{id}: no legend");
        for t in entries {
            assert!(
                t.y > axis_bottom + 5.0 && t.y + 8.0 <= *height && t.x >= 0.0 && t.x < 900.0,
                "{id}: legend entry `{}` at ({}, {}) is not below the axis (y {axis_bottom}) inside {height}",
                t.text,
                t.x,
                t.y
            );
        }
    }
}

#[test]
fn axes_carry_their_units() {
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/two-tier-helpdesk.toml");
    let html = report_of(&scenario, "3");
    let doc = parse(&html);
    let charts = chart_texts(&doc);
    for (id, unit) in [
        ("service-level", "service level (%)"),
        ("answer-rate", "answer rate (%)"),
        ("contacts", "contacts"),
        ("agents", "agents on duty"),
        ("occupancy", "occupancy (%)"),
        ("waits", "wait (s)"),
        ("cost", "cost (EUR)"),
    ] {
        let (_, _, texts) = charts.iter().find(|(c, _, _)| c == id).unwrap();
        assert!(texts.iter().any(|t| t.text == unit), "{id}: no `{unit}` axis");
        assert!(
            texts.iter().any(|t| t.text == "interval start"),
            "{id}: no x axis title"
        );
    }
}

/// `EUR 13,128.48` or `EUR 13,128.48 ± 17.63`.
fn is_money(text: &str, currency: &str) -> bool {
    let Some(rest) = text.strip_prefix(&format!("{currency} ")) else {
        return false;
    };
    let amount = |a: &str| {
        let (whole, cents) = a.split_once('.').unwrap_or((a, ""));
        let groups: Vec<&str> = whole.split(',').collect();
        cents.len() == 2
            && cents.bytes().all(|b| b.is_ascii_digit())
            && (1..=3).contains(&groups[0].len())
            && groups[1..].iter().all(|g| g.len() == 3)
            && groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit()))
    };
    match rest.split_once(" ± ") {
        Some((m, c)) => amount(m) && amount(c),
        None => amount(rest),
    }
}

#[test]
fn money_shows_thousands_separators_and_the_currency() {
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/two-tier-helpdesk.toml");
    let html = report_of(&scenario, "3");
    let doc = parse(&html);
    // The day's cost in the summary: above a thousand euros.
    let summary = doc
        .descendants()
        .find(|n| n.has_tag_name("p") && n.text().is_some_and(|t| t.contains(" cost ")))
        .expect("the summary paragraph names the cost");
    let text = summary.text().unwrap();
    let cost = text.split(" cost ").nth(1).unwrap().split(". ").next().unwrap();
    assert!(is_money(cost, "EUR") && cost.contains(','), "cost `{cost}` in: {text}");
    // Every money cell of the tables.
    let cells: Vec<String> = doc
        .descendants()
        .filter(|n| n.has_tag_name("td") && n.attribute("class") == Some("money"))
        .map(|n| n.text().unwrap_or("").to_owned())
        .collect();
    assert!(cells.len() >= 5, "money cells: {cells:?}");
    for c in &cells {
        assert!(is_money(c, "EUR"), "money cell `{c}`");
    }
    assert!(cells.iter().any(|c| c.contains(',')), "{cells:?}");
}

#[test]
fn chat_and_email_get_their_own_section_only_where_the_centre_has_them() {
    let scenarios = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let html = report_of(&scenarios.join("omnichannel.toml"), "3");
    let doc = parse(&html);
    let section = doc
        .descendants()
        .find(|n| n.attribute("id") == Some("channels"))
        .expect("a channels section");
    let ids: Vec<&str> = section
        .descendants()
        .filter(|n| n.has_tag_name("figure"))
        .filter(|f| f.descendants().any(|n| n.tag_name().name() == "svg"))
        .filter_map(|f| f.attribute("id"))
        .collect();
    assert_eq!(
        ids,
        [
            "chat-backlog",
            "chat-oldest",
            "chat-service",
            "chat-slots",
            "email-backlog",
            "email-oldest",
            "email-within-target"
        ]
    );
    for (channel, heads) in [
        (
            "chat",
            &["service level", "answer rate", "waiting at end", "oldest waiting (s)"][..],
        ),
        ("email", &["within target", "backlog at end", "oldest waiting (s)"][..]),
    ] {
        let table = section
            .descendants()
            .find(|n| n.attribute("id") == Some(&format!("channel-table-{channel}")))
            .unwrap_or_else(|| panic!("no {channel} table"));
        let rows: Vec<_> = table.children().filter(|n| n.has_tag_name("tr")).collect();
        assert_eq!(rows.len(), 1 + 1 + 24, "{channel}: header, day and 24 intervals");
        let header: Vec<&str> = rows[0].children().filter_map(|n| n.text()).collect();
        for h in heads {
            assert!(header.contains(h), "{channel}: no `{h}` column in {header:?}");
        }
    }
    // Only the blended team takes chats.
    let slots = chart_texts(&doc)
        .into_iter()
        .find(|(id, _, _)| id == "chat-slots")
        .unwrap();
    let legend: Vec<String> = slots
        .2
        .iter()
        .filter(|t| t.anchor == "start")
        .map(|t| t.text.clone())
        .collect();
    assert_eq!(legend, ["blended"]);
    // A phone-only centre has none.
    let html = report_of(&scenarios.join("single-skill.toml"), "2");
    assert!(!html.contains("id=\"channels\""));
    assert!(!html.contains("chat-backlog"));
}
