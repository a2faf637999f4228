"""How the local runner shows its statistics: the final table and the ``--stats-json`` document.

The counters themselves are Storm's semantics (``petrel.semantics.stats``).
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Optional

from petrel.semantics.stats import ComponentStats, LatencySample, TopologyStats

__all__ = ["ComponentStats", "LatencySample", "RunStats", "task_counts"]

TASK_COUNTERS = ("emitted", "transferred", "executed", "acked", "failed", "restarts")


def task_counts(tasks: Iterable[Any]) -> Dict[str, Dict[str, Any]]:
    """Each task's share of its component's counters, by task id (as a JSON key): the
    ``tasks`` section the dashboard adds to the ``--stats-json`` document."""
    return {str(t.id): {"component": t.cid, **{key: getattr(t, key) for key in TASK_COUNTERS}}
            for t in tasks}


class RunStats(TopologyStats):
    """Everything the runner counts during a run, with its two presentations."""

    def __init__(self, topology: str) -> None:
        super().__init__(topology)
        # spout_acked and spout_failed count what a live spout process received; trees of
        # a spout process that died (pending, or their ack or fail not yet received) are
        # dropped instead
        self.spout_dropped = 0
        self.spout_lost = 0      # message ids failed or dropped and not emitted again

    def to_json(self, extra: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        """The ``--stats-json`` document (docs/local-runner.md lists its keys)."""
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
            "spout_dropped": self.spout_dropped,
            "spout_lost": self.spout_lost,
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
