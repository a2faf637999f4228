"""Where ``petrel pipe`` sends a component's output: stdout lines, counts and stderr reports.

``PipeOutput`` holds the finished lines and writes them to the private copy of stdout in
blocks (or after every input line or ``nextTuple`` when stdout is a terminal).
``PipeCollector`` is the component's collector (see ``petrel.runtime.collector``): each
emit on a written stream becomes one line; acks need nobody; errors are reported on stderr
with the number of the input line being processed; logs are already in the log.
"""

from __future__ import annotations

import os
import sys
from typing import Any, List, Optional, Union

from petrel.runtime.collector import Collector
from petrel.tools.pipe_lines import DEFAULT_STREAM, AnyLine, QuickLine


class PipeOutput:
    """Lines waiting for stdout, and how many were written."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.lines: List[bytes] = []
        self.written = 0
        self.per_line = os.isatty(fd)

    def count(self) -> int:
        """Lines written so far plus those waiting."""
        return self.written + len(self.lines)

    def flush(self) -> None:
        """Write the waiting lines; BrokenPipeError when the reader has gone."""
        lines = self.lines
        if not lines:
            return
        data = memoryview(b"".join(lines))
        self.written += len(lines)
        lines.clear()
        while data:
            data = data[os.write(self.fd, data):]


def report(text: str) -> None:
    """One line of ``petrel pipe`` on stderr (never raising: stderr may be gone too)."""
    try:
        sys.stderr.write(f"petrel pipe: {text}\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


class PipeCollector(Collector):
    """The collector of the piped component: emits become lines, errors stderr reports."""

    def __init__(self, name: str, output: PipeOutput, quick_line: QuickLine,
                 any_line: AnyLine, all_streams: bool, spout: bool) -> None:
        self.name = name                 # the component id, which starts every report
        self.output = output
        self.any_line = any_line
        self.all_streams = all_streams
        self.msg_ids: List[Any] = []     # a spout's reliable emits, acked once written
        self.unwritten = 0               # emits on streams not written
        self.failed = 0
        self.errors = 0
        # The input being processed, for error reports: a line number, or a description.
        self.where: Union[int, str, None] = None
        append = output.lines.append
        if spout:
            msg_ids = self.msg_ids

            def quick_spout(values: List[Any], msg_id: Any) -> None:
                append(quick_line(values))
                if msg_id is not None:
                    msg_ids.append(msg_id)
            self.quick_emit = quick_spout
        else:
            self.quick_emit = lambda values, _input: append(quick_line(values))

    def emit(self, stream: str, values: List[Any], encoded: bytes,
             anchors: Optional[List[str]], msg_id: Any, task: Optional[int],
             need_task_ids: bool) -> Optional[List[int]]:
        """Write the emit as a line when its stream is written; count it otherwise."""
        if stream == DEFAULT_STREAM or self.all_streams:
            self.output.lines.append(self.any_line(stream, values, encoded))
            if msg_id is not None:
                self.msg_ids.append(msg_id)
        else:
            self.unwritten += 1
        return [] if need_task_ids and task is None else None

    def ack(self, tuple_id: Any) -> None:
        """Nothing downstream waits for acks."""

    def fail(self, tuple_id: Any) -> None:
        """Count a failed input."""
        self.failed += 1

    def log(self, msg: str, level: int) -> None:
        """Already logged through ``logging`` by the component."""

    def report_error(self, msg: str) -> None:
        """One stderr line: where (input line number), the error and where it was raised."""
        self.errors += 1
        first, _, rest = msg.partition("\n")
        raised_in = rest.partition("\n")[0].partition(" (task")[0]
        if raised_in.startswith("in "):   # an exception: petrel.runtime.failures' report
            first += f" ({raised_in}; the traceback is in the log)"
        where = self.where
        prefix = f"line {where}: " if type(where) is int else f"{where}: " if where else ""
        report(f"{self.name}: {prefix}{first}")

    def sync(self) -> None:
        """Nothing to do: output is flushed by the pipe's loop."""
