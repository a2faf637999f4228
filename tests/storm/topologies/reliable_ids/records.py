"""Appending one line at a time to a record file the test reads (the worker is on its machine)."""

from __future__ import annotations

import os
import time
from typing import Any, Mapping, Optional

RECORD_DIR_KEY = "reliability.record_dir"


def record_path(conf: Mapping[str, Any], name: str) -> Optional[str]:
    """``<reliability.record_dir>/<name>``, or None when the config names no directory."""
    directory = conf.get(RECORD_DIR_KEY)
    return os.path.join(str(directory), name) if directory else None


def append(path: Optional[str], *words: Any) -> None:
    """Append ``<epoch time> <words...>`` as one line (one write: lines never interleave)."""
    if path is None:
        return
    line = " ".join([f"{time.time():.3f}", *(str(w) for w in words)]) + "\n"
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line.encode())
    finally:
        os.close(fd)
