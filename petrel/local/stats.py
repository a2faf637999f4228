"""Run statistics: per-component counters, complete latency, the final table and JSON."""

from __future__ import annotations

import random
from array import array
from typing import Any, Dict, List, Optional

from petrel.local.profile import ProfileSummary

LATENCY_SAMPLES = 200_000


class ComponentStats:
    """Counters of one component, summed over its tasks."""

    __slots__ = ("kind", "tasks", "emitted", "transferred", "executed", "acked", "failed",
                 "errors", "restarts", "latency", "profile")

    def __init__(self, kind: str, tasks: int) -> None:
        self.kind = kind
        self.tasks = tasks
        self.emitted = 0       # emit commands (per stream tuple, not per target)
        self.transferred = 0   # tuples delivered to target tasks
        self.executed = 0      # tuples (and ticks) given to the bolt
        self.acked = 0         # bolt: acks it sent; spout: its tuple trees completed
        self.failed = 0        # bolt: fails it sent; spout: its tuple trees failed
        self.errors = 0        # 'error' commands and task failures
        self.restarts = 0
        self.latency = LatencySample()
        self.profile: Optional[ProfileSummary] = None  # what the task runtimes reported


class LatencySample:
    """A bounded uniform sample of latencies (reservoir sampling) for percentiles."""

    __slots__ = ("values", "count", "_rng")

    def __init__(self) -> None:
        self.values = array("d")
        self.count = 0
        self._rng = random.Random(7)

    def add(self, ms: float) -> None:
        """Record one latency in milliseconds."""
        self.count += 1
        if len(self.values) < LATENCY_SAMPLES:
            self.values.append(ms)
        else:
            j = self._rng.randrange(self.count)
            if j < LATENCY_SAMPLES:
                self.values[j] = ms

    def merge(self, other: LatencySample) -> None:
        """Add another sample's values (used for the topology-wide figure)."""
        for v in other.values:
            self.add(v)

    def percentile(self, p: float) -> Optional[float]:
        """The p-th percentile (0-100, nearest rank) or None without data."""
        if not self.values:
            return None
        data = sorted(self.values)
        k = max(0, min(len(data) - 1, int(round(p / 100.0 * len(data) + 0.5)) - 1))
        return data[k]


class RunStats:
    """Everything the runner counts during a run."""

    def __init__(self, topology: str) -> None:
        self.topology = topology
        self.components: Dict[str, ComponentStats] = {}
        self.spout_acked = 0
        self.spout_failed = 0
        self.spout_timed_out = 0
        self.restarts = 0
        self.duration_s = 0.0
        self.latency = LatencySample()

    def add_component(self, cid: str, kind: str, tasks: int) -> ComponentStats:
        """Register a component and return its counters."""
        cs = ComponentStats(kind, tasks)
        self.components[cid] = cs
        return cs

    def percentiles(self) -> Dict[str, Optional[float]]:
        """Complete latency p50/p99 in milliseconds (None without acked trees)."""
        return {"p50": _round(self.latency.percentile(50)),
                "p99": _round(self.latency.percentile(99))}

    def to_json(self, extra: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        """The ``--stats-json`` document of DESIGN.md."""
        doc: Dict[str, Any] = {
            "topology": self.topology,
            "duration_s": round(self.duration_s, 3),
            "restarts": self.restarts,
            "components": {
                cid: {"kind": cs.kind, "tasks": cs.tasks, "emitted": cs.emitted,
                      "executed": cs.executed, "acked": cs.acked, "failed": cs.failed,
                      "errors": cs.errors, "transferred": cs.transferred,
                      "restarts": cs.restarts,
                      "profile": None if cs.profile is None else cs.profile.to_json()}
                for cid, cs in self.components.items()
            },
            "spout_acked": self.spout_acked,
            "spout_failed": self.spout_failed,
            "complete_latency_ms": self.percentiles(),
        }
        if extra:
            doc.update(extra)
        return doc

    def table(self) -> str:
        """The final per-component table."""
        header = ["component", "kind", "tasks", "emitted", "executed", "acked", "failed",
                  "errors", "restarts", "latency p50/p99 ms", "ms/tuple", "busy"]
        rows: List[List[str]] = [header]
        for cid, cs in self.components.items():
            lat = ""
            if cs.kind == "spout":
                p50, p99 = cs.latency.percentile(50), cs.latency.percentile(99)
                lat = "-" if p50 is None else f"{p50:.1f}/{p99:.1f}"
            ms = busy = None
            if cs.profile is not None:
                ms, busy = cs.profile.ms_per_tuple, cs.profile.busy
            rows.append([cid, cs.kind, str(cs.tasks), str(cs.emitted),
                         "-" if cs.kind == "spout" else str(cs.executed),
                         str(cs.acked), str(cs.failed), str(cs.errors), str(cs.restarts), lat,
                         "-" if ms is None else f"{ms:.3f}",
                         "-" if busy is None else f"{busy:.0%}"])
        widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
        lines = []
        for n, r in enumerate(rows):
            cells = [r[0].ljust(widths[0]), r[1].ljust(widths[1])]
            cells += [c.rjust(w) for c, w in zip(r[2:], widths[2:])]
            lines.append("  ".join(cells).rstrip())
            if n == 0:
                lines.append("  ".join("-" * w for w in widths))
        return "\n".join(lines)


def _round(v: Optional[float]) -> Optional[float]:
    return None if v is None else round(v, 3)
