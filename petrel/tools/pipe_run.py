"""The loops of ``petrel pipe``: a bolt over stdin's lines, or a spout until --count or Ctrl+C.

A bolt gets one tuple per input line (id: the line number, from component ``stdin``, task
1) and, with ``--tick-every``, a tick tuple whenever one is due, also while its input is
idle. Output waiting for stdout is written before each read of stdin, so a slow upstream
still sees its lines go through at once. A spout is activated, then ``nextTuple`` is called
until ``--count`` lines are out; its reliable emits are acked as soon as they are out, as
nothing downstream acks; waiting output is written at least every ``SPOUT_FLUSH_SECS``.
"""

from __future__ import annotations

import os
import select
import time
from dataclasses import dataclass
from typing import Any, Iterator, List, Optional, Sequence

from petrel.runtime.failures import FatalComponentError
from petrel.runtime.tuples import Tuple as StormTuple
from petrel.semantics.ticks import make_tick, next_tick
from petrel.tools.pipe_lines import DECODERS, DEFAULT_STREAM, BadLine, loads
from petrel.tools.pipe_output import PipeCollector, PipeOutput, report

READ_SIZE = 64 * 1024
SPOUT_FLUSH_SECS = 0.1
SPOUT_FLUSH_LINES = 4096
# Storm's default spout wait: a nextTuple that emitted nothing is followed by a 1 ms pause.
IDLE_SLEEP_SECS = 0.001
SOURCE = "stdin"

# Exit statuses: an interrupted run ends as the shell reports a process stopped by SIGINT.
OK, PROBLEMS, INTERRUPTED = 0, 1, 130


class Stop(Exception):
    """Ends the run early (--fail-fast); the reason has been reported."""


@dataclass
class PipeOptions:
    """What the command line asked for."""

    fmt: str = "jsonl"
    fields: Optional[List[str]] = None
    with_stream: bool = False
    all_streams: bool = False
    fail_fast: bool = False
    count: Optional[int] = None
    tick_every: Optional[float] = None
    quiet: bool = False


class PipeRun:
    """One component between stdin and stdout, and what happened to its lines."""

    def __init__(self, component: Any, component_id: str, spout: bool,
                 collector: PipeCollector, output: PipeOutput, options: PipeOptions) -> None:
        self.component = component
        self.component_id = component_id
        self.spout = spout
        self.collector = collector
        self.output = output
        self.options = options
        self.lines_in = 0
        self.bad = 0
        self.over_count = 0
        self.ending = ""      # why the run ended early, for the summary

    def run(self) -> int:
        """Run to the end of input (bolt) or --count (spout); the exit status."""
        status = OK
        try:
            try:
                self.run_spout() if self.spout else self.run_bolt()
            except (Stop, FatalComponentError):
                # Without --fail-fast, the config's petrel.on_error: exit stopped the run.
                self.ending = "stopped by --fail-fast" if self.options.fail_fast \
                    else "stopped: petrel.on_error is 'exit'"
                status = PROBLEMS
            except KeyboardInterrupt:
                self.ending = "interrupted"
                status = INTERRUPTED
            self.output.flush()
        except BrokenPipeError:
            self.ending = "the reader closed the pipe"
            self.output.lines.clear()
        if status == OK and self.problems():
            status = PROBLEMS
        if self.problems() or not (self.options.quiet or self.ending.startswith("the reader")):
            report(self.summary())
        return status

    def problems(self) -> int:
        """Bad lines skipped and errors reported."""
        return self.bad + self.collector.errors

    def summary(self) -> str:
        """The closing line: lines in and out, and everything not written."""
        collector = self.collector
        parts = [] if self.spout else [f"{self.lines_in} line(s) in"]
        parts.append(f"{self.output.written} line(s) out")
        for count, what in ((self.bad, "bad line(s) skipped"),
                            (collector.errors, "error(s) reported"),
                            (collector.failed, "tuple(s) failed"),
                            (collector.unwritten, "emit(s) on other streams not written "
                                                  "(--all-streams writes them)"),
                            (self.over_count, "emit(s) beyond --count not written")):
            if count:
                parts.append(f"{count} {what}")
        ending = f"; {self.ending}" if self.ending else ""
        return f"{self.component_id}: " + ", ".join(parts) + ending

    # -- bolts ------------------------------------------------------------------------------

    def bad_line(self, number: int, problem: BadLine) -> None:
        """Report a line that is no tuple; skip it, or stop with --fail-fast."""
        self.bad += 1
        if self.options.fail_fast:
            report(f"{self.component_id}: line {number}: {problem}; stopping (--fail-fast)")
            raise Stop()
        report(f"{self.component_id}: line {number}: {problem}; line skipped")

    def run_bolt(self) -> None:
        """Deliver every input line as a tuple (and ticks when asked) until stdin ends."""
        options = self.options
        decode = DECODERS[options.fmt]
        fields: Optional[Sequence[str]] = options.fields
        deliver = self.component.deliver
        collector = self.collector
        output = self.output
        per_line = output.per_line
        number = 0
        jsonl = options.fmt == "jsonl"
        width = len(fields) if fields is not None else -1
        try:
            for lines in self._input_lines():
                for line in lines:
                    number += 1
                    # jsonl's commonest line, a list of the right width, without a call
                    try:
                        values = loads(line) if jsonl else None
                    except ValueError:
                        values = None
                    if type(values) is list and (width < 0 or len(values) == width):
                        stream = DEFAULT_STREAM
                    else:
                        try:
                            stream, values = decode(line, fields)
                        except BadLine as problem:
                            self.bad_line(number, problem)
                            continue
                    collector.where = number
                    deliver(StormTuple(number, SOURCE, stream, 1, values, fields))
                    if per_line:
                        output.flush()
        finally:
            self.lines_in = number

    def _input_lines(self) -> Iterator[List[bytes]]:
        """stdin's lines, a block at a time; waiting output is written before each read."""
        fd = 0
        partial = b""
        ticks = self.options.tick_every
        due = time.monotonic() + ticks if ticks else 0.0
        while True:
            self.output.flush()
            if ticks:
                due = self._ticks_until_input(fd, ticks, due)
            chunk = os.read(fd, READ_SIZE)
            if not chunk:
                if partial:
                    yield [partial]
                return
            lines = chunk.split(b"\n")
            lines[0] = partial + lines[0]
            partial = lines.pop()
            yield lines

    def _ticks_until_input(self, fd: int, every: float, due: float) -> float:
        """Deliver the ticks due before input arrives on ``fd``; when the next one is due."""
        while True:
            now = time.monotonic()
            if now >= due:
                self.deliver_tick(every)
                self.output.flush()
                due = next_tick(due, every, now)
                continue
            if select.select([fd], [], [], due - now)[0]:
                return due

    def deliver_tick(self, every: float) -> None:
        """One tick tuple; its values hold whole seconds, as Storm's do (at least 1)."""
        self.collector.where = "tick tuple"
        self.component.deliver(make_tick(f"tick-{time.time_ns()}", max(1, round(every))))

    # -- spouts -----------------------------------------------------------------------------

    def run_spout(self) -> None:
        """Activate the spout, then call nextTuple until --count lines are out (or Ctrl+C)."""
        component = self.component
        next_tuple, ack = component.deliver_next, component.deliver_ack
        output = self.output
        lines = output.lines
        msg_ids = self.collector.msg_ids
        limit = self.options.count
        per_line = output.per_line
        self.collector.where = None
        component.deliver_activate()
        flushed_at = time.monotonic()
        while True:
            before = len(lines)
            next_tuple()
            if msg_ids:
                for msg_id in msg_ids:
                    ack(msg_id)
                msg_ids.clear()
            if limit is not None and output.count() >= limit:
                extra = output.count() - limit
                if extra:
                    del lines[len(lines) - extra:]
                    self.over_count = extra
                return
            if len(lines) == before:
                time.sleep(IDLE_SLEEP_SECS)
            if per_line or len(lines) >= SPOUT_FLUSH_LINES:
                output.flush()
            elif lines:
                now = time.monotonic()
                if now - flushed_at >= SPOUT_FLUSH_SECS:
                    output.flush()
                    flushed_at = now
