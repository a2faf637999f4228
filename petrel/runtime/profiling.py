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
"""

from __future__ import annotations

import logging
import time

MAX_COUNT = 1000
INTERVAL = 1.0

log = logging.getLogger("storm")


def profiling_enabled() -> bool:
    """True when the ``storm`` logger would log DEBUG records."""
    return log.isEnabledFor(logging.DEBUG)


class BoltProfile:
    """Accumulates read/process/ack times of a bolt and logs a line per interval."""

    def __init__(self, with_ack: bool, clock=time.perf_counter) -> None:
        self.with_ack = with_ack
        self.clock = clock
        self.total = 0
        self._reset(clock())

    def _reset(self, now: float) -> None:
        self.count = 0
        self.read_time = self.process_time = self.ack_time = 0.0
        self.started = now

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
        """Log the line and start a new interval."""
        if self.count:
            log.debug("%s", self.line())
            self.total += self.count
        self._reset(now)


class SpoutProfile:
    """Accumulates read/next/ack times of a spout's commands and logs a line per interval."""

    def __init__(self, clock=time.perf_counter) -> None:
        self.clock = clock
        self.total = 0
        self._reset(clock())

    def _reset(self, now: float) -> None:
        self.count = 0
        self.read_time = self.next_time = self.ack_time = 0.0
        self.started = now

    def add(self, read: float, next_time: float, ack: float, now: float) -> None:
        """Record one command (``next_time`` for next, ``ack`` for ack/fail, seconds)."""
        self.count += 1
        self.read_time += read
        self.next_time += next_time
        self.ack_time += ack
        if self.count >= MAX_COUNT or now - self.started > INTERVAL:
            self.report(now)

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
        """Log the line and start a new interval."""
        if self.count:
            log.debug("%s", self.line())
            self.total += self.count
        self._reset(now)
