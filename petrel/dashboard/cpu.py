"""How busy each task process is: its share of one CPU core between two snapshots.

Read from ``/proc/<pid>/stat`` (user + system CPU time, in clock ticks) once per snapshot,
never per tuple, so the run pays nothing for it. Where there is no ``/proc`` (macOS,
Windows) or the process is gone, the share is unknown (None, shown as "-").
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Dict, Iterable, Optional, Tuple

PROC = Path("/proc")


def _clock_ticks() -> int:
    try:
        return int(os.sysconf("SC_CLK_TCK")) or 100
    except (AttributeError, ValueError, OSError):
        return 100


TICKS = _clock_ticks()


def cpu_seconds(pid: int, proc: Path = PROC) -> Optional[float]:
    """User + system CPU seconds the process ``pid`` has used, None when unknown."""
    try:
        with open(proc / str(pid) / "stat", "rb") as f:
            text = f.read()
    except OSError:
        return None
    # the command name (field 2) may hold spaces and ')': the fields after it are fixed
    fields = text[text.rfind(b")") + 2:].split()
    try:
        return (int(fields[11]) + int(fields[12])) / TICKS
    except (IndexError, ValueError):
        return None



class CpuMeter:
    """The CPU share of processes between successive readings (1.0: one core all the time)."""

    def __init__(self, proc: Path = PROC) -> None:
        self.proc = proc
        self._last: Dict[int, Tuple[float, float]] = {}   # pid -> (CPU seconds, when)

    def share(self, pid: Optional[int], now: float) -> Optional[float]:
        """The share of one core ``pid`` used since the previous reading (None the first
        time, for an unknown pid, or without ``/proc``)."""
        if pid is None:
            return None
        used = cpu_seconds(pid, self.proc)
        if used is None:
            self._last.pop(pid, None)
            return None
        before = self._last.get(pid)
        self._last[pid] = (used, now)
        if before is None or now - before[1] <= 0:
            return None
        return round(max(0.0, used - before[0]) / (now - before[1]), 4)

    def forget_others(self, pids: Iterable[Optional[int]]) -> None:
        """Drop the readings of processes not in ``pids`` (ended or replaced)."""
        keep = set(pids)
        for pid in [p for p in self._last if p not in keep]:
            del self._last[pid]
