"""The run as plain JSON-able dicts: the topology graph once, the live figures every second.

Everything here runs in the runner's thread (from its timer), reads the runner's counters
without changing them, and costs a few hundred microseconds per call for a topology of
tens of tasks: latencies are taken from the latest samples only (a spout's latest
complete latencies, ``LatencySample.recent``, each bolt task's sampled process latencies), busy
shares from one ``/proc`` read per task (``petrel.dashboard.cpu``).
"""

from __future__ import annotations

import os
import time
from typing import Any, Dict, List, Optional

from petrel.dashboard.cpu import CpuMeter
from petrel.local.run_state import RunState
from petrel.local.stats import task_counts
from petrel.semantics.layout import TaskLayout
from petrel.topology.model import TopologyDef

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
    """Builds one snapshot per call, with rates and CPU shares since the previous call."""

    def __init__(self, cpu: Optional[CpuMeter] = None) -> None:
        self._last_time: Optional[float] = None
        self._last: Dict[str, Dict[str, int]] = {}
        self._last_task: Dict[int, Dict[str, int]] = {}
        self._last_busy: Dict[int, Optional[float]] = {}   # kept for the final snapshot
        self.cpu = cpu or CpuMeter()

    def build(self, runner: RunState, ended: bool = False,
              extra: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        """The run now: the ``--stats-json`` document (plus a per-task section), rates per
        second, busy shares and latencies per component and task."""
        now = time.monotonic()
        span = None if self._last_time is None else max(1e-6, now - self._last_time)
        rates: Dict[str, Dict[str, float]] = {}
        latency: Dict[str, Dict[str, Optional[float]]] = {}
        stats = runner.stats
        for cid, cs in stats.components.items():
            counts = {key: getattr(cs, key) for key in COUNTERS}
            rates[cid] = _rates(counts, self._last.get(cid), span)
            self._last[cid] = counts
            if cs.kind == "spout":
                latency[cid] = _percentiles(list(cs.latency.recent))
        tasks = sorted(runner.tasks.values(), key=lambda t: t.id)
        docs = [self._task(t, now, span, ended) for t in tasks]
        self.cpu.forget_others([t.pid for t in tasks] + [os.getpid()])
        busy: Dict[str, Optional[float]] = {}
        for cid, cs in stats.components.items():
            shares = [d["busy"] for d in docs if d["component"] == cid and d["busy"] is not None]
            busy[cid] = max(shares) if shares else None
            if cs.kind != "spout":
                latency[cid] = _percentiles([v for t in tasks if t.cid == cid for v in t.latency])
        self._last_time = now
        elapsed = now - runner.started
        doc = stats.to_json(extra)
        doc["tasks"] = task_counts(tasks)
        if not ended:
            doc["duration_s"] = round(elapsed, 3)
            merged = [v for cid, cs in stats.components.items() if cs.kind == "spout"
                      for v in cs.latency.recent]
            doc["complete_latency_ms"] = _percentiles(merged)
        doc["pending"] = len(runner.acker.pending)
        return {
            "time": time.time(), "elapsed_s": round(elapsed, 3), "phase": runner.phase,
            "ended": ended, "stop_reason": runner.stop_reason, "stats": doc, "rates": rates,
            "latency_ms": latency, "busy": busy, "max_pending": runner.max_pending,
            "runner_busy": None if ended else self.cpu.share(os.getpid(), now),
            "tasks": docs,
        }

    def _task(self, task: Any, now: float, span: Optional[float], ended: bool
              ) -> Dict[str, Any]:
        counts = {key: getattr(task, key) for key in COUNTERS}
        doc = task_doc(task)
        doc["counts"] = counts
        doc["rates"] = _rates(counts, self._last_task.get(task.id), span)
        self._last_task[task.id] = counts
        if ended:   # the processes are gone: the last second measured
            doc["busy"] = self._last_busy.get(task.id)
        else:
            doc["busy"] = self.cpu.share(task.pid, now) if doc["up"] else None
            self._last_busy[task.id] = doc["busy"]
        doc["latency_ms"] = None if task.is_spout else _percentiles(list(task.latency))
        return doc


def _rates(counts: Dict[str, int], before: Optional[Dict[str, int]],
           span: Optional[float]) -> Dict[str, float]:
    return {key: 0.0 if span is None or before is None
            else round((counts[key] - before[key]) / span, 1) for key in COUNTERS}


def task_doc(task: Any) -> Dict[str, Any]:
    """One task: its state (up or down), process, restarts, and tuples pending or queued."""
    proc = task.proc if task.state in ("starting", "running") else None
    return {
        "task": task.id, "component": task.cid, "state": task.state,
        "up": task.state == "running", "pid": task.pid, "restarts": task.restarts,
        "pending": task.pending_trees if task.is_spout else len(task.inputs),
        "queued": len(proc.tuples) if proc is not None else len(task.held),
    }
