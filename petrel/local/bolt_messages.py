"""What the runner does with each message a bolt task writes: emits, acks, fails.

This is the runner's hot path: it works on whole read chunks, recognises the petrel
runtime's usual acks and emits by their bytes, passes a tuple's JSON on as it came (checked
once per distinct text, see ``EmitRouting._learn``), and reads the clock once per chunk.
"""

from __future__ import annotations

from time import monotonic
from typing import List

from petrel.local.emit_routing import EmitRouting
from petrel.local.task import Task, TaskFailure
from petrel.semantics.acker import entry_roots, rand64

# the fixed parts of the petrel runtime's usual messages (the quick paths)
_ACK_HEAD = b'{"command":"ack","id":"'
_ACK_HEAD_LEN = len(_ACK_HEAD)
_ACK_SEP = b'"}\n' + _ACK_HEAD          # between two acks joined with '\n'
_EMIT_HEAD = b'{"command":"emit","anchors":["'
_EMIT_HEAD_LEN = len(_EMIT_HEAD)
_EMIT_MID = b'"],"tuple":'
_EMIT_MID_LEN = len(_EMIT_MID)
EMIT_TAIL = b',"need_task_ids":false}'
_EMIT_TAIL_LEN = len(EMIT_TAIL)


class BoltMessages(EmitRouting):
    """Handles the messages of bolt tasks."""

    def bolt_messages(self, task: Task, raws: List[bytes], now: float) -> None:
        """Handle every message a bolt task wrote in one read, in order.

        A read of nothing but the petrel runtime's acks is taken apart in a few bytes
        operations; otherwise the usual acks and emits (default stream, one anchor, one
        subscriber, no task ids wanted) are handled inline, and anything else is parsed and
        checked in full by ``bolt_message``.
        """
        if task.state != "running":
            if task.state != "starting":
                return
            self.runner.handshake_done(task, self.parse(raws[0]))
            raws = raws[1:]
            if not raws:
                return
        inputs = task.inputs
        pending = self.acker.pending
        child: list
        tree_done = self.tree_done
        pop = inputs.pop
        acked = 0
        i = 0
        try:
            if raws[0].startswith(_ACK_HEAD):
                # Only acks? Joined with '\n' (no message of ours holds one) and cut at the
                # fixed text between two acks, they leave exactly one id per message.
                joined = b"\n".join(raws)
                ids = joined[_ACK_HEAD_LEN:-2].split(_ACK_SEP)
                if len(ids) == len(raws) and joined.endswith(b'"}') \
                        and b"".join(ids).isdigit():
                    for tid in ids:
                        entry = pop(tid, None)
                        if entry is None:
                            break  # not an id of a pending input: the slow path says why
                        i += 1
                        r = entry[0]
                        if type(r) is int:
                            tree = pending.get(r)  # Acker.xor, inlined on this hot path
                            if tree is not None:
                                tree.val ^= entry[1]
                                if not tree.val:
                                    del pending[r]
                                    tree_done(tree, True, now)
                        elif r is not None:
                            self._ack_entry(entry, now)
                    acked = i
                    if i == len(raws):
                        return
            route = task.routes.get("default")
            if route is None or route.single is None:
                route = None
                memo: dict = {}
            else:
                memo = route.memo
                fmt = route.fmt
                single = route.single
            tasks = self.tasks
            dirty = self.dirty
            new_tid = self.new_tid
            emitted = delivered = 0
            try:
                for raw in raws[i:] if i else raws:
                    if raw.startswith(_EMIT_HEAD):
                        if route is not None and raw.endswith(EMIT_TAIL):
                            j = raw.find(_EMIT_MID, _EMIT_HEAD_LEN)
                            entry = inputs.get(raw[_EMIT_HEAD_LEN:j]) if j > 0 else None
                            if entry is not None:  # anchored on one pending input of ours
                                values_json = raw[j + _EMIT_MID_LEN:-_EMIT_TAIL_LEN]
                                known = memo.get(values_json) or self._learn(route, values_json)
                                if known is not None:
                                    emitted += 1
                                    out, targets = known
                                    if targets is None:
                                        targets = single(None)
                                    r = entry[0]
                                    for t in targets:
                                        if type(r) is int:
                                            edge = rand64(64)
                                            entry[1] ^= edge
                                            child = [r, edge]
                                        elif r is None:
                                            child = [None, 0]
                                        else:
                                            edge = rand64(64)
                                            entry[1] ^= edge
                                            child = [dict.fromkeys(r, edge), 0]
                                        target = tasks[t]
                                        tid = new_tid()
                                        target.inputs[tid] = child
                                        if target.sample_tid is None:  # time this one
                                            target.sample_tid = tid
                                            target.sample_at = monotonic()
                                        if target.state == "running":
                                            target.proc.tuples.append(fmt % (tid, out))
                                            dirty.add(target)
                                        else:
                                            target.held.append(fmt % (tid, out))
                                        delivered += 1
                                    continue
                    elif raw.startswith(_ACK_HEAD) and raw.endswith(b'"}'):
                        entry = pop(raw[_ACK_HEAD_LEN:-2], None)
                        if entry is not None:  # the message was exactly an ack of ours
                            acked += 1
                            r = entry[0]
                            if type(r) is int:
                                tree = pending.get(r)
                                if tree is not None:
                                    tree.val ^= entry[1]
                                    if not tree.val:
                                        del pending[r]
                                        tree_done(tree, True, now)
                            elif r is not None:
                                self._ack_entry(entry, now)
                            continue
                    self.bolt_message(task, raw, now)
            finally:
                if emitted:
                    task.cs.emitted += emitted
                    task.emitted += emitted
                if delivered:
                    task.cs.transferred += delivered
                    task.transferred += delivered
                    consumer_cs = route.consumer_cs if route is not None else None
                    if consumer_cs is not None:
                        consumer_cs.executed += delivered
        finally:
            if acked:
                task.cs.acked += acked
                task.acked += acked
            sampled = task.sample_tid
            if sampled is not None and sampled not in inputs:
                task.sample_done(now)

    def bolt_message(self, task: Task, raw: bytes, now: float) -> None:
        """One bolt message parsed and checked in full."""
        msg = self.parse(raw)
        cmd = msg.get("command")
        if cmd == "emit":
            self.bolt_emit(task, msg)
        elif cmd == "ack":
            tid = msg.get("id")
            entry = task.inputs.pop(tid.encode(), None) if type(tid) is str else None
            if entry is None:
                raise TaskFailure(f"Acked a non-existent or already acked/failed id: {tid}")
            task.cs.acked += 1
            task.acked += 1
            self._ack_entry(entry, now)
        elif cmd == "sync":
            pass
        elif cmd == "fail":
            tid = msg.get("id")
            entry = task.inputs.pop(tid.encode(), None) if type(tid) is str else None
            if entry is None:
                raise TaskFailure(f"Failed a non-existent or already acked/failed id: {tid}")
            task.cs.failed += 1
            task.failed += 1
            if task.sample_tid == str(tid).encode():
                task.sample_tid = None  # a failed tuple has no process latency
            for r in entry_roots(entry):
                tree = self.acker.fail(r)
                if tree is not None:
                    self.tree_done(tree, False, now)
        else:
            self.other_command(task, msg, cmd)

    def bolt_emit(self, task: Task, msg: dict) -> None:
        """Route one bolt emit, anchoring every delivered tuple into its inputs' trees."""
        stream, values, route, targets, need_ids = self._targets(task, msg)
        anchors = msg.get("anchors")
        anchor_entries = None
        if anchors:
            if type(anchors) is str:
                anchors = [anchors]
            inputs = task.inputs
            anchor_entries = []
            for a in anchors:
                if type(a) is not str:
                    raise TaskFailure(f"anchor ids must be strings, got {a!r}")
                entry = inputs.get(a.encode())
                if entry is None:
                    raise TaskFailure(f"Anchored onto {a} after ack/fail")
                if entry[0] is not None:
                    anchor_entries.append(entry)
        task.cs.emitted += 1
        task.emitted += 1
        if targets:
            task.cs.transferred += len(targets)
            task.transferred += len(targets)
            self._deliver(targets, route.fmt, self.pack_values(values), None, anchor_entries)
        if need_ids is not False:
            task.proc.ctl.append(self.task_ids_message(targets))
            self.dirty.add(task)
