// The workbench page: scenarios, the TOML editor with the reader's diagnostics at their
// line and the schema's keys offered as completions, the what-if form (agents, vendors,
// routes), runs with progress and cancel, the results drawn as SVG charts from the run's
// JSON, the staffing and roster, the report, downloads.
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
let baseline = null;       // the TOML as opened: what the form switches back on comes from it
let baselineRoutes = null; // its routes
let currentRoutes = [];
let schemaKeys = {};       // table path → [[key, description]], from the JSON Schema
const SVG = "http://www.w3.org/2000/svg";

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
  const { files, not_utf8 } = await api("/api/files");
  const list = $("file-list");
  const unlisted = [];
  if (not_utf8 > 0) {
    const li = document.createElement("li");
    li.className = "note";
    li.textContent = `${not_utf8} file${not_utf8 === 1 ? "" : "s"} not listed: name not in UTF-8 (rename to open)`;
    unlisted.push(li);
  }
  list.replaceChildren(...unlisted, ...files.map((f) => {
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
    baseline = text;
    baselineRoutes = null;
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
  if (baselineRoutes === null) baselineRoutes = result.routes;
  currentRoutes = result.routes;
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
    const inputs = (counts) => counts.map((n, i) => {
      const input = document.createElement("input");
      input.type = "number";
      input.min = 0;
      input.value = n;
      input.name = `${g.name}-${i}`;
      input.setAttribute("aria-label", `${g.name} agents ${i + 1}`);
      return input;
    });
    div.append(...inputs(g.agents));
    if (g.kind === "shifts" && g.on_duty.length > 0) {
      // Shifts give way to one number per interval, starting from their agents on duty.
      const button = document.createElement("button");
      button.type = "button";
      button.className = "to-per-interval";
      button.textContent = "per interval";
      button.title = "Replace the shifts by agents on duty per interval";
      button.addEventListener("click", () => {
        div.dataset.kind = "per_interval";
        label.textContent = `${g.name}: agents per interval (in place of the shifts) `;
        div.querySelectorAll("input").forEach((i) => i.remove());
        button.remove();
        label.after(...inputs(g.on_duty));
      });
      div.append(button);
    }
    if (g.outsourced) {
      const on = g.agents.some((n) => n > 0);
      const toggle = document.createElement("label");
      toggle.className = "vendor";
      toggle.innerHTML = `<input type="checkbox" class="vendor-on"> vendor on`;
      toggle.querySelector("input").checked = on;
      toggle.querySelector("input").dataset.was = on;
      div.append(toggle);
    }
    return div;
  }));
  const known = [...(baselineRoutes || [])];
  for (const r of currentRoutes) {
    if (!known.some((k) => k.call_type === r.call_type && k.group === r.group)) known.push(r);
  }
  $("routes").replaceChildren(...known.map((r) => {
    const label = document.createElement("label");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.className = "route-on";
    box.dataset.callType = r.call_type;
    box.dataset.group = r.group;
    const on = currentRoutes.some((c) => c.call_type === r.call_type && c.group === r.group);
    box.checked = on;
    box.dataset.was = on;
    label.append(box, ` route ${r.call_type} → ${r.group}`);
    return label;
  }));
}

async function applyWhatIf(event) {
  event.preventDefault();
  const switched = (box) => String(box.checked) !== box.dataset.was;
  const vendors = [];
  const groups = [];
  for (const div of document.querySelectorAll("#group-agents .group")) {
    const toggle = div.querySelector(".vendor-on");
    if (toggle && switched(toggle)) {
      vendors.push({ name: div.dataset.group, on: toggle.checked });
      continue;
    }
    groups.push({
      name: div.dataset.group,
      kind: div.dataset.kind,
      agents: Array.from(div.querySelectorAll("input[type=number]"), (i) => Number(i.value)),
    });
  }
  const routes = Array.from(document.querySelectorAll("#routes .route-on"))
    .filter(switched)
    .map((box) => ({ call_type: box.dataset.callType, group: box.dataset.group, on: box.checked }));
  try {
    const { toml } = await api("/api/whatif", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        toml: $("toml").value,
        arrivals_percent: Number($("arrivals-percent").value),
        handle_percent: Number($("handle-percent").value),
        groups,
        vendors,
        routes,
        baseline,
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
  if (job.state === "cancelled") {
    status("cancelled");
    $("progress-text").textContent = `cancelled after ${job.done} of ${job.total}`;
  }
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
  $("charts").hidden = job.kind !== "run";
  $("staffing").hidden = job.kind !== "staff";
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
    api("/api/result/summary.json?" + q({ session, v: stamp }))
      .then((summary) => charts(summary, job.interval_hours))
      .catch((e) => status(e.message, true));
  } else {
    staffing(job.staffing);
    $("links").replaceChildren(link("report.html", "Report (HTML)"), link("workbook.xlsx", "Workbook (xlsx)"));
  }
  $("report").src = "/api/result/report.html?" + q({ session, v: stamp });
}

// ---- Charts: the run's JSON drawn as inline SVG, one point per interval. ----

const WIDTH = 640, HEIGHT = 170, LEFT = 40, RIGHT = 10, TOP = 10, BOTTOM = 22;
const COLOURS = ["#1f3b5a", "#c0504d", "#4f9a3a", "#8064a2", "#d49a00", "#2c8c99", "#7f6000", "#a5a5a5"];

function el(name, attributes, parent) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attributes)) node.setAttribute(k, v);
  if (parent) parent.append(node);
  return node;
}

// One chart: series of {name, points: [{mean, ci95, status, target}]} over the intervals.
function chart(id, title, labels, series, unit, max) {
  const box = $(id);
  const heading = document.createElement("h3");
  heading.textContent = title;
  const svg = el("svg", { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: "img", "aria-label": title });
  const n = labels.length;
  const top = max ?? Math.max(1, ...series.flatMap((s) => s.points.map((p) => (p.mean ?? 0) + (p.ci95 ?? 0))));
  const x = (i) => LEFT + (n <= 1 ? 0 : (i * (WIDTH - LEFT - RIGHT)) / (n - 1));
  const y = (v) => TOP + (1 - Math.min(Math.max(v / top, 0), 1)) * (HEIGHT - TOP - BOTTOM);
  const fmt = (v) => (unit === "%" ? (100 * v).toFixed(1) + " %" : v.toFixed(1));
  el("line", { class: "axis", x1: LEFT, x2: WIDTH - RIGHT, y1: y(0), y2: y(0) }, svg);
  for (const v of [0, top / 2, top]) {
    el("text", { x: 2, y: y(v) + 3 }, svg).textContent = unit === "%" ? Math.round(100 * v) + "%" : Math.round(v);
  }
  const step = Math.max(1, Math.ceil(n / 12));
  labels.forEach((label, i) => {
    if (i % step === 0) el("text", { x: x(i) - 12, y: HEIGHT - 6 }, svg).textContent = label;
  });
  series.forEach((s, k) => {
    const colour = COLOURS[k % COLOURS.length];
    const targets = s.points.map((p) => p.target).filter((t) => t !== undefined && t !== null);
    if (targets.length > 0) {
      const path = s.points.map((p, i) => (p.target == null ? "" : `${i === 0 ? "M" : "L"}${x(i)},${y(p.target)}`)).join(" ");
      el("path", { class: "target", d: path.replace(/^ *L/, "M"), fill: "none" }, svg);
    }
    const line = s.points.map((p, i) => (p.mean == null ? null : `${x(i)},${y(p.mean)}`)).filter(Boolean).join(" ");
    el("polyline", { class: "line", points: line, stroke: colour }, svg);
    s.points.forEach((p, i) => {
      if (p.mean == null) return;
      if (p.ci95 != null) {
        el("line", { class: "band", x1: x(i), x2: x(i), y1: y(p.mean - p.ci95), y2: y(p.mean + p.ci95) }, svg);
      }
      const status = p.status || "none";
      const dot = el("circle", { cx: x(i), cy: y(p.mean), r: 3.5, class: `point ${status}`, "data-interval": i }, svg);
      if (!p.status) dot.setAttribute("fill", colour);
      const text = `${labels[i]} ${s.name}: ${fmt(p.mean)}` + (p.ci95 != null ? ` ± ${fmt(p.ci95)}` : "") +
        (p.target != null ? `, target ${fmt(p.target)}` : "") + (p.status ? `: ${p.status.replace("_", " ")}` : "");
      el("title", {}, dot).textContent = text;
      dot.addEventListener("mouseenter", () => { $("chart-hover").textContent = text; });
    });
  });
  if (series.length > 1) {
    const legend = series.map((s, k) => `<span style="color:${COLOURS[k % COLOURS.length]}">■ ${s.name}</span>`).join(" ");
    heading.insertAdjacentHTML("beforeend", " " + legend);
  }
  box.replaceChildren(heading, svg);
}

const RANK = { met: 0, within_noise: 1, missed: 2 };
function worst(statuses) {
  let w = null;
  for (const s of statuses) if (s in RANK && (w === null || RANK[s] > RANK[w])) w = s;
  return w;
}

// A metric judged per interval: over all call types (worst status of their targets on
// it) or one call type.
function judged(summary, metric, callType) {
  return summary.intervals.map((interval) => {
    const rows = callType === "" ? interval.call_types : interval.call_types.filter((c) => c.name === callType);
    const own = callType === "" ? interval : rows[0];
    const targets = rows.flatMap((c) => (c.targets || []).filter((t) => t.metric === metric));
    const bounds = [...new Set(targets.map((t) => t.min).filter((m) => m != null))];
    return {
      mean: own[metric].mean,
      ci95: own[metric].ci95,
      status: worst(targets.map((t) => t.status)),
      // With call types on different bounds, the line shows the highest.
      target: bounds.length > 0 ? Math.max(...bounds) : null,
    };
  });
}

function charts(summary, intervalHours) {
  const labels = summary.intervals.map((i) => i.start);
  const select = $("chart-call-type");
  const chosen = select.value;
  select.replaceChildren(...["", ...summary.call_types.map((c) => c.name)].map((name) => {
    const option = document.createElement("option");
    option.value = name;
    option.textContent = name === "" ? "all call types" : name;
    return option;
  }));
  select.value = [...select.options].some((o) => o.value === chosen) ? chosen : "";
  const draw = () => {
    const callType = select.value;
    const name = callType === "" ? "all" : callType;
    chart("chart-service-level", "Service level per interval (95 % band; dashed: target)", labels,
      [{ name, points: judged(summary, "service_level", callType) }], "%", 1);
    chart("chart-answer-rate", "Answer rate per interval (95 % band; dashed: target)", labels,
      [{ name, points: judged(summary, "answer_rate", callType) }], "%", 1);
  };
  select.onchange = draw;
  draw();
  const groups = summary.groups.map((g) => g.name);
  const perGroup = (metric, scale) => groups.map((name) => ({
    name,
    points: summary.intervals.map((interval) => {
      const e = interval.groups.find((g) => g.name === name)[metric];
      return { mean: e.mean == null ? null : e.mean * scale, ci95: e.ci95 == null ? null : e.ci95 * scale };
    }),
  }));
  chart("chart-agents", "Agents on duty per group", labels, perGroup("agent_hours", 1 / intervalHours), "");
  chart("chart-occupancy", "Occupancy per group (95 % band)", labels, perGroup("occupancy", 1), "%", 1);
}

// ---- Staffing: agents per interval and group, the standing of each interval, the roster. ----

function table(head, rows) {
  const t = document.createElement("table");
  const tr = (cells, tag) => {
    const row = document.createElement("tr");
    for (const c of cells) {
      const cell = document.createElement(tag);
      cell.textContent = c;
      row.append(cell);
    }
    return row;
  };
  t.append(tr(head, "th"), ...rows.map((r) => tr(r, "td")));
  return t;
}

function staffing(plan) {
  const out = $("staffing");
  const h = (text) => {
    const e = document.createElement("h3");
    e.textContent = text;
    return e;
  };
  const standing = (k) => (plan.unreachable[k] ? "unreachable" : plan.missed[k] ? "missed" : plan.within_noise[k] ? "within noise" : "met");
  const perInterval = table(["interval", ...plan.groups, "total", "targets"], plan.intervals.map((label, k) => [
    label, ...plan.agents[k].map(String), String(plan.agents[k].reduce((a, b) => a + b, 0)), standing(k),
  ]));
  perInterval.id = "staffing-table";
  const parts = [h("Agents on duty per interval" + (plan.incomplete ? " (search stopped before it settled)" : "")), perInterval];
  for (const r of plan.roster) {
    parts.push(h(`Roster: ${r.group} (${r.paid_hours.toFixed(1)} paid hours)`));
    const t = table(["start", "end", "breaks", "agents"], r.shifts.map((s) => [s.start, s.end, s.breaks.join(", "), String(s.agents)]));
    t.className = "roster";
    t.dataset.group = r.group;
    parts.push(t);
  }
  for (const e of plan.roster_errors) parts.push(h(`No roster: ${e}`));
  out.replaceChildren(...parts);
}

// ---- Completions: the schema's keys of the table the cursor is in. ----

function completionContext() {
  const t = $("toml");
  const before = t.value.slice(0, t.selectionStart);
  const line = before.slice(before.lastIndexOf("\n") + 1);
  const m = /^\s*([A-Za-z_]+)$/.exec(line);
  if (!m || t.selectionStart !== t.selectionEnd) return null;
  let table = "";
  for (const l of before.split("\n").reverse()) {
    const header = /^\s*\[\[?\s*([A-Za-z_.]+)\s*\]/.exec(l);
    if (header) { table = header[1]; break; }
  }
  const keys = (schemaKeys[table] || []).filter(([k]) => k.startsWith(m[1]) && k !== m[1]);
  return keys.length > 0 ? { prefix: m[1], keys, line: before.split("\n").length, column: line.length } : null;
}

function complete() {
  const list = $("completions");
  const context = completionContext();
  if (!context) { list.hidden = true; return; }
  list.replaceChildren(...context.keys.slice(0, 30).map(([key, description], i) => {
    const li = document.createElement("li");
    li.dataset.key = key;
    li.className = i === 0 ? "selected" : "";
    li.textContent = key;
    const small = document.createElement("small");
    small.textContent = description.length > 60 ? description.slice(0, 57) + "…" : description;
    li.append(small);
    li.addEventListener("mousedown", (e) => { e.preventDefault(); accept(key); });
    return li;
  }));
  const t = $("toml");
  const lineHeight = 18, charWidth = 7.2;
  list.style.top = `${Math.min(context.line * lineHeight - t.scrollTop + 6, t.clientHeight)}px`;
  list.style.left = `${$("gutter").offsetWidth + context.column * charWidth - t.scrollLeft}px`;
  list.hidden = false;
}

function accept(key) {
  const t = $("toml");
  const context = completionContext();
  if (!context) return;
  const at = t.selectionStart;
  const insert = key.slice(context.prefix.length) + " = ";
  t.setRangeText(insert, at, at, "end");
  $("completions").hidden = true;
  t.dispatchEvent(new Event("input"));
}

function completionKeys(event) {
  const list = $("completions");
  if (list.hidden) return;
  const items = [...list.children];
  const at = items.findIndex((li) => li.classList.contains("selected"));
  if (event.key === "ArrowDown" || event.key === "ArrowUp") {
    event.preventDefault();
    const next = (at + (event.key === "ArrowDown" ? 1 : items.length - 1)) % items.length;
    items.forEach((li, i) => li.classList.toggle("selected", i === next));
  } else if (event.key === "Tab" || event.key === "Enter") {
    event.preventDefault();
    accept(items[Math.max(at, 0)].dataset.key);
  } else if (event.key === "Escape") {
    list.hidden = true;
  }
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
    complete();
    clearTimeout(validateTimer);
    validateTimer = setTimeout(validate, 250);
  });
  $("toml").addEventListener("scroll", () => { $("gutter").scrollTop = $("toml").scrollTop; });
  $("toml").addEventListener("keydown", completionKeys);
  $("toml").addEventListener("blur", () => { $("completions").hidden = true; });
  api("/api/keys").then((keys) => { schemaKeys = keys; }).catch(() => {});
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
