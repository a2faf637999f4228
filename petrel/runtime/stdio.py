"""Protect the protocol channel: stdin/stdout become private, fds 0/1/2 point elsewhere.

Storm's protocol runs over the process's stdin and stdout, so a stray ``print()``, a C
extension writing to fd 1, or a child process inheriting fd 0 or 1 would corrupt it. Before
any user code runs, the runtime keeps private duplicates of the original stdin, stdout and
stderr, points fd 1 and fd 2 at the component log and fd 0 at /dev/null, and replaces
``sys.stdout`` with a stream that writes lines to the ``stdout`` logger. stderr goes to the
log too, so a chatty component never blocks on a pipe Storm drains only now and then.
"""

from __future__ import annotations

import io
import logging
import os
import sys
import threading
from typing import Iterable, Optional


class ProtectedStdio:
    """The private file descriptors kept by ``protect_stdio``."""

    def __init__(self, protocol_in: int, protocol_out: int, original_stderr: int,
                 log_path: str) -> None:
        self.protocol_in = protocol_in        # Storm -> component
        self.protocol_out = protocol_out      # component -> Storm
        self.original_stderr = original_stderr  # what Storm captures; for fatal messages
        self.log_path = log_path

    def tell_storm(self, text: str) -> None:
        """Write ``text`` to the original stderr, which Storm adds to its error report."""
        data = (text if text.endswith("\n") else text + "\n").encode("utf-8", "replace")
        try:
            os.write(self.original_stderr, data)
        except OSError:
            pass


class StdoutToLog:
    """A ``sys.stdout`` replacement: each line written becomes an INFO record of a logger.

    When logging has no handler, or when a log handler itself writes to ``sys.stdout``
    (which would recurse), the text goes straight to file descriptor 1 (the log file).
    """

    encoding = "utf-8"
    errors = "backslashreplace"
    name = "<petrel stdout>"
    closed = False
    newlines = None

    def __init__(self, logger_name: str = "stdout", fd: int = 1) -> None:
        self._logger = logging.getLogger(logger_name)
        self._fd = fd
        self._partial = ""
        self._local = threading.local()
        self.buffer = io.FileIO(fd, "wb", closefd=False)

    def _raw(self, text: str) -> None:
        try:
            os.write(self._fd, text.encode("utf-8", "backslashreplace"))
        except OSError:
            pass

    def _emit(self, line: str) -> None:
        local = self._local
        if getattr(local, "busy", False) or not (logging.root.handlers or self._logger.handlers):
            self._raw(line + "\n")
            return
        local.busy = True
        try:
            self._logger.info("%s", line)
        finally:
            local.busy = False

    def write(self, text: str) -> int:
        """Log every complete line; keep a trailing partial line until flush or newline."""
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        if "\n" not in text:
            self._partial += text
            return len(text)
        lines = (self._partial + text).split("\n")
        self._partial = lines.pop()
        for line in lines:
            self._emit(line)
        return len(text)

    def writelines(self, lines: Iterable[str]) -> None:
        """Write each string in turn."""
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        """Log a pending partial line."""
        if self._partial:
            line, self._partial = self._partial, ""
            self._emit(line)

    def isatty(self) -> bool:
        """Never a terminal."""
        return False

    def fileno(self) -> int:
        """File descriptor 1, which points at the component log."""
        return self._fd

    def writable(self) -> bool:
        """Writable."""
        return True

    def readable(self) -> bool:
        """Not readable."""
        return False

    def seekable(self) -> bool:
        """Not seekable."""
        return False


def protect_stdio(log_path: str) -> ProtectedStdio:
    """Keep private copies of fds 0/1/2; point fd 0 at /dev/null and fds 1/2 at ``log_path``."""
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):
            pass
    protocol_in = os.dup(0)    # os.dup makes non-inheritable copies: children never see them
    protocol_out = os.dup(1)
    original_stderr = os.dup(2)
    log_fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    null_fd = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null_fd, 0)
    os.dup2(log_fd, 1)
    os.dup2(log_fd, 2)
    os.close(null_fd)
    os.close(log_fd)
    sys.stdin = io.TextIOWrapper(io.FileIO(0, "rb", closefd=False), encoding="utf-8")
    sys.stdout = StdoutToLog()
    sys.stderr = io.TextIOWrapper(io.FileIO(2, "wb", closefd=False), encoding="utf-8",
                                  errors="backslashreplace", line_buffering=True,
                                  write_through=True)
    return ProtectedStdio(protocol_in, protocol_out, original_stderr, log_path)


def restore_stdio(protected: Optional[ProtectedStdio]) -> None:
    """Undo ``protect_stdio`` (tests only): the saved descriptors go back to 0, 1 and 2."""
    if protected is None:
        return
    for saved, fd in ((protected.protocol_in, 0), (protected.protocol_out, 1),
                      (protected.original_stderr, 2)):
        os.dup2(saved, fd)
        os.close(saved)
    sys.stdin, sys.stdout, sys.stderr = sys.__stdin__, sys.__stdout__, sys.__stderr__
