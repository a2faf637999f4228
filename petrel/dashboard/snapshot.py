"""The run as plain JSON-able dicts: the topology graph once, the live figures every second.

Everything here runs in the runner's thread (from its timer), reads the runner's counters
without changing them, and costs a few hundred microseconds per call for a topology of
tens of tasks: latencies are taken from the latest ``RECENT_LATENCIES`` samples only.
"""

from __future__ import annotations

import time
from typing import Any, Dict, List, Optional

from petrel.local.run_state import RunState
from petrel.semantics.layout import TaskLayout
from petrel.topology.model import TopologyDef

RECENT_LATENCIES = 2000       # complete latencies a live p50/p99 is taken from
COUNTERS = ("emitted", "transferred", "executed", "acked", "failed")


def topology_doc(topology: TopologyDef, layout: TaskLayout, name: str,
                 storm_id: str) -> Dict[str, Any]:
    """The graph: components (kind, executors, tasks, streams) and edges (stream, grouping)."""
    components = []
    edges = []
    for cid, comp in topology.components.items():
        components.append({
            "id": cid, "kind": comp.kind, "parallelism": comp.parallelism,
            "tasks": list(layout.component_tasks.get(cid, [])),
            "streams": {sid: list(s.fields) for sid, s in comp.streams.items()},
        })
        for (source, stream), grouping in comp.inputs.items():
            edges.append({"from": source, "to": cid, "stream": stream,
                          "grouping": grouping.kind, "fields": list(grouping.fields)})
    return {"topology": name, "storm_id": storm_id, "components": components, "edges": edges}


def _percentiles(values: List[float]) -> Dict[str, Optional[float]]:
    if not values:
        return {"p50": None, "p99": None}
    data = sorted(values)
    last = len(data) - 1
    return {"p50": round(data[min(last, int(0.5 * len(data)))], 3),
            "p99": round(data[min(last, int(0.99 * len(data)))], 3)}


class Snapshotter:
    """Builds one snapshot per call, with rates since the previous call."""

    def __init__(self) -> None:
        self._last_time: Optional[float] = None
        self._last: Dict[str, Dict[str, int]] = {}

    def build(self, runner: RunState, ended: bool = False,
              extra: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        """The run now: the ``--stats-json`` document, rates per second, tasks, latencies."""
        now = time.monotonic()
        span = None if self._last_time is None else max(1e-6, now - self._last_time)
        rates: Dict[str, Dict[str, float]] = {}
        latency: Dict[str, Dict[str, Optional[float]]] = {}
        stats = runner.stats
        for cid, cs in stats.components.items():
            counts = {key: getattr(cs, key) for key in COUNTERS}
            before = self._last.get(cid)
            rates[cid] = {key: 0.0 if span is None or before is None
                          else round((counts[key] - before[key]) / span, 1) for key in COUNTERS}
            self._last[cid] = counts
            if cs.kind == "spout":
                latency[cid] = _percentiles(list(cs.latency.values[-RECENT_LATENCIES:]))
        self._last_time = now
        elapsed = now - runner.started
        doc = stats.to_json(extra)
        if not ended:
            doc["duration_s"] = round(elapsed, 3)
            merged = [v for cid, lat in latency.items()
                      for v in stats.components[cid].latency.values[-RECENT_LATENCIES:]]
            doc["complete_latency_ms"] = _percentiles(merged)
        doc["pending"] = len(runner.acker.pending)
        return {
            "time": time.time(), "elapsed_s": round(elapsed, 3), "phase": runner.phase,
            "ended": ended, "stop_reason": runner.stop_reason, "stats": doc, "rates": rates,
            "latency_ms": latency, "max_pending": runner.max_pending,
            "tasks": [task_doc(t) for t in sorted(runner.tasks.values(), key=lambda t: t.id)],
        }


def task_doc(task: Any) -> Dict[str, Any]:
    """One task: its state (up or down), process, restarts, and tuples pending or queued."""
    proc = task.proc if task.state in ("starting", "running") else None
    return {
        "task": task.id, "component": task.cid, "state": task.state,
        "up": task.state == "running", "pid": task.pid, "restarts": task.restarts,
        "pending": task.pending_trees if task.is_spout else len(task.inputs),
        "queued": len(proc.tuples) if proc is not None else len(task.held),
    }
