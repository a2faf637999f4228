"""The runner's timers: heartbeats, tick tuples, subprocess timeouts, message timeouts.

A task is silent when neither a whole message nor any byte of one came within
``topology.subprocess.timeout.secs``: a task still writing a large message is alive.
"""

from __future__ import annotations

from petrel.local.supervision import HEARTBEAT_SECS, Supervision
from petrel.semantics.ticks import next_tick


class Timers(Supervision):
    """What happens on the clock rather than on a message."""

    def _timers(self, now: float) -> None:
        timeout = self.subprocess_timeout
        for b in self.bolts:
            if b.state != "running":
                continue
            if b.read_registered and now - max(b.last_read, b.proc.reader.partial_at) > timeout:
                self.task_failed(b, "subprocess heartbeat timeout")
                continue
            if b.sample_tid is not None and now - b.sample_at > self.message_timeout:
                b.sample_tid = None  # never acked: sample the next tuple instead
            if now >= b.next_heartbeat:
                hid = self.router.new_tid()
                b.proc.ctl.append(self.router.heartbeat_message(hid))
                b.next_heartbeat = now + HEARTBEAT_SECS
                self.dirty.add(b)
            if b.tick_secs and now >= b.next_tick and self.phase in ("running", "draining"):
                b.next_tick = next_tick(b.next_tick, b.tick_secs, now)
                tid = self.router.new_tid()
                b.inputs[tid] = [None, 0]
                b.proc.tuples.append(self.router.tick_message(tid, b.tick_secs))
                b.cs.executed += 1
                self.dirty.add(b)
        for s in self.spouts:
            if s.state == "running" and s.inflight:
                # bytes of a message still arriving are life too, however big the message
                if now - max(s.last_read, s.command_sent, s.proc.reader.partial_at) > timeout:
                    self.task_failed(s, "subprocess heartbeat timeout")
        for t in self.tasks.values():
            if t.state == "starting" and now - t.started_at > self.opts.start_timeout:
                self.task_failed(t, f"no handshake reply within {self.opts.start_timeout:g} s")
        self._publish_due(now)

    def _rotate(self, now: float) -> None:
        for tree in self.acker.rotate():
            self.stats.spout_timed_out += 1
            self.router.tree_done(tree, False, now)
