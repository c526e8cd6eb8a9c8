// The Weir web UI: reads /api/v1 and renders with DOM calls only (textContent), so every user
// string (job names, step names, exception messages) is shown as text, never parsed as HTML.
"use strict";

const REFRESH_MILLIS = 2000;
const MAX_STEP_CHARS = 60;

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}

function table(headers, rows) {
  const t = el("table");
  const head = el("tr");
  headers.forEach((h) => head.appendChild(el("th", h)));
  t.appendChild(head);
  rows.forEach((row) => {
    const tr = el("tr");
    row.forEach((cell) => {
      const td = el("td");
      if (cell instanceof Node) td.appendChild(cell); else td.textContent = cell === null ? "" : String(cell);
      tr.appendChild(td);
    });
    t.appendChild(tr);
  });
  return t;
}

async function api(path) {
  const headers = {};
  const token = sessionStorage.getItem("weirToken");
  if (token) headers["Authorization"] = "Bearer " + token;
  const response = await fetch("/api/v1/" + path, { headers });
  if (response.status === 401) {
    const given = window.prompt("This Weir coordinator needs its cluster secret as token:");
    if (given) { sessionStorage.setItem("weirToken", given); return api(path); }
  }
  if (!response.ok) throw new Error(path + ": HTTP " + response.status);
  return response.json();
}

function time(millis) {
  return millis === null ? "" : new Date(millis).toISOString();
}

// A watermark at the end of the global window (a finished input) is past what Date can show.
function watermarkTime(millis) {
  return millis !== null && millis > 8.64e15 ? "end" : time(millis);
}

function shortened(name, max = MAX_STEP_CHARS) {
  const span = el("span", name.length > max ? "\u2026" + name.slice(-max) : name, "step");
  span.title = name;
  return span;
}

function jobLink(id) {
  const a = el("a", id);
  a.href = "#job/" + encodeURIComponent(id);
  return a;
}

// The job graph: a box per stage, laid out in layers left to right (a stage one layer right of
// the furthest stage feeding it), edges drawn in an SVG beneath the boxes and labelled with their
// exchange. Boxes have a fixed width and line height, so the layout needs no measuring and is the
// same at every refresh.
const BOX_WIDTH = 280;
const BOX_LINE = 18;
const BOX_PAD = 6;
const LAYER_GAP = 120;
const ROW_GAP = 28;
const MARGIN = 10;
const GRAPH_STEP_CHARS = 35;

// Each stage's layer: the longest path to it from a stage without inputs (Kahn's order).
function stageLayers(stages, edges) {
  const layer = new Map(stages.map((s) => [s.id, 0]));
  const inputs = new Map(stages.map((s) => [s.id, 0]));
  const outputs = new Map(stages.map((s) => [s.id, []]));
  edges.forEach((e) => {
    if (layer.has(e.from) && layer.has(e.to) && e.from !== e.to) {
      inputs.set(e.to, inputs.get(e.to) + 1);
      outputs.get(e.from).push(e.to);
    }
  });
  const ready = stages.filter((s) => inputs.get(s.id) === 0).map((s) => s.id);
  const placed = new Set();
  while (ready.length > 0) {
    const id = ready.shift();
    placed.add(id);
    outputs.get(id).forEach((to) => {
      layer.set(to, Math.max(layer.get(to), layer.get(id) + 1));
      inputs.set(to, inputs.get(to) - 1);
      if (inputs.get(to) === 0) ready.push(to);
    });
  }
  // A cycle (which a plan never has) leaves stages unplaced: after everything else.
  const last = Math.max(0, ...layer.values());
  stages.forEach((s) => { if (!placed.has(s.id)) layer.set(s.id, last + 1); });
  return layer;
}

// Stages by layer, each layer ordered to keep edges short: a few sweeps sorting every layer by
// the mean position of its neighbours in the layer before (then after) it.
function orderedLayers(stages, edges, layer) {
  const count = Math.max(0, ...layer.values()) + 1;
  const columns = Array.from({ length: count }, () => []);
  stages.forEach((s) => columns[layer.get(s.id)].push(s.id));
  const position = new Map();
  const remember = () => columns.forEach((c) => c.forEach((id, i) => position.set(id, i)));
  remember();
  const neighbours = (id, upstream) => edges
    .filter((e) => (upstream ? e.to === id : e.from === id))
    .map((e) => (upstream ? e.from : e.to))
    .filter((n) => position.has(n) && layer.get(n) !== layer.get(id));
  const sortBy = (column, upstream) => {
    const key = new Map(column.map((id) => {
      const near = neighbours(id, upstream);
      return [id, near.length === 0 ? position.get(id)
        : near.reduce((sum, n) => sum + position.get(n), 0) / near.length];
    }));
    column.sort((a, b) => key.get(a) - key.get(b) || position.get(a) - position.get(b));
  };
  for (let sweep = 0; sweep < 3; sweep++) {
    for (let i = 1; i < count; i++) { sortBy(columns[i], true); remember(); }
    for (let i = count - 2; i >= 0; i--) { sortBy(columns[i], false); remember(); }
  }
  return columns;
}

function svg(tag, attributes) {
  const e = document.createElementNS("http://www.w3.org/2000/svg", tag);
  Object.keys(attributes || {}).forEach((k) => e.setAttribute(k, String(attributes[k])));
  return e;
}

// A point of the cubic curve from (x1, y1) to (x2, y2) with horizontal tangents at both ends,
// at horizontal position x (the curve's x grows with its parameter, so bisect).
function curveAt(x1, y1, x2, y2, x) {
  const dx = Math.max(40, (x2 - x1) / 2);
  const cx1 = x1 + dx, cx2 = x2 - dx;
  const at = (t, a, b, c, d) => (1 - t) ** 3 * a + 3 * (1 - t) ** 2 * t * b + 3 * (1 - t) * t * t * c + t ** 3 * d;
  let lo = 0, hi = 1;
  for (let i = 0; i < 30; i++) {
    const mid = (lo + hi) / 2;
    if (at(mid, x1, cx1, cx2, x2) < x) lo = mid; else hi = mid;
  }
  return at(lo, y1, y1, y2, y2);
}

function stageBox(jobId, s, status, bottleneck) {
  const box = el("div", null, "stage");
  box.dataset.stage = String(s.id);
  const title = el("div", null, "title");
  title.appendChild(stageLink(jobId, s.id, "Stage " + s.id + " \u00d7" + s.parallelism));
  box.appendChild(title);
  if (bottleneck) box.classList.add("bottleneck");
  const recordsIn = status.subtasks.reduce((sum, t) => sum + t.recordsIn, 0);
  const recordsOut = status.subtasks.reduce((sum, t) => sum + t.recordsOut, 0);
  box.appendChild(el("div", "records in " + recordsIn + ", out " + recordsOut, "records"));
  const most = (field) => Math.max(-1, ...status.subtasks.map((t) => t[field] === null ? -1 : t[field]));
  const busy = most("busyMillisPerSecond");
  const backpressured = most("backpressuredMillisPerSecond");
  // The stage's watermark: its subtasks' smallest output watermark, once it has left the
  // beginning of time (Beam's minimum, about -9.2e15 ms).
  const watermarks = status.subtasks.map((t) => t.outputWatermarkMillis);
  const watermark = watermarks.length === 0 ? null : Math.min(...watermarks);
  if (watermark !== null && watermark > -9e15 && watermark < 9e15) {
    box.appendChild(el("div", "watermark " + time(watermark), "watermark"));
  } else {
    box.appendChild(el("div", watermark !== null && watermark >= 9e15 ? "watermark end" : "no watermark yet", "nowatermark"));
  }
  if (busy >= 0) {
    box.appendChild(el("div", "busy " + Math.round(busy / 10) + "%, backpressured " + Math.round(backpressured / 10) + "%", "load"));
    // Colored by the worse of the two: red when busy, purple when backpressured.
    if (backpressured >= 500) box.classList.add("backpressured");
    else if (busy >= 800) box.classList.add("busy");
  } else {
    box.appendChild(el("div", "no time use reported", "load"));
  }
  s.steps.forEach((step) => { const d = el("div"); d.appendChild(shortened(step, GRAPH_STEP_CHARS)); box.appendChild(d); });
  // Title, records, watermark, time use, then one line per step.
  return { box, height: 2 * BOX_PAD + 2 + BOX_LINE * (4 + s.steps.length) };
}

function jobGraph(jobId, detail, stageStatus, bottlenecks) {
  const layer = stageLayers(detail.stages, detail.edges);
  const columns = orderedLayers(detail.stages, detail.edges, layer);
  const boxes = new Map();
  detail.stages.forEach((s, i) => boxes.set(s.id, stageBox(jobId, s, stageStatus[i], bottlenecks.has(s.id))));
  const columnHeight = columns.map((c) => c.reduce((sum, id) => sum + boxes.get(id).height, 0) + ROW_GAP * Math.max(0, c.length - 1));
  const height = Math.max(0, ...columnHeight) + 2 * MARGIN;
  const width = columns.length * BOX_WIDTH + Math.max(0, columns.length - 1) * LAYER_GAP + 2 * MARGIN;
  const place = new Map();
  columns.forEach((c, i) => {
    // Each layer centred on the tallest.
    let y = MARGIN + (height - 2 * MARGIN - columnHeight[i]) / 2;
    c.forEach((id) => {
      place.set(id, { x: MARGIN + i * (BOX_WIDTH + LAYER_GAP), y, h: boxes.get(id).height });
      y += boxes.get(id).height + ROW_GAP;
    });
  });
  const graph = el("div", null, "graph");
  graph.style.width = width + "px";
  graph.style.height = height + "px";
  const lines = svg("svg", { class: "edges", width, height, viewBox: "0 0 " + width + " " + height });
  const defs = svg("defs");
  const marker = svg("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 10, refY: 5, markerWidth: 8, markerHeight: 8, orient: "auto" });
  marker.appendChild(svg("path", { d: "M0,0 L10,5 L0,10 z", class: "arrowhead" }));
  defs.appendChild(marker);
  lines.appendChild(defs);
  // Where each edge leaves and enters: the ports of a side spread over its height, in the order
  // of the other ends, so edges into (or out of) one box do not cross at it.
  const drawn = detail.edges.filter((e) => place.has(e.from) && place.has(e.to));
  const port = new Map();
  const spread = (ends, here, there) => {
    const byStage = new Map();
    drawn.forEach((e) => {
      const list = byStage.get(e[here]) || [];
      list.push(e);
      byStage.set(e[here], list);
    });
    byStage.forEach((list, id) => {
      const p = place.get(id);
      list.sort((a, b) => place.get(a[there]).y - place.get(b[there]).y || a.id - b.id);
      list.forEach((e, k) => ends.set(e.id, p.y + p.h * (k + 1) / (list.length + 1)));
    });
  };
  const outY = new Map(), inY = new Map();
  spread(outY, "from", "to");
  spread(inY, "to", "from");
  // Each edge's curve and where its label goes: in the gap just before the target, where no
  // box is. Labels of one gap that would overlap (edges crossing there) are pushed apart.
  const curves = drawn.map((e) => {
    const x1 = place.get(e.from).x + BOX_WIDTH, y1 = outY.get(e.id);
    const x2 = place.get(e.to).x, y2 = inY.get(e.id);
    const lx = x2 - LAYER_GAP / 2;
    return { e, x1, y1, x2, y2, lx, ly: curveAt(x1, y1, x2, y2, lx) };
  });
  const byGap = new Map();
  curves.forEach((c) => { const list = byGap.get(c.lx) || []; list.push(c); byGap.set(c.lx, list); });
  byGap.forEach((list) => {
    list.sort((a, b) => a.ly - b.ly || a.e.id - b.e.id);
    for (let k = 1; k < list.length; k++) list[k].ly = Math.max(list[k].ly, list[k - 1].ly + 18);
  });
  curves.forEach(({ e, x1, y1, x2, y2, lx, ly }) => {
    const dx = Math.max(40, (x2 - x1) / 2);
    const group = svg("g", { class: "edge-group" });
    const title = svg("title");
    title.textContent = "edge " + e.id + ": stage " + e.from + " \u2192 stage " + e.to + ", " + e.kind;
    group.appendChild(title);
    group.appendChild(svg("path", {
      class: "edge", "data-edge": e.id, "marker-end": "url(#arrow)",
      d: "M" + x1 + "," + y1 + " C" + (x1 + dx) + "," + y1 + " " + (x2 - dx) + "," + y2 + " " + x2 + "," + y2,
    }));
    const label = String(e.kind).toLowerCase();
    const w = label.length * 7 + 8;
    group.appendChild(svg("rect", { class: "edge-label-bg", x: lx - w / 2, y: ly - 8, width: w, height: 16, rx: 3 }));
    const text = svg("text", { class: "edge-label", x: lx, y: ly + 4, "text-anchor": "middle" });
    text.textContent = label;
    group.appendChild(text);
    lines.appendChild(group);
  });
  graph.appendChild(lines);
  detail.stages.forEach((s) => {
    const p = place.get(s.id);
    const box = boxes.get(s.id).box;
    box.style.left = p.x + "px";
    box.style.top = p.y + "px";
    box.style.width = BOX_WIDTH + "px";
    box.style.height = p.h + "px";
    graph.appendChild(box);
  });
  const scroll = el("div", null, "graph-scroll");
  scroll.appendChild(graph);
  const legend = el("p", null, "legend");
  [["busy", "busy \u2265 80%"], ["backpressured", "backpressured \u2265 50%"], ["bottleneck", "bottleneck (hint)"]].forEach(([cls, text]) => {
    legend.appendChild(el("span", text, "key " + cls));
  });
  scroll.appendChild(legend);
  return scroll;
}

async function renderOverview(main) {
  const [overview, jobs, workers] = await Promise.all([api("overview"), api("jobs"), api("workers")]);
  document.getElementById("version").textContent = overview.version;
  main.appendChild(el("h2", "Overview"));
  main.appendChild(table(["workers", "slots", "jobs by state"], [[overview.workers,
    overview.slots < 0 ? "unbounded" : overview.slots, JSON.stringify(overview.jobsByState)]]));
  main.appendChild(el("h2", "Jobs"));
  main.appendChild(table(["id", "name", "state", "started", "ended", "attempt", "restarts"],
    jobs.jobs.map((j) => [jobLink(j.id), j.name, j.state, time(j.startMillis), time(j.endMillis), j.attempt, j.restarts])));
  main.appendChild(el("h2", "Workers"));
  main.appendChild(table(["name", "slots", "exchange", "ms since heartbeat"],
    workers.workers.map((w) => [workerLink(w.name), w.slots < 0 ? "unbounded" : w.slots, w.exchangeAddress, w.millisSinceHeartbeat])));
}

function workerLink(name) {
  const a = el("a", name);
  a.href = "#worker/" + encodeURIComponent(name);
  return a;
}

function stageLink(jobId, stageId, text) {
  const a = el("a", text);
  a.href = "#stage/" + encodeURIComponent(jobId) + "/" + stageId;
  return a;
}

function bytes(n) {
  if (n === null || n === undefined) return "";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return (i === 0 ? String(v) : v.toFixed(1)) + " " + units[i];
}

function percent(millisPerSecond) {
  return millisPerSecond === null ? "" : Math.round(millisPerSecond / 10) + "%";
}

async function renderWorker(main, name) {
  const w = await api("workers/" + encodeURIComponent(name));
  main.appendChild(el("h2", "Worker " + w.name));
  main.appendChild(table(["slots", "exchange", "ms since heartbeat", "running subtasks"],
    [[w.slots < 0 ? "unbounded" : w.slots, w.exchangeAddress, w.millisSinceHeartbeat, w.runningSubtasks]]));
  main.appendChild(el("h3", "Memory and disk"));
  const rows = [["heap used", bytes(w.heapUsedBytes)], ["heap max", bytes(w.heapMaxBytes)],
    ["state directory free", bytes(w.stateDirFreeBytes)]];
  if (w.rocksDb !== null) {
    rows.push(["RocksDB instances", w.rocksDb.instances], ["RocksDB block cache", bytes(w.rocksDb.blockCacheBytes)],
      ["RocksDB memtables", bytes(w.rocksDb.memtableBytes)], ["RocksDB table readers", bytes(w.rocksDb.tableReadersBytes)]);
  }
  const t = table(["resource", "value"], rows);
  t.className = "resources";
  main.appendChild(t);
}

async function renderStage(main, jobId, stageId) {
  const s = await api("jobs/" + encodeURIComponent(jobId) + "/stages/" + encodeURIComponent(stageId));
  main.appendChild(el("h2", "Stage " + s.id + " " + s.name + " \u00d7" + s.parallelism));
  main.appendChild(jobLink(jobId));
  const steps = el("div");
  s.steps.forEach((step) => { const d = el("div"); d.appendChild(shortened(step)); steps.appendChild(d); });
  main.appendChild(steps);
  const t = table(["subtask", "attempt", "worker", "state", "records in", "bytes in", "records out", "bytes out",
    "busy", "idle", "backpressured", "input watermark", "output watermark"],
    s.subtasks.map((t) => [t.subtask, t.attempt, t.worker, t.ended ? "ended" : "running", t.recordsIn, bytes(t.bytesIn),
      t.recordsOut, bytes(t.bytesOut), percent(t.busyMillisPerSecond), percent(t.idleMillisPerSecond),
      percent(t.backpressuredMillisPerSecond), watermarkTime(t.inputWatermarkMillis), watermarkTime(t.outputWatermarkMillis)]));
  t.className = "subtasks";
  main.appendChild(t);
}

async function renderJob(main, id) {
  const path = "jobs/" + encodeURIComponent(id);
  const [detail, metrics, checkpoints, exceptions, watermarks, overview] = await Promise.all([
    api(path), api(path + "/metrics"), api(path + "/checkpoints"), api(path + "/exceptions"),
    api(path + "/watermarks"), api("overview")]);
  const job = detail.job;
  document.getElementById("version").textContent = overview.version;
  main.appendChild(el("h2", "Job " + job.name));
  main.appendChild(table(["id", "state", "started", "ended", "attempt", "restarts", "key groups"],
    [[job.id, job.state, time(job.startMillis), time(job.endMillis), job.attempt, job.restarts, detail.maxParallelism]]));
  main.appendChild(el("h3", "Stages"));
  // The backpressure hint: the busy stage just downstream of backpressured ones.
  const bottlenecks = new Set(detail.bottlenecks.map((b) => b.stage));
  detail.bottlenecks.forEach((b) => {
    main.appendChild(el("p", "Bottleneck: stage " + b.stage + " (" + b.name + ") is busy " + percent(b.busyMillisPerSecond)
      + " of the time while stage" + (b.backpressuredUpstream.length > 1 ? "s " : " ") + b.backpressuredUpstream.join(", ")
      + " upstream wait" + (b.backpressuredUpstream.length > 1 ? "" : "s") + " for it (backpressured)", "hint"));
  });
  const stageStatus = await Promise.all(detail.stages.map((s) => api(path + "/stages/" + s.id)));
  main.appendChild(jobGraph(id, detail, stageStatus, bottlenecks));
  main.appendChild(table(["edge", "from", "to", "exchange"], detail.edges.map((e) => [e.id, e.from, e.to, e.kind])));
  main.appendChild(el("h3", "Metrics"));
  main.appendChild(table(["step", "namespace", "name", "attempted", "committed"],
    metrics.counters.map((c) => [shortened(c.step), c.namespace, c.name, c.attempted, c.committed])));
  main.appendChild(el("h3", "Watermarks"));
  const wm = table(["stage", "input watermark", "output watermark", "output lag ms", "subtasks"],
    watermarks.stages.map((s) => [s.id + " " + s.name, watermarkTime(s.inputWatermarkMillis),
      watermarkTime(s.outputWatermarkMillis), s.outputLagMillis, s.subtasks.length]));
  wm.className = "watermarks";
  main.appendChild(wm);
  main.appendChild(el("h3", "Checkpoints"));
  main.appendChild(table(["completed", "failed", "latest completed"],
    [[checkpoints.counts.completed, checkpoints.counts.failed, checkpoints.latestCompletedId]]));
  main.appendChild(table(["id", "attempt", "status", "ms", "bytes", "uploaded", "reason"],
    checkpoints.history.slice(-20).reverse().map((k) => [checkpointLink(id, k.id), k.attempt, status(k.status), k.durationMillis, k.sizeBytes, k.incrementalSizeBytes, k.failureReason])));
  main.appendChild(el("h3", "Exceptions"));
  main.appendChild(table(["time", "attempt", "restarted", "step", "subtask", "worker", "cause"],
    exceptions.exceptions.slice().reverse().map((e) => [time(e.timeMillis), e.attempt, e.restarted,
      e.step === null ? "" : shortened(e.step), e.subtask === null ? "" : e.stage + "/" + e.subtask,
      e.worker === null ? "" : e.worker, e.cause])));
  main.appendChild(el("h3", "Options"));
  main.appendChild(table(["option", "value"], Object.keys(detail.options).sort().map((k) => [k, detail.options[k]])));
  // The cancel form, where the server takes cancels and the job can still be cancelled.
  return overview.cancelAllowed && (job.state === "RUNNING" || job.state === "STOPPED") ? job.id : null;
}

function status(text) {
  return el("span", text, text === "FAILED" || text === "DECLINED" ? "failed" : null);
}

function checkpointLink(jobId, checkpointId) {
  const a = el("a", checkpointId);
  a.href = "#checkpoint/" + encodeURIComponent(jobId) + "/" + checkpointId;
  return a;
}

async function renderCheckpoint(main, jobId, checkpointId) {
  const c = await api("jobs/" + encodeURIComponent(jobId) + "/checkpoints/" + encodeURIComponent(checkpointId));
  main.appendChild(el("h2", "Checkpoint " + c.id + " of " + jobId + ": " + c.status));
  main.appendChild(jobLink(jobId));
  if (c.summary !== null && c.summary.failureReason !== null) {
    main.appendChild(el("p", "Failed: " + c.summary.failureReason, "failed"));
  }
  c.stages.forEach((stage) => {
    main.appendChild(el("h3", "Stage " + stage.id + " " + stage.name));
    main.appendChild(table(["subtask", "status", "ack ms", "start delay ms", "alignment ms", "sync ms", "async ms", "state bytes", "uploaded bytes", "reason"],
      stage.subtasks.map((s) => [s.subtask, status(s.status), s.ackMillis, s.startDelayMillis, s.alignmentMillis, s.syncMillis, s.asyncMillis, s.stateBytes, s.uploadedBytes, s.failureReason])));
  });
}

// The job whose cancel form is shown, or null. The form lives outside <main>, which every
// refresh replaces, so a secret being typed is kept; the secret stays in the field (page
// memory), never stored.
let cancelShownFor = null;

function showCancel(jobId) {
  const form = document.getElementById("cancel");
  if (jobId !== cancelShownFor) {
    const result = document.getElementById("cancel-result");
    result.textContent = "";
    result.className = "";
  }
  cancelShownFor = jobId;
  form.hidden = jobId === null;
}

async function cancelJob() {
  const id = cancelShownFor;
  if (id === null) return;
  const token = document.getElementById("cancel-token").value;
  const result = document.getElementById("cancel-result");
  result.className = "";
  result.textContent = "Cancelling\u2026";
  try {
    const response = await fetch("/api/v1/jobs/" + encodeURIComponent(id) + "/cancel",
      { method: "POST", headers: token ? { Authorization: "Bearer " + token } : {} });
    let body = null;
    try { body = await response.json(); } catch (e) { body = null; }
    if (response.ok) {
      result.textContent = "Cancel requested: the job is " + (body === null ? "?" : body.state);
    } else {
      result.className = "error";
      result.textContent = "Cancel refused: HTTP " + response.status
        + (body !== null && body.message ? ": " + body.message : "");
    }
  } catch (e) {
    result.className = "error";
    result.textContent = "Cancel failed: " + e;
  }
}

async function render() {
  const main = document.getElementById("main");
  const fresh = el("main");
  fresh.id = "main";
  let cancelable = null;
  try {
    const hash = window.location.hash;
    if (hash.startsWith("#job/")) cancelable = await renderJob(fresh, decodeURIComponent(hash.slice(5)));
    else if (hash.startsWith("#checkpoint/")) {
      const parts = hash.slice(12).split("/");
      await renderCheckpoint(fresh, decodeURIComponent(parts[0]), decodeURIComponent(parts[1]));
    }
    else if (hash.startsWith("#stage/")) {
      const parts = hash.slice(7).split("/");
      await renderStage(fresh, decodeURIComponent(parts[0]), decodeURIComponent(parts[1]));
    }
    else if (hash.startsWith("#worker/")) await renderWorker(fresh, decodeURIComponent(hash.slice(8)));
    else await renderOverview(fresh);
  } catch (e) {
    fresh.appendChild(el("p", String(e), "error"));
  }
  showCancel(cancelable);
  main.replaceWith(fresh);
}

document.getElementById("cancel-button").addEventListener("click", cancelJob);

window.addEventListener("hashchange", render);
render();
setInterval(render, REFRESH_MILLIS);
