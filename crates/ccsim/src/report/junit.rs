//! JUnit XML of `ccsim check`, as Jenkins, GitLab and GitHub test reporters read it: one
//! `testsuite` per scenario, one `testcase` per expectation (and one for the baseline
//! comparison, when there is a baseline), `failure` elements with the figure, its
//! interval and the bound (for `interval = "*"`, every interval that fails), and an `error` for a file that could not be checked.

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

use crate::check::ScenarioResult;

type Xml = Writer<Vec<u8>>;

fn open(w: &mut Xml, name: &str, attributes: &[(&str, String)]) {
    let mut start = BytesStart::new(name);
    for (k, v) in attributes {
        start.push_attribute((*k, crate::error::printable(v).as_ref()));
    }
    w.write_event(Event::Start(start)).expect("writing to memory");
}

fn close(w: &mut Xml, name: &str) {
    w.write_event(Event::End(BytesEnd::new(name)))
        .expect("writing to memory");
}

/// A `failure` or `error` element with a message attribute and a text.
fn problem(w: &mut Xml, element: &str, kind: &str, message: &str, text: &str) {
    open(
        w,
        element,
        &[("message", message.to_owned()), ("type", kind.to_owned())],
    );
    // XML 1.0 cannot hold most control characters, even escaped: spell them out.
    w.write_event(Event::Text(BytesText::new(&crate::error::printable(text))))
        .expect("writing to memory");
    close(w, element);
}

/// The JUnit document of a check run.
pub fn render(results: &[ScenarioResult]) -> String {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))
        .expect("writing to memory");
    let cases = |r: &ScenarioResult| {
        if r.error.is_some() {
            1
        } else {
            r.expectations.len() + usize::from(r.baseline.is_some())
        }
    };
    let failures = |r: &ScenarioResult| r.failed() + usize::from(r.flagged() > 0);
    let errors = |r: &ScenarioResult| usize::from(r.error.is_some());
    let total = |f: &dyn Fn(&ScenarioResult) -> usize| results.iter().map(f).sum::<usize>().to_string();
    open(
        &mut w,
        "testsuites",
        &[
            ("name", "ccsim check".into()),
            ("tests", total(&cases)),
            ("failures", total(&failures)),
            ("errors", total(&errors)),
            ("time", format!("{:.3}", results.iter().map(|r| r.seconds).sum::<f64>())),
        ],
    );
    for r in results {
        let file = r.file.display().to_string();
        open(
            &mut w,
            "testsuite",
            &[
                ("name", r.name.clone()),
                ("file", file.clone()),
                ("tests", cases(r).to_string()),
                ("failures", failures(r).to_string()),
                ("errors", errors(r).to_string()),
                ("time", format!("{:.3}", r.seconds)),
            ],
        );
        if let Some(e) = &r.error {
            open(
                &mut w,
                "testcase",
                &[("name", "valid scenario".into()), ("classname", r.key.clone())],
            );
            problem(&mut w, "error", "invalid scenario", e.lines().next().unwrap_or(""), e);
            close(&mut w, "testcase");
        }
        for e in &r.expectations {
            open(
                &mut w,
                "testcase",
                &[
                    ("name", e.description.clone()),
                    ("classname", r.key.clone()),
                    ("file", file.clone()),
                    ("line", e.line.to_string()),
                    ("time", "0".into()),
                ],
            );
            if !e.passed {
                let message = format!("{}: {}", e.description, e.message);
                let mut text = format!("{file}:{}: {message}", e.line);
                if !e.detail.is_empty() {
                    text.push('\n');
                    text.push_str(&e.detail);
                }
                problem(&mut w, "failure", "expectation", &message, &text);
            }
            close(&mut w, "testcase");
        }
        if r.baseline.is_some() {
            open(
                &mut w,
                "testcase",
                &[
                    ("name", "unchanged since the baseline".into()),
                    ("classname", r.key.clone()),
                    ("time", "0".into()),
                ],
            );
            let flagged: Vec<String> = r
                .changes
                .iter()
                .filter(|c| c.flagged())
                .map(|c| {
                    format!(
                        "{}: {:?} → {:?} (p = {:.2e}, Holm-adjusted {:.2e})",
                        c.metric,
                        c.before.mean.unwrap_or(f64::NAN),
                        c.after.mean.unwrap_or(f64::NAN),
                        c.p_value,
                        c.adjusted
                    )
                })
                .collect();
            if !flagged.is_empty() {
                problem(
                    &mut w,
                    "failure",
                    "baseline",
                    &format!("{} metrics changed significantly", flagged.len()),
                    &flagged.join("\n"),
                );
            }
            close(&mut w, "testcase");
        }
        close(&mut w, "testsuite");
    }
    close(&mut w, "testsuites");
    let mut text = String::from_utf8(w.into_inner()).expect("UTF-8");
    text.push('\n');
    text
}
