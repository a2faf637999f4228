"""A task's stderr log file, rotated by size as ``logging.handlers.RotatingFileHandler`` does.

The runner writes a component's stderr to ``<component>-<task>.stderr.log`` as bytes, as it
arrives (not as log records), so it cannot use the standard handler itself; it follows the
same rule: when a write would take the file past ``max_bytes``, ``<file>.1`` .. ``<file>.N``
shift by one (the oldest is removed), the file becomes ``<file>.1`` and a new one starts
(output bigger than a whole file is split), so no file ever exceeds ``max_bytes``.
Either limit 0 turns rotation off, as with the standard handler.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO


class RotatingLog:
    """An append-only byte log that keeps at most ``backups`` older files of ``max_bytes``."""

    def __init__(self, path: Path, max_bytes: int = 0, backups: int = 0) -> None:
        self.path = path
        self.max_bytes = max_bytes if backups > 0 else 0
        self.backups = backups
        self.file: BinaryIO = open(path, "ab")  # noqa: SIM115 - closed in close()
        self.size = self.file.tell()

    def write(self, data: bytes) -> None:
        """Append ``data`` (rotating first when it would not fit) and flush."""
        limit = self.max_bytes
        if limit:
            if self.size and self.size + len(data) > limit:
                self._rotate()
            while len(data) > limit:  # more than a whole file: split it
                self._append(data[:limit])
                self._rotate()
                data = data[limit:]
        self._append(data)

    def _append(self, data: bytes) -> None:
        self.file.write(data)
        self.file.flush()
        self.size += len(data)

    def _rotate(self) -> None:
        self.file.close()
        try:
            for n in range(self.backups - 1, 0, -1):
                older = Path(f"{self.path}.{n}")
                if older.exists():
                    os.replace(older, f"{self.path}.{n + 1}")
            os.replace(self.path, f"{self.path}.1")
        except OSError:
            pass  # the file could not be moved: keep appending to it rather than lose output
        self.file = open(self.path, "ab")  # noqa: SIM115 - closed in close()
        self.size = self.file.tell()

    def close(self) -> None:
        """Close the file."""
        self.file.close()
