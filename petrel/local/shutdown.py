"""Stopping a run: deactivate the spouts, drain pending trees, close stdin, end processes."""

from __future__ import annotations

import signal
import time
from typing import Any

from petrel.local.flow import FlowControl
from petrel.local.spout_messages import undelivered
from petrel.local.task import Task

CLOSE_GRACE_SECS = 3.0        # after stdin closes, before SIGTERM
TERM_GRACE_SECS = 1.0         # after SIGTERM, before SIGKILL


class Shutdown(FlowControl):
    """The phases draining, closing and done."""

    close_deadline = 0.0
    term_sent = False

    def request_stop(self, reason: str, exit_code: int = 0, drain: bool = True) -> None:
        """Begin a clean stop: deactivate spouts, drain trees, close stdin, end processes."""
        if exit_code and not self.exit_code:
            self.exit_code = exit_code
        if self.stop_reason is None:
            self.stop_reason = reason
        if self.phase in ("closing", "done"):
            return
        if drain and self.phase == "running":
            self.phase = "draining"
            self.drain_deadline = time.monotonic() + self.message_timeout
            for s in self.spouts:
                if s.active:
                    s.active = False
                    if s.state == "running":
                        s.commands.append(self.router.deactivate_cmd)
            self.log(f"stopping ({reason}): spouts deactivated, draining pending tuples")
        else:
            self._begin_close()

    def _begin_close(self) -> None:
        self.phase = "closing"
        self.close_deadline = time.monotonic() + CLOSE_GRACE_SECS
        self.term_sent = False
        for t in self.tasks.values():
            if t.proc is not None and t.state in ("running", "starting"):
                t.proc.flush()
                if t.write_registered:
                    self.poller.unregister(t.proc.stdin_fd)
                    t.write_registered = False
                t.proc.close_stdin()
            if t.state in ("down", "new"):
                t.state = "ended"

    def _drop_undelivered(self, spout: Task) -> None:
        """Take back the acks and fails the spout process never received (it ended).

        They were counted when their tree ended; now they count as dropped. A failed tree's
        message id counts as failed until the spout emits it again; an acked tree was fully
        processed, so it is not lost even though its spout may never have heard of the ack.
        """
        acks, fails = undelivered(spout)
        spout.reset_commands()
        spout.cs.acked -= len(acks)
        spout.acked -= len(acks)
        self.stats.spout_acked -= len(acks)
        spout.cs.failed -= len(fails)
        spout.failed -= len(fails)
        self.stats.spout_failed -= len(fails)
        self.stats.spout_dropped += len(acks) + len(fails)
        spout.failed_ids.update(fails)

    def _report_unfinished(self) -> None:
        """At the end: trees lost or still pending are shown, and the exit status is 1.

        A tree is lost when it failed (or was pending when its spout process died) and the
        spout did not emit its message id again before the end: a reliable spout that replays its
        failed ids loses nothing. Unanchored emits start no tree and so are never counted.
        """
        for s in self.spouts:
            self._drop_undelivered(s)
        lost = sum(len(s.failed_ids) for s in self.spouts)
        pending = len(self.acker.pending)
        self.stats.spout_lost = lost
        parts = []
        if lost:
            parts.append(f"{lost} tuple tree(s) lost (failed, or pending when their spout "
                         f"process died, and their message id was not emitted again)")
        if pending:
            parts.append(f"{pending} tuple tree(s) still pending at the end (neither acked "
                         f"nor failed)")
        if parts:
            self.warn("petrel: " + "; ".join(parts) + "; exit status 1")
            if not self.exit_code:
                self.exit_code = 1

    def _on_signal(self, signum: int, frame: Any) -> None:
        self.signals += 1
        name = signal.Signals(signum).name
        if self.signals == 1:
            self.request_stop(f"{name} received")
        else:
            self.request_stop(f"{name} received again", drain=False)

    def _closing_step(self, now: float) -> None:
        alive = [t for t in self.tasks.values()
                 if t.proc is not None and t.state in ("running", "starting")
                 and t.proc.poll() is None]
        if not alive:
            for t in self.tasks.values():
                if t.proc is not None and t.state in ("running", "starting"):
                    code = t.proc.poll()
                    if code not in (0, None) and code != -signal.SIGTERM:
                        t.proc.drain_stderr(0.1)
                        self.log(f"{t.label} exited with code {code} at stop")
                    self._unregister(t)
                    t.state = "ended"
            self.phase = "done"
            return
        if now >= self.close_deadline:
            if not self.term_sent:
                self.term_sent = True
                for t in alive:
                    t.proc.signal(signal.SIGTERM)
                self.close_deadline = now + TERM_GRACE_SECS
                self.log(f"{len(alive)} task(s) still running after stdin closed: SIGTERM")
            else:
                for t in alive:
                    t.proc.kill()
                    t.proc.wait(1.0)
