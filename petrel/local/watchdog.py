"""The runner's watchdog: one small process that SIGKILLs every task when the runner dies.

Each task runs in its own session (so Ctrl+C in the terminal reaches the runner only), so
nothing ends a task when the runner is killed: a healthy component notices its stdin
closing, but one hung in a C call or spinning in a loop would run for ever. The watchdog is
started once per run, in its own session too, with a pipe from the runner as its stdin.
The runner writes ``+<pid>`` when it starts a task and ``-<pid>`` once it has reaped it.
When the pipe reaches end of file without the ``q`` line of a normal stop, the runner is
gone (``kill -9`` included: the kernel closes its end), and the watchdog SIGKILLs the
process group of every task still listed (the task and anything it started), then exits.

This works on every POSIX system and for every component, whatever its language. On Linux
the worker launcher also sets the parent-death signal of petrel components (see
``petrel.runtime.launcher``), which still holds if the watchdog itself is killed.

The script part uses the standard library only and is run as ``python -I -S watchdog.py``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import IO, Optional, Set

QUIT = b"q\n"


class Watchdog:
    """The runner's end of the watchdog: start it, list task pids, stop it."""

    def __init__(self) -> None:
        self.proc: Optional[subprocess.Popen] = None
        self.problem: Optional[str] = None   # why there is no watchdog, if there is none

    def start(self) -> None:
        """Start the watchdog process (a failure is kept in ``problem``, not raised)."""
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-I", "-S", os.path.abspath(__file__)],
                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                close_fds=True, start_new_session=True)
        except OSError as exc:
            self.problem = f"cannot start the task watchdog ({exc.strerror or exc}); tasks " \
                           "may outlive the runner if it is killed"

    def _send(self, line: bytes) -> None:
        stdin: Optional[IO[bytes]] = self.proc.stdin if self.proc is not None else None
        if stdin is None:
            return
        try:
            stdin.write(line)
            stdin.flush()
        except (OSError, ValueError):  # the watchdog is gone: nothing to tell it
            pass

    def watch(self, pid: int) -> None:
        """A task process started: kill it if the runner dies."""
        self._send(b"+%d\n" % pid)

    def forget(self, pid: int) -> None:
        """A task process was reaped: its pid may be reused, so never kill it."""
        self._send(b"-%d\n" % pid)

    def stop(self) -> None:
        """A normal end: the watchdog exits without killing anything."""
        if self.proc is None:
            return
        self._send(QUIT)
        try:
            if self.proc.stdin is not None:
                self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(2.0)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc = None


def kill_group(pid: int) -> None:
    """SIGKILL a task's process group (its pid: each task leads its own session)."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def main() -> None:
    """Read the runner's lines until end of file; kill what is listed unless told to quit."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    pids: Set[int] = set()
    for line in sys.stdin.buffer:
        if line == QUIT:
            return
        op, number = line[:1], line[1:].strip()
        if not number.isdigit():
            continue
        if op == b"+":
            pids.add(int(number))
        elif op == b"-":
            pids.discard(int(number))
    for pid in pids:
        kill_group(pid)


if __name__ == "__main__":
    main()
