"""``topology.debug`` in a local run: the tuples each component emits, on the console.

Storm's workers log every emitted tuple when ``topology.debug`` is true (a component's own
conf may set it too). Here they go to the console, at most ``LINES_PER_SECOND`` lines per
component in each second; the rest of that second is summed up in one "... N more" line.
Only the tasks shown pay for it: their emits take the router's general path.
"""

from __future__ import annotations

import json
import time
from typing import Any, Callable, Dict, List, TextIO

from petrel.local.task import Task

LINES_PER_SECOND = 10         # emitted tuples shown per component and second
MAX_VALUES_CHARS = 300        # longer values are cut, with an ellipsis


class _Window:
    """One component's second: when it began, lines shown, tuples not shown."""

    __slots__ = ("start", "shown", "hidden")

    def __init__(self, start: float) -> None:
        self.start = start
        self.shown = 0
        self.hidden = 0


class TupleDebug:
    """Prints emitted tuples as Storm's ``topology.debug`` logs them, rate-limited."""

    def __init__(self, out: TextIO, per_second: int = LINES_PER_SECOND,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.out = out
        self.per_second = per_second
        self.clock = clock
        self.windows: Dict[str, _Window] = {}

    def emitted(self, task: Task, stream: str, values: List[Any]) -> None:
        """One tuple ``task`` emitted on ``stream``: print it unless its second is full."""
        now = self.clock()
        window = self.windows.get(task.cid)
        if window is None or now - window.start >= 1.0:
            if window is not None:
                self._summary(task.cid, window)
            window = self.windows[task.cid] = _Window(now)
        if window.shown >= self.per_second:
            window.hidden += 1
            return
        window.shown += 1
        print(f"petrel: Emitting: {task.cid}[{task.id}] stream={stream} "
              f"values={_values_text(values)}", file=self.out, flush=True)

    def flush(self) -> None:
        """Print the "... N more" lines still owed (at the end of the run)."""
        for cid, window in self.windows.items():
            self._summary(cid, window)
        self.windows.clear()

    def _summary(self, cid: str, window: _Window) -> None:
        if window.hidden:
            print(f"petrel: Emitting: {cid} ... {window.hidden:,} more in that second "
                  f"(at most {self.per_second} shown per component and second)",
                  file=self.out, flush=True)
            window.hidden = 0


def _values_text(values: List[Any]) -> str:
    text = json.dumps(values, ensure_ascii=False, default=repr)
    if len(text) > MAX_VALUES_CHARS:
        text = text[:MAX_VALUES_CHARS] + "..."
    return text


def debug_wanted(task: Task) -> bool:
    """True when the task's conf (topology-wide or its component's) sets topology.debug."""
    value = task.conf.get("topology.debug")
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")
