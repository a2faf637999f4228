"""What the runner does with each message a spout task writes, and the commands it sends.

Emits with a message id start tuple trees in the acker; a spout's ``sync`` releases its next
commands, which are pipelined (``spout_command``). Each command stays in ``Task.inflight``
until the spout's ``sync`` for it, so when a spout process dies the runner knows which acks
and fails it never received.
"""

from __future__ import annotations

import itertools
from typing import Any, List, Optional, Tuple

from petrel.local import msgpack_wire
from petrel.local.bolt_messages import EMIT_TAIL
from petrel.local.emit_routing import EmitRouting
from petrel.local.task import Route, Task, TaskFailure
from petrel.local.wire import END, dumps
from petrel.semantics.acker import Tree

ACK_HEAD = b'{"command":"ack","id":'
FAIL_HEAD = b'{"command":"fail","id":'
_COMMAND_TAIL_LEN = len(b"}" + END)
SPOUT_MAX_IDLE_WAIT = 0.016   # longest back-off between 'next' calls of an idle spout
SPOUT_BATCH = 256             # most commands written to a spout before it has synced them
SPOUT_NEXTS_AHEAD = 2         # 'next's a productive spout has in flight (1: Storm's strict order)
NEXT_CMD = b'{"command":"next","id":""}\nend\n'
_SYNC = b'{"command":"sync"}'
_EMIT_TAIL_LEN = len(EMIT_TAIL)
_SPOUT_EMIT_HEAD = b'{"command":"emit","id":'
_SPOUT_EMIT_HEAD_LEN = len(_SPOUT_EMIT_HEAD)
_SPOUT_EMIT_MID = b',"tuple":'
_SPOUT_EMIT_MID_LEN = len(_SPOUT_EMIT_MID)


def command_id(command: bytes) -> bytes:
    """The message id, as JSON, of an ack or fail command for a spout."""
    return command[command.index(b'"id":') + 5:-_COMMAND_TAIL_LEN]


def message_id_json(msg_id: Any) -> bytes:
    """A spout's message id as its ack or fail command writes it."""
    return str(msg_id).encode() if type(msg_id) is int else dumps(msg_id)


def undelivered(task: Task) -> Tuple[List[bytes], List[bytes]]:
    """(acks, fails) queued for the spout or sent but not synced: the ids, as JSON."""
    acks: List[bytes] = []
    fails: List[bytes] = []
    for cmd in itertools.chain(task.commands, task.inflight):
        if cmd is True or cmd is False:
            continue
        if cmd.startswith(ACK_HEAD):
            acks.append(command_id(cmd))
        elif cmd.startswith(FAIL_HEAD):
            fails.append(command_id(cmd))
        elif cmd.startswith(msgpack_wire.ACK_HEAD):
            acks.append(msgpack_wire.command_id_json(cmd))
        elif cmd.startswith(msgpack_wire.FAIL_HEAD):
            fails.append(msgpack_wire.command_id_json(cmd))
    return acks, fails


class SpoutMessages(EmitRouting):
    """Handles the messages of spout tasks and feeds them commands."""

    next_cmd = NEXT_CMD          # the commands in the topology's format (JSON here)
    fail_head = FAIL_HEAD
    command_id_json = staticmethod(command_id)

    def spout_messages(self, task: Task, raws: List[bytes], now: float) -> None:
        """Handle every message a spout task wrote in one read, then feed it commands."""
        if task.state != "running":
            if task.state != "starting":
                return
            self.runner.handshake_done(task, self.parse(raws[0]))
            raws = raws[1:]
        synced = False
        for raw in raws:
            if raw == _SYNC:
                if task.inflight:  # a sync nobody asked for is ignored
                    self.spout_synced(task, now)
                    synced = True
                continue
            if raw.startswith(_SPOUT_EMIT_HEAD) and raw.endswith(EMIT_TAIL) \
                    and self._quick_spout_emit(task, raw, now):
                continue
            msg = self.parse(raw)
            cmd = msg.get("command")
            if cmd == "emit":
                self.spout_emit(task, msg, now)
            elif cmd == "sync":
                self.spout_messages(task, [_SYNC], now)
            elif cmd in ("log", "error", "metrics"):
                self.other_command(task, msg, cmd)
            else:
                raise TaskFailure(f"Unknown command received: {cmd}")
        if synced and task.state == "running":
            # answer at once: the spout's round trip bounds the whole topology
            self.spout_command(task, now)
            if task.proc.ctl and task.proc.flush():
                self.dirty.discard(task)

    def spout_synced(self, task: Task, now: float) -> None:
        """The spout's sync for its oldest command in flight (there is one)."""
        answered = task.inflight.popleft()
        if answered is True:
            task.nexts_ahead -= 1
            if task.emits_in_command:
                task.idle_nexts = 0
            else:
                task.idle_nexts += 1
                task.next_at = now + min(
                    0.001 * (1 << min(task.idle_nexts - 1, 10)), SPOUT_MAX_IDLE_WAIT)
        elif answered.startswith(self.fail_head):  # type: ignore[union-attr]
            task.failed_ids.add(self.command_id_json(answered))  # type: ignore[arg-type]
        task.working = True
        task.emits_in_command = 0
        task.command_sent = now

    def _quick_spout_emit(self, task: Task, raw: bytes, now: float) -> bool:
        """The petrel runtime's usual spout emit (an integer id, default stream) as bytes.

        Its shape is ``{"command":"emit","id":<digits>,"tuple":<JSON>,"need_task_ids":false}``;
        False when it is something else (the caller then parses it in full).
        """
        j = raw.find(_SPOUT_EMIT_MID, _SPOUT_EMIT_HEAD_LEN)
        mid = raw[_SPOUT_EMIT_HEAD_LEN:j]
        if j < 0 or not mid.isdigit() or (mid[0] == 48 and len(mid) > 1):  # no JSON 012
            return False
        route = task.routes.get("default")
        if route is None or route.single is None:
            return False
        values_json = raw[j + _SPOUT_EMIT_MID_LEN:-_EMIT_TAIL_LEN]
        known = route.memo.get(values_json) or self._learn(route, values_json)
        if known is None:
            return False
        out, targets = known
        task.cs.emitted += 1
        task.emitted += 1
        task.emits_in_command += 1
        self._spout_tuple(task, int(mid), targets or route.single(None), route, out, now)
        return True

    def spout_emit(self, task: Task, msg: dict, now: float) -> None:
        """Route one spout emit; a message id starts a tuple tree in the acker."""
        stream, values, route, targets, need_ids = self._targets(task, msg)
        task.cs.emitted += 1
        task.emitted += 1
        task.emits_in_command += 1
        self._spout_tuple(task, msg.get("id"), targets, route,
                          self.pack_values(values) if targets else b"", now)
        if need_ids is not False:
            # the spout waits for this list before its sync: it cannot wait for the next command
            task.proc.ctl.append(self.task_ids_message(targets))
            self.dirty.add(task)

    def _spout_tuple(self, task: Task, msg_id: Any, targets: List[int], route: Route,
                     values_json: bytes, now: float) -> None:
        """Deliver a spout tuple; with a message id (and acking on) its tree starts now."""
        tracked = msg_id is not None and self.acking
        if task.failed_ids and msg_id is not None:
            task.failed_ids.discard(message_id_json(msg_id))  # replayed: not lost
        root = self.acker.new_root() if tracked else 0
        xor = 0
        if targets:
            task.cs.transferred += len(targets)
            task.transferred += len(targets)
            if tracked:
                stand_in = [root, 0]   # collects the XOR of the tree's first edges
                self._deliver(targets, route.fmt, values_json, stand_in)
                xor = stand_in[1]
            else:
                self._deliver(targets, route.fmt, values_json, None)
        if msg_id is not None:
            if not self.acking:  # no acker: Storm acks a reliable emit at once
                self.tree_done(Tree(0, task, msg_id, now, 0), True, now, count_pending=False)
            else:
                task.pending_trees += 1
                if task.pending_trees > task.pending_peak:
                    task.pending_peak = task.pending_trees
                done = self.acker.init(root, xor, task, msg_id, now)
                if done is not None:
                    self.tree_done(done, True, now)

    def spout_command(self, s: Task, now: float) -> Optional[float]:
        """Write the spout's queued commands and maybe 'next's; returns a back-off deadline.

        Commands are pipelined: the acks and fails waiting for the spout go out together
        with ``next`` commands in one write, and a spout whose last ``next`` emitted is kept
        ``SPOUT_NEXTS_AHEAD`` ``next``s ahead. The spout answers each in order with its own
        ``sync``, exactly as if they had come one by one, but it never waits for the runner
        between them, and the process wake-ups are shared. Each ``next`` in flight counts as
        one more pending tuple, so max spout pending is never overshot.
        """
        if s.state != "running":
            return None
        inflight = s.inflight
        ahead = len(inflight)
        nexts = s.nexts_ahead
        if nexts >= SPOUT_NEXTS_AHEAD or (nexts and s.idle_nexts) or ahead >= SPOUT_BATCH:
            return None  # wait for syncs: an idle spout has one 'next' at a time
        wake = None
        parts: List[bytes] = []
        commands = s.commands
        while commands and ahead + len(parts) < SPOUT_BATCH:
            cmd = commands.popleft()
            parts.append(cmd)
            inflight.append(cmd)
        if commands or self.runner.phase != "running" or not s.active or s.blockers:
            pass
        elif now < s.next_at:
            wake = s.next_at
        else:
            # an idle spout gets one 'next' at a time, a productive one is kept topped up
            room = (1 if s.idle_nexts else SPOUT_NEXTS_AHEAD) - nexts
            if s.max_pending is not None and s.pending_trees + nexts + room > s.max_pending:
                room = s.max_pending - s.pending_trees - nexts
            if room > SPOUT_BATCH - ahead - len(parts):
                room = SPOUT_BATCH - ahead - len(parts)
            if room > 0:
                parts += [self.next_cmd] * room
                inflight.extend([True] * room)
                s.nexts_ahead = nexts + room
        if not parts:
            return wake
        if not ahead:
            s.emits_in_command = 0
            s.command_sent = now
        s.proc.ctl.extend(parts)
        self.dirty.add(s)
        return wake
