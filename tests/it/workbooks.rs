//! Excel workbooks (`run|staff|compare … --xlsx FILE`, issue 20), read back with calamine:
//! the sheets and their headers, every cell equal to the CSV file of the same run (so to
//! its JSON figures), numbers stored as numbers in their formats (percent, seconds, money
//! with the currency), verdicts filled by their colour, frozen header rows, no formula,
//! and the same bytes for the same run.

use std::io::Read;
use std::path::Path;

use calamine::{Data, Reader, Xlsx, open_workbook};

use crate::common::{ccsim_fails as fails, ccsim_ok as ok};

/// tests/fixtures/small.toml with a currency, a cost and an ASA target: a day with an
/// interval without calls (undefined figures) and targets both met and missed.
fn costed_day(dir: &Path) -> String {
    let small =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/small.toml")).unwrap();
    let text = small
        .replacen("seed = 7\n", "seed = 7\ncurrency = \"EUR\"\n", 1)
        .replacen(
            "skills = [\"sales\", \"billing\"]\n",
            "skills = [\"sales\", \"billing\"]\ncost = { per_hour = 28 }\n",
            1,
        )
        .replacen(
            "patience = { dist = \"exponential\", mean = \"2m\" }\n",
            "patience = { dist = \"exponential\", mean = \"2m\" }\nmax_asa = \"20s\"\n",
            1,
        );
    assert_eq!(text.matches("EUR").count() + text.matches("per_hour = 28").count(), 2);
    let path = dir.join("day.toml");
    std::fs::write(&path, text).unwrap();
    s(&path)
}

fn s(p: &Path) -> String {
    p.display().to_string()
}

fn book(path: &Path) -> Xlsx<std::io::BufReader<std::fs::File>> {
    open_workbook(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The rows of a sheet, from A1 (the header) on.
fn rows(path: &Path, sheet: &str) -> Vec<Vec<Data>> {
    let range = book(path).worksheet_range(sheet).unwrap();
    assert_eq!(range.start(), Some((0, 0)), "{sheet} starts at A1");
    range.rows().map(<[Data]>::to_vec).collect()
}

fn read_csv(path: &Path) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)
        .unwrap()
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

/// Every cell of `sheet` holds what the CSV's cell says: nothing where it is empty, the
/// same number (bit for bit) where it is a number, TRUE/FALSE where it is `true`/`false`,
/// else the same text. Returns the number of numeric cells compared.
#[track_caller]
fn same_as_csv(sheet: &[Vec<Data>], csv: &[Vec<String>], what: &str) -> usize {
    assert_eq!(sheet.len(), csv.len(), "{what}: rows");
    let mut numbers = 0;
    for (r, (got, want)) in sheet.iter().zip(csv).enumerate() {
        assert!(got.len() >= want.len(), "{what} row {r}: {} cells", got.len());
        for (c, text) in want.iter().enumerate() {
            let cell = &got[c];
            let ok = match (cell, text.as_str()) {
                (Data::Empty, "") => true,
                (Data::Bool(b), "true" | "false") => b.to_string() == *text,
                (Data::Float(x), t) => {
                    numbers += 1;
                    t.parse::<f64>() == Ok(*x)
                }
                (Data::String(x), t) => x == t && t.parse::<f64>().is_err(),
                _ => false,
            };
            assert!(
                ok,
                "{what} row {r} column {c}: {cell:?} in the workbook, {text:?} in the CSV"
            );
        }
    }
    numbers
}

/// The XML of one part of the workbook's zip.
fn part(path: &Path, name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut text = String::new();
    zip.by_name(name).unwrap().read_to_string(&mut text).unwrap();
    text
}

/// The XML of every worksheet of the workbook.
fn sheet_parts(path: &Path) -> Vec<(String, String)> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut sheets = Vec::new();
    for k in 0..zip.len() {
        let mut file = zip.by_index(k).unwrap();
        let name = file.name().unwrap().to_string();
        if name.starts_with("xl/worksheets/") {
            let mut text = String::new();
            file.read_to_string(&mut text).unwrap();
            sheets.push((name, text));
        }
    }
    sheets.sort();
    sheets
}

/// The column of `name` in a header row.
fn column(header: &[Data], name: &str) -> usize {
    header
        .iter()
        .position(|d| *d == Data::String(name.into()))
        .unwrap_or_else(|| panic!("no column {name}"))
}

#[test]
fn a_run_workbook_holds_the_csv_and_json_figures_as_numbers_in_their_formats() {
    let dir = tempfile::tempdir().unwrap();
    let day = costed_day(dir.path());
    let (xlsx, out) = (dir.path().join("day.xlsx"), dir.path().join("out"));
    let printed = ok(&[
        "run",
        &day,
        "--seed",
        "5",
        "--format",
        "json",
        "--out",
        &s(&out),
        "--xlsx",
        &s(&xlsx),
    ]);
    let json: serde_json::Value = serde_json::from_slice(&printed.stdout).unwrap();
    assert_eq!(
        book(&xlsx).sheet_names(),
        ["about", "intervals", "call_types", "channels", "groups"]
    );
    // Every sheet is its CSV file, cell for cell: the header, the text, the numbers.
    let mut numbers = 0;
    for sheet in ["intervals", "call_types", "channels", "groups"] {
        let csv = read_csv(&out.join(format!("{sheet}.csv")));
        numbers += same_as_csv(&rows(&xlsx, sheet), &csv, sheet);
    }
    assert!(numbers > 1000, "only {numbers} numbers compared");
    // And so the JSON's figures, e.g. the service level of sales and the day's cost.
    let types = rows(&xlsx, "call_types");
    let header = &types[0];
    let sales_row = types.iter().position(|r| r[0] == Data::String("sales".into())).unwrap();
    let sales = &types[sales_row];
    let sales_json = json["call_types"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "sales")
        .unwrap();
    for metric in ["service_level", "answer_rate", "asa_seconds", "cost"] {
        let want = sales_json[metric]["mean"].as_f64().unwrap();
        assert_eq!(sales[column(header, metric)], Data::Float(want), "{metric}");
        let half = sales_json[metric]["ci95"].as_f64().unwrap();
        assert_eq!(
            sales[column(header, &format!("{metric}_ci95"))],
            Data::Float(half),
            "{metric}"
        );
    }
    // 09:00 has no calls: its service level is undefined, an empty cell, as in the JSON.
    let intervals = rows(&xlsx, "intervals");
    let nine = intervals
        .iter()
        .find(|r| r[0] == Data::String("09:00".into()) && r[1] == Data::String("all".into()))
        .unwrap();
    assert!(json["intervals"][2]["service_level"]["mean"].is_null());
    assert_eq!(nine[column(&intervals[0], "service_level")], Data::Empty);

    // Formats: rates in percent, waits in seconds, money with its currency, counts with
    // thousands separators; the same for the half-widths and the bounds.
    let styles = book(&xlsx).worksheet_style("call_types").unwrap();
    let format_of = |name: &str| {
        let col = column(header, name) as u32;
        let style = styles
            .get((sales_row as u32, col))
            .unwrap_or_else(|| panic!("no style at {name}"));
        style
            .number_format
            .as_ref()
            .map(|f| f.format_code.clone())
            .unwrap_or_default()
    };
    for (name, code) in [
        ("service_level", "0.0%"),
        ("service_level_ci95", "0.0%"),
        ("answer_rate", "0.0%"),
        ("occupancy", "0.0%"),
        ("asa_seconds", "#,##0.0 \"s\""),
        ("wait_p90_seconds", "#,##0.0 \"s\""),
        ("cost", "#,##0.00 \"EUR\""),
        ("cost_per_contact", "#,##0.00 \"EUR\""),
        ("offered", "#,##0.0"),
        ("target_service_level", "0.0%"),
        ("target_asa_seconds", "#,##0.0 \"s\""),
    ] {
        assert_eq!(format_of(name), code, "{name}");
    }
    let group_styles = book(&xlsx).worksheet_style("groups").unwrap();
    let groups = rows(&xlsx, "groups");
    let hours = column(&groups[0], "agent_hours") as u32;
    let code = group_styles.get((1, hours)).unwrap().number_format.as_ref().unwrap();
    assert_eq!(code.format_code, "#,##0.0 \"h\"");

    // Verdicts: text filled by colour, red for missed and green for met; both occur.
    let fill = |style: &calamine::Style| {
        style
            .fill
            .as_ref()
            .and_then(|f| f.get_color())
            .map(|c| c.to_argb() & 0xFF_FFFF)
    };
    let mut seen = Vec::new();
    for sheet in ["intervals", "call_types", "channels"] {
        let rows = rows(&xlsx, sheet);
        let styles = book(&xlsx).worksheet_style(sheet).unwrap();
        for (r, row) in rows.iter().enumerate().skip(1) {
            for (c, cell) in row.iter().enumerate() {
                let Data::String(text) = cell else { continue };
                let want = match text.as_str() {
                    "met" => 0xC6EFCE,
                    "missed" => 0xFFC7CE,
                    "within_noise" => 0xFFEB9C,
                    "not_judged" => 0xE7E6E6,
                    _ => continue,
                };
                let style = styles.get((r as u32, c as u32)).unwrap();
                assert_eq!(fill(style), Some(want), "{sheet} row {r} column {c}: {text}");
                seen.push(text.clone());
            }
        }
    }
    assert!(
        seen.iter().any(|t| t == "met") && seen.iter().any(|t| t == "missed"),
        "{seen:?}"
    );

    // The about sheet names the run.
    let about = rows(&xlsx, "about");
    let field = |name: &str| {
        about
            .iter()
            .find(|r| r[0] == Data::String(name.into()))
            .unwrap_or_else(|| panic!("no {name}"))[1]
            .clone()
    };
    assert_eq!(field("scenario"), Data::String("small".into()));
    assert_eq!(field("seed"), Data::String("5".into()));
    assert_eq!(field("replications"), Data::Float(3.0));
    assert_eq!(field("currency"), Data::String("EUR".into()));
    assert_eq!(
        field("written by"),
        Data::String(format!("ccsim {}", env!("CARGO_PKG_VERSION")))
    );
    assert_eq!(
        field("verdict over the day"),
        Data::String(json["verdict"].as_str().unwrap().into())
    );

    // Header rows are frozen (with the columns naming the rows), and no cell is a formula.
    let sheets = sheet_parts(&xlsx);
    assert_eq!(sheets.len(), 5);
    let frozen: Vec<&str> = sheets
        .iter()
        .filter_map(|(_, xml)| {
            let at = xml.find("<pane ")?;
            Some(&xml[at..at + xml[at..].find("/>").unwrap()])
        })
        .collect();
    assert_eq!(frozen.len(), 4, "every table's header is frozen: {frozen:?}");
    for pane in &frozen {
        assert!(
            pane.contains("ySplit=\"1\"") && pane.contains("state=\"frozen\""),
            "{pane}"
        );
    }
    assert!(
        frozen[0].contains("xSplit=\"3\""),
        "intervals: interval, call type, channel"
    );
    for (name, xml) in &sheets {
        assert!(!xml.contains("<f>") && !xml.contains("<f "), "{name} holds a formula");
    }
}

#[test]
fn names_that_look_like_formulas_are_text_in_a_workbook() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/name-formula.toml");
    let xlsx = dir.path().join("f.xlsx");
    ok(&["run", &s(&corpus), "--xlsx", &s(&xlsx)]);
    let formula = "=HYPERLINK(\"http://example.com\",\"x\")";
    let types = rows(&xlsx, "call_types");
    assert!(types.iter().any(|r| r[0] == Data::String(formula.into())), "{types:?}");
    let groups = rows(&xlsx, "groups");
    assert!(groups.iter().any(|r| r[1] == Data::String("@g".into())), "{groups:?}");
    for (name, xml) in sheet_parts(&xlsx) {
        assert!(!xml.contains("<f>") && !xml.contains("<f "), "{name} holds a formula");
    }
    let staffed = dir.path().join("staff.xlsx");
    ok(&["staff", &s(&corpus), "--xlsx", &s(&staffed)]);
    let staffing = rows(&staffed, "staffing");
    assert!(
        staffing.iter().any(|r| r[1] == Data::String("@g".into())),
        "{staffing:?}"
    );
    for (name, xml) in sheet_parts(&staffed) {
        assert!(!xml.contains("<f>") && !xml.contains("<f "), "{name} holds a formula");
    }
}

#[test]
fn the_same_run_gives_the_same_workbook_bytes_whatever_the_threads() {
    let dir = tempfile::tempdir().unwrap();
    let day = costed_day(dir.path());
    let write = |name: &str, threads: &str, seed: &str| {
        let path = dir.path().join(name);
        ok(&["run", &day, "--seed", seed, "--threads", threads, "--xlsx", &s(&path)]);
        std::fs::read(&path).unwrap()
    };
    let one = write("one.xlsx", "1", "9");
    assert_eq!(
        write("two.xlsx", "2", "9"),
        one,
        "the workbook changed with the threads"
    );
    assert_eq!(
        write("again.xlsx", "1", "9"),
        one,
        "the workbook changed between two runs"
    );
    assert_ne!(write("other.xlsx", "1", "10"), one, "another seed, the same workbook");
    // The creation time a workbook carries is fixed.
    let core = part(&dir.path().join("one.xlsx"), "docProps/core.xml");
    assert!(core.contains(">2000-01-01T00:00:00Z</dcterms:created>"), "{core}");
    // staff and compare too.
    for (verb, extra) in [("staff", None), ("compare", Some(day.as_str()))] {
        let bytes: Vec<Vec<u8>> = ["1", "2"]
            .iter()
            .map(|threads| {
                let path = dir.path().join(format!("{verb}-{threads}.xlsx"));
                let path = s(&path);
                let mut args = vec![verb, day.as_str()];
                args.extend(extra);
                args.extend(["--threads", threads, "--xlsx", &path]);
                ok(&args);
                std::fs::read(path).unwrap()
            })
            .collect();
        assert_eq!(bytes[0], bytes[1], "{verb}: the workbook changed with the threads");
    }
}

#[test]
fn a_staff_workbook_holds_the_staffing_csv_its_verdicts_and_notes_then_the_day() {
    let dir = tempfile::tempdir().unwrap();
    let day = costed_day(dir.path());
    let (xlsx, out) = (dir.path().join("staff.xlsx"), dir.path().join("out"));
    ok(&["staff", &day, "--out", &s(&out), "--xlsx", &s(&xlsx)]);
    assert_eq!(
        book(&xlsx).sheet_names(),
        ["about", "staffing", "intervals", "call_types", "channels", "groups"]
    );
    let sheet = rows(&xlsx, "staffing");
    let csv = read_csv(&out.join("staffing.csv"));
    // The CSV's columns first, cell for cell; then the interval's verdict and note.
    let n = same_as_csv(&sheet, &csv, "staffing");
    assert!(n > 50, "{n}");
    let header = &sheet[0];
    assert_eq!(header.len(), csv[0].len() + 2);
    assert_eq!(
        header[csv[0].len()..],
        [Data::String("verdict".into()), Data::String("note".into())]
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("staffing.json")).unwrap()).unwrap();
    let (verdict, note, paid) = (
        column(header, "verdict"),
        column(header, "note"),
        column(header, "paid"),
    );
    let mut notes = 0;
    for row in &sheet[1..] {
        let interval = json["intervals"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| Data::String(i["start"].as_str().unwrap().into()) == row[0])
            .unwrap();
        let want = interval["verdict"]
            .as_str()
            .map_or(Data::Empty, |v| Data::String(v.into()));
        assert_eq!(row[verdict], want);
        let want = interval["note"].as_str().unwrap();
        let got = match &row[note] {
            Data::Empty => "",
            Data::String(t) => t.as_str(),
            other => panic!("note {other:?}"),
        };
        assert_eq!(got, want);
        notes += usize::from(!want.is_empty());
        let Data::String(group) = &row[1] else { panic!() };
        assert_eq!(row[paid], Data::Float(interval["paid"][group].as_f64().unwrap()));
    }
    assert!(notes > 0, "no interval has a note to compare");
    // Agents are whole numbers, P(met) a percentage.
    let styles = book(&xlsx).worksheet_style("staffing").unwrap();
    let code = |name: &str| {
        styles
            .get((1, column(header, name) as u32))
            .unwrap()
            .number_format
            .as_ref()
            .unwrap()
            .format_code
            .clone()
    };
    assert_eq!(code("agents"), "0");
    assert_eq!(code("p_met"), "0.0%");
    assert_eq!(code("cost"), "#,##0.00 \"EUR\"");
    // The other sheets are the day at the chosen staffing, as staffing.json has it.
    let types = rows(&xlsx, "call_types");
    let all = &types[1];
    assert_eq!(all[0], Data::String("all".into()));
    let offered = json["totals"]["offered"]["mean"].as_f64().unwrap();
    assert_eq!(all[column(&types[0], "offered")], Data::Float(offered));
}

#[test]
fn a_compare_workbook_holds_every_paired_difference_of_the_json() {
    let dir = tempfile::tempdir().unwrap();
    let day = costed_day(dir.path());
    let more = dir.path().join("more.toml");
    std::fs::write(
        &more,
        std::fs::read_to_string(&day)
            .unwrap()
            .replacen("agents = 1\n", "agents = 2\n", 1),
    )
    .unwrap();
    let xlsx = dir.path().join("compare.xlsx");
    let printed = ok(&["compare", &day, &s(&more), "--format", "json", "--xlsx", &s(&xlsx)]);
    let json: serde_json::Value = serde_json::from_slice(&printed.stdout).unwrap();
    assert_eq!(book(&xlsx).sheet_names(), ["about", "differences"]);
    let sheet = rows(&xlsx, "differences");
    let want = json["rows"].as_array().unwrap();
    assert_eq!(sheet.len(), want.len() + 1);
    let number = |v: &serde_json::Value| v.as_f64().map_or(Data::Empty, Data::Float);
    let mut significant = 0;
    for (row, w) in sheet[1..].iter().zip(want) {
        let (of, metric) = w["metric"].as_str().unwrap().rsplit_once('.').unwrap();
        assert_eq!(row[0], Data::String(of.into()));
        assert_eq!(row[1], Data::String(metric.into()));
        let cells = [
            &w["a"]["mean"],
            &w["a"]["ci95"],
            &w["b"]["mean"],
            &w["b"]["ci95"],
            &w["difference"],
            &w["ci95"],
            &w["ci95_independent"],
            &w["variance_reduction"],
        ];
        for (k, v) in cells.into_iter().enumerate() {
            assert_eq!(row[2 + k], number(v), "{of}.{metric} column {}", 2 + k);
        }
        let sig = w["ci95"]
            .as_f64()
            .is_some_and(|c| w["difference"].as_f64().unwrap().abs() > c);
        assert_eq!(row[10], Data::Bool(sig));
        significant += usize::from(sig);
    }
    assert!(significant > 0, "a second agent changes nothing significantly?");
    let styles = book(&xlsx).worksheet_style("differences").unwrap();
    let rate = sheet
        .iter()
        .position(|r| r[0] == Data::String("totals".into()) && r[1] == Data::String("answer_rate".into()))
        .unwrap();
    let code = styles
        .get((rate as u32, 6))
        .unwrap()
        .number_format
        .as_ref()
        .unwrap()
        .format_code
        .clone();
    assert_eq!(code, "0.0%", "the difference of a rate is in points of percent");
}

/// A scenario of `intervals` one-minute intervals and `types` call types served by one
/// agent, written into `dir`.
fn wide(dir: &Path, name: &str, intervals: u32, types: usize) -> String {
    let mut text =
        format!("[scenario]\nname = \"{name}\"\nduration = \"{intervals}m\"\ninterval = \"1m\"\nreplications = 2\n");
    let names: Vec<String> = (0..types).map(|k| format!("\"t{k}\"")).collect();
    for n in &names {
        text.push_str(&format!(
            "[[call_type]]\nname = {n}\narrivals = {{ per_hour = 1 }}\nhandle_time = {{ dist = \"exponential\", mean = \"3m\" }}\n"
        ));
    }
    text.push_str(&format!(
        "[[agent_group]]\nname = \"g\"\nagents = 1\nskills = [{}]\n",
        names.join(", ")
    ));
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(&path, text).unwrap();
    s(&path)
}

#[test]
fn a_workbook_excel_cannot_hold_or_over_the_memory_budget_is_refused_before_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let xlsx = dir.path().join("out.xlsx");
    // 99,360 intervals × 11 call types and their totals: 1.19 million rows.
    let long = wide(dir.path(), "long", 99_360, 11);
    let stderr = fails(&["run", &long, "--xlsx", &s(&xlsx)]);
    assert!(
        stderr.contains("the sheet `intervals` would have 1192321 rows, more than Excel's 1048576"),
        "{stderr}"
    );
    assert!(!xlsx.exists());
    // 2,000 intervals × 10 call types run in 300 MiB (estimated 185 MiB), but their
    // workbook (2.9 million cells, estimated 442 MiB; 186 MiB measured) with the summary
    // would take more: refused, naming the workbook.
    let many = wide(dir.path(), "many", 2_000, 10);
    let run = |extra: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_ccsim"))
            .args(["run", &many, "--threads", "1"])
            .args(extra)
            .env("CCSIM_MEMORY_LIMIT", "300MiB")
            .output()
            .unwrap()
    };
    let alone = run(&[]);
    assert_eq!(
        alone.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&alone.stderr)
    );
    let with = run(&["--xlsx", &s(&xlsx)]);
    let stderr = String::from_utf8_lossy(&with.stderr);
    assert_eq!(with.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("writing this workbook would hold") && stderr.contains("the workbook (--xlsx): 2"),
        "{stderr}"
    );
    assert!(!xlsx.exists());
}

/// A rostered group: the workbook has the roster's tables as sheets, cell for cell the
/// `roster_*.csv` files of `--out`, numbers as numbers.
#[test]
fn a_staff_workbook_holds_the_roster_as_the_csv_files_do() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rostered.toml");
    std::fs::write(
        &file,
        r#"[scenario]
name = "rostered"
start = "08:00"
duration = "2h"
interval = "30m"
replications = 10
seed = 3

[[call_type]]
name = "sales"
arrivals = { per_interval = [20, 40, 60, 30] }
handle_time = { dist = "exponential", mean = "4m" }
patience = { dist = "exponential", mean = "3m" }

[[agent_group]]
name = "team"
agents = 5
skills = ["sales"]
cost = { per_hour = 25 }
roster = { shifts = [{ start = "08:00", end = "10:00" }, { start = "09:00", end = "10:00" }] }
"#,
    )
    .unwrap();
    let (xlsx, out) = (dir.path().join("staff.xlsx"), dir.path().join("out"));
    ok(&["staff", &s(&file), "--xlsx", &s(&xlsx), "--out", &s(&out)]);
    let mut compared = 0;
    for name in ["roster_shifts", "roster_lines", "roster_coverage"] {
        let csv = read_csv(&out.join(format!("{name}.csv")));
        assert!(csv.len() > 1, "{name}: {csv:?}");
        compared += same_as_csv(&rows(&xlsx, name), &csv, name);
    }
    assert!(compared > 10, "{compared} numbers compared");
}
