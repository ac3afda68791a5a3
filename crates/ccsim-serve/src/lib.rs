//! `ccsim serve`: the planner's workbench in a browser, from the same binary.
//!
//! An HTTP/1.1 server (hyper on a small tokio runtime) serves one page whose assets are
//! embedded in the binary, and a JSON API over the scenario files under one folder:
//! list, read, validate (the reader's own diagnostics, as `ccsim validate` gives them),
//! rewrite by the what-if form ([`whatif`]), save (atomically, only when asked), and
//! run, staff or compare on a worker thread, one job per browser session at a time, each
//! with its own cancel token ([`ccsim::interrupt::Cancel`]).
//!
//! Safe by default: it listens on 127.0.0.1 unless `--bind` says otherwise; it reads and
//! writes only files under its folder (paths relative, no `..`, canonicalised, symlinks
//! leading outside refused; the CSV files a scenario names too, through
//! [`Scenario::parse_within`]); it refuses requests whose Host or Origin is not its own
//! (localhost with its port, and with `--bind` the bound address and the machine's
//! name), so a web page elsewhere cannot reach it through DNS rebinding. Clients are
//! bounded too: at most [`MAX_CONNECTIONS`] connections at once (a connection is a task,
//! not a thread, so idle ones cost a few kilobytes), headers within
//! [`HEADER_TIMEOUT`] of connecting or of the last answer, a body of at most
//! [`MAX_BODY_BYTES`] within [`BODY_TIMEOUT`], and the requests' work on at most
//! [`REQUEST_THREADS`] threads.

pub mod whatif;

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::{Method, Request, Response};
use serde_json::{Value, json};

use ccsim::compare::Comparison;
use ccsim::error::{Diagnostic, Error};
use ccsim::interrupt::Cancel;
use ccsim::model::Model;
use ccsim::scenario::Scenario;
use ccsim::staff::StaffPlan;
use ccsim::summary::Summary;

const PAGE: &str = include_str!("page.html");
const SCRIPT: &str = include_str!("app.js");
const STYLE: &str = include_str!("app.css");

/// The largest request body: a scenario file's limit, twice (compare sends two), plus
/// room for the JSON around them.
pub const MAX_BODY_BYTES: u64 = 2 * ccsim::input::MAX_SCENARIO_BYTES + (64 << 10);
/// The most scenario files listed, and how deep the listing looks into folders.
pub const MAX_LISTED_FILES: usize = 2000;
const MAX_LIST_DEPTH: usize = 4;
/// The most browser sessions with a job (or result) kept; finished ones go first.
pub const MAX_SESSIONS: usize = 64;
/// Threads doing the requests' work (reading, validating, saving, building workbooks);
/// jobs run on threads of their own, connections on the runtime's two.
pub const REQUEST_THREADS: usize = 8;
/// The most connections open at once. One more is answered 503 and closed; a browser
/// opens about six.
pub const MAX_CONNECTIONS: usize = 512;
/// How long a connection may take to send a request's headers, from when it opens or
/// its last answer was sent: an idle connection is closed after it.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a request's body may take to arrive whole (408 after it).
pub const BODY_TIMEOUT: Duration = Duration::from_secs(30);
/// How long an answer may wait for its client to take more of it: a client that stops
/// reading has its connection closed then, and the answer's memory given back. A
/// download must also be taken at [`SLOWEST_DOWNLOAD`] bytes a second at least.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(30);
/// The most bytes of request bodies being received at once (each counted at its
/// announced length, or at [`MAX_BODY_BYTES`] when it announces none); one more is
/// answered 503.
pub const MAX_BODIES_IN_FLIGHT: u64 = 256 << 20;
/// The largest buffer a connection keeps for a request's headers.
const MAX_HEADER_BUFFER: usize = 64 << 10;

/// How `ccsim serve` was asked to run.
pub struct Options {
    pub dir: PathBuf,
    pub port: u16,
    pub bind: Option<IpAddr>,
    pub threads: usize,
}

/// Serves until the process ends or Ctrl-C. Prints the address on stdout first.
pub fn serve(options: Options) -> Result<(), Error> {
    let root = options
        .dir
        .canonicalize()
        .map_err(|e| Error::io(options.dir.display().to_string(), e))?;
    if !root.is_dir() {
        return Err(Error::Other(format!("{}: not a folder", options.dir.display())));
    }
    let ip = options.bind.unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST));
    if !ip.is_loopback() {
        eprintln!(
            "warning: listening on {ip}: anyone who can reach this machine can read and run the scenarios under {}",
            root.display()
        );
    }
    // Memory freed by one thread is reused by the next: glibc's per-thread arenas would
    // otherwise each keep the address space of the largest workbook or run they held, and
    // a few request threads building workbooks in turn could pass any address-space cap
    // though the budget below holds at every moment.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: sets a malloc tunable before this server starts any thread.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
    // A client that closes its connection while an answer is written must end that
    // connection only: the command line restores SIGPIPE's default action (exit) for
    // `ccsim run | head`, and the server's writes (`writev`) would raise it.
    #[cfg(unix)]
    // SAFETY: sets one signal's disposition before this server starts any thread.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_IGN);
    }
    let listener = std::net::TcpListener::bind(SocketAddr::new(ip, options.port))
        .and_then(|l| l.set_nonblocking(true).map(|()| l))
        .map_err(|e| Error::Other(format!("cannot listen on {ip}:{}: {e}", options.port)))?;
    let port = listener.local_addr().map(|a| a.port()).unwrap_or(options.port);
    let host = |ip: IpAddr| match ip {
        IpAddr::V6(v6) => format!("[{v6}]:{port}"),
        IpAddr::V4(v4) => format!("{v4}:{port}"),
    };
    let mut hosts = vec![
        format!("localhost:{port}"),
        host(IpAddr::V4(Ipv4Addr::LOCALHOST)),
        format!("[::1]:{port}"),
    ];
    if options.bind.is_some() {
        // Reached from elsewhere: by the address it listens on, or by this machine's name.
        if !ip.is_unspecified() && !hosts.contains(&host(ip)) {
            hosts.push(host(ip));
        }
        if let Some(name) = machine_name() {
            hosts.push(format!("{name}:{port}"));
        }
    }
    // The address to open: the one it listens on, or 127.0.0.1 when it listens on all.
    let address = if ip.is_unspecified() {
        host(IpAddr::V4(Ipv4Addr::LOCALHOST))
    } else {
        host(ip)
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads(REQUEST_THREADS)
        .thread_name("ccsim-serve")
        .enable_io()
        .enable_time()
        .build()
        .map_err(|e| Error::Other(format!("cannot start the server's threads: {e}")))?;
    let listener = {
        let _entered = runtime.enter();
        tokio::net::TcpListener::from_std(listener)
            .map_err(|e| Error::Other(format!("cannot listen on {ip}:{}: {e}", options.port)))?
    };
    println!(
        "ccsim serve: http://{address}/ (the scenarios under {})",
        root.display()
    );
    use std::io::Write;
    let _ = std::io::stdout().flush();
    let bench = Arc::new(Workbench {
        root,
        hosts,
        threads: options.threads,
        sessions: Mutex::new(HashMap::new()),
        budget: u128::from(ccsim::budget::budget()?),
        building: Mutex::new(0),
        receiving: AtomicU64::new(0),
    });
    let accepting = runtime.spawn(accept(listener, bench));
    // The first Ctrl-C ends the server (exit 130): running jobs end with the process,
    // a file being saved is left as it was.
    loop {
        std::thread::sleep(Duration::from_millis(50));
        if ccsim::interrupt::requested() {
            runtime.shutdown_background();
            ccsim::output::remove_temporaries();
            return Err(Error::Interrupted);
        }
        if accepting.is_finished() {
            runtime.shutdown_background();
            return Ok(());
        }
    }
}

/// Takes connections until the process ends, each served on a task of its own; one past
/// [`MAX_CONNECTIONS`] is answered 503 and closed. A failed accept (no descriptor left,
/// say) is retried after a pause, never the end of the server.
async fn accept(listener: tokio::net::TcpListener, bench: Arc<Workbench>) {
    let open = Arc::new(AtomicUsize::new(0));
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        if open.load(Ordering::Relaxed) >= MAX_CONNECTIONS {
            let body = format!("too many connections to the workbench (at most {MAX_CONNECTIONS}); try again");
            let answer = format!(
                "HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.try_write(answer.as_bytes());
            continue;
        }
        open.fetch_add(1, Ordering::Relaxed);
        let guard = Open(Arc::clone(&open));
        let bench = Arc::clone(&bench);
        tokio::spawn(async move {
            let _guard = guard;
            let deadline: SendDeadline = Arc::new(Mutex::new(None));
            let answering = Arc::clone(&deadline);
            let service = hyper::service::service_fn(move |request| {
                Workbench::answer(Arc::clone(&bench), Arc::clone(&answering), request)
            });
            let mut stream = tokio_io_timeout::TimeoutStream::new(stream);
            stream.set_write_timeout(Some(SEND_TIMEOUT));
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(HEADER_TIMEOUT)
                .max_buf_size(MAX_HEADER_BUFFER)
                .serve_connection(hyper_util::rt::TokioIo::new(Box::pin(stream)), service);
            tokio::pin!(connection);
            // A download past its deadline (a client reading too slowly) ends the
            // connection: dropping it drops the answer and gives its memory back.
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            loop {
                tokio::select! {
                    _ = &mut connection => break,
                    _ = tick.tick() => {
                        let overdue = deadline
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner)
                            .is_some_and(|d| d <= tokio::time::Instant::now());
                        if overdue {
                            break;
                        }
                    }
                }
            }
        });
    }
}

/// When the download a connection is sending must be sent by, if it is sending one.
type SendDeadline = Arc<Mutex<Option<tokio::time::Instant>>>;

/// The slowest a download may be taken, past [`SEND_TIMEOUT`]: an answer of `n` bytes
/// must be sent within `SEND_TIMEOUT + n / SLOWEST_DOWNLOAD` seconds.
pub const SLOWEST_DOWNLOAD: u64 = 256 << 10;

/// One open connection, counted while it lives.
struct Open(Arc<AtomicUsize>);

impl Drop for Open {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

struct Workbench {
    /// The folder served, canonical.
    root: PathBuf,
    /// The Host values (and Origins, after `http://`) this server answers, lower case.
    hosts: Vec<String>,
    threads: usize,
    sessions: Mutex<HashMap<String, Arc<Job>>>,
    /// The memory budget (`CCSIM_MEMORY_LIMIT`, 2 GiB by default) of all jobs, results
    /// and workbooks being built at once, not of each: see [`Workbench::admit`].
    budget: u128,
    /// Bytes of the workbooks being built for downloads now, and of the answers of
    /// downloads being sent.
    building: Mutex<u128>,
    /// Bytes of request bodies being received now (see [`MAX_BODIES_IN_FLIGHT`]).
    receiving: AtomicU64,
}

/// One run, staffing search or comparison, on a thread of its own.
struct Job {
    /// The bytes it holds: its run's estimate ([`ccsim::budget::estimate`]) while it
    /// runs, then its result's (the summary's figures and the report's text).
    bytes: AtomicU64,
    /// What a workbook of its result takes to build, or why it cannot be built.
    workbook: Mutex<Result<u128, String>>,
    cancel: Cancel,
    done: AtomicU64,
    total: AtomicU64,
    /// What the search is doing (staff), for the progress line.
    stage: Mutex<String>,
    state: Mutex<State>,
    started: std::time::Instant,
    /// Set once `state` holds the job's end: read without locking `state` (which a
    /// download holds while it builds a workbook).
    finished: std::sync::atomic::AtomicBool,
}

enum State {
    Running,
    Failed(String),
    Cancelled,
    Ran {
        summary: Box<Summary>,
        report: String,
        seconds: f64,
        /// The length of an interval, for agents on duty from agent hours in the chart.
        interval_hours: f64,
    },
    Staffed {
        plan: Box<StaffPlan>,
        report: String,
        seconds: f64,
    },
    Compared {
        comparison: Box<Comparison>,
        seconds: f64,
    },
}

/// An answer: status, content type, body.
struct Reply(u16, &'static str, Vec<u8>);

impl Reply {
    fn json(value: Value) -> Reply {
        Reply(200, "application/json", value.to_string().into_bytes())
    }

    fn refuse(status: u16, why: impl Into<String>) -> Reply {
        Reply(
            status,
            "application/json",
            json!({ "error": why.into() }).to_string().into_bytes(),
        )
    }
}

impl Workbench {
    /// Answers one request: refused at once if not addressed to this server, else its
    /// body is read (bounded in size and time, on the connection's task, so a slow
    /// client holds no thread) and its work done on a request thread.
    async fn answer(
        bench: Arc<Workbench>,
        deadline: SendDeadline,
        request: Request<Incoming>,
    ) -> Result<Response<Full<Bytes>>, std::convert::Infallible> {
        let target = request
            .uri()
            .path_and_query()
            .map_or_else(|| request.uri().path().to_string(), |p| p.as_str().to_string());
        let (url, query) = split_url(&target);
        let sent = match bench.refusal(&request) {
            Some(refused) => Sent::Plain(refused),
            None => {
                let method = request.method().clone();
                match Receiving::reserve(&bench, &request) {
                    Err(refused) => Sent::Plain(refused),
                    Ok(receiving) => match read_body(request.into_body()).await {
                        Err(refused) => Sent::Plain(refused),
                        Ok(body) => {
                            let worker = Arc::clone(&bench);
                            let (url, query) = (url.clone(), query.clone());
                            tokio::task::spawn_blocking(move || {
                                let reply = worker.route(&method, &url, &query, &body);
                                drop((body, receiving));
                                if !url.starts_with("/api/result/") {
                                    return Sent::Plain(reply);
                                }
                                // A download is counted within the budget until its last
                                // byte is sent or its connection is dropped.
                                let session = query.get("session").map(String::as_str);
                                Sending::admit(&worker, reply, session, deadline).unwrap_or_else(Sent::Plain)
                            })
                            .await
                            .unwrap_or_else(|_| {
                                Sent::Plain(Reply::refuse(500, "the request failed inside the workbench"))
                            })
                        }
                    },
                }
            }
        };
        Ok(response(sent, &url, &query))
    }

    /// Why a request is refused before it is read: a Host or Origin not this server's.
    fn refusal(&self, request: &Request<Incoming>) -> Option<Reply> {
        // A header sent twice, or not in ASCII, counts as not this server's.
        let header = |name: &'static str| {
            let mut values = request.headers().get_all(name).iter();
            match (values.next(), values.next()) {
                (None, _) => None,
                (Some(value), None) => Some(value.to_str().map(str::to_ascii_lowercase).unwrap_or_default()),
                (Some(_), Some(_)) => Some(String::new()),
            }
        };
        // A target in absolute form names its host itself, which HTTP puts before `Host`.
        if let Some(authority) = request.uri().authority()
            && !self.hosts.contains(&authority.as_str().to_ascii_lowercase())
        {
            return Some(Reply::refuse(
                403,
                "this server answers only requests addressed to it (the target's host)",
            ));
        }
        match header("host") {
            Some(host) if self.hosts.contains(&host) => {}
            _ => {
                return Some(Reply::refuse(
                    403,
                    "this server answers only requests addressed to it (Host)",
                ));
            }
        }
        if let Some(origin) = header("origin")
            && !origin
                .strip_prefix("http://")
                .is_some_and(|o| self.hosts.iter().any(|h| h == o))
        {
            return Some(Reply::refuse(403, "this server answers only its own page (Origin)"));
        }
        None
    }

    fn route(&self, method: &Method, url: &str, query: &HashMap<String, String>, body: &[u8]) -> Reply {
        let get = *method == Method::GET;
        let post = *method == Method::POST;
        match url {
            "/" if get => Reply(200, "text/html; charset=utf-8", PAGE.as_bytes().to_vec()),
            "/app.js" if get => Reply(200, "text/javascript; charset=utf-8", SCRIPT.as_bytes().to_vec()),
            "/app.css" if get => Reply(200, "text/css; charset=utf-8", STYLE.as_bytes().to_vec()),
            "/api/files" if get => {
                let (files, not_text) = self.list();
                Reply::json(json!({ "files": files, "not_utf8": not_text }))
            }
            "/api/keys" if get => Reply::json(completions()),
            "/api/file" if get => match self.resolve(query.get("path")).and_then(|p| {
                ccsim::input::scenario_text(&p).map_err(|e| Reply::refuse(400, self.relative(&e.to_string())))
            }) {
                Ok(text) => Reply(200, "text/plain; charset=utf-8", text.into_bytes()),
                Err(refused) => refused,
            },
            "/api/validate" if post => match self
                .resolve_new(query.get("path"))
                .and_then(|p| Ok((p, scenario_text(body)?)))
            {
                Ok((path, text)) => Reply::json(self.validate(&path, text)),
                Err(refused) => refused,
            },
            "/api/whatif" if post => match serde_json::from_slice::<WhatIfRequest>(body) {
                Ok(r) => match whatif::apply(&r.toml, &r.what) {
                    Ok(toml) => Reply::json(json!({ "toml": toml })),
                    Err(why) => Reply::refuse(400, why),
                },
                Err(e) => Reply::refuse(400, format!("bad what-if request: {e}")),
            },
            "/api/save" if post => match self
                .resolve_new(query.get("path"))
                .and_then(|p| regular_or_new(p, query.get("path")))
                .and_then(|p| Ok((p, scenario_text(body)?)))
            {
                Ok((path, text)) => match ccsim::output::write_file(&path, text) {
                    Ok(()) => Reply::json(json!({ "saved": query.get("path") })),
                    Err(e) => Reply::refuse(500, self.relative(&e.to_string())),
                },
                Err(refused) => refused,
            },
            "/api/run" | "/api/staff" | "/api/compare" if post => self.start(url, query, body),
            "/api/job" if get => self.job_status(query),
            "/api/cancel" if post => match self.job(query) {
                Ok(job) => {
                    job.cancel.cancel();
                    Reply::json(json!({ "cancelled": true }))
                }
                Err(refused) => refused,
            },
            _ if url.starts_with("/api/result/") && get => self.result(&url["/api/result/".len()..], query),
            _ if get || post => Reply::refuse(404, "no such page"),
            _ => Reply::refuse(405, "only GET and POST"),
        }
    }

    /// The scenario files under the folder, relative, sorted; and how many were left out
    /// because their path is not UTF-8 (shown changed, it would name another file).
    fn list(&self) -> (Vec<String>, usize) {
        let mut files = Vec::new();
        let mut not_text = 0;
        let mut stack = vec![(self.root.clone(), 0)];
        while let Some((dir, depth)) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else { continue };
            for entry in entries.flatten() {
                let path = entry.path();
                let Ok(kind) = entry.file_type() else { continue };
                let hidden = entry.file_name().to_string_lossy().starts_with('.');
                if hidden || kind.is_symlink() && self.inside(&path).is_none() {
                    continue;
                }
                if path.is_dir() && depth < MAX_LIST_DEPTH && entry.file_name() != "target" {
                    stack.push((path, depth + 1));
                } else if path.extension().is_some_and(|e| e == "toml")
                    && path.is_file()
                    && files.len() < MAX_LISTED_FILES
                    && let Ok(rel) = path.strip_prefix(&self.root)
                {
                    match rel.to_str() {
                        Some(rel) => files.push(rel.replace('\\', "/")),
                        None => not_text += 1,
                    }
                }
            }
        }
        files.sort();
        (files, not_text)
    }

    /// `path` canonical, if it lies under the folder.
    fn inside(&self, path: &Path) -> Option<PathBuf> {
        path.canonicalize().ok().filter(|p| p.starts_with(&self.root))
    }

    /// A path the page names: relative, plain (no `..`, no root), a `.toml` file.
    fn plain(&self, rel: Option<&String>) -> Result<PathBuf, Reply> {
        let rel = rel.ok_or_else(|| {
            Reply::refuse(
                400,
                "no path given (or one that is not percent-encoded UTF-8): add ?path=FILE.toml",
            )
        })?;
        let path = Path::new(rel);
        let plain = !rel.is_empty()
            && !rel.contains('\\')
            && path.components().all(|c| matches!(c, Component::Normal(_)))
            && path.extension().is_some_and(|e| e == "toml");
        if !plain {
            return Err(Reply::refuse(
                403,
                format!("{rel}: not a .toml file under the served folder"),
            ));
        }
        Ok(self.root.join(path))
    }

    /// An existing scenario file under the folder (after symlinks).
    fn resolve(&self, rel: Option<&String>) -> Result<PathBuf, Reply> {
        let path = self.plain(rel)?;
        if !path.exists() {
            return Err(Reply::refuse(404, format!("{}: no such file", rel.map_or("", |r| r))));
        }
        self.inside(&path).ok_or_else(|| {
            Reply::refuse(
                403,
                format!("{}: leads outside the served folder", rel.map_or("", |r| r)),
            )
        })
    }

    /// A scenario file under the folder that may not exist yet (to validate or save):
    /// its folder must exist and lie under the served one, and the file, if it exists,
    /// too.
    fn resolve_new(&self, rel: Option<&String>) -> Result<PathBuf, Reply> {
        let path = self.plain(rel)?;
        let outside = || {
            Reply::refuse(
                403,
                format!("{}: leads outside the served folder", rel.map_or("", |r| r)),
            )
        };
        let folder = path.parent().expect("a path under the root");
        // Whether a folder exists is said only of folders under the served one.
        let existing = folder.ancestors().find(|a| a.exists()).unwrap_or(&self.root);
        if self.inside(existing).is_none() {
            return Err(outside());
        }
        if std::fs::symlink_metadata(folder).is_err() {
            let rel = rel.map_or("", |r| r);
            let missing = Path::new(rel)
                .parent()
                .map_or(String::new(), |f| f.display().to_string());
            return Err(Reply::refuse(
                404,
                format!("{rel}: no folder {missing} under the served folder: make it first"),
            ));
        }
        let parent = self.inside(folder).ok_or_else(outside)?;
        let path = parent.join(path.file_name().expect("a plain path has a file name"));
        if std::fs::symlink_metadata(&path).is_ok() && self.inside(&path).is_none() {
            return Err(outside());
        }
        Ok(path)
    }

    /// A message with the served folder's path taken out (the page shows paths under it).
    fn relative(&self, message: &str) -> String {
        let root = format!("{}{}", self.root.display(), std::path::MAIN_SEPARATOR);
        message.replace(&root, "")
    }

    /// The reader's and the model's diagnostics, and the groups for the form.
    fn validate(&self, path: &Path, text: &str) -> Value {
        let name = path.display().to_string();
        let (diagnostics, model) = match Scenario::parse_within(&name, text, &self.root).and_then(|s| Model::build(&s))
        {
            Ok(model) => (model.warnings.clone(), Some(model)),
            Err(Error::Invalid(d)) => (d, None),
            Err(e) => {
                let d = Diagnostic {
                    severity: ccsim::error::Severity::Error,
                    file: name.clone(),
                    line: 0,
                    column: 0,
                    field: String::new(),
                    message: e.to_string(),
                    suggestion: None,
                };
                (vec![d], None)
            }
        };
        let diagnostics: Vec<Value> = diagnostics
            .iter()
            .map(|d| {
                json!({
                    "severity": if d.severity == ccsim::error::Severity::Warning { "warning" } else { "error" },
                    "line": d.line, "column": d.column, "field": d.field,
                    "message": self.relative(&d.message), "suggestion": d.suggestion,
                })
            })
            .collect();
        json!({
            "ok": model.is_some(),
            "diagnostics": diagnostics,
            "summary": model.as_ref().map(|m| format!(
                "{} call types, {} groups, {} intervals, {} replications",
                m.call_types.len(), m.groups.len(), m.clock.intervals, m.replications)),
            "groups": form_groups(text, model.as_ref()),
            "routes": whatif::routes(text),
        })
    }

    fn session(query: &HashMap<String, String>) -> Result<String, Reply> {
        match query.get("session") {
            Some(s) if (8..=64).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric()) => Ok(s.clone()),
            _ => Err(Reply::refuse(400, "no session (8 to 64 letters or digits)")),
        }
    }

    fn job(&self, query: &HashMap<String, String>) -> Result<Arc<Job>, Reply> {
        let session = Self::session(query)?;
        let sessions = self.sessions.lock().expect("no request thread panics holding it");
        sessions
            .get(&session)
            .cloned()
            .ok_or_else(|| Reply::refuse(404, "nothing run in this session"))
    }

    /// Starts a run, a staffing search or a comparison for the session, unless one is
    /// already running there.
    fn start(&self, url: &str, query: &HashMap<String, String>, body: &[u8]) -> Reply {
        let session = match Self::session(query) {
            Ok(s) => s,
            Err(refused) => return refused,
        };
        let path = match self.resolve_new(query.get("path")) {
            Ok(p) => p,
            Err(refused) => return refused,
        };
        let name = path.display().to_string();
        let model = |text: &str| Scenario::parse_within(&name, text, &self.root).and_then(|s| Model::build(&s));
        let models = if url == "/api/compare" {
            let Ok(CompareRequest { a, b }) = serde_json::from_slice(body) else {
                return Reply::refuse(400, "a comparison needs {\"a\": TOML, \"b\": TOML}");
            };
            if let Err(refused) = scenario_text(a.as_bytes()).and(scenario_text(b.as_bytes())) {
                return refused;
            }
            model(&a).and_then(|a| Ok(vec![a, model(&b)?]))
        } else {
            match scenario_text(body) {
                Ok(text) => model(text).map(|m| vec![m]),
                Err(refused) => return refused,
            }
        };
        let models = match models {
            Ok(m) => m,
            Err(e) => return Reply::refuse(400, self.relative(&e.to_string())),
        };
        // What the run holds at its peak: the library's own estimate, as it checks it.
        let threads = match self.threads {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
            n => n,
        };
        let first = &models[0];
        let held = match url {
            "/api/compare" => 2 * first.replications,
            "/api/staff" => first
                .staffing
                .max_replications
                .max(first.staffing.replications.unwrap_or(first.replications).max(2)),
            _ => 0,
        };
        let peak: u128 = models
            .iter()
            .flat_map(|m| ccsim::budget::estimate(m, threads, held))
            .map(|p| p.bytes)
            .sum();
        // A job over the budget alone is refused by the run itself at once, saying what
        // takes the memory: it holds nothing meanwhile.
        let peak = if peak > self.budget { 0 } else { peak };
        let job = Arc::new(Job {
            bytes: AtomicU64::new(u64::try_from(peak).unwrap_or(u64::MAX)),
            workbook: Mutex::new(Err("no result yet".into())),
            cancel: Cancel::new(),
            done: AtomicU64::new(0),
            total: AtomicU64::new(models.iter().map(|m| m.replications).sum()),
            stage: Mutex::new(String::new()),
            state: Mutex::new(State::Running),
            started: std::time::Instant::now(),
            finished: std::sync::atomic::AtomicBool::new(false),
        });
        {
            let mut sessions = self.sessions.lock().expect("no request thread panics holding it");
            if sessions.get(&session).is_some_and(|j| j.running()) {
                return Reply::refuse(409, "a job is already running in this session: cancel it first");
            }
            if sessions.len() >= MAX_SESSIONS {
                sessions.retain(|_, j| j.running());
                if sessions.len() >= MAX_SESSIONS {
                    return Reply::refuse(503, "too many jobs running: try again when one ends");
                }
            }
            // This session's last result goes with the new job (it is not counted).
            if let Err(refused) = self.admit(&mut sessions, peak, None, Some(&session)) {
                return refused;
            }
            sessions.insert(session, Arc::clone(&job));
        }
        let (threads, kind) = (self.threads, url.to_owned());
        std::thread::spawn(move || {
            let work = Arc::clone(&job);
            let (state, result_bytes, workbook) = job.cancel.scope(move || work.run(&kind, models, threads));
            *job.workbook.lock().expect("only this thread writes it") = workbook;
            job.bytes
                .store(u64::try_from(result_bytes).unwrap_or(u64::MAX), Ordering::Relaxed);
            *job.state.lock().expect("only this thread writes it") = state;
            job.finished.store(true, Ordering::SeqCst);
        });
        Reply::json(json!({ "started": true }))
    }

    /// Makes room for `bytes` more within the budget, beside every job and result held
    /// (but `replaced`'s, which the new job replaces) and the workbooks being built: the
    /// results of other sessions go (never `keep`'s), the oldest first, as needed, and
    /// none of them if even all would not make room: then refused (503). Never locks a
    /// job's `state` (a download holds it while it calls this).
    fn admit(
        &self,
        sessions: &mut HashMap<String, Arc<Job>>,
        bytes: u128,
        keep: Option<&str>,
        replaced: Option<&str>,
    ) -> Result<(), Reply> {
        let building = *self.building.lock().expect("no thread panics holding it");
        // Each job's size and state read once: a job that ends meanwhile changes both,
        // and two readings could count it as freeable but not as held.
        let counted: Vec<(&String, &Arc<Job>, u128, bool)> = sessions
            .iter()
            .filter(|(k, _)| replaced != Some(k.as_str()))
            .map(|(k, j)| (k, j, u128::from(j.bytes.load(Ordering::SeqCst)), j.running()))
            .collect();
        let held: u128 = building + counted.iter().map(|c| c.2).sum::<u128>();
        // Results that may go, oldest first.
        let mut evictable: Vec<(std::time::Instant, String, u128)> = counted
            .iter()
            .filter(|(k, _, _, running)| keep != Some(k.as_str()) && !running)
            .map(|(k, j, size, _)| (j.started, (*k).clone(), *size))
            .collect();
        drop(counted);
        let freeable: u128 = evictable.iter().map(|e| e.2).sum();
        if held - freeable + bytes > self.budget {
            return Err(Reply::refuse(
                503,
                format!(
                    "not enough memory: this needs {} beside the {} that running jobs and workbooks being built hold, within the workbench's budget of {} ({}); try again when a job ends, or start ccsim serve with a larger {}",
                    ccsim::budget::bytes_text(bytes),
                    ccsim::budget::bytes_text(held - freeable),
                    ccsim::budget::bytes_text(self.budget),
                    ccsim::budget::BUDGET_VARIABLE,
                    ccsim::budget::BUDGET_VARIABLE,
                ),
            ));
        }
        evictable.sort();
        let mut held = held;
        for (_, k, b) in evictable {
            if held + bytes <= self.budget {
                break;
            }
            sessions.remove(&k);
            held -= b;
        }
        if let Some(k) = replaced {
            sessions.remove(k);
        }
        Ok(())
    }

    fn job_status(&self, query: &HashMap<String, String>) -> Reply {
        let job = match self.job(query) {
            Ok(job) => job,
            Err(refused) => return refused,
        };
        let (done, total) = (job.done.load(Ordering::Relaxed), job.total.load(Ordering::Relaxed));
        let stage = job.stage.lock().map(|s| s.clone()).unwrap_or_default();
        let state = job.state.lock().expect("no thread panics holding it");
        let mut answer = json!({ "done": done, "total": total, "stage": stage,
            "seconds": job.started.elapsed().as_secs_f64() });
        let fields: Value = match &*state {
            State::Running => json!({ "state": "running" }),
            State::Failed(why) => json!({ "state": "failed", "error": self.relative(why) }),
            State::Cancelled => json!({ "state": "cancelled" }),
            State::Ran {
                summary,
                seconds,
                interval_hours,
                ..
            } => json!({
                "state": "done", "kind": "run", "seconds": seconds,
                "interval_hours": interval_hours,
                "scenario": summary.scenario,
                "verdict": summary.verdict,
                "headline": headline(summary),
            }),
            State::Staffed { plan, seconds, .. } => json!({
                "state": "done", "kind": "staff", "seconds": seconds,
                "staffing": staffing(plan),
            }),
            State::Compared { comparison, seconds } => json!({
                "state": "done", "kind": "compare", "seconds": seconds,
                "table": self.relative(&ccsim::compare::render(comparison)),
            }),
        };
        if let (Value::Object(a), Value::Object(f)) = (&mut answer, fields) {
            a.extend(f);
        }
        Reply::json(answer)
    }

    /// The session's last result as a file: the report, CSV, workbook, JSON.
    fn result(&self, name: &str, query: &HashMap<String, String>) -> Reply {
        let job = match self.job(query) {
            Ok(job) => job,
            Err(refused) => return refused,
        };
        // A workbook is built within the budget beside everything else held, or refused:
        // admitted before the job's state is locked (no lock is ever taken while holding
        // `state`), and counted in `building` until it is built, whatever happens.
        // Given back when this function returns.
        let mut _admitted: Option<Building> = None;
        if name == "workbook.xlsx" && job.running() {
            return Reply::refuse(404, "no workbook.xlsx for this session's last job");
        }
        if name == "workbook.xlsx" {
            let bytes = match &*job.workbook.lock().expect("no thread panics holding it") {
                Ok(bytes) => *bytes,
                Err(why) => return Reply::refuse(413, why.clone()),
            };
            let mut sessions = self.sessions.lock().expect("no request thread panics holding it");
            // Never the result being downloaded: it stays held while it is built.
            let session = query.get("session").map(String::as_str);
            if let Err(refused) = self.admit(&mut sessions, bytes, session, None) {
                return refused;
            }
            *self.building.lock().expect("no thread panics holding it") += bytes;
            _admitted = Some(Building(&self.building, bytes));
        }
        let state = job.state.lock().expect("no thread panics holding it");
        let xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
        let workbook = |write: &dyn Fn(&mut std::io::Cursor<Vec<u8>>) -> std::io::Result<()>| {
            let mut out = std::io::Cursor::new(Vec::new());
            let written = write(&mut out);
            match written {
                Ok(()) => Reply(200, xlsx, out.into_inner()),
                Err(e) => Reply::refuse(500, format!("cannot write the workbook: {e}")),
            }
        };
        match (&*state, name) {
            (State::Ran { report, .. } | State::Staffed { report, .. }, "report.html") => {
                Reply(200, "text/html; charset=utf-8", report.clone().into_bytes())
            }
            (State::Ran { summary, .. }, "intervals.csv") => Reply(
                200,
                "text/csv; charset=utf-8",
                ccsim::report::csv::intervals_csv(summary).into_bytes(),
            ),
            (State::Ran { summary, .. }, "summary.json") => Reply(
                200,
                "application/json",
                serde_json::to_vec_pretty(&**summary).unwrap_or_default(),
            ),
            (State::Ran { summary, .. }, "workbook.xlsx") => workbook(&|w| ccsim::report::xlsx::write_run(summary, w)),
            (State::Staffed { plan, .. }, "workbook.xlsx") => workbook(&|w| ccsim::report::xlsx::write_staff(plan, w)),
            (State::Compared { comparison, .. }, "workbook.xlsx") => {
                workbook(&|w| ccsim::report::xlsx::write_compare(comparison, w))
            }
            _ => Reply::refuse(404, format!("no {name} for this session's last job")),
        }
    }
}

/// Bytes counted in [`Workbench::building`] while a workbook is built, given back when
/// dropped (a panic in the writer included).
struct Building<'a>(&'a Mutex<u128>, u128);

impl Drop for Building<'_> {
    fn drop(&mut self) {
        if let Ok(mut building) = self.0.lock() {
            *building -= self.1;
        }
    }
}

impl Job {
    fn running(&self) -> bool {
        !self.finished.load(Ordering::SeqCst)
    }

    /// Runs the job; returns its result, the bytes the result holds, and what a workbook
    /// of it takes to build (or why it cannot be built).
    fn run(&self, kind: &str, models: Vec<Model>, threads: usize) -> (State, u128, Result<u128, String>) {
        use ccsim::report::xlsx::{self, Verb};
        let verb = match kind {
            "/api/staff" => Verb::Staff,
            "/api/compare" => Verb::Compare,
            _ => Verb::Run,
        };
        let workbook = xlsx::check(&models[0], verb, Path::new("workbook.xlsx"))
            .map(|()| xlsx::bytes(&models[0], verb))
            .map_err(|e| e.to_string());
        // The result: the summary's figures (the library's estimate of a report) and the
        // report's text.
        let summary: u128 = ccsim::budget::estimate(&models[0], 1, 0).last().map_or(0, |p| p.bytes);
        let state = self.run_models(kind, models, threads);
        let text = match &state {
            State::Ran { report, .. } | State::Staffed { report, .. } => report.len() as u128,
            _ => 0,
        };
        (state, summary + text, workbook)
    }

    fn run_models(&self, kind: &str, mut models: Vec<Model>, threads: usize) -> State {
        let tick = || {
            self.done.fetch_add(1, Ordering::Relaxed);
        };
        let started = std::time::Instant::now();
        let outcome = match kind {
            "/api/staff" => {
                let model = models.remove(0);
                ccsim::staff::staff(&model, threads, &|p: &ccsim::staff::Progress| {
                    *self.stage.lock().expect("only the search writes it") = format!(
                        "{} round {}: {} of {} intervals short ({} candidates)",
                        p.stage, p.round, p.short, p.intervals, p.candidates
                    );
                    self.done.store((p.intervals - p.short) as u64, Ordering::Relaxed);
                    self.total.store(p.intervals as u64, Ordering::Relaxed);
                })
                .map(|plan| {
                    let report = ccsim::report::html::staff_report(&plan);
                    State::Staffed {
                        plan: Box::new(plan),
                        report,
                        seconds: started.elapsed().as_secs_f64(),
                    }
                })
            }
            "/api/compare" => {
                ccsim::compare::compare(&models[0], &models[1], threads, &tick).map(|comparison| State::Compared {
                    comparison: Box::new(comparison),
                    seconds: started.elapsed().as_secs_f64(),
                })
            }
            _ => ccsim::simulate(&models[0], threads, &tick).map(|acc| {
                let summary = Summary::new(&models[0], &acc);
                let report = ccsim::report::html::run_report(&summary, &models[0]);
                State::Ran {
                    summary: Box::new(summary),
                    report,
                    seconds: started.elapsed().as_secs_f64(),
                    interval_hours: models[0].clock.interval as f64 / 3.6e9,
                }
            }),
        };
        match outcome {
            Ok(state) => state,
            Err(Error::Interrupted) => State::Cancelled,
            Err(e) => State::Failed(e.to_string()),
        }
    }
}

/// This machine's name (`gethostname`, lower case), by which a server listening on
/// `--bind` may be addressed; none if it has no usable one.
#[cfg(unix)]
fn machine_name() -> Option<String> {
    let mut buffer = [0u8; 256];
    // SAFETY: the buffer is valid for writes of its length, which gethostname is given.
    let status = unsafe { libc::gethostname(buffer.as_mut_ptr().cast(), buffer.len()) };
    if status != 0 {
        return None;
    }
    let end = buffer.iter().position(|&b| b == 0)?;
    let name = std::str::from_utf8(&buffer[..end]).ok()?.to_ascii_lowercase();
    let usable = !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"-.".contains(&b));
    usable.then_some(name)
}

#[cfg(not(unix))]
fn machine_name() -> Option<String> {
    None
}

/// The figures the page shows above the report: the whole day's, with their 95 % bands.
fn headline(s: &Summary) -> Value {
    let figure = |name: &str| {
        s.totals
            .get(name)
            .map(|e| json!({ "mean": e.mean, "ci95": e.ci95 }))
            .unwrap_or(Value::Null)
    };
    json!({
        "service_level": figure("service_level"),
        "answer_rate": figure("answer_rate"),
        "occupancy": figure("occupancy"),
    })
}

/// The groups for the what-if form: their agents as written, whether they are a
/// vendor's, and (from the model, when the text is valid) the agents on duty in each
/// interval, which the form offers when a group written with shifts is to be set per
/// interval instead.
fn form_groups(text: &str, model: Option<&Model>) -> Value {
    let groups: Vec<Value> = whatif::groups(text)
        .into_iter()
        .map(|g| {
            let on_duty: Vec<i64> = model
                .and_then(|m| m.groups.iter().find(|mg| mg.name == g.name).map(|mg| (m, mg)))
                .map(|(m, mg)| {
                    ccsim::staff::roster::interval_averages(m, &mg.staffing)
                        .iter()
                        .map(|a| a.round() as i64)
                        .collect()
                })
                .unwrap_or_default();
            let mut v = serde_json::to_value(&g).unwrap_or(Value::Null);
            v["on_duty"] = json!(on_duty);
            v
        })
        .collect();
    Value::Array(groups)
}

/// The staffing search's answer for the page: agents per interval and searched group,
/// the Erlang start, each interval's standing, and the roster where the scenario has
/// shift patterns.
fn staffing(plan: &StaffPlan) -> Value {
    let model = &plan.model;
    let clock = &model.clock;
    let rosters: Vec<Value> = plan
        .roster
        .iter()
        .map(|r| {
            json!({
                "group": model.groups[r.group].name,
                "paid_hours": r.paid_hours,
                "cost": r.cost,
                "shifts": r.shifts.iter().filter(|s| s.agents > 0).map(|s| {
                    let clock = |at: i64| ccsim::model::clock_text(at.rem_euclid(ccsim::staff::roster::rules::DAY_US) as f64 / 1e6);
                    // A horizon of several days names the day: "d2 08:00".
                    let day = if r.horizon.days.iter().filter(|&&d| d >= 0).count() > 1 { format!("{} ", ccsim::report::roster::day_label(s.day)) } else { String::new() };
                    json!({
                        "start": format!("{day}{}", clock(s.begin)),
                        "end": clock(s.begin + s.length),
                        "breaks": s.breaks.iter().map(|&(offset, length, _)| format!("{} {}",
                            clock(s.begin + offset), ccsim::scenario::duration_text(length as f64 / 1e6))).collect::<Vec<_>>(),
                        "agents": s.agents,
                    })
                }).collect::<Vec<_>>(),
                "on_duty": r.on_duty,
            })
        })
        .collect();
    json!({
        "intervals": (0..clock.intervals).map(|k| clock.label(k)).collect::<Vec<_>>(),
        "groups": plan.groups.iter().map(|&g| model.groups[g].name.clone()).collect::<Vec<_>>(),
        "agents": plan.agents,
        "erlang": plan.erlang,
        "within_noise": plan.within_noise,
        "unreachable": plan.unreachable,
        "missed": plan.missed,
        "binding": plan.binding,
        "incomplete": plan.incomplete,
        "roster": rosters,
        "roster_errors": plan.roster_errors,
    })
}

/// The keys of each table of the scenario format, from its JSON Schema
/// ([`ccsim::schema`]), for the editor's completions: `{"call_type": [[key,
/// description], …], "call_type.arrivals": …, "": the top-level tables}`.
fn completions() -> Value {
    fn walk(schema: &Value, path: &str, out: &mut serde_json::Map<String, Value>) {
        let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
            return;
        };
        let keys: Vec<Value> = properties
            .iter()
            .map(|(k, v)| json!([k, v.get("description").and_then(Value::as_str).unwrap_or("")]))
            .collect();
        out.insert(path.to_owned(), Value::Array(keys));
        for (k, v) in properties {
            let inner = v.get("items").unwrap_or(v);
            let sub = if path.is_empty() {
                k.clone()
            } else {
                format!("{path}.{k}")
            };
            walk(inner, &sub, out);
        }
    }
    let mut out = serde_json::Map::new();
    walk(&ccsim::schema::schema(), "", &mut out);
    Value::Object(out)
}

#[derive(serde::Deserialize)]
struct WhatIfRequest {
    toml: String,
    #[serde(flatten)]
    what: whatif::WhatIf,
}

#[derive(serde::Deserialize)]
struct CompareRequest {
    a: String,
    b: String,
}

/// The path and the decoded query of a request's URL.
fn split_url(url: &str) -> (String, HashMap<String, String>) {
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    let query = query
        .split('&')
        .filter_map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            Some((decode(k)?, decode(v)?))
        })
        .collect();
    (path.to_owned(), query)
}

/// Percent-decoding (and `+` as a space) of one query component.
fn decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// A scenario sent in a request: UTF-8 text of at most a scenario file's size (what
/// `/api/file` would read back), else refused (413, 400), never changed.
fn scenario_text(body: &[u8]) -> Result<&str, Reply> {
    let limit = ccsim::input::MAX_SCENARIO_BYTES;
    if body.len() as u64 > limit {
        return Err(Reply::refuse(
            413,
            format!(
                "a scenario may be at most {} MiB ({limit} bytes); this one is {} bytes",
                limit >> 20,
                body.len()
            ),
        ));
    }
    std::str::from_utf8(body).map_err(|e| {
        Reply::refuse(
            400,
            format!(
                "the scenario is not UTF-8 text (byte {}): save it as UTF-8",
                e.valid_up_to()
            ),
        )
    })
}

/// A request body's bytes counted in [`Workbench::receiving`] from before it is read
/// until its request is answered.
struct Receiving(Arc<Workbench>, u64);

impl Receiving {
    /// Counts the body `request` announces (or [`MAX_BODY_BYTES`] if it announces no
    /// length), or refuses it (503) past [`MAX_BODIES_IN_FLIGHT`].
    fn reserve(bench: &Arc<Workbench>, request: &Request<Incoming>) -> Result<Receiving, Reply> {
        use hyper::body::Body;
        let hint = request.body().size_hint();
        let bytes = hint.exact().unwrap_or(MAX_BODY_BYTES);
        // Nothing to count, or too large to be read at all (413 follows).
        if bytes == 0 || hint.lower() > MAX_BODY_BYTES {
            return Ok(Receiving(Arc::clone(bench), 0));
        }
        let taken = bench.receiving.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |now| {
            (now + bytes <= MAX_BODIES_IN_FLIGHT).then_some(now + bytes)
        });
        match taken {
            Ok(_) => Ok(Receiving(Arc::clone(bench), bytes)),
            Err(_) => Err(Reply::refuse(
                503,
                format!(
                    "the workbench is receiving {} of requests already, its most at once; try again",
                    ccsim::budget::bytes_text(u128::from(MAX_BODIES_IN_FLIGHT))
                ),
            )),
        }
    }
}

impl Drop for Receiving {
    fn drop(&mut self) {
        self.0.receiving.fetch_sub(self.1, Ordering::SeqCst);
    }
}

/// An answer on its way to the client.
enum Sent {
    Plain(Reply),
    /// A download's bytes, counted in [`Workbench::building`] until they are dropped:
    /// sent, or the connection closed.
    Counted(u16, &'static str, Sending),
}

/// A download's bytes, counted within the memory budget while they live.
struct Sending {
    bench: Arc<Workbench>,
    body: Vec<u8>,
    /// Its connection's deadline, and the one set for this answer.
    deadline: SendDeadline,
    due: tokio::time::Instant,
}

impl Sending {
    /// The download `reply`, counted within the budget (older results of other tabs than
    /// `session` dropped to make room, as for a job), or refused (503) when it does not
    /// fit.
    fn admit(
        bench: &Arc<Workbench>,
        reply: Reply,
        session: Option<&str>,
        deadline: SendDeadline,
    ) -> Result<Sent, Reply> {
        let Reply(status, content_type, body) = reply;
        if status != 200 {
            return Ok(Sent::Plain(Reply(status, content_type, body)));
        }
        let bytes = body.len() as u128;
        {
            let mut sessions = bench.sessions.lock().expect("no request thread panics holding it");
            bench.admit(&mut sessions, bytes, session, None)?;
            *bench.building.lock().expect("no thread panics holding it") += bytes;
        }
        let due =
            tokio::time::Instant::now() + SEND_TIMEOUT + Duration::from_secs(body.len() as u64 / SLOWEST_DOWNLOAD);
        *deadline.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(due);
        Ok(Sent::Counted(
            status,
            content_type,
            Sending {
                bench: Arc::clone(bench),
                body,
                deadline,
                due,
            },
        ))
    }
}

impl AsRef<[u8]> for Sending {
    fn as_ref(&self) -> &[u8] {
        &self.body
    }
}

impl Drop for Sending {
    fn drop(&mut self) {
        if let Ok(mut building) = self.bench.building.lock() {
            *building -= self.body.len() as u128;
        }
        let mut deadline = self.deadline.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if *deadline == Some(self.due) {
            *deadline = None;
        }
    }
}

/// `path` if it is a regular file or not there yet: the workbench saves scenarios only
/// into files (a FIFO or device under the folder would be written in place, and could
/// hold a request thread for as long as its reader liked).
fn regular_or_new(path: PathBuf, rel: Option<&String>) -> Result<PathBuf, Reply> {
    match std::fs::symlink_metadata(&path) {
        Ok(meta) if !meta.is_file() => Err(Reply::refuse(
            400,
            format!(
                "{}: not a regular file: the workbench saves only into files",
                rel.map_or("", |r| r)
            ),
        )),
        _ => Ok(path),
    }
}

/// The answer as sent: the reply with the headers every answer carries.
fn response(sent: Sent, url: &str, query: &HashMap<String, String>) -> Response<Full<Bytes>> {
    let (status, content_type, body) = match sent {
        Sent::Plain(Reply(status, content_type, body)) => (status, content_type, Bytes::from(body)),
        Sent::Counted(status, content_type, counted) => (status, content_type, Bytes::from_owner(counted)),
    };
    let mut response = Response::builder().status(status);
    for (name, value) in [
        ("Content-Type", content_type),
        ("X-Content-Type-Options", "nosniff"),
        ("Cache-Control", "no-store"),
        ("Referrer-Policy", "no-referrer"),
        ("X-Frame-Options", "SAMEORIGIN"),
        (
            "Content-Security-Policy",
            if content_type.starts_with("text/html") && url != "/" {
                // A report: no script, shown in the page's frame.
                "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"
            } else {
                "default-src 'self'; img-src 'self' data:; frame-ancestors 'self'"
            },
        ),
    ] {
        response = response.header(name, value);
    }
    if let Some(name) = query.get("download") {
        let name: String = name
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || "._-".contains(*c))
            .collect();
        response = response.header("Content-Disposition", format!("attachment; filename=\"{name}\""));
    }
    response
        .body(Full::new(body))
        .expect("a status from 100 to 599 and ASCII headers")
}

/// The request's body: refused above [`MAX_BODY_BYTES`] (413), or when it has not
/// arrived whole within [`BODY_TIMEOUT`] (408).
async fn read_body(body: Incoming) -> Result<Bytes, Reply> {
    use hyper::body::Body;
    let too_large = || Reply::refuse(413, format!("a request may carry at most {MAX_BODY_BYTES} bytes"));
    if body.size_hint().lower() > MAX_BODY_BYTES {
        return Err(too_large());
    }
    let limit = usize::try_from(MAX_BODY_BYTES).unwrap_or(usize::MAX);
    match tokio::time::timeout(BODY_TIMEOUT, Limited::new(body, limit).collect()).await {
        Err(_) => Err(Reply::refuse(
            408,
            format!("the request's body did not arrive within {} s", BODY_TIMEOUT.as_secs()),
        )),
        Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => Err(too_large()),
        Ok(Err(e)) => Err(Reply::refuse(400, format!("cannot read the request: {e}"))),
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_components_are_decoded() {
        let (path, query) = split_url("/api/file?path=a%20b%2Fc.toml&run&x=1+2");
        assert_eq!(path, "/api/file");
        assert_eq!(query["path"], "a b/c.toml");
        assert_eq!(query["run"], "");
        assert_eq!(query["x"], "1 2");
        assert_eq!(decode("%zz"), None);
    }
}
