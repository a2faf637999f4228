"""Per-component profile summaries: what each task's runtime reports at exit, added up.

The runner gives every task process the path of a summary file in the environment variable
``PETREL_PROFILE_SUMMARY``. The petrel runtime writes there, when it exits, one JSON object:
``{"kind": "bolt"|"spout", "count": N, "read_s": S, "process_s": S, "ack_s": S, "wall_s": S}``
(tuples processed or spout commands handled; seconds waiting for and reading input, in user
code, in BasicBolt auto-acks, and since the handshake). Components that are not petrel's
write nothing, and show "-".
"""

from __future__ import annotations

import json
import math
from typing import Callable, Dict, Iterable, Optional, Tuple

PROFILE_ENV = "PETREL_PROFILE_SUMMARY"
FIELDS = ("count", "read_s", "process_s", "ack_s", "wall_s")


class ProfileSummary:
    """The summed profile figures of one component's task processes."""

    __slots__ = ("processes",) + FIELDS

    def __init__(self) -> None:
        self.processes = 0
        self.count = 0
        self.read_s = self.process_s = self.ack_s = self.wall_s = 0.0

    def add(self, doc: Dict[str, float]) -> None:
        """Add one process's figures."""
        self.processes += 1
        self.count += int(doc["count"])
        self.read_s += doc["read_s"]
        self.process_s += doc["process_s"]
        self.ack_s += doc["ack_s"]
        self.wall_s += doc["wall_s"]

    @property
    def ms_per_tuple(self) -> Optional[float]:
        """Average time in user code per tuple (spouts: per command), milliseconds."""
        return self.process_s * 1000.0 / self.count if self.count else None

    @property
    def busy(self) -> Optional[float]:
        """Share of the tasks' time spent in user code (process_s / wall_s), 0..1."""
        return min(1.0, self.process_s / self.wall_s) if self.wall_s > 0 else None

    def to_json(self) -> Dict[str, object]:
        """The ``profile`` entry of a component in ``--stats-json``."""
        ms, busy = self.ms_per_tuple, self.busy
        return {"processes": self.processes, "count": self.count,
                "read_s": round(self.read_s, 6), "process_s": round(self.process_s, 6),
                "ack_s": round(self.ack_s, 6), "wall_s": round(self.wall_s, 6),
                "process_ms_per_tuple": None if ms is None else round(ms, 6),
                "busy": None if busy is None else round(busy, 4)}


def parse_summary(text: str) -> Tuple[Optional[Dict[str, float]], str]:
    """(figures, "") for a valid summary document, else (None, what is wrong)."""
    try:
        doc = json.loads(text)
    except ValueError as exc:
        return None, f"not JSON ({exc})"
    if not isinstance(doc, dict):
        return None, "not a JSON object"
    out: Dict[str, float] = {}
    for key in FIELDS:
        value = doc.get(key, 0 if key == "ack_s" else None)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(
                value) or value < 0:
            return None, f"'{key}' must be a non-negative number, got {value!r}"
        out[key] = value
    return out, ""


def read_profiles(files: Iterable[Tuple[str, str]], log: Callable[[str], None]
                  ) -> Dict[str, ProfileSummary]:
    """Sum the summary files, given as (component id, path); a missing file is no data."""
    summaries: Dict[str, ProfileSummary] = {}
    for cid, path in files:
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        except FileNotFoundError:
            continue
        except OSError as exc:
            log(f"profile summary {path} of '{cid}' cannot be read: {exc}")
            continue
        doc, problem = parse_summary(text)
        if doc is None:
            log(f"profile summary {path} of '{cid}' ignored: {problem}")
            continue
        summaries.setdefault(cid, ProfileSummary()).add(doc)
    return summaries
