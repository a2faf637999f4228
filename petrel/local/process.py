"""One task subprocess: started as a Storm worker starts it, with non-blocking pipes.

The runner's event loop owns the reading and writing; this module holds the pipes, the
stdout framing, the write queues (Storm's two FIFOs: task-id lists and heartbeats first,
then tuples), the ring of the last stderr lines and the stderr log file (rotated by size).
"""

from __future__ import annotations

import collections
import errno
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Deque, List, Optional, Union

from petrel.local.rotating_log import RotatingLog
from petrel.local.wire import MessageReader, StdoutReader

# A pipe holds 64 KiB, so a bigger read never returns more; and a buffer of 128 KiB or more
# is mmap'ed and unmapped by malloc on every read (3 extra syscalls and fresh page faults).
READ_SIZE = 1 << 16
WRITE_BATCH = 512             # most queued tuples joined into one write (a pipe holds 64 KiB)
STDERR_LINES = 40


class TaskProcess:
    """A running (or finished) component subprocess of one task."""

    def __init__(self, argv: List[str], cwd: Path, env: dict, stderr_log: Path,
                 log_max_bytes: int = 0, log_backups: int = 0) -> None:
        self.argv = argv
        self.started = time.monotonic()
        self.popen = subprocess.Popen(
            argv, cwd=str(cwd), env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, bufsize=0, close_fds=True,
            start_new_session=True,  # Ctrl+C in the terminal reaches the runner only
        )
        self.pid = self.popen.pid
        stdin, stdout, stderr = self.popen.stdin, self.popen.stdout, self.popen.stderr
        assert stdin is not None and stdout is not None and stderr is not None  # PIPEs
        # each None once closed
        self.stdin_fd: Optional[int] = stdin.fileno()
        self.stdout_fd: Optional[int] = stdout.fileno()
        self.stderr_fd: Optional[int] = stderr.fileno()
        for fd in (stdin, stdout, stderr):
            os.set_blocking(fd.fileno(), False)
        self.reader: StdoutReader = MessageReader()   # the runner may set another format's
        self.ctl: List[bytes] = []              # task-id lists, heartbeats, spout commands
        self.tuples: Deque[bytes] = collections.deque()  # queued tuple messages
        self.partial: Union[bytes, memoryview, None] = None  # the rest of a half-written chunk
        self.stderr_ring: Deque[str] = collections.deque(maxlen=STDERR_LINES)
        self._stderr_tail = b""
        self.stderr_log_path = stderr_log
        self._stderr_log = RotatingLog(stderr_log, log_max_bytes, log_backups)
        self.stdout_eof = False
        self.stderr_eof = False
        self.write_broken = False

    # -- reading ---------------------------------------------------------------------
    def read_stdout(self) -> Optional[bytes]:
        """Read what stdout holds; b'' at EOF, None when nothing is available."""
        fd = self.stdout_fd
        if fd is None:
            return b""
        try:
            data = os.read(fd, READ_SIZE)
        except BlockingIOError:
            return None
        except OSError:
            data = b""
        if not data:
            self.stdout_eof = True
        return data

    def read_stderr(self) -> bool:
        """Drain available stderr into the ring and the log file; False at EOF."""
        fd = self.stderr_fd
        if fd is None:
            return False
        try:
            data = os.read(fd, READ_SIZE)
        except BlockingIOError:
            return True
        except OSError:
            data = b""
        if not data:
            self.stderr_eof = True
            if self._stderr_tail:
                self.stderr_ring.append(self._stderr_tail.decode("utf-8", "replace"))
                self._stderr_tail = b""
            return False
        self._feed_stderr(data)
        return True

    def drain_stderr(self, wait: float = 0.0) -> None:
        """Read the remaining stderr, waiting up to ``wait`` seconds for EOF."""
        deadline = time.monotonic() + wait
        while self.stderr_fd is not None and not self.stderr_eof:
            try:
                data = os.read(self.stderr_fd, READ_SIZE)
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return
                time.sleep(0.01)
                continue
            except OSError:
                return
            if not data:
                self.stderr_eof = True
                self.read_stderr_tail()
                return
            self._feed_stderr(data)

    def _feed_stderr(self, data: bytes) -> None:
        self._stderr_log.write(data)
        lines = (self._stderr_tail + data).split(b"\n")
        self._stderr_tail = lines.pop()
        for line in lines[-STDERR_LINES:]:
            self.stderr_ring.append(line.decode("utf-8", "replace").rstrip("\r"))

    def read_stderr_tail(self) -> None:
        """Move an unterminated last stderr line into the ring."""
        if self._stderr_tail:
            self.stderr_ring.append(self._stderr_tail.decode("utf-8", "replace"))
            self._stderr_tail = b""

    # -- writing ---------------------------------------------------------------------
    @property
    def wants_write(self) -> bool:
        """True while something waits to be written to stdin."""
        return bool(self.partial is not None or self.ctl or self.tuples)

    def flush(self) -> bool:
        """Write as much as the pipe takes; True when everything queued was written."""
        fd = self.stdin_fd
        if fd is None or self.write_broken:
            return True
        while True:
            data: Union[bytes, memoryview, None] = self.partial
            if data is None:
                parts = self.ctl
                if parts:
                    self.ctl = []
                tuples = self.tuples
                if tuples:
                    if len(tuples) <= WRITE_BATCH:
                        parts = parts + list(tuples) if parts else list(tuples)
                        tuples.clear()
                    else:
                        if not parts:
                            parts = []
                        for _ in range(WRITE_BATCH):
                            parts.append(tuples.popleft())
                if not parts:
                    return True
                data = b"".join(parts) if len(parts) > 1 else parts[0]
            try:
                n = os.write(fd, data)
            except BlockingIOError:
                self.partial = data
                return False
            except OSError as exc:
                if exc.errno in (errno.EPIPE, errno.EBADF, errno.EINVAL):
                    self.write_broken = True
                    self.partial = None
                    return True
                raise
            if n == len(data):
                self.partial = None
            else:
                self.partial = memoryview(data)[n:]
                return False

    # -- ending ----------------------------------------------------------------------
    def close_stdin(self) -> None:
        """Close the component's stdin (it should then exit on its own)."""
        if self.stdin_fd is not None and self.popen.stdin is not None:
            try:
                self.popen.stdin.close()
            except OSError:
                pass
            self.stdin_fd = None

    def signal(self, sig: int) -> None:
        """Send a signal to the component process (ignored once it is gone)."""
        if self.popen.returncode is None:
            try:
                os.kill(self.pid, sig)
            except ProcessLookupError:
                pass

    def kill(self) -> None:
        """SIGKILL the component (it works even on a stopped process)."""
        self.signal(signal.SIGKILL)

    def poll(self) -> Optional[int]:
        """The exit code once the process has ended, else None."""
        return self.popen.poll()

    def wait(self, timeout: float) -> Optional[int]:
        """Wait up to ``timeout`` seconds for the exit code."""
        try:
            return self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def close(self) -> None:
        """Close every pipe and the stderr log."""
        self.close_stdin()
        for f in (self.popen.stdout, self.popen.stderr):
            if f is None:
                continue
            try:
                f.close()
            except OSError:
                pass
        self.stdout_fd = self.stderr_fd = None
        self._stderr_log.close()
