"""Tuple profiling lines, logged on the ``storm`` logger when it is enabled for DEBUG.

Bolts (format users know from Petrel)::

    BasicBolt profile: total_num_tuples=368, num_tuples=97, avg_read_time=0.000041 (0.4%),
    avg_process_time=0.010317 (99.4%), avg_ack_time=0.000021 (0.2%)

(``Bolt profile:`` without the ack part for a manual-ack Bolt), spouts::

    Spout profile: total_num_commands=120, num_commands=40, avg_read_time=... (..%),
    avg_next_time=... (..%), avg_ack_time=... (..%)

one line per interval of one second or 1000 tuples (commands), whichever ends first.
Averages are per tuple (per command); the read time includes waiting for input, so a
mostly idle component shows a high read share. Seconds per tuple times tuples per
interval tells how busy the component is.

Summary file: when ``PETREL_PROFILE_SUMMARY`` holds a path (the local runner sets it), the
process writes there at exit one JSON object with the totals since the handshake::

    {"kind": "bolt", "count": 5210, "read_s": 3.91, "process_s": 0.84, "ack_s": 0.05,
     "wall_s": 4.95}

``count`` is tuples processed (spouts: commands handled); ``process_s`` the time in user
code (``process``; ``nextTuple``, ``ack``, ``fail``, ``activate``, ``deactivate``);
``ack_s`` BasicBolt's automatic acks (0 otherwise). Without that variable and without
DEBUG on the ``storm`` logger, nothing is timed at all.
"""

from __future__ import annotations

import json
import logging
import os
import time
from typing import Any, Dict, Optional, Union

MAX_COUNT = 1000
INTERVAL = 1.0
SUMMARY_ENV = "PETREL_PROFILE_SUMMARY"

log = logging.getLogger("storm")


def profiling_enabled() -> bool:
    """True when the ``storm`` logger would log DEBUG records."""
    return log.isEnabledFor(logging.DEBUG)


def summary_path() -> Optional[str]:
    """The path in ``PETREL_PROFILE_SUMMARY``, or None when no summary is wanted."""
    return os.environ.get(SUMMARY_ENV) or None


class BoltProfile:
    """Accumulates read/process/ack times of a bolt and logs a line per interval."""

    kind = "bolt"

    def __init__(self, with_ack: bool, clock=time.perf_counter, log_lines: bool = True) -> None:
        self.with_ack = with_ack
        self.clock = clock
        self.log_lines = log_lines
        self.total = 0
        self.total_read = self.total_process = self.total_ack = 0.0
        self._reset(clock())

    def _reset(self, now: float) -> None:
        self.count = 0
        self.read_time = self.process_time = self.ack_time = 0.0
        self.started = now

    def totals(self) -> Dict[str, Union[int, float]]:
        """Tuples and seconds since the start, for the summary file."""
        return {"count": self.total + self.count,
                "read_s": self.total_read + self.read_time,
                "process_s": self.total_process + self.process_time,
                "ack_s": self.total_ack + self.ack_time}

    def add(self, read: float, process: float, ack: float, now: float) -> None:
        """Record one tuple's times (seconds); logs when the interval is over."""
        self.count += 1
        self.read_time += read
        self.process_time += process
        self.ack_time += ack
        if self.count >= MAX_COUNT or now - self.started > INTERVAL:
            self.report(now)

    def line(self) -> str:
        """The profile line for the current interval."""
        n = self.count or 1
        total_time = (self.read_time + self.process_time + self.ack_time) or 1e-12
        text = (f"total_num_tuples={self.total + self.count}, num_tuples={self.count}, "
                f"avg_read_time={self.read_time / n:f} "
                f"({self.read_time / total_time * 100.0:.1f}%), "
                f"avg_process_time={self.process_time / n:f} "
                f"({self.process_time / total_time * 100.0:.1f}%)")
        if self.with_ack:
            return (f"BasicBolt profile: {text}, avg_ack_time={self.ack_time / n:f} "
                    f"({self.ack_time / total_time * 100.0:.1f}%)")
        return f"Bolt profile: {text}"

    def report(self, now: float) -> None:
        """Log the line (when lines are on) and start a new interval."""
        if self.count:
            if self.log_lines:
                log.debug("%s", self.line())
            self.total += self.count
            self.total_read += self.read_time
            self.total_process += self.process_time
            self.total_ack += self.ack_time
        self._reset(now)


class SpoutProfile:
    """Accumulates read/next/ack times of a spout's commands and logs a line per interval."""

    kind = "spout"

    def __init__(self, clock=time.perf_counter, log_lines: bool = True) -> None:
        self.clock = clock
        self.log_lines = log_lines
        self.total = 0
        self.total_read = self.total_user = 0.0
        self.other_time = 0.0   # activate/deactivate: user code, but not in the lines
        self._reset(clock())

    def _reset(self, now: float) -> None:
        self.count = 0
        self.read_time = self.next_time = self.ack_time = 0.0
        self.started = now

    def add(self, read: float, next_time: float, ack: float, now: float,
            other: float = 0.0) -> None:
        """Record one command (``next_time`` for next, ``ack`` for ack/fail, seconds)."""
        self.count += 1
        self.read_time += read
        self.next_time += next_time
        self.ack_time += ack
        self.other_time += other
        if self.count >= MAX_COUNT or now - self.started > INTERVAL:
            self.report(now)

    def totals(self) -> Dict[str, Union[int, float]]:
        """Commands and seconds since the start, for the summary file (ack_s is 0)."""
        return {"count": self.total + self.count,
                "read_s": self.total_read + self.read_time,
                "process_s": self.total_user + self.next_time + self.ack_time
                + self.other_time,
                "ack_s": 0.0}

    def line(self) -> str:
        """The profile line for the current interval."""
        n = self.count or 1
        total_time = (self.read_time + self.next_time + self.ack_time) or 1e-12
        return (f"Spout profile: total_num_commands={self.total + self.count}, "
                f"num_commands={self.count}, "
                f"avg_read_time={self.read_time / n:f} "
                f"({self.read_time / total_time * 100.0:.1f}%), "
                f"avg_next_time={self.next_time / n:f} "
                f"({self.next_time / total_time * 100.0:.1f}%), "
                f"avg_ack_time={self.ack_time / n:f} "
                f"({self.ack_time / total_time * 100.0:.1f}%)")

    def report(self, now: float) -> None:
        """Log the line (when lines are on) and start a new interval."""
        if self.count:
            if self.log_lines:
                log.debug("%s", self.line())
            self.total += self.count
            self.total_read += self.read_time
            self.total_user += self.next_time + self.ack_time
        self._reset(now)


Profile = Union[BoltProfile, SpoutProfile]


def write_summary(path: str, kind: str, profile: Optional[Profile], wall_s: float) -> None:
    """Write the summary object to ``path`` (a failure is logged, never raised)."""
    figures: Dict[str, Any] = {"count": 0, "read_s": 0.0, "process_s": 0.0, "ack_s": 0.0}
    if profile is not None:
        figures = profile.totals()
    doc: Dict[str, Any] = {"kind": kind}
    for key, value in figures.items():
        doc[key] = value if key == "count" else round(max(0.0, value), 6)
    doc["wall_s"] = round(max(0.0, wall_s), 6)
    try:
        # Written whole under a temporary name, then renamed: a reader never sees half.
        temporary = f"{path}.{os.getpid()}.tmp"
        with open(temporary, "w", encoding="utf-8") as out:
            out.write(json.dumps(doc) + "\n")
        os.replace(temporary, path)
    except OSError as exc:
        log.warning("could not write the profile summary to %s: %s", path, exc)
