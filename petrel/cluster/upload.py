"""Uploading a jar to the leader Nimbus: beginFileUpload, uploadChunk..., finishFileUpload."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable, Optional, TextIO

from petrel.cluster.nimbus import NimbusConnection

# StormSubmitter's chunk size (docs/internals/thrift.md#submission); well under the 1 MiB
# frame limit.
CHUNK_SIZE = 307_200

Progress = Callable[[int, int], None]


def upload_jar(
    conn: NimbusConnection,
    jar: Path | bytes,
    *,
    chunk_size: int = CHUNK_SIZE,
    progress: Optional[Progress] = None,
) -> str:
    """Send the jar in chunks of at most ``chunk_size`` bytes; return Nimbus's location for it."""
    data = jar if isinstance(jar, bytes) else Path(jar).read_bytes()
    chunk_size = min(chunk_size, CHUNK_SIZE)
    location = conn.call("beginFileUpload")
    total = len(data)
    sent = 0
    if progress:
        progress(0, total)
    while sent < total:
        chunk = data[sent:sent + chunk_size]
        conn.call("uploadChunk", location, chunk)
        sent += len(chunk)
        if progress:
            progress(sent, total)
    conn.call("finishFileUpload", location)
    return location


class ProgressLine:
    """One self-updating ``uploading JAR: 45% (1.2 of 2.7 MB)`` line on a terminal.

    On a pipe or file it prints only the first and the last state, so logs stay short.
    """

    def __init__(self, label: str, stream: TextIO | None = None) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self._tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self._last_pct = -1

    def __call__(self, sent: int, total: int) -> None:
        pct = 100 if total == 0 else sent * 100 // total
        if pct == self._last_pct:
            return
        self._last_pct = pct
        text = f"uploading {self.label}: {pct:3d}% ({_mb(sent)} of {_mb(total)})"
        done = sent >= total
        if self._tty:
            self.stream.write("\r" + text + ("\n" if done else ""))
        elif sent == 0 or done:
            self.stream.write(text + "\n")
        self.stream.flush()


def _mb(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB" if n >= 100_000 else f"{n:,} bytes"
