// The topology graph and the rate charts, drawn as SVG by hand: a topology has tens of
// components at most, so a layered layout (longest path from the spouts, then ordering by
// the neighbours' positions) is enough and needs no library.
"use strict";

const SVG_NS = "http://www.w3.org/2000/svg";
const NODE_W = 190, NODE_H = 66, COL_GAP = 150, ROW_GAP = 34, PAD = 20;

function svgEl(name, attrs, text) {
  const el = document.createElementNS(SVG_NS, name);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, v);
  if (text !== undefined) el.textContent = text;
  return el;
}

// Layer of every component: spouts (and anything without inputs) in 0, each bolt one
// column right of its furthest input. A cycle stops growing after as many rounds as nodes.
function layers(topo) {
  const layer = {};
  for (const c of topo.components) layer[c.id] = 0;
  for (let round = 0; round < topo.components.length; round++) {
    let changed = false;
    for (const e of topo.edges) {
      if (e.from === e.to || !(e.from in layer) || !(e.to in layer)) continue;
      if (layer[e.to] < layer[e.from] + 1) { layer[e.to] = layer[e.from] + 1; changed = true; }
    }
    if (!changed) break;
  }
  return layer;
}

function layout(topo) {
  const layer = layers(topo);
  const columns = [];
  for (const c of topo.components) (columns[layer[c.id]] = columns[layer[c.id]] || []).push(c.id);
  const pos = {};
  columns.forEach(col => col.forEach((id, i) => { pos[id] = i; }));
  // Two sweeps: order each column by the mean position of the components it reads from.
  for (let sweep = 0; sweep < 2; sweep++) {
    for (let l = 1; l < columns.length; l++) {
      const score = id => {
        const ins = topo.edges.filter(e => e.to === id && e.from !== id && e.from in pos);
        return ins.length ? ins.reduce((s, e) => s + pos[e.from], 0) / ins.length : pos[id];
      };
      columns[l] = (columns[l] || []).slice().sort((a, b) => score(a) - score(b));
      columns[l].forEach((id, i) => { pos[id] = i; });
    }
  }
  const tallest = Math.max(...columns.map(c => (c || []).length));
  const height = PAD * 2 + tallest * NODE_H + (tallest - 1) * ROW_GAP;
  const xy = {};
  columns.forEach((col, l) => {
    const colH = col.length * NODE_H + (col.length - 1) * ROW_GAP;
    col.forEach((id, i) => {
      xy[id] = {x: PAD + l * (NODE_W + COL_GAP),
                y: (height - colH) / 2 + i * (NODE_H + ROW_GAP)};
    });
  });
  // a loop on a component of the last column needs room on its right for its label
  const loops = topo.edges.some(e => e.from === e.to && layer[e.from] === columns.length - 1);
  const width = PAD * 2 + columns.length * NODE_W + (columns.length - 1) * COL_GAP
    + (loops ? COL_GAP : 0);
  return {xy, width, height};
}

function groupingText(e) {
  return e.grouping === "fields" ? `fields(${e.fields.join(", ")})` : e.grouping;
}

// Draws the graph once; returns the per-component text elements the live updates fill.
function drawGraph(container, topo) {
  const {xy, width, height} = layout(topo);
  const svg = svgEl("svg", {width, height, viewBox: `0 0 ${width} ${height}`,
                            role: "img", "aria-label": "topology graph"});
  const defs = svgEl("defs");
  const marker = svgEl("marker", {id: "arrow", viewBox: "0 0 10 10", refX: 10, refY: 5,
                                  markerWidth: 7, markerHeight: 7, orient: "auto"});
  marker.appendChild(svgEl("path", {d: "M0,0 L10,5 L0,10 z", class: "arrowhead"}));
  defs.appendChild(marker);
  svg.appendChild(defs);
  // Edges between the same two components share one path and stack their labels.
  const pairs = new Map();
  for (const e of topo.edges) {
    const key = `${e.from}\u0000${e.to}`;
    if (!pairs.has(key)) pairs.set(key, []);
    pairs.get(key).push(e);
  }
  for (const edges of pairs.values()) {
    const {from, to} = edges[0];
    if (!(from in xy) || !(to in xy)) continue;
    const a = xy[from], b = xy[to];
    let d, lx, ly, anchor = "middle";
    if (from === to) {
      // a loop on the right side, its label in the gap to the next column
      const x = a.x + NODE_W, y1 = a.y + NODE_H * 0.3, y2 = a.y + NODE_H * 0.7;
      d = `M${x},${y1} C${x + 45},${y1 - 30} ${x + 45},${y2 + 30} ${x},${y2}`;
      lx = x + 40; ly = a.y + NODE_H / 2 + 4 - (edges.length - 1) * 7; anchor = "start";
    } else {
      const x1 = a.x + NODE_W, y1 = a.y + NODE_H / 2, x2 = b.x, y2 = b.y + NODE_H / 2;
      const bend = Math.max(40, Math.abs(x2 - x1) / 2);
      d = `M${x1},${y1} C${x1 + bend},${y1} ${x2 - bend},${y2} ${x2},${y2}`;
      // halfway; when a component feeds several, two thirds of the way, where they have parted
      const fanOut = new Set(topo.edges.filter(x => x.from === from && x.to !== from)
        .map(x => x.to)).size;
      const t = fanOut > 1 ? 0.68 : 0.5, u = 1 - t;
      lx = u * u * u * x1 + 3 * u * u * t * (x1 + bend) + 3 * u * t * t * (x2 - bend) + t * t * t * x2;
      ly = u * u * u * y1 + 3 * u * u * t * y1 + 3 * u * t * t * y2 + t * t * t * y2 - 6
        - (edges.length - 1) * 7;
    }
    for (const e of edges) {
      const g = svgEl("g", {class: "edge", "data-from": e.from, "data-to": e.to,
                            "data-stream": e.stream, "data-grouping": e.grouping});
      if (e === edges[0]) g.appendChild(svgEl("path", {d, "marker-end": "url(#arrow)"}));
      g.appendChild(svgEl("text", {x: lx, y: ly, "text-anchor": anchor, class: "edge-label"},
                          `${e.stream} · ${groupingText(e)}`));
      ly += 14;
      svg.appendChild(g);
    }
  }
  const live = {};
  for (const c of topo.components) {
    const p = xy[c.id];
    const g = svgEl("g", {class: `node ${c.kind}`, "data-component": c.id,
                          transform: `translate(${p.x},${p.y})`});
    g.appendChild(svgEl("rect", {width: NODE_W, height: NODE_H, rx: 8, ry: 8}));
    g.appendChild(svgEl("text", {x: 10, y: 20, class: "node-name"}, c.id));
    const tasks = c.tasks.length;
    const shape = c.parallelism === tasks ? `×${tasks}` : `×${c.parallelism} (${tasks} tasks)`;
    g.appendChild(svgEl("text", {x: 10, y: 38, class: "node-kind"}, `${c.kind} ${shape}`));
    const rate = svgEl("text", {x: 10, y: 56, class: "node-rate"}, "");
    g.appendChild(rate);
    live[c.id] = {group: g, rate};
    svg.appendChild(g);
  }
  container.replaceChildren(svg);
  return live;
}

// A line chart of several series over time: {name: [[t, value], ...]}.
// ``firstColor``: the colour index of the first series (a component keeps its colour).
function drawChart(container, series, width, height, withAxes, firstColor = 0) {
  const svg = svgEl("svg", {width, height, viewBox: `0 0 ${width} ${height}`, class: "lines"});
  let tMin = Infinity, tMax = -Infinity, vMax = 0;
  for (const pts of Object.values(series)) {
    for (const [t, v] of pts) {
      tMin = Math.min(tMin, t); tMax = Math.max(tMax, t); vMax = Math.max(vMax, v);
    }
  }
  const left = withAxes ? 60 : 1, bottom = withAxes ? 18 : 1;
  if (withAxes) {
    svg.appendChild(svgEl("text", {x: left - 6, y: 12, "text-anchor": "end", class: "axis"},
                          formatRate(vMax)));
    svg.appendChild(svgEl("text", {x: left - 6, y: height - bottom, "text-anchor": "end",
                                   class: "axis"}, "0"));
    svg.appendChild(svgEl("line", {x1: left, y1: height - bottom, x2: width,
                                   y2: height - bottom, class: "axis-line"}));
  }
  if (tMax > tMin) {
    let i = firstColor;
    for (const [name, pts] of Object.entries(series)) {
      const coords = pts.map(([t, v]) => {
        const x = left + (t - tMin) / (tMax - tMin) * (width - left - 2);
        const y = (height - bottom) - (vMax ? v / vMax : 0) * (height - bottom - 4);
        return `${x.toFixed(1)},${y.toFixed(1)}`;
      });
      svg.appendChild(svgEl("polyline", {points: coords.join(" "), class: `series s${i % 8}`,
                                         "data-series": name}));
      i++;
    }
  }
  container.replaceChildren(svg);
}

function formatRate(v) {
  if (v === null || v === undefined) return "–";
  if (v >= 10000) return `${(v / 1000).toFixed(0)}k`;
  if (v >= 1000) return `${(v / 1000).toFixed(1)}k`;
  return v >= 10 ? v.toFixed(0) : v.toFixed(1);
}
