"""What the components share: the lines, the task ids of a component, records and markers."""

from __future__ import annotations

import json
import os
import time
from typing import Any, Dict, List, Mapping

RECORD_DIR_KEY = "multilang.record_dir"
FAIL_ONCE = 3      # the split bolt fails this line's first tuple explicitly
RAISE_ONCE = 5     # ... and raises on this one's first tuple
LOG_MARKER = "multilang-all:"

# Plain words, accents, CJK, an emoji, escapes JSON must quote, and one long line (a string
# longer than 255 bytes: another length header in MessagePack).
LINES = [
    "the cow jumped over the moon",
    "an apple a day keeps the doctor away",
    "café naïve résumé déjà vu",
    "four score and seven years ago",
    "東京 大阪 京都 東京",
    "snow white and the seven dwarfs",
    'quotes " and back\\slashes \t tabs and the moon again',
    "rocket 🚀 emoji 🚀 twice",
    " ".join(f"word{i % 37}" for i in range(120)),
    "the quick brown fox jumps over the lazy dog",
    "all that glitters is not gold",
    "the early bird catches the worm",
]


def tasks_of(context: Mapping[str, Any], component: str) -> List[int]:
    """The task ids of ``component``, ascending, from the handshake's task->component map."""
    return sorted(int(task) for task, cid in context["task->component"].items()
                  if cid == component)


def extras(index: int) -> Dict[str, Any]:
    """Values of every multilang type, carried to the sink in a map."""
    return {"big": 2 ** 40 + index, "negative": -index - 1, "ratio": index / 4 + 0.5,
            "flag": index % 2 == 0, "nothing": None, "nested": [index, "é", [True]]}


def record(conf: Mapping[str, Any], name: str, **fields: Any) -> None:
    """Append ``fields`` (with the time) as one JSON line to ``<record dir>/<name>.jsonl``."""
    line = json.dumps({"time": round(time.time(), 3), **fields}, sort_keys=True) + "\n"
    fd = os.open(os.path.join(str(conf[RECORD_DIR_KEY]), f"{name}.jsonl"),
                 os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line.encode("utf-8"))    # one write: lines of two tasks never interleave
    finally:
        os.close(fd)


def first_time(conf: Mapping[str, Any], name: str) -> bool:
    """True the first time any task of the topology asks about ``name`` (a marker file)."""
    try:
        fd = os.open(os.path.join(str(conf[RECORD_DIR_KEY]), f"marker-{name}"),
                     os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        return False
    os.close(fd)
    return True
