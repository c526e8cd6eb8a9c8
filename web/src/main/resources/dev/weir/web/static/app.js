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

function shortened(name) {
  const span = el("span", name.length > MAX_STEP_CHARS ? "\u2026" + name.slice(-MAX_STEP_CHARS) : name, "step");
  span.title = name;
  return span;
}

function jobLink(id) {
  const a = el("a", id);
  a.href = "#job/" + encodeURIComponent(id);
  return a;
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
  const [detail, metrics, checkpoints, exceptions, watermarks] = await Promise.all([
    api(path), api(path + "/metrics"), api(path + "/checkpoints"), api(path + "/exceptions"),
    api(path + "/watermarks")]);
  const job = detail.job;
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
  const graph = el("div", null, "graph");
  const stageStatus = await Promise.all(detail.stages.map((s) => api(path + "/stages/" + s.id)));
  detail.stages.forEach((s, i) => {
    const box = el("div", null, "stage");
    const title = el("strong");
    title.appendChild(stageLink(id, s.id, "Stage " + s.id + " \u00d7" + s.parallelism));
    box.appendChild(title);
    if (bottlenecks.has(s.id)) box.classList.add("bottleneck");
    const recordsIn = stageStatus[i].subtasks.reduce((sum, t) => sum + t.recordsIn, 0);
    const recordsOut = stageStatus[i].subtasks.reduce((sum, t) => sum + t.recordsOut, 0);
    box.appendChild(el("div", "records in " + recordsIn + ", out " + recordsOut, "records"));
    const most = (field) => Math.max(-1, ...stageStatus[i].subtasks.map((t) => t[field] === null ? -1 : t[field]));
    const busy = most("busyMillisPerSecond");
    const backpressured = most("backpressuredMillisPerSecond");
    // The stage's watermark: its subtasks' smallest output watermark, once it has left the
    // beginning of time (Beam's minimum, about -9.2e15 ms).
    const watermarks = stageStatus[i].subtasks.map((t) => t.outputWatermarkMillis);
    const watermark = watermarks.length === 0 ? null : Math.min(...watermarks);
    if (watermark !== null && watermark > -9e15 && watermark < 9e15) {
      box.appendChild(el("div", "watermark " + time(watermark), "watermark"));
    }
    if (busy >= 0) {
      box.appendChild(el("div", "busy " + Math.round(busy / 10) + "%, backpressured " + Math.round(backpressured / 10) + "%"));
      // Colored by the worse of the two: red when busy, purple when backpressured.
      if (backpressured >= 500) box.classList.add("backpressured");
      else if (busy >= 800) box.classList.add("busy");
    }
    s.steps.forEach((step) => { const d = el("div"); d.appendChild(shortened(step)); box.appendChild(d); });
    graph.appendChild(box);
  });
  main.appendChild(graph);
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

async function render() {
  const main = document.getElementById("main");
  const fresh = el("main");
  fresh.id = "main";
  try {
    const hash = window.location.hash;
    if (hash.startsWith("#job/")) await renderJob(fresh, decodeURIComponent(hash.slice(5)));
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
  main.replaceWith(fresh);
}

window.addEventListener("hashchange", render);
render();
setInterval(render, REFRESH_MILLIS);
