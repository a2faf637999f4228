"""The statistics Storm's semantics feed: per-component counters and complete latency.

How they are shown (the final table, the ``--stats-json`` document) is the local runner's
business (``petrel.local.stats``).
"""

from __future__ import annotations

import random
from array import array
from collections import deque
from typing import Deque, Dict, Optional, Protocol

# 160 KB per spout component, reached within minutes: a long run's memory stays flat, and
# nearest-rank p99 from 20,000 uniform samples is within a fraction of a rank of the truth.
LATENCY_SAMPLES = 20_000
RECENT_LATENCIES = 2000       # the latest latencies kept for live figures (the dashboard)


class ProfileFigures(Protocol):
    """What a host measured of a component's task runtimes (see ``petrel.local.profile``)."""

    @property
    def ms_per_tuple(self) -> Optional[float]:
        """Milliseconds of user code per tuple, None without tuples."""

    @property
    def busy(self) -> Optional[float]:
        """Share of the wall time spent in user code, None when unknown."""

    def to_json(self) -> Dict[str, object]:
        """The figures as a JSON object."""


class LatencySample:
    """A bounded uniform sample of latencies (reservoir sampling) for percentiles."""

    __slots__ = ("values", "count", "recent", "_rng")

    def __init__(self) -> None:
        self.values = array("d")
        self.count = 0
        # the latest values, for live figures: once the sample is full, its tail is not recent
        self.recent: Deque[float] = deque(maxlen=RECENT_LATENCIES)
        self._rng = random.Random(7)

    def add(self, ms: float) -> None:
        """Record one latency in milliseconds."""
        self.count += 1
        self.recent.append(ms)
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
        self.profile: Optional[ProfileFigures] = None  # what the task runtimes reported


class TopologyStats:
    """The counters of one topology run: its components and its spout tuple trees."""

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

    def merge_latency(self) -> None:
        """Fill the topology-wide complete latency sample from the spouts' samples."""
        merged = LatencySample()
        for cs in self.components.values():
            if cs.kind == "spout":
                merged.values.extend(cs.latency.values)
        self.latency = merged

    def percentiles(self) -> Dict[str, Optional[float]]:
        """Complete latency p50/p99 in milliseconds (None without acked trees)."""
        return {"p50": _round(self.latency.percentile(50)),
                "p99": _round(self.latency.percentile(99))}


def _round(v: Optional[float]) -> Optional[float]:
    return None if v is None else round(v, 3)
