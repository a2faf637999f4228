"""What the dashboard keeps besides counters: the latest errors and a sample of tuples.

Errors come from the runner's log (every error a component reports and every task failure
is written there, in the two shapes matched below); tuples from the router's emit watch,
which only ``topology.debug`` (or ``--debug-tuples``) turns on. Both run in the runner's
thread and keep bounded, recent lists.
"""

from __future__ import annotations

import collections
import json
import re
import time
from typing import Any, Deque, Dict, List, Optional, Tuple

MAX_ERRORS = 50               # the latest errors kept
MAX_ERROR_CHARS = 20_000      # a longer report (a huge traceback or tuple) is cut
SAMPLES_PER_STREAM = 10       # the latest tuples kept per component and stream
MAX_VALUES_CHARS = 500

_REPORTED = re.compile(r"ERROR reported by (?P<cid>.+?)\[(?P<task>\d+)\]: (?P<text>.*)", re.S)
_FAILED = re.compile(r"petrel: (?:spout|bolt) '(?P<cid>.+?)' task (?P<task>\d+) failed: "
                     r"(?P<text>.*)", re.S)
_TUPLE_LINE = "The error occurred while processing this tuple: "


class ErrorLog:
    """The latest errors, read from the runner's log lines (``RunOptions.log_tap``).

    The same error again (same component, kind and first line) updates its entry (count,
    time, task, report) rather than pushing the others out.
    """

    def __init__(self, limit: int = MAX_ERRORS) -> None:
        self.limit = limit
        self.errors: Dict[Tuple[str, str, str], Dict[str, Any]] = collections.OrderedDict()
        self.count = 0

    def tap(self, line: str) -> None:
        """One line of the runner's log: keep it when it reports an error or a failure."""
        if line.startswith("ERROR reported by "):
            match, kind = _REPORTED.match(line), "reported"
        elif line.startswith("petrel: ") and " failed: " in line:
            match, kind = _FAILED.match(line), "task failure"
        else:
            return
        if match is None:
            return
        text = match.group("text").strip()
        if len(text) > MAX_ERROR_CHARS:
            text = text[:MAX_ERROR_CHARS] + "\n... (cut; the whole report is in the log)"
        if text.startswith("Shell Process Exception: "):
            text = text[len("Shell Process Exception: "):]
        self.count += 1
        cid, message = match.group("cid"), (text.splitlines() or [""])[0][:500]
        key = (cid, kind, message)
        entry = self.errors.pop(key, None) or {"first_time": time.time(), "times": 0}
        entry.update({"n": self.count, "time": time.time(), "kind": kind, "component": cid,
                      "task": int(match.group("task")), "message": message, "text": text,
                      "tuple": offending_tuple(text), "times": entry["times"] + 1})
        self.errors[key] = entry
        while len(self.errors) > self.limit:
            self.errors.pop(next(iter(self.errors)))

    def latest(self) -> List[Dict[str, Any]]:
        """The errors kept, the latest first."""
        return [dict(e) for e in reversed(self.errors.values())]


def offending_tuple(text: str) -> Optional[str]:
    """The tuple petrel's runtime names in an error report, None when it names none."""
    for line in text.splitlines():
        if line.startswith(_TUPLE_LINE):
            return line[len(_TUPLE_LINE):]
    return None


class TupleSamples:
    """The latest tuples emitted on each component's streams (``topology.debug``)."""

    def __init__(self, per_stream: int = SAMPLES_PER_STREAM) -> None:
        self.per_stream = per_stream
        self.streams: Dict[Tuple[str, str], Deque[Dict[str, Any]]] = {}
        self.counts: Dict[Tuple[str, str], int] = {}

    def emitted(self, task: Any, stream: str, values: List[Any]) -> None:
        """One tuple ``task`` emitted on ``stream`` (the router's emit watch calls this)."""
        key = (task.cid, stream)
        ring = self.streams.get(key)
        if ring is None:
            ring = self.streams[key] = collections.deque(maxlen=self.per_stream)
            self.counts[key] = 0
        self.counts[key] += 1
        ring.append({"time": time.time(), "task": task.id, "values": values})

    def latest(self) -> List[Dict[str, Any]]:
        """Per component and stream: how many tuples so far and the latest ones as text."""
        out = []
        for (cid, stream), ring in self.streams.items():
            out.append({"component": cid, "stream": stream, "count": self.counts[cid, stream],
                        "tuples": [{"time": s["time"], "task": s["task"],
                                    "values": _values_text(s["values"])} for s in ring]})
        return out


def _values_text(values: Any) -> str:
    text = json.dumps(values, ensure_ascii=False, default=repr)
    return text if len(text) <= MAX_VALUES_CHARS else text[:MAX_VALUES_CHARS] + "..."
