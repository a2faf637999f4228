// The page: the graph once, then every snapshot the run publishes (server-sent events).
"use strict";

const HISTORY_SECS = 600;
const state = {topo: null, live: {}, history: [], kinds: {}, lastSnapshot: null};

function $(id) { return document.getElementById(id); }

function el(name, attrs, text) {
  const e = document.createElement(name);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}

function mainRate(cid, rates) {
  const r = rates[cid] || {};
  return state.kinds[cid] === "spout" ? r.emitted : r.executed;
}

function fmtCount(v) { return v === null || v === undefined ? "–" : Number(v).toLocaleString("en"); }
function fmtMs(v) { return v === null || v === undefined ? "–" : v.toFixed(1); }
function fmtShare(v) { return v === null || v === undefined ? "–" : `${Math.round(v * 100)}%`; }
function fmtTime(t) { return new Date(t * 1000).toLocaleTimeString(); }

async function loadTopology() {
  const resp = await fetch("/api/topology", {cache: "no-store"});
  state.topo = await resp.json();
  $("topology-name").textContent = state.topo.topology || "topology";
  $("storm-id").textContent = state.topo.storm_id || "";
  document.title = `${state.topo.topology} · petrel`;
  for (const c of state.topo.components) state.kinds[c.id] = c.kind;
  state.live = drawGraph($("graph"), state.topo);
}

function showRunState(s) {
  const box = $("run-state");
  if (s.ended) {
    const code = s.stats.exit_code;
    box.textContent = `Run ended: ${s.stop_reason || "finished"} after ` +
      `${s.elapsed_s.toFixed(1)} s` + (code ? ` (exit code ${code})` : "");
    box.className = "state ended" + (code ? " failed" : "");
  } else {
    box.textContent = `${s.phase} · ${s.elapsed_s.toFixed(0)} s`;
    box.className = `state ${s.phase}`;
  }
}

function showSummary(s) {
  const st = s.stats, lat = st.complete_latency_ms || {};
  const items = [
    ["tuple trees acked", fmtCount(st.spout_acked)], ["failed", fmtCount(st.spout_failed)],
    ["pending", fmtCount(st.pending)], ["restarts", fmtCount(st.restarts)],
    ["complete latency p50 / p99 ms", `${fmtMs(lat.p50)} / ${fmtMs(lat.p99)}`],
    ["errors", fmtCount(s.error_count)], ["runner CPU", fmtShare(s.runner_busy)],
  ];
  $("summary").replaceChildren(...items.map(([k, v]) => {
    const d = el("div", {class: "figure"});
    d.append(el("span", {class: "value"}, v), el("span", {class: "label"}, k));
    return d;
  }));
}

function showGraphFigures(s) {
  const down = {};
  for (const t of s.tasks) if (!t.up) down[t.component] = (down[t.component] || 0) + 1;
  for (const [cid, live] of Object.entries(state.live)) {
    const r = s.rates[cid] || {};
    const cs = s.stats.components[cid] || {};
    const verb = state.kinds[cid] === "spout" ? "emitted" : "executed";
    live.rate.textContent = `${formatRate(mainRate(cid, s.rates))}/s ${verb}` +
      (r.failed ? ` · ${formatRate(r.failed)}/s failed` : "") +
      (cs.errors ? ` · ${cs.errors} err` : "");
    live.group.classList.toggle("down", !s.ended && (down[cid] || 0) > 0);
    live.group.classList.toggle("erring", (cs.errors || 0) > 0);
  }
}

function showComponents(s) {
  const table = $("components");
  const head = el("tr");
  for (const h of ["component", "kind", "tasks up", "emitted/s", "executed/s", "acked/s",
                   "failed/s", "emitted", "executed", "acked", "failed", "pending", "load",
                   "busy", "latency p50/p99 ms", "errors", "restarts", "last minutes"]) {
    head.appendChild(el("th", {}, h));
  }
  const rows = [head];
  for (const [cid, cs] of Object.entries(s.stats.components)) {
    const r = s.rates[cid] || {};
    const tasks = s.tasks.filter(t => t.component === cid);
    const up = tasks.filter(t => t.up).length;
    const pending = tasks.reduce((n, t) => n + t.pending, 0);
    const lat = s.latency_ms[cid];
    const spout = cs.kind === "spout";
    const load = spout || !tasks.length ? null
      : Math.max(...tasks.map(t => t.pending)) / Math.max(1, s.max_pending);
    const busy = (s.busy || {})[cid];
    const tr = el("tr", {"data-component": cid});
    const cells = [
      ["name", cid], ["kind", cs.kind], ["up", `${up}/${tasks.length}`],
      ["rate-emitted", formatRate(r.emitted)],
      ["rate-executed", spout ? "–" : formatRate(r.executed)],
      ["rate-acked", formatRate(r.acked)], ["rate-failed", formatRate(r.failed)],
      ["emitted", fmtCount(cs.emitted)], ["executed", spout ? "–" : fmtCount(cs.executed)],
      ["acked", fmtCount(cs.acked)], ["failed", fmtCount(cs.failed)],
      ["pending", fmtCount(pending)], ["load", fmtShare(load)], ["busy", fmtShare(busy)],
      ["latency", fmtLatency(lat)],
      ["errors", fmtCount(cs.errors)], ["restarts", fmtCount(cs.restarts)],
    ];
    for (const [key, text] of cells) tr.appendChild(el("td", {"data-field": key}, text));
    const spark = el("td", {class: "spark"});
    drawChart(spark, {[cid]: state.history.map(p => [p.t, mainRate(cid, p.rates) || 0])},
              140, 28, false, Object.keys(state.kinds).indexOf(cid));
    tr.appendChild(spark);
    if (up < tasks.length && !s.ended) tr.classList.add("down");
    rows.push(tr);
  }
  table.replaceChildren(...rows);
}

function fmtLatency(lat) {
  return lat && lat.p50 !== null ? `${fmtMs(lat.p50)} / ${fmtMs(lat.p99)}` : "–";
}

function showTasks(s) {
  const head = el("tr");
  for (const h of ["task", "component", "state", "pid", "restarts", "emitted/s", "executed/s",
                   "acked/s", "failed/s", "emitted", "executed", "acked", "busy",
                   "latency p50/p99 ms", "pending", "queued"]) {
    head.appendChild(el("th", {}, h));
  }
  const rows = [head];
  for (const t of s.tasks) {
    const spout = state.kinds[t.component] === "spout";
    const r = t.rates || {}, c = t.counts || {};
    const tr = el("tr", {"data-task": t.task, "data-component": t.component,
                         class: t.up ? "up" : "not-up"});
    const cells = [
      ["task", t.task], ["component", t.component], ["state", t.up ? "up" : t.state],
      ["pid", t.pid ?? "–"], ["restarts", t.restarts],
      ["rate-emitted", formatRate(r.emitted)],
      ["rate-executed", spout ? "–" : formatRate(r.executed)],
      ["rate-acked", formatRate(r.acked)], ["rate-failed", formatRate(r.failed)],
      ["emitted", fmtCount(c.emitted)], ["executed", spout ? "–" : fmtCount(c.executed)],
      ["acked", fmtCount(c.acked)], ["busy", fmtShare(t.busy)],
      ["latency", spout ? "–" : fmtLatency(t.latency_ms)],
      ["pending", t.pending], ["queued", t.queued],
    ];
    for (const [key, text] of cells) tr.appendChild(el("td", {"data-field": key}, text));
    rows.push(tr);
  }
  $("tasks").replaceChildren(...rows);
}

function showErrors(s) {
  $("error-count").textContent = s.error_count ? `(${s.error_count}, latest first)` : "";
  if (!s.errors.length) return;
  const open = new Set([...document.querySelectorAll("#errors details[open]")]
    .map(d => d.dataset.key));
  $("errors").replaceChildren(...s.errors.map(e => {
    const key = `${e.component} ${e.kind} ${e.message}`;
    const box = el("details", {class: "error", "data-key": key, "data-component": e.component});
    if (open.has(key) || e === s.errors[0]) box.open = true;
    const sum = el("summary");
    sum.append(el("span", {class: "when"}, fmtTime(e.time)),
               el("span", {class: "where"}, `${e.component}[${e.task}]`),
               el("span", {class: "kind"}, e.kind),
               el("span", {class: "message"}, e.message),
               el("span", {class: "times"}, e.times > 1 ? `×${fmtCount(e.times)}` : ""));
    box.appendChild(sum);
    if (e.tuple) box.appendChild(el("div", {class: "tuple"}, `tuple: ${e.tuple}`));
    box.appendChild(el("pre", {class: "traceback"}, e.text));
    return box;
  }));
}

function showSamples(s) {
  const box = $("samples");
  if (!s.debug) {
    box.replaceChildren(el("p", {class: "note"}, "topology.debug is off: set it to true in " +
      "topology.yaml (or run with --debug-tuples) to see the latest tuples of each stream here."));
    return;
  }
  if (!s.samples.length) {
    box.replaceChildren(el("p", {class: "note"}, "No tuple emitted yet."));
    return;
  }
  box.replaceChildren(...s.samples.map(g => {
    const div = el("div", {class: "sample", "data-component": g.component,
                           "data-stream": g.stream});
    div.appendChild(el("h3", {}, `${g.component} → ${g.stream} (${fmtCount(g.count)} emitted)`));
    const ul = el("ul");
    for (const t of g.tuples.slice().reverse()) {
      ul.appendChild(el("li", {}, `${fmtTime(t.time)} [${t.task}] ${t.values}`));
    }
    div.appendChild(ul);
    return div;
  }));
}

function showChart() {
  const series = {};
  for (const cid of Object.keys(state.kinds)) {
    series[cid] = state.history.map(p => [p.t, mainRate(cid, p.rates) || 0]);
  }
  drawChart($("chart"), series, 760, 170, true);
  const legend = el("div", {class: "legend"});
  Object.keys(series).forEach((cid, i) => {
    const item = el("span", {class: `key s${i % 8}`}, cid);
    legend.appendChild(item);
  });
  $("chart").appendChild(legend);
  const span = state.history.length > 1
    ? state.history[state.history.length - 1].t - state.history[0].t : 0;
  $("chart-span").textContent = span ? `(last ${Math.round(span)} s; spouts emitted, ` +
    "bolts executed)" : "";
}

function onSnapshot(s) {
  state.lastSnapshot = s;
  const last = state.history[state.history.length - 1];
  if (!last || last.t !== s.elapsed_s) state.history.push({t: s.elapsed_s, rates: s.rates});
  while (state.history.length && s.elapsed_s - state.history[0].t > HISTORY_SECS) {
    state.history.shift();
  }
  showRunState(s);
  showSummary(s);
  showGraphFigures(s);
  showComponents(s);
  showTasks(s);
  showErrors(s);
  showSamples(s);
  showChart();
}

function connect() {
  const source = new EventSource("/api/events");
  source.addEventListener("open", () => {
    $("connection").textContent = "live";
    $("connection").className = "connection live";
  });
  source.addEventListener("history", ev => { state.history = JSON.parse(ev.data); });
  source.addEventListener("snapshot", ev => onSnapshot(JSON.parse(ev.data)));
  source.addEventListener("error", () => {
    const ended = state.lastSnapshot && state.lastSnapshot.ended;
    $("connection").textContent = ended ? "the run is over; the server has stopped"
      : "disconnected; reconnecting…";
    $("connection").className = "connection lost";
    if (ended) source.close();
  });
}

loadTopology().then(connect).catch(err => {
  $("run-state").textContent = `cannot reach the run: ${err}`;
  $("run-state").className = "state failed";
});
