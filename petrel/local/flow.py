"""Flow control: back-pressure between tasks, pipe registration, batched output, spout pacing.

Output to a task is batched: while more input is ready the event loop keeps reading, and
queued messages go out before it would block (``_flush``). A bolt with ``max.pending``
tuples queued blocks the reading of its upstream tasks until it is down to half.
"""

from __future__ import annotations

import time
from typing import Optional

from petrel.local.poller import READ, WRITE
from petrel.local.progress import ProgressReporting
from petrel.local.task import Task

# what poll() reports for each registered descriptor of a task
STDOUT, STDERR, STDIN = 0, 1, 2


class FlowControl(ProgressReporting):
    """Which pipes the event loop watches, and when queued output is written."""

    def _update_overload(self, task: Task) -> None:
        if task.state in ("down", "starting", "new"):
            over = not task.is_spout
        elif task.is_spout:
            over = False
        else:
            queued = len(task.proc.tuples) if task.proc else 0
            if queued > task.queue_peak:
                task.queue_peak = queued
            if task.overloaded:
                over = queued > self.low_water
            else:
                over = queued >= self.max_pending
        if over == task.overloaded:
            return
        task.overloaded = over
        for up in task.upstream:
            if over:
                up.blockers += 1
                if up.blockers == 1 and not up.is_spout:
                    self._set_reading(up, False)
            else:
                up.blockers -= 1
                if up.blockers == 0 and not up.is_spout:
                    self._set_reading(up, True)

    def _set_reading(self, task: Task, on: bool) -> None:
        proc = task.proc
        if proc is None or task.state not in ("running", "starting"):
            return
        if not on and task.state == "starting":
            # Its handshake reply must be read even when a downstream task is not ready yet
            # (in a cycle that task may be itself); handshake_done applies the block.
            return
        if on and not task.read_registered and proc.stdout_fd is not None:
            self.poller.register(proc.stdout_fd, READ, (task, STDOUT))
            task.read_registered = True
            task.last_read = time.monotonic()  # time blocked by back-pressure is not silence
        elif not on and task.read_registered:
            self.poller.unregister(proc.stdout_fd)
            task.read_registered = False

    def _unregister(self, task: Task) -> None:
        proc = task.proc
        if proc is None:
            return
        for fd in (proc.stdout_fd, proc.stderr_fd, proc.stdin_fd):
            if fd is not None:
                self.poller.unregister(fd)
        task.read_registered = False
        task.write_registered = False

    def _flush(self, dirty: set) -> None:
        poller = self.poller
        for task in list(dirty):
            proc = task.proc
            if proc is None or task.state not in ("running", "starting"):
                continue
            done = proc.flush()
            if proc.write_broken:
                continue
            if done:
                if task.write_registered:
                    poller.unregister(proc.stdin_fd)
                    task.write_registered = False
            elif not task.write_registered and proc.stdin_fd is not None:
                poller.register(proc.stdin_fd, WRITE, (task, STDIN))
                task.write_registered = True
            if not task.is_spout:
                self._update_overload(task)
        dirty.clear()

    def _schedule_spouts(self, now: float) -> Optional[float]:
        """Send each idle spout its next command; returns the earliest back-off deadline."""
        wake = None
        for s in self.spouts:
            if s.inflight and s.nexts_ahead >= 1:
                continue  # its next sync brings the next commands
            at = self.router.spout_command(s, now)
            if at is not None and (wake is None or at < wake):
                wake = at
            if s.state == "running" and s.proc.ctl and s.proc.flush():
                self.dirty.discard(s)  # spouts do not wait for the batching of bolt output
        return wake
