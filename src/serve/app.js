// The workbench page: scenarios, the TOML editor with the reader's diagnostics at their
// line, the what-if form, runs with progress and cancel, the report, downloads.
"use strict";

const $ = (id) => document.getElementById(id);
const session = sessionStorage.getItem("ccsim-session") || (() => {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  const id = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  sessionStorage.setItem("ccsim-session", id);
  return id;
})();
let path = null;        // the open scenario, relative to the served folder
let variantA = null;    // the TOML kept as variant A
let validateTimer = null;
let pollTimer = null;
let lastDiagnostics = [];

const q = (params) => new URLSearchParams(params).toString();

async function api(url, options = {}) {
  const response = await fetch(url, options);
  const type = response.headers.get("Content-Type") || "";
  const body = type.startsWith("application/json") ? await response.json() : await response.text();
  if (!response.ok) throw new Error(body.error || body || response.statusText);
  return body;
}

function status(text, bad) {
  $("status").textContent = text;
  $("status").className = bad ? "error" : "";
}

async function listFiles() {
  const { files } = await api("/api/files");
  const list = $("file-list");
  list.replaceChildren(...files.map((f) => {
    const li = document.createElement("li");
    const a = document.createElement("a");
    a.href = "/?" + q({ open: f });
    a.textContent = f;
    a.dataset.path = f;
    a.addEventListener("click", (e) => { e.preventDefault(); open(f); });
    li.append(a);
    return li;
  }));
}

async function open(file) {
  try {
    const text = await api("/api/file?" + q({ path: file }));
    path = file;
    $("path").textContent = file;
    $("toml").value = text;
    $("toml").disabled = false;
    for (const id of ["save", "download-toml", "run", "staff", "keep-a"]) $(id).disabled = false;
    document.querySelectorAll("#file-list a").forEach((a) => a.classList.toggle("open", a.dataset.path === file));
    history.replaceState(null, "", "/?" + q({ open: file }));
    status("");
    await validate();
  } catch (e) {
    status(e.message, true);
  }
}

function gutter() {
  const lines = $("toml").value.split("\n").length;
  const marks = new Map();
  for (const d of lastDiagnostics) {
    if (d.line > 0 && marks.get(d.line) !== "bad") marks.set(d.line, d.severity === "error" ? "bad" : "warn");
  }
  const out = [];
  for (let i = 1; i <= lines; i++) {
    const mark = marks.get(i);
    out.push(mark ? `<span class="${mark}" data-line="${i}">${i}</span>` : String(i));
  }
  $("gutter").innerHTML = out.join("\n") + "\n";
  $("gutter").scrollTop = $("toml").scrollTop;
}

async function validate() {
  if (path === null) return;
  const result = await api("/api/validate?" + q({ path }), { method: "POST", body: $("toml").value });
  lastDiagnostics = result.diagnostics;
  const errors = result.diagnostics.filter((d) => d.severity === "error").length;
  $("validation").textContent = result.ok ? `valid: ${result.summary}` : `${errors} error${errors === 1 ? "" : "s"}`;
  $("validation").className = result.ok ? "ok" : "bad";
  $("diagnostics").replaceChildren(...result.diagnostics.map((d) => {
    const li = document.createElement("li");
    li.className = d.severity;
    li.dataset.line = d.line;
    const where = d.line > 0 ? `line ${d.line}, column ${d.column}` : "file";
    li.textContent = `${where}: ${d.field ? d.field + ": " : ""}${d.severity === "warning" ? "warning: " : ""}${d.message}` +
      (d.suggestion ? ` (${d.suggestion})` : "");
    li.addEventListener("click", () => goTo(d.line, d.column));
    return li;
  }));
  gutter();
  form(result.groups);
}

function goTo(line, column) {
  const text = $("toml").value;
  let offset = 0;
  for (let i = 1; i < line; i++) offset = text.indexOf("\n", offset) + 1;
  offset += Math.max(0, column - 1);
  $("toml").focus();
  $("toml").setSelectionRange(offset, offset);
}

function form(groups) {
  $("whatif").hidden = false;
  $("group-agents").replaceChildren(...groups.map((g) => {
    const div = document.createElement("div");
    div.className = "group";
    div.dataset.group = g.name;
    div.dataset.kind = g.kind;
    const label = document.createElement("span");
    label.textContent = `${g.name}: agents${g.kind === "shifts" ? " per shift" : g.kind === "per_interval" ? " per interval" : ""} `;
    div.append(label);
    g.agents.forEach((n, i) => {
      const input = document.createElement("input");
      input.type = "number";
      input.min = 0;
      input.value = n;
      input.name = `${g.name}-${i}`;
      input.setAttribute("aria-label", `${g.name} agents ${i + 1}`);
      div.append(input);
    });
    return div;
  }));
}

async function applyWhatIf(event) {
  event.preventDefault();
  const groups = Array.from(document.querySelectorAll("#group-agents .group"), (div) => ({
    name: div.dataset.group,
    kind: div.dataset.kind,
    agents: Array.from(div.querySelectorAll("input"), (i) => Number(i.value)),
  }));
  try {
    const { toml } = await api("/api/whatif", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        toml: $("toml").value,
        arrivals_percent: Number($("arrivals-percent").value),
        handle_percent: Number($("handle-percent").value),
        groups,
      }),
    });
    $("toml").value = toml;
    $("arrivals-percent").value = 0;
    $("handle-percent").value = 0;
    $("whatif-error").textContent = "";
    await validate();
  } catch (e) {
    $("whatif-error").textContent = e.message;
  }
}

async function start(kind) {
  const body = kind === "compare" ? JSON.stringify({ a: variantA, b: $("toml").value }) : $("toml").value;
  try {
    await api(`/api/${kind}?` + q({ session, path }), { method: "POST", body });
  } catch (e) {
    status(e.message, true);
    return;
  }
  status(kind === "run" ? "running…" : kind === "staff" ? "searching the staffing…" : "comparing…");
  $("cancel").disabled = false;
  for (const id of ["run", "staff", "compare"]) $(id).disabled = true;
  $("progress").value = 0;
  clearTimeout(pollTimer);
  poll();
}

async function poll() {
  let job;
  try {
    job = await api("/api/job?" + q({ session }));
  } catch (e) {
    status(e.message, true);
    return;
  }
  $("progress").max = Math.max(job.total, 1);
  $("progress").value = job.done;
  $("progress-text").textContent = job.stage || `${job.done} of ${job.total}`;
  if (job.state === "running") {
    pollTimer = setTimeout(poll, 150);
    return;
  }
  $("cancel").disabled = true;
  for (const id of ["run", "staff"]) $(id).disabled = false;
  $("compare").disabled = variantA === null;
  if (job.state === "cancelled") status("cancelled");
  else if (job.state === "failed") status(job.error, true);
  else show(job);
}

function percent(e) {
  if (!e || e.mean === null) return "–";
  return (100 * e.mean).toFixed(1) + " %" + (e.ci95 !== null ? ` ± ${(100 * e.ci95).toFixed(1)}` : "");
}

function show(job) {
  status(`done in ${job.seconds.toFixed(2)} s`);
  $("progress-text").textContent = `done in ${job.seconds.toFixed(2)} s`;
  const stamp = Date.now();
  const link = (name, label) => {
    const a = document.createElement("a");
    a.href = `/api/result/${name}?` + q({ session, download: name, v: stamp });
    a.textContent = label;
    return a;
  };
  const share = document.createElement("a");
  share.href = "/?" + q({ open: path }) + "&run";
  share.textContent = "Share link";
  share.id = "share";
  $("comparison").hidden = job.kind !== "compare";
  $("report").hidden = job.kind === "compare";
  $("headline").replaceChildren();
  if (job.kind === "compare") {
    $("comparison").textContent = job.table;
    $("links").replaceChildren(link("workbook.xlsx", "Workbook (xlsx)"));
    return;
  }
  if (job.kind === "run") {
    const figure = (id, label, text, cls) => {
      const div = document.createElement("div");
      div.className = "figure";
      div.id = id;
      div.innerHTML = `${label}<b class="${cls || ""}"></b>`;
      div.querySelector("b").textContent = text;
      return div;
    };
    const h = job.headline;
    $("headline").append(
      figure("service-level", "Service level", percent(h.service_level), job.verdict),
      figure("answer-rate", "Answer rate", percent(h.answer_rate)),
      figure("occupancy", "Occupancy", percent(h.occupancy)),
      figure("verdict", "Targets", (job.verdict || "none").replace("_", " "), job.verdict),
    );
    $("links").replaceChildren(link("report.html", "Report (HTML)"), link("intervals.csv", "Intervals (CSV)"),
      link("workbook.xlsx", "Workbook (xlsx)"), link("summary.json", "Summary (JSON)"), share);
  } else {
    $("links").replaceChildren(link("report.html", "Report (HTML)"), link("workbook.xlsx", "Workbook (xlsx)"));
  }
  $("report").src = "/api/result/report.html?" + q({ session, v: stamp });
}

function downloadToml() {
  const blob = new Blob([$("toml").value], { type: "application/toml" });
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = path.split("/").pop();
  a.click();
  URL.revokeObjectURL(a.href);
}

async function save() {
  try {
    await api("/api/save?" + q({ path }), { method: "POST", body: $("toml").value });
    status(`saved ${path}`);
  } catch (e) {
    status(e.message, true);
  }
}

function init() {
  $("toml").addEventListener("input", () => {
    gutter();
    clearTimeout(validateTimer);
    validateTimer = setTimeout(validate, 250);
  });
  $("toml").addEventListener("scroll", () => { $("gutter").scrollTop = $("toml").scrollTop; });
  $("whatif").addEventListener("submit", applyWhatIf);
  $("run").addEventListener("click", () => start("run"));
  $("staff").addEventListener("click", () => start("staff"));
  $("keep-a").addEventListener("click", () => {
    variantA = $("toml").value;
    $("compare").disabled = false;
    status("kept as variant A: change the TOML, then compare");
  });
  $("compare").addEventListener("click", () => start("compare"));
  $("cancel").addEventListener("click", () => api("/api/cancel?" + q({ session }), { method: "POST" }));
  $("save").addEventListener("click", save);
  $("download-toml").addEventListener("click", downloadToml);
  const params = new URLSearchParams(location.search);
  listFiles().then(async () => {
    if (params.has("open")) {
      await open(params.get("open"));
      if (params.has("run") && path !== null) start("run");
    }
  }).catch((e) => status(e.message, true));
}

init();
