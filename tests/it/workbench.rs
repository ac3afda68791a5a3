//! `ccsim serve`: the workbench driven in a real headless Chromium through the DevTools
//! protocol (a minimal client over a websocket), as a planner uses it: open a shipped
//! scenario, change a group's agents in the form, run, see the service level and the
//! report change; type an error and see it at its line; compare two variants; switch
//! vendors and routes. And at the HTTP level: paths outside the folder (the scenario's own
//! and the CSV files it names) and foreign Host or Origin headers are refused.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::common::chromium_or_skip;

/// A `ccsim serve` on a free port over a copy of the shipped scenarios, stopped on drop.
struct Workbench {
    child: Child,
    address: String,
    dir: tempfile::TempDir,
}

impl Workbench {
    fn start() -> Workbench {
        Workbench::start_with(&[])
    }

    /// A workbench started with these flags besides `--port 0 --dir`.
    fn start_with(flags: &[&str]) -> Workbench {
        Workbench::start_with_env(flags, &[])
    }

    /// [`Workbench::start_with`] with these environment variables.
    fn start_with_env(flags: &[&str], env: &[(&str, &str)]) -> Workbench {
        let dir = tempfile::tempdir().unwrap();
        let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
        for name in ["retail-helpdesk.toml", "single-skill.toml", "vendor-overflow.toml"] {
            std::fs::copy(shipped.join(name), dir.path().join(name)).unwrap();
        }
        let mut child = Command::new(env!("CARGO_BIN_EXE_ccsim"))
            .args(["serve", "--port", "0", "--dir"])
            .arg(dir.path())
            .args(flags)
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .spawn()
            .expect("ccsim runs");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let address = line
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .unwrap_or_else(|| panic!("no address in {line:?}"))
            .to_owned();
        Workbench { child, address, dir }
    }

    /// One raw HTTP request (so the test chooses every header); the status and the body.
    fn request(&self, method: &str, target: &str, host: &str, extra: &str, body: &str) -> (u16, String) {
        self.request_bytes(method, target, host, extra, body.as_bytes())
    }

    /// [`Workbench::request`] with a body of any bytes.
    fn request_bytes(&self, method: &str, target: &str, host: &str, extra: &str, body: &[u8]) -> (u16, String) {
        let mut stream = TcpStream::connect(&self.address).unwrap();
        write!(
            stream,
            "{method} {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n{extra}Content-Length: {}\r\n\r\n",
            body.len()
        )
        .unwrap();
        // The server may answer (and close) before reading a body it refuses.
        let _ = stream.write_all(body);
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        let status = answer[9..12].parse().unwrap();
        let body = answer
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_owned())
            .unwrap_or_default();
        (status, body)
    }

    fn get(&self, target: &str) -> (u16, String) {
        self.request("GET", target, &self.address.clone(), "", "")
    }

    /// The status of `session`'s job once it is no longer running (within 30 s).
    fn ended_job(&self, session: &str) -> Value {
        let started = Instant::now();
        loop {
            let (_, job) = self.get(&format!("/api/job?session={session}"));
            if !job.contains("\"running\"") {
                return serde_json::from_str(&job).unwrap();
            }
            assert!(started.elapsed() < Duration::from_secs(30), "{job}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Workbench {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn paths_outside_the_folder_are_refused() {
    let bench = Workbench::start();
    let (status, body) = bench.get("/api/files");
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        r#"{"files":["retail-helpdesk.toml","single-skill.toml","vendor-overflow.toml"],"not_utf8":0}"#
    );
    // A name that is not UTF-8 is counted, not listed changed (as another file's name).
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let latin1 = std::ffi::OsStr::from_bytes(b"caf\xe9.toml");
        std::fs::write(bench.dir.path().join(latin1), "x = 1").unwrap();
        let (status, body) = bench.get("/api/files");
        assert_eq!(status, 200, "{body}");
        assert_eq!(
            body,
            r#"{"files":["retail-helpdesk.toml","single-skill.toml","vendor-overflow.toml"],"not_utf8":1}"#
        );
        std::fs::remove_file(bench.dir.path().join(latin1)).unwrap();
    }
    let (status, body) = bench.get("/api/file?path=single-skill.toml");
    assert_eq!(status, 200);
    assert!(body.starts_with("# "), "{body}");
    for outside in ["../Cargo.toml", "%2Fetc%2Fpasswd", "a/../../x.toml", "..%2Fx.toml"] {
        let (status, body) = bench.get(&format!("/api/file?path={outside}"));
        assert_eq!(status, 403, "{outside}: {body}");
        assert!(body.contains("not a .toml file under the served folder"), "{body}");
    }
    #[cfg(unix)]
    {
        let elsewhere = tempfile::tempdir().unwrap();
        std::fs::write(elsewhere.path().join("secret.toml"), "x = 1").unwrap();
        std::os::unix::fs::symlink(elsewhere.path().join("secret.toml"), bench.dir.path().join("link.toml")).unwrap();
        let (status, body) = bench.get("/api/file?path=link.toml");
        assert_eq!(
            (status, body.as_str()),
            (403, r#"{"error":"link.toml: leads outside the served folder"}"#)
        );
        let (status, _) = bench.request("POST", "/api/save?path=link.toml", &bench.address.clone(), "", "y = 2");
        assert_eq!(status, 403);
        assert_eq!(
            std::fs::read_to_string(elsewhere.path().join("secret.toml")).unwrap(),
            "x = 1"
        );
        let (_, files) = bench.get("/api/files");
        assert!(!files.contains("link.toml"), "{files}");
    }
    // Saving writes the file under the folder, whole.
    let (status, body) = bench.request("POST", "/api/save?path=new.toml", &bench.address.clone(), "", "a = 1\n");
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        std::fs::read_to_string(bench.dir.path().join("new.toml")).unwrap(),
        "a = 1\n"
    );
}

/// A small day whose arrivals come from `CSV` (column `calls`, 4 half hours).
const FROM_CSV: &str = r#"[scenario]
name = "from-csv"
start = "08:00"
duration = "2h"
replications = 2

[[call_type]]
name = "sales"
arrivals = { csv = "CSV", column = "calls" }
handle_time = { dist = "exponential", mean = "4m" }

[[agent_group]]
name = "team"
agents = 6
skills = ["sales"]
"#;

#[test]
fn files_a_scenario_names_must_lie_inside_the_folder() {
    let bench = Workbench::start();
    // A forecast outside the folder, whose header a column error would show.
    let elsewhere = tempfile::tempdir().unwrap();
    let secret = elsewhere.path().join("secret.csv");
    std::fs::write(&secret, "password_hash\n1\n2\n3\n4\n").unwrap();
    std::fs::create_dir(bench.dir.path().join("forecasts")).unwrap();
    std::fs::write(bench.dir.path().join("forecasts/day.csv"), "calls\n20\n30\n40\n25\n").unwrap();
    let up = Path::new("..")
        .join(elsewhere.path().file_name().unwrap())
        .join("secret.csv");
    let mut names = vec![
        secret.display().to_string(),
        up.display().to_string(),
        "forecasts/../../x.csv".to_owned(),
    ];
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(&secret, bench.dir.path().join("forecasts/link.csv")).unwrap();
        names.push("forecasts/link.csv".to_owned());
    }
    let post = |target: &str, body: &str| bench.request("POST", target, &bench.address.clone(), "", body);
    for name in &names {
        let text = FROM_CSV.replace("CSV", name);
        let (status, body) = post("/api/validate?path=outside.toml", &text);
        assert_eq!(status, 200, "{body}");
        let answer: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(answer["ok"], json!(false), "{name}: {body}");
        let diagnostic = &answer["diagnostics"][0];
        assert_eq!(diagnostic["field"], json!("call_type[0].arrivals.csv"), "{body}");
        assert_eq!(diagnostic["line"], json!(9), "{body}");
        let message = diagnostic["message"].as_str().unwrap();
        assert!(
            message.starts_with("cannot read ")
                && message
                    .contains("outside the folder the workbench serves, whose scenarios may read only files inside it"),
            "{name}: {message}"
        );
        for (i, kind) in ["run", "staff", "compare"].iter().enumerate() {
            let body = if *kind == "compare" {
                json!({ "a": FROM_CSV.replace("CSV", "forecasts/day.csv"), "b": text }).to_string()
            } else {
                text.clone()
            };
            let (status, refused) = post(
                &format!("/api/{kind}?session=outside{i}{i}{i}&path=outside.toml"),
                &body,
            );
            assert_eq!(status, 400, "{kind} {name}: {refused}");
            assert!(
                refused.contains("outside.toml:9:") && refused.contains("call_type[0].arrivals.csv: cannot read"),
                "{kind} {name}: {refused}"
            );
            assert!(!refused.contains("password_hash"), "{refused}");
        }
        assert!(!body.contains("password_hash"), "{body}");
    }
    // A symbolic link to the outside is refused even where its words stay inside.
    #[cfg(unix)]
    {
        let (_, body) = post(
            "/api/validate?path=forecasts/x.toml",
            &FROM_CSV.replace("CSV", "link.csv"),
        );
        assert!(body.contains("a symbolic link leads outside the folder"), "{body}");
    }
    // Inside the folder (also through `..` that stays inside) it reads and runs.
    for name in ["forecasts/day.csv", "forecasts/../forecasts/day.csv"] {
        let (status, body) = post("/api/validate?path=inside.toml", &FROM_CSV.replace("CSV", name));
        assert_eq!(status, 200, "{body}");
        assert!(body.contains(r#""ok":true"#), "{name}: {body}");
    }
    let (status, body) = post(
        "/api/run?session=inside000&path=inside.toml",
        &FROM_CSV.replace("CSV", "forecasts/day.csv"),
    );
    assert_eq!((status, body.as_str()), (200, r#"{"started":true}"#));
    // The command line reads what the scenario names, as before.
    let file = elsewhere.path().join("cli.toml");
    std::fs::write(
        &file,
        FROM_CSV
            .replace("CSV", "secret.csv")
            .replace("\"calls\"", "\"password_hash\""),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_ccsim"))
        .arg("validate")
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn requests_not_addressed_to_the_workbench_are_refused() {
    let bench = Workbench::start();
    let port = bench.address.rsplit(':').next().unwrap().to_owned();
    for host in [
        format!("evil.example:{port}"),
        "127.0.0.1".into(),
        format!("localhost:{port}0"),
    ] {
        let (status, body) = bench.request("GET", "/api/files", &host, "", "");
        assert_eq!(status, 403, "Host {host}: {body}");
        assert!(body.contains("(Host)"), "{body}");
    }
    let (status, _) = bench.request("GET", "/api/files", &format!("localhost:{port}"), "", "");
    assert_eq!(status, 200);
    // A target in absolute form names its host, which HTTP puts before Host.
    let (status, body) = bench.request("GET", "http://evil.example/api/files", &bench.address.clone(), "", "");
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("(the target's host)"), "{body}");
    let (status, _) = bench.request(
        "GET",
        &format!("http://{}/api/files", bench.address),
        &bench.address.clone(),
        "",
        "",
    );
    assert_eq!(status, 200);
    let origin = "Origin: http://evil.example\r\n";
    let (status, body) = bench.request("POST", "/api/save?path=x.toml", &bench.address.clone(), origin, "a = 1");
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("(Origin)"), "{body}");
    assert!(!bench.dir.path().join("x.toml").exists());
    let big = "#".repeat(ccsim_serve::MAX_BODY_BYTES as usize + 1);
    let (status, _) = bench.request("POST", "/api/validate?path=x.toml", &bench.address.clone(), "", &big);
    assert_eq!(status, 413);
}

/// A comparison run from the page names its scenarios by their paths inside the folder,
/// never by where the folder lies on the server (it printed absolute paths).
#[test]
fn a_comparison_names_files_inside_the_folder_only() {
    let bench = Workbench::start();
    let text = std::fs::read_to_string(bench.dir.path().join("single-skill.toml")).unwrap();
    let body = serde_json::json!({ "a": text, "b": text.replace("agents = 100", "agents = 102") }).to_string();
    let host = bench.address.clone();
    let (status, answer) = bench.request(
        "POST",
        "/api/compare?session=comparing1&path=single-skill.toml",
        &host,
        "Content-Type: application/json\r\n",
        &body,
    );
    assert_eq!(status, 200, "{answer}");
    let done = (0..600)
        .find_map(|_| {
            std::thread::sleep(std::time::Duration::from_millis(50));
            let (_, status) = bench.get("/api/job?session=comparing1");
            let v: serde_json::Value = serde_json::from_str(&status).unwrap();
            (v["state"] != "running").then_some(v)
        })
        .expect("the comparison ends within 30 s");
    assert_eq!(done["state"], "done", "{done}");
    let table = done["table"].as_str().expect("a table");
    assert!(table.contains("single-skill.toml"), "{table}");
    let folder = bench.dir.path().display().to_string();
    assert!(!table.contains(&folder), "{table}");
}

/// This machine's name, as `hostname` prints it.
#[cfg(unix)]
fn machine_name() -> String {
    let mut buffer = [0u8; 256];
    // SAFETY: the buffer is valid for writes of its length, which gethostname is given.
    assert_eq!(
        unsafe { libc::gethostname(buffer.as_mut_ptr().cast(), buffer.len()) },
        0
    );
    let end = buffer.iter().position(|&b| b == 0).unwrap();
    String::from_utf8(buffer[..end].to_vec()).unwrap()
}

#[cfg(unix)]
#[test]
fn with_bind_the_machine_s_name_and_the_bound_address_are_answered_too() {
    let name = machine_name();
    assert!(!name.is_empty() && !name.eq_ignore_ascii_case("localhost"), "{name:?}");
    let status = |bench: &Workbench, host: &str, extra: &str| {
        let (status, body) = bench.request("POST", "/api/validate?path=x.toml", host, extra, "");
        assert!(
            status == 200 || body.contains("(Host)") || body.contains("(Origin)"),
            "{body}"
        );
        status
    };
    // By default: only localhost, 127.0.0.1 and [::1] with the port.
    let local = Workbench::start();
    let local_port = local.address.rsplit(':').next().unwrap().to_owned();
    assert_eq!(status(&local, &format!("{name}:{local_port}"), ""), 403);
    let origin = format!("Origin: http://{name}:{local_port}\r\n");
    assert_eq!(status(&local, &local.address, &origin), 403);
    assert_eq!(status(&local, &format!("[::1]:{local_port}"), ""), 200);
    // With --bind: also the machine's name (in any case) and the bound address, with the
    // port; still nothing else.
    let bound = if cfg!(target_os = "linux") {
        "127.0.0.2"
    } else {
        "127.0.0.1"
    };
    let bench = Workbench::start_with(&["--bind", bound]);
    let port = bench.address.rsplit(':').next().unwrap().to_owned();
    assert_eq!(
        bench.address,
        format!("{bound}:{port}"),
        "the address printed is the bound one"
    );
    let upper = name.to_ascii_uppercase();
    for (host, origin, expected) in [
        (format!("{name}:{port}"), None, 200),
        (format!("{upper}:{port}"), Some(format!("http://{name}:{port}")), 200),
        (format!("{bound}:{port}"), Some(format!("http://{bound}:{port}")), 200),
        (format!("localhost:{port}"), None, 200),
        (format!("{name}:{port}"), Some("http://evil.example".to_owned()), 403),
        (format!("{name}.evil.example:{port}"), None, 403),
        (format!("evil.example:{port}"), None, 403),
        (name.clone(), None, 403),
        (format!("{name}:{port}0"), None, 403),
    ] {
        let extra = origin.map(|o| format!("Origin: {o}\r\n")).unwrap_or_default();
        assert_eq!(status(&bench, &host, &extra), expected, "Host {host}, {extra:?}");
    }
    if cfg!(target_os = "linux") {
        // Without --bind, that other loopback address is not answered.
        assert_eq!(status(&local, &format!("{bound}:{local_port}"), ""), 403);
    }
}

/// A headless Chromium with one page, driven over the DevTools protocol.
struct Browser {
    child: Child,
    socket: tungstenite::WebSocket<tungstenite::stream::MaybeTlsStream<TcpStream>>,
    session: String,
    next_id: u64,
    _profile: tempfile::TempDir,
}

impl Browser {
    fn start(chromium: &Path) -> Browser {
        let profile = tempfile::tempdir().unwrap();
        let mut child = Command::new(chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--remote-debugging-port=0",
                "--window-size=1500,1000",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("chromium runs");
        let stderr = BufReader::new(child.stderr.take().unwrap());
        let mut endpoint = None;
        for line in stderr.lines() {
            let line = line.unwrap();
            if let Some(url) = line.strip_prefix("DevTools listening on ") {
                endpoint = Some(url.trim().to_owned());
                break;
            }
        }
        let endpoint = endpoint.expect("chromium says where DevTools listens");
        let (socket, _) = tungstenite::connect(endpoint.as_str()).expect("DevTools websocket");
        let mut browser = Browser {
            child,
            socket,
            session: String::new(),
            next_id: 0,
            _profile: profile,
        };
        let target = browser.call("Target.createTarget", json!({ "url": "about:blank" }));
        let attached = browser.call(
            "Target.attachToTarget",
            json!({ "targetId": target["targetId"], "flatten": true }),
        );
        browser.session = attached["sessionId"].as_str().unwrap().to_owned();
        browser.call("Page.enable", json!({}));
        browser
    }

    /// Sends one command and waits for its answer (events in between are dropped).
    fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({ "id": id, "method": method, "params": params });
        if !self.session.is_empty() {
            message["sessionId"] = json!(self.session);
        }
        self.socket
            .send(tungstenite::Message::text(message.to_string()))
            .unwrap();
        loop {
            let answer = self.socket.read().expect("DevTools answers");
            let Ok(text) = answer.to_text() else { continue };
            let answer: Value = serde_json::from_str(text).unwrap();
            if answer["id"] == id {
                assert!(answer.get("error").is_none(), "{method}: {answer}");
                return answer["result"].clone();
            }
        }
    }

    /// Evaluates `expression` in the page (awaiting a promise) and returns its value.
    fn eval(&mut self, expression: &str) -> Value {
        let result = self.call(
            "Runtime.evaluate",
            json!({ "expression": expression, "awaitPromise": true, "returnByValue": true }),
        );
        assert!(result.get("exceptionDetails").is_none(), "{expression}: {result}");
        result["result"]["value"].clone()
    }

    /// Waits until `condition` (JavaScript) is true; fails after 60 s (a hang, not a
    /// speed measure).
    fn wait_for(&mut self, condition: &str) {
        let start = Instant::now();
        while self.eval(&format!("!!({condition})")) != json!(true) {
            assert!(start.elapsed() < Duration::from_secs(60), "never true: {condition}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn open(&mut self, url: &str) {
        self.call("Page.navigate", json!({ "url": url }));
        self.wait_for("document.readyState === 'complete'");
    }

    fn text(&mut self, selector: &str) -> String {
        let v = self.eval(&format!(
            "(document.querySelector({selector:?}) || {{}}).textContent || ''"
        ));
        v.as_str().unwrap_or_default().to_owned()
    }

    fn screenshot(&mut self, path: &Path) {
        use base64_png::decode;
        let shot = self.call("Page.captureScreenshot", json!({ "format": "png" }));
        std::fs::write(path, decode(shot["data"].as_str().unwrap())).unwrap();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Base64 decoding, for the one screenshot.
mod base64_png {
    pub fn decode(text: &str) -> Vec<u8> {
        let value = |c: u8| match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            _ => 63,
        };
        let bytes: Vec<u8> = text
            .bytes()
            .filter(|&c| c != b'=' && !c.is_ascii_whitespace())
            .collect();
        let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
        for chunk in bytes.chunks(4) {
            let n = chunk
                .iter()
                .enumerate()
                .fold(0u32, |n, (i, &c)| n | (value(c) as u32) << (18 - 6 * i));
            out.extend_from_slice(&n.to_be_bytes()[1..chunk.len()]);
        }
        out
    }
}

/// The service level the page shows, as a number (percent).
fn service_level(page: &mut Browser) -> f64 {
    let text = page.text("#service-level b");
    text.split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap_or_else(|_| panic!("service level {text:?}"))
}

#[test]
fn the_planner_adds_agents_in_the_form_runs_and_sees_the_service_level_rise() {
    let Some(chromium) = chromium_or_skip("the_planner_adds_agents_in_the_form_runs_and_sees_the_service_level_rise")
    else {
        return;
    };
    let bench = Workbench::start();
    let mut page = Browser::start(&chromium);
    // The share link opens the scenario and runs it.
    page.open(&format!("http://{}/?open=retail-helpdesk.toml&run", bench.address));
    page.wait_for("document.querySelector('#service-level b')");
    let before = service_level(&mut page);
    assert!((70.0..82.0).contains(&before), "retail weekday as shipped: {before} %");
    assert_eq!(page.text("#verdict b"), "missed");
    let report_before = page.eval("document.getElementById('report').contentDocument.body.innerHTML.length");
    // The billing team's shifts from 19 and 12 agents to 25 and 18, written by the form.
    assert_eq!(
        page.text(".group[data-group=billing] span"),
        "billing: agents per shift "
    );
    page.eval(
        "const inputs = document.querySelectorAll('.group[data-group=billing] input');
         inputs[0].value = 25; inputs[1].value = 18;
         document.getElementById('keep-a').click();
         document.getElementById('apply').click();",
    );
    page.wait_for("document.getElementById('toml').value.includes('agents = 25, breaks')");
    let toml = page.eval("document.getElementById('toml').value");
    assert!(toml.as_str().unwrap().contains("agents = 18, breaks"), "{toml}");
    page.wait_for("document.getElementById('validation').textContent.startsWith('valid')");
    let shown = page.text("#service-level b");
    page.eval("document.getElementById('run').click()");
    page.wait_for(&format!(
        "document.querySelector('#service-level b') && !document.querySelector('#service-level b').textContent.startsWith('{}')
         && document.getElementById('progress-text').textContent.startsWith('done')",
        shown
    ));
    let after = service_level(&mut page);
    assert!(after > before + 3.0, "more billing agents: {before} % → {after} %");
    page.wait_for(&format!(
        "document.getElementById('report').contentDocument.body.innerHTML.length != {report_before}"
    ));
    let report = page.eval("document.getElementById('report').contentDocument.body.innerHTML");
    assert!(report.as_str().unwrap().contains("<svg"), "the report's charts show");
    if let Some(path) = std::env::var_os("CCSIM_WORKBENCH_SCREENSHOT") {
        page.screenshot(Path::new(&path));
    }
    // Compare: A as shipped, B with the added agents.
    page.eval("document.getElementById('compare').click()");
    page.wait_for("!document.getElementById('comparison').hidden");
    let table = page.text("#comparison");
    assert!(table.contains("service_level"), "{table}");
}

#[test]
fn an_error_typed_in_the_editor_shows_at_its_line() {
    let Some(chromium) = chromium_or_skip("an_error_typed_in_the_editor_shows_at_its_line") else {
        return;
    };
    let bench = Workbench::start();
    let mut page = Browser::start(&chromium);
    page.open(&format!("http://{}/", bench.address));
    page.wait_for("document.querySelector('#file-list a[data-path=\"single-skill.toml\"]')");
    page.eval("document.querySelector('#file-list a[data-path=\"single-skill.toml\"]').click()");
    page.wait_for("document.getElementById('validation').textContent.startsWith('valid')");
    let text = std::fs::read_to_string(bench.dir.path().join("single-skill.toml")).unwrap();
    let (line, column) = text
        .lines()
        .enumerate()
        .find_map(|(i, l)| l.find("agents = ").map(|c| (i + 1, c + 1 + "agents = ".len())))
        .expect("the scenario gives agents");
    // The planner types a word where the number of agents was.
    page.eval(
        "const t = document.getElementById('toml');
         t.value = t.value.replace(/agents = \\d+/, 'agents = \"many\"');
         t.dispatchEvent(new Event('input'));",
    );
    page.wait_for("document.getElementById('validation').textContent === '1 error'");
    let shown = page.text("#diagnostics li.error");
    assert!(
        shown.starts_with(&format!("line {line}, column {column}: agent_group[0].agents: ")),
        "{shown}"
    );
    assert_eq!(
        page.text("#gutter .bad"),
        line.to_string(),
        "the line is marked in the margin"
    );
}

/// Opens `file` by a click in the list and waits until the page has validated it.
fn open_file(page: &mut Browser, bench: &Workbench, file: &str) {
    page.open(&format!("http://{}/", bench.address));
    let link = format!("document.querySelector('#file-list a[data-path=\"{file}\"]')");
    page.wait_for(&link);
    page.eval(&format!("{link}.click()"));
    page.wait_for(&format!(
        "document.getElementById('path').textContent === '{file}'
         && document.getElementById('validation').textContent.startsWith('valid')"
    ));
}

/// Replaces the editor's text by the result of `js` (an expression of `t`, the text) as if
/// typed, and waits until it is validated.
fn edit(page: &mut Browser, js: &str) {
    page.eval(&format!(
        "{{ const e = document.getElementById('toml'); const t = e.value; e.value = {js};
         document.getElementById('validation').textContent = '';
         e.dispatchEvent(new Event('input')); }}"
    ));
    page.wait_for("document.getElementById('validation').textContent !== ''");
}

#[test]
fn a_long_run_is_cancelled_from_the_page_and_the_next_run_works() {
    let Some(chromium) = chromium_or_skip("a_long_run_is_cancelled_from_the_page_and_the_next_run_works") else {
        return;
    };
    let bench = Workbench::start();
    let mut page = Browser::start(&chromium);
    open_file(&mut page, &bench, "retail-helpdesk.toml");
    // 200,000 replications of the retail weekday: hours of work, so a "cancelled" seen
    // within the wait's minute is the cancel's doing.
    edit(&mut page, "t.replace(/^replications = \\d+/m, 'replications = 200000')");
    assert!(
        page.text("#validation").contains("200000 replications"),
        "{}",
        page.text("#validation")
    );
    page.eval("document.getElementById('run').click()");
    page.wait_for("document.getElementById('progress').value > 0 && !document.getElementById('cancel').disabled");
    // While it runs the server answers, and refuses this session a second job.
    let session = "sessionStorage.getItem('ccsim-session')";
    let files = page.eval("fetch('/api/files').then(r => r.status)");
    assert_eq!(files, json!(200));
    let second = page.eval(&format!(
        "fetch('/api/run?session=' + {session} + '&path=retail-helpdesk.toml',
           {{ method: 'POST', body: document.getElementById('toml').value }})
         .then(async r => [r.status, (await r.json()).error])"
    ));
    assert_eq!(
        second,
        json!([409, "a job is already running in this session: cancel it first"])
    );
    page.eval("document.getElementById('cancel').click()");
    page.wait_for("document.getElementById('status').textContent === 'cancelled'");
    let shown = page.text("#progress-text");
    let done: u64 = shown
        .strip_prefix("cancelled after ")
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{shown:?}"));
    assert!(shown.ends_with(" of 200000") && done < 200_000, "{shown}");
    assert!(!page.eval("document.getElementById('run').disabled").as_bool().unwrap());
    // A new run, as shipped, then works.
    edit(&mut page, "t.replace(/^replications = \\d+/m, 'replications = 20')");
    page.eval("document.getElementById('run').click()");
    page.wait_for("document.getElementById('progress-text').textContent.startsWith('done')");
    let level = service_level(&mut page);
    assert!((70.0..82.0).contains(&level), "retail weekday as shipped: {level} %");
}

const SMALL_STAFFING: &str = r#"[scenario]
name = "small"
start = "08:00"
duration = "2h"
interval = "30m"
replications = 10
seed = 3
service_level = { threshold = "20s", target = 0.80 }

[[call_type]]
name = "sales"
arrivals = { per_interval = [20, 40, 60, 30] }
handle_time = { dist = "exponential", mean = "4m" }
patience = { dist = "exponential", mean = "3m" }

[[agent_group]]
name = "team"
agents = 5
skills = ["sales"]
roster = { shifts = [{ start = "08:00", end = "10:00" }, { start = "09:00", end = "10:00" }] }
"#;

#[test]
fn the_staffing_search_shows_agents_per_interval_and_the_roster() {
    let Some(chromium) = chromium_or_skip("the_staffing_search_shows_agents_per_interval_and_the_roster") else {
        return;
    };
    let bench = Workbench::start();
    std::fs::write(bench.dir.path().join("small.toml"), SMALL_STAFFING).unwrap();
    let mut page = Browser::start(&chromium);
    open_file(&mut page, &bench, "small.toml");
    page.eval("document.getElementById('staff').click()");
    page.wait_for("document.querySelector('#staffing-table') && !document.getElementById('staffing').hidden");
    let rows = page.eval(
        "Array.from(document.querySelectorAll('#staffing-table tr'), r => Array.from(r.cells, c => c.textContent))",
    );
    let rows = rows.as_array().unwrap();
    assert_eq!(rows[0], json!(["interval", "team", "total", "targets"]));
    assert_eq!(rows.len(), 5, "a row per interval: {rows:?}");
    let agents: Vec<u64> = rows[1..]
        .iter()
        .map(|r| r[1].as_str().unwrap().parse().unwrap())
        .collect();
    assert_eq!(rows[1][0], json!("08:00"));
    assert_eq!(rows[4][0], json!("09:30"));
    // The busiest interval (60 calls of 4 minutes in 30 minutes: 8 erlangs) needs more
    // agents than the quietest (20 calls: under 3 erlangs).
    assert!(agents[2] > agents[0] && agents[2] >= 9, "{agents:?}");
    for r in &rows[1..] {
        assert!(["met", "within noise"].contains(&r[3].as_str().unwrap()), "{r:?}");
    }
    // The roster: whole agents on the two patterns, covering the busiest interval.
    let roster = page.eval(
        "Array.from(document.querySelectorAll('#staffing table.roster[data-group=team] tr'), r => Array.from(r.cells, c => c.textContent))",
    );
    let roster = roster.as_array().unwrap();
    assert_eq!(roster[0], json!(["start", "end", "breaks", "agents"]));
    assert_eq!(roster.len(), 3, "{roster:?}");
    let on_roster: u64 = roster[1..]
        .iter()
        .map(|r| r[3].as_str().unwrap().parse::<u64>().unwrap())
        .sum();
    assert!(on_roster >= agents[2], "{roster:?} against {agents:?}");
}

#[test]
fn the_run_is_charted_per_interval_with_missed_intervals_marked() {
    let Some(chromium) = chromium_or_skip("the_run_is_charted_per_interval_with_missed_intervals_marked") else {
        return;
    };
    let bench = Workbench::start();
    // The first load: page, script and style, well under 500 KB.
    let first_load: usize = ["/", "/app.js", "/app.css"].iter().map(|p| bench.get(p).1.len()).sum();
    assert!(first_load < 100_000, "first load {first_load} bytes");
    let mut page = Browser::start(&chromium);
    page.open(&format!("http://{}/?open=retail-helpdesk.toml&run", bench.address));
    page.wait_for("document.querySelector('#chart-occupancy circle')");
    // The retail weekday: 08:00 to 20:00 in half hours.
    let points = |page: &mut Browser, chart: &str| {
        page.eval(&format!("document.querySelectorAll('#{chart} circle').length"))
            .as_u64()
            .unwrap()
    };
    assert_eq!(points(&mut page, "chart-service-level"), 24);
    assert_eq!(points(&mut page, "chart-answer-rate"), 24);
    assert_eq!(points(&mut page, "chart-agents"), 3 * 24, "three groups");
    assert_eq!(points(&mut page, "chart-occupancy"), 3 * 24);
    assert_eq!(
        page.eval("document.querySelectorAll('#chart-service-level line.band').length"),
        json!(24)
    );
    // The shipped day misses its 80/20 in the morning peak (09:30 at about 50 %).
    let peak =
        page.eval("document.querySelector('#chart-service-level circle[data-interval=\"3\"]').getAttribute('class')");
    assert_eq!(peak, json!("point missed"));
    let title = page.text("#chart-service-level circle[data-interval=\"3\"] title");
    assert!(
        title.starts_with("09:30 all: ") && title.ends_with(", target 80.0 %: missed"),
        "{title}"
    );
    // The marks are the worst of the call types: never met where one misses.
    let marks = page.eval(
        "fetch('/api/result/summary.json?session=' + sessionStorage.getItem('ccsim-session')).then(r => r.json())
         .then(s => s.intervals.map((i, k) => [i.call_types.some(c => (c.targets || []).some(t => t.metric === 'service_level' && t.status === 'missed')),
            document.querySelector(`#chart-service-level circle[data-interval=\"${k}\"]`).classList.contains('missed')]))",
    );
    for (k, pair) in marks.as_array().unwrap().iter().enumerate() {
        assert_eq!(pair[0], pair[1], "interval {k}: a call type missed vs the mark");
    }
    // Hovering a point shows its value.
    page.eval(
        "document.querySelector('#chart-service-level circle[data-interval=\"3\"]').dispatchEvent(new Event('mouseenter'))",
    );
    assert_eq!(page.text("#chart-hover"), title);
    // One call type alone: its own figures and marks.
    page.eval("const s = document.getElementById('chart-call-type'); s.value = 'billing'; s.dispatchEvent(new Event('change'))");
    let title = page.text("#chart-service-level circle[data-interval=\"3\"] title");
    assert!(title.starts_with("09:30 billing: "), "{title}");
}

#[test]
fn a_partial_key_is_completed_from_the_schema() {
    let Some(chromium) = chromium_or_skip("a_partial_key_is_completed_from_the_schema") else {
        return;
    };
    let bench = Workbench::start();
    let mut page = Browser::start(&chromium);
    open_file(&mut page, &bench, "single-skill.toml");
    page.wait_for("document.getElementById('toml').value.includes('[[agent_group]]')");
    // The planner starts a line in the agent group with "shri".
    page.eval(
        "{ const t = document.getElementById('toml');
         const at = t.value.indexOf('[[agent_group]]\\n') + '[[agent_group]]\\n'.length;
         t.value = t.value.slice(0, at) + 'shri\\n' + t.value.slice(at);
         t.focus(); t.setSelectionRange(at + 4, at + 4);
         t.dispatchEvent(new Event('input')); }",
    );
    page.wait_for("!document.getElementById('completions').hidden");
    let offered = page.eval("Array.from(document.querySelectorAll('#completions li'), li => li.dataset.key)");
    assert_eq!(offered, json!(["shrinkage"]));
    // In [scenario], "repl" offers the scenario's key, not the agent group's.
    page.eval(
        "{ const t = document.getElementById('toml');
         const at = t.value.indexOf('[scenario]\\n') + '[scenario]\\n'.length;
         t.value = t.value.slice(0, at) + 'repl\\n' + t.value.slice(at);
         t.setSelectionRange(at + 4, at + 4);
         t.dispatchEvent(new Event('input')); }",
    );
    page.wait_for("document.querySelector('#completions li') && document.querySelector('#completions li').dataset.key !== 'shrinkage'");
    let offered = page.eval("Array.from(document.querySelectorAll('#completions li'), li => li.dataset.key)");
    assert_eq!(offered, json!(["replications"]));
    // Tab takes it.
    page.eval("document.getElementById('toml').dispatchEvent(new KeyboardEvent('keydown', { key: 'Tab' }))");
    let text = page.eval("document.getElementById('toml').value");
    assert!(
        text.as_str().unwrap().contains("[scenario]\nreplications = \n"),
        "{text}"
    );
}

#[test]
fn vendors_routes_and_per_interval_agents_are_switched_in_the_form() {
    let Some(chromium) = chromium_or_skip("vendors_routes_and_per_interval_agents_are_switched_in_the_form") else {
        return;
    };
    let bench = Workbench::start();
    let mut page = Browser::start(&chromium);
    open_file(&mut page, &bench, "vendor-overflow.toml");
    let shipped = std::fs::read_to_string(bench.dir.path().join("vendor-overflow.toml")).unwrap();
    let routes = page.eval("Array.from(document.querySelectorAll('#routes label'), l => l.textContent)");
    assert_eq!(
        routes,
        json!([
            " route orders → in-house",
            " route orders → onshore",
            " route orders → offshore"
        ])
    );
    // The offshore route out: offshore answers only orders, and a group needs a skill,
    // so the form refuses and says what to do instead; the text stays as it was.
    page.eval(
        "document.querySelector('#routes input[data-group=offshore]').checked = false;
         document.getElementById('apply').click();",
    );
    page.wait_for("document.getElementById('whatif-error').textContent !== ''");
    assert_eq!(
        page.text("#whatif-error"),
        "orders → offshore: offshore answers only orders, and a group needs a skill; set its agents to 0 (a vendor: switch it off) instead"
    );
    assert_eq!(page.eval("document.getElementById('toml').value"), json!(shipped));
    // So the planner switches the offshore vendor off instead, and the onshore one too.
    page.eval(
        "document.querySelector('#routes input[data-group=offshore]').checked = true;
         document.querySelector('.group[data-group=onshore] .vendor-on').checked = false;
         document.querySelector('.group[data-group=offshore] .vendor-on').checked = false;
         document.getElementById('apply').click();",
    );
    page.wait_for(
        "document.querySelector('.group[data-group=offshore] .vendor-on').dataset.was === 'false'
         && document.querySelector('.group[data-group=onshore] .vendor-on').dataset.was === 'false'
         && document.getElementById('validation').textContent.startsWith('valid')",
    );
    assert_eq!(page.text("#whatif-error"), "");
    let toml = page.eval("document.getElementById('toml').value");
    let toml = toml.as_str().unwrap();
    assert!(
        toml.contains("name = \"onshore\"\noutsourced = true\nagents = 0\n"),
        "{toml}"
    );
    assert!(
        toml.contains("name = \"offshore\"\noutsourced = true\nagents = 0\n"),
        "{toml}"
    );
    // Both back on: the text is as shipped again.
    page.eval(
        "document.querySelector('.group[data-group=onshore] .vendor-on').checked = true;
         document.querySelector('.group[data-group=offshore] .vendor-on').checked = true;
         document.getElementById('apply').click();",
    );
    page.wait_for(
        "document.querySelector('.group[data-group=offshore] .vendor-on').dataset.was === 'true'
         || document.getElementById('whatif-error').textContent",
    );
    assert_eq!(page.text("#whatif-error"), "");
    assert_eq!(page.eval("document.getElementById('toml').value"), json!(shipped));
    // The retail weekday's orders no longer overflow to tech: the route leaves the
    // routing and orders leave tech's skills; the scenario stays valid and runs.
    open_file(&mut page, &bench, "retail-helpdesk.toml");
    let retail = std::fs::read_to_string(bench.dir.path().join("retail-helpdesk.toml")).unwrap();
    page.eval(
        "document.querySelector('#routes input[data-group=tech]').checked = false;
         document.getElementById('apply').click();",
    );
    page.wait_for(
        "document.querySelector('#routes input[data-group=tech]').dataset.was === 'false'
         && document.getElementById('validation').textContent.startsWith('valid')",
    );
    let toml = page.eval("document.getElementById('toml').value");
    let toml = toml.as_str().unwrap();
    assert!(toml.contains("routing = [{ group = \"orders\" }]\n"), "{toml}");
    assert!(toml.contains("skills = [\"technical\"]\n"), "{toml}");
    page.eval("document.getElementById('run').click()");
    page.wait_for("document.getElementById('progress-text').textContent.startsWith('done')");
    page.eval(
        "document.querySelector('#routes input[data-group=tech]').checked = true;
         document.getElementById('apply').click();",
    );
    page.wait_for("document.querySelector('#routes input[data-group=tech]').dataset.was === 'true'");
    assert_eq!(page.eval("document.getElementById('toml').value"), json!(retail));
    // Billing's shifts replaced by agents per interval, starting from those on duty.
    open_file(&mut page, &bench, "retail-helpdesk.toml");
    page.eval("document.querySelector('.group[data-group=billing] .to-per-interval').click()");
    let on_duty = page.eval(
        "Array.from(document.querySelectorAll('.group[data-group=billing] input[type=number]'), i => Number(i.value))",
    );
    assert_eq!(on_duty.as_array().unwrap().len(), 24, "{on_duty}");
    page.eval(
        "document.querySelector('.group[data-group=billing] input[type=number]').value = 30;
         document.getElementById('apply').click();",
    );
    page.wait_for(
        "document.querySelector('.group[data-group=billing]').dataset.kind === 'per_interval'
        && !document.querySelector('.group[data-group=billing] .to-per-interval')
        && document.querySelector('.group[data-group=billing] input[type=number]').value === '30'
        && /agents = \\[30, /.test(document.getElementById('toml').value)",
    );
    assert!(
        page.text("#validation").starts_with("valid"),
        "{}",
        page.text("#validation")
    );
    // Validated, the form reads the group back from the new text: agents per interval.
    page.wait_for(
        "document.querySelector('.group[data-group=billing] span').textContent === 'billing: agents per interval '",
    );
    assert!(
        page.text("#validation").starts_with("valid"),
        "{}",
        page.text("#validation")
    );
}

/// A scenario sent to the workbench is UTF-8 text of at most a scenario file's 10 MiB,
/// else refused and never saved or changed (a 15 MB body was saved, then could not be
/// opened; bytes that are not UTF-8 were saved as U+FFFD); a file in a folder that does
/// not exist is said to be so (it was "leads outside the served folder").
#[test]
fn scenarios_sent_are_text_within_their_limit_and_kept_as_sent() {
    let bench = Workbench::start();
    let host = bench.address.clone();
    let big = format!("# {}\n", "x".repeat(11 << 20));
    for target in [
        "/api/save?path=big.toml",
        "/api/validate?path=big.toml",
        "/api/run?path=big.toml&session=bigbody01",
    ] {
        let (status, body) = bench.request("POST", target, &host, "", &big);
        assert_eq!(status, 413, "{target}: {body}");
        assert!(body.contains("a scenario may be at most 10 MiB"), "{target}: {body}");
    }
    let latin1: &[u8] = b"[scenario]\nname = \"caf\xe9\"\n";
    for target in ["/api/save?path=latin.toml", "/api/validate?path=latin.toml"] {
        let (status, body) = bench.request_bytes("POST", target, &host, "", latin1);
        assert_eq!(status, 400, "{target}: {body}");
        assert!(body.contains("not UTF-8 text (byte 22)"), "{target}: {body}");
    }
    assert!(!bench.dir.path().join("big.toml").exists());
    assert!(!bench.dir.path().join("latin.toml").exists());
    let (status, body) = bench.request("POST", "/api/save?path=nosuch/x.toml", &host, "", "a = 1\n");
    assert_eq!(status, 404, "{body}");
    assert!(
        body.contains("nosuch/x.toml: no folder nosuch under the served folder"),
        "{body}"
    );
    let (status, body) = bench.get("/api/file?path=%zz");
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("not percent-encoded UTF-8"), "{body}");
    // A FIFO under the folder is not saved into (it was written in place, and with a
    // reader that never reads, held a request thread for good).
    let fifo = bench.dir.path().join("pipe.toml");
    {
        let _reader = crate::common::fifo_with_stalled_reader(&fifo);
        let (status, body) = bench.request("POST", "/api/save?path=pipe.toml", &host, "", "a = 1\n");
        assert_eq!(status, 400, "{body}");
        assert!(body.contains("pipe.toml: not a regular file"), "{body}");
    }
}

/// Jobs, the results kept and workbooks being built share one memory budget
/// (`CCSIM_MEMORY_LIMIT`), not one each: eight runs of about 1.15 GiB at once under the
/// default 2 GiB aborted the server. A run that does not fit beside a running one is
/// refused (503) and the server goes on; kept results make room when needed.
#[test]
fn jobs_and_results_share_one_memory_budget() {
    // About 32 MiB while it runs, most of it its accumulators: two do not fit in 48 MiB.
    let scenario = r#"[scenario]
name = "budget"
duration = "10d"
interval = "15m"
replications = 200

[[call_type]]
name = "a"
arrivals = { per_hour = 300 }
handle_time = { dist = "exponential", mean = "3m" }

[[agent_group]]
name = "g"
agents = 20
skills = ["a"]
"#;
    let bench = Workbench::start_with_env(&["--threads", "1"], &[("CCSIM_MEMORY_LIMIT", "48MiB")]);
    let host = bench.address.clone();
    let (status, body) = bench.request(
        "POST",
        "/api/run?path=budget.toml&session=budgetone",
        &host,
        "",
        scenario,
    );
    assert_eq!(status, 200, "{body}");
    let (status, body) = bench.request(
        "POST",
        "/api/run?path=budget.toml&session=budgettwo",
        &host,
        "",
        scenario,
    );
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("not enough memory: this needs"), "{body}");
    assert!(body.contains("within the workbench's budget of 48 MiB"), "{body}");
    // The server still answers, and the first run goes on to its end.
    let (status, _) = bench.request("POST", "/api/cancel?session=budgetone", &host, "", "");
    assert_eq!(status, 200);
    let job = bench.ended_job("budgetone");
    assert_eq!(job["state"], "cancelled", "{job}");
    // Once it has ended, the second fits.
    let (status, body) = bench.request(
        "POST",
        "/api/run?path=budget.toml&session=budgettwo",
        &host,
        "",
        scenario,
    );
    assert_eq!(status, 200, "{body}");
}

/// A job cancelled inside its only replication has done none of it: the page said
/// "cancelled after 1 of 1", counting the replication cut short as done.
#[test]
fn a_replication_cut_short_by_cancel_is_not_counted_done() {
    // One replication of a year at 3,000 calls an hour: minutes of work.
    let scenario = r#"[scenario]
name = "long"
duration = "300d"
interval = "1d"
replications = 1

[[call_type]]
name = "a"
arrivals = { per_hour = 3000 }
handle_time = { dist = "exponential", mean = "3m" }

[[agent_group]]
name = "g"
agents = 160
skills = ["a"]
"#;
    let bench = Workbench::start_with(&["--threads", "1"]);
    let host = bench.address.clone();
    let (status, body) = bench.request(
        "POST",
        "/api/run?path=long.toml&session=longjobone",
        &host,
        "",
        scenario,
    );
    assert_eq!(status, 200, "{body}");
    std::thread::sleep(Duration::from_millis(500));
    let (_, job) = bench.get("/api/job?session=longjobone");
    assert!(job.contains("\"running\""), "still running after 0.5 s: {job}");
    let (status, _) = bench.request("POST", "/api/cancel?session=longjobone", &host, "", "");
    assert_eq!(status, 200);
    let job = bench.ended_job("longjobone");
    assert_eq!(job["state"], "cancelled", "{job}");
    assert_eq!(
        (job["done"].as_u64(), job["total"].as_u64()),
        (Some(0), Some(1)),
        "{job}"
    );
}

/// A client that sends requests and closes without reading the answers ends its own
/// connection only: the server, on its first write to the closed connection, was killed
/// by SIGPIPE (the command line restores the signal's default action for `| head`).
#[test]
fn a_client_that_leaves_without_reading_ends_only_its_connection() {
    let mut bench = Workbench::start();
    for _ in 0..20 {
        let mut stream = TcpStream::connect(&bench.address).unwrap();
        let one = format!("GET /app.js HTTP/1.1\r\nHost: {}\r\n\r\n", bench.address);
        stream.write_all(one.repeat(5).as_bytes()).unwrap();
        stream.shutdown(std::net::Shutdown::Write).unwrap();
        drop(stream);
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(200));
    assert!(bench.child.try_wait().unwrap().is_none(), "the server is still running");
    let (status, _) = bench.get("/api/files");
    assert_eq!(status, 200);
}

/// Downloads being sent are counted within the memory budget until sent, and a client
/// that stops reading one has its connection closed after `SEND_TIMEOUT` (30 s): 512
/// clients asking for a large result and never reading held all of it (3.5 GB) and every
/// connection, for as long as they liked.
#[test]
fn downloads_being_sent_are_within_the_budget_and_a_stalled_reader_is_dropped() {
    // A summary.json of about 13 MB: more than the system's buffers of a connection
    // hold (4 MiB to send here), so a client that does not read leaves most of it with
    // the server.
    let scenario = r#"[scenario]
name = "wide"
start = "00:00"
duration = "72h"
interval = "5m"
replications = 2
service_level = { threshold = "20s", target = 0.80 }

[[call_type]]
name = "a"
arrivals = { per_hour = 1 }
handle_time = { dist = "exponential", mean = "5m" }
patience = { dist = "exponential", mean = "3m" }

[[agent_group]]
name = "g"
agents = 1
skills = ["a"]
"#;
    let mut bench = Workbench::start_with_env(&["--threads", "1"], &[("CCSIM_MEMORY_LIMIT", "64MiB")]);
    let host = bench.address.clone();
    let (status, body) = bench.request(
        "POST",
        "/api/run?path=wide.toml&session=widejobone",
        &host,
        "",
        scenario,
    );
    assert_eq!(status, 200, "{body}");
    let job = bench.ended_job("widejobone");
    assert_eq!(job["state"], "done", "{job}");
    let (status, summary) = bench.get("/api/result/summary.json?session=widejobone");
    assert_eq!(status, 200);
    let size = summary.len();
    assert!(size > 8_000_000, "summary.json of {size} bytes");
    // Clients that ask for it and never read (a receive buffer of 2 KiB, so the answer
    // cannot all sit in the system's buffers): the budget (64 MiB, the result itself held
    // in it) takes a few of them, the rest are refused.
    let mut stalled = Vec::new();
    let mut refused = 0;
    for _ in 0..30 {
        let mut stream = TcpStream::connect(&bench.address).unwrap();
        {
            use std::os::fd::AsRawFd;
            let small: libc::c_int = 2048;
            // SAFETY: a valid socket and an int option of the right size.
            let set = unsafe {
                libc::setsockopt(
                    stream.as_raw_fd(),
                    libc::SOL_SOCKET,
                    libc::SO_RCVBUF,
                    (&small as *const libc::c_int).cast(),
                    std::mem::size_of::<libc::c_int>() as libc::socklen_t,
                )
            };
            assert_eq!(set, 0);
        }
        write!(
            stream,
            "GET /api/result/summary.json?session=widejobone HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut head = [0u8; 12];
        stream.read_exact(&mut head).unwrap();
        match &head {
            b"HTTP/1.1 200" => stalled.push(stream),
            b"HTTP/1.1 503" => {
                let mut rest = String::new();
                let _ = stream.read_to_string(&mut rest);
                assert!(rest.contains("not enough memory"), "{rest}");
                refused += 1;
            }
            other => panic!("{}", String::from_utf8_lossy(other)),
        }
    }
    let sending = stalled.len();
    assert!(
        (1..=64 * 1024 * 1024 / size).contains(&sending) && refused == 30 - sending,
        "{sending} downloads of {size} bytes being sent at once, {refused} refused"
    );
    let (status, body) = bench.get("/api/result/summary.json?session=widejobone");
    assert_eq!(status, 503, "the budget is full while they stall");
    assert!(body.contains("not enough memory"), "{body}");
    // Without reading, and with their sockets kept open, they are dropped after 30 s:
    // their memory given back, a download fits again.
    std::thread::sleep(Duration::from_secs(33));
    let (status, again) = bench.get("/api/result/summary.json?session=widejobone");
    assert_eq!(status, 200, "{}", &again[..again.len().min(300)]);
    assert_eq!(again.len(), size);
    assert!(bench.child.try_wait().unwrap().is_none(), "the server is still running");
    drop(stalled);
}

/// Clients slow to send their bodies, or that connect and send nothing, never hold up or
/// stop the server. Four POSTs that announced a body and sent two bytes once left every
/// later request unanswered, and about 1,600 idle connections stopped the server for good
/// (a thread each, until none could be started). Now a connection is a task: past
/// `MAX_CONNECTIONS` (512) one is answered 503 and closed, an idle one is closed after
/// `HEADER_TIMEOUT` (10 s), and a body that has not arrived within `BODY_TIMEOUT` (30 s)
/// is answered 408.
#[test]
fn slow_and_idle_clients_are_bounded_and_never_stop_the_server() {
    // About 760 sockets open at once here, beside the other tests': the descriptor limit
    // raised to what the system allows (often 1,024 by default).
    {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: reads and sets this process's own limit through a valid struct.
        unsafe {
            assert_eq!(libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit), 0);
            limit.rlim_cur = limit.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        }
    }
    let mut bench = Workbench::start();
    let started = Instant::now();
    let stalled_upload = |method: &str| {
        let mut stream = TcpStream::connect(&bench.address).unwrap();
        write!(
            stream,
            "{method} /api/validate?path=x.toml HTTP/1.1\r\nHost: {}\r\nContent-Length: 1000000\r\n\r\nab",
            bench.address
        )
        .unwrap();
        stream
    };
    // In a burst, a GET with a trickled body among them.
    let mut stalled: Vec<TcpStream> = (0..40).map(|_| stalled_upload("POST")).collect();
    stalled.push(stalled_upload("GET"));
    std::thread::sleep(Duration::from_millis(100));
    let files = |bench: &Workbench| {
        let mut stream = TcpStream::connect(&bench.address).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        write!(
            stream,
            "GET /api/files HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            bench.address
        )
        .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).expect("an answer");
        answer
    };
    let answer = files(&bench);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("single-skill.toml"), "{answer}");

    // Bodies being received are bounded together (256 MiB, each at its announced length):
    // beside the 41 MB above, ten more of the largest size fit and the eleventh is
    // refused at once.
    let largest = ccsim_serve::MAX_BODY_BYTES;
    for n in 1..=11 {
        let mut upload = TcpStream::connect(&bench.address).unwrap();
        write!(
            upload,
            "POST /api/validate?path=x.toml HTTP/1.1\r\nHost: {}\r\nContent-Length: {largest}\r\n\r\nab",
            bench.address
        )
        .unwrap();
        upload.set_read_timeout(Some(Duration::from_millis(300))).unwrap();
        let mut answer = String::new();
        let read = upload.read_to_string(&mut answer);
        if n <= 10 {
            assert!(read.is_err() && answer.is_empty(), "upload {n} was answered: {answer}");
            stalled.push(upload);
        } else {
            assert!(answer.starts_with("HTTP/1.1 503"), "upload {n}: {answer}");
            assert!(answer.contains("of requests already, its most at once"), "{answer}");
        }
    }

    // 700 connections that send nothing: past the limit of 512 open at once (the 51
    // uploads included), the rest are answered 503 and closed.
    let idle: Vec<TcpStream> = (0..700).map(|_| TcpStream::connect(&bench.address).unwrap()).collect();
    let mut last = idle.last().unwrap();
    last.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut answer = String::new();
    last.read_to_string(&mut answer).expect("closed at once");
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(answer.contains("too many connections"), "{answer}");
    assert!(bench.child.try_wait().unwrap().is_none(), "the server is still running");

    // The first idle connection was taken; it is closed once its headers are overdue.
    let mut first = &idle[0];
    first.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut rest = Vec::new();
    first
        .read_to_end(&mut rest)
        .expect("closed by the server, not by the read timeout");
    let closed_after = started.elapsed();
    assert!(
        closed_after >= Duration::from_secs(10) && closed_after < Duration::from_secs(25),
        "an idle connection closed after {closed_after:?}, not about 10 s"
    );
    std::thread::sleep(Duration::from_millis(500));
    let answer = files(&bench);
    assert!(
        answer.starts_with("HTTP/1.1 200"),
        "idle connections closed, others answered: {answer}"
    );
    drop(idle);

    // The uploads' bodies are overdue after 30 s: each is answered 408 and closed.
    for mut upload in stalled {
        upload.set_read_timeout(Some(Duration::from_secs(40))).unwrap();
        let mut answer = String::new();
        upload.read_to_string(&mut answer).expect("answered, not left hanging");
        assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
        assert!(answer.contains("did not arrive within 30 s"), "{answer}");
    }
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_secs(30) && waited < Duration::from_secs(45),
        "{waited:?}"
    );
    assert!(bench.child.try_wait().unwrap().is_none(), "the server is still running");
}
