"""The runner's message handling when the topology speaks MessagePack (``petrel.serializer``).

A bolt's usual acks and emits come from the task's reader cut out by their bytes
(``msgpack_quick``): an ack is its tuple id, an emit anchored to one input its anchor id and
packed values, which go on as they came (the route remembers the targets of each distinct
values' bytes). A spout's usual emit (an unsigned integer message id) comes as its id and
packed values, which go on the same way; its other emits come decoded and are handled
straight from their dict. Either way the emit is on the default stream,
with one subscriber and no task ids wanted, and a tuple goes out as its stream's fixed
message with the tuple id and the packed values filled in (``msgpack_wire.tuple_format``).
Everything else takes the general path the JSON format uses too (``bolt_message``,
``spout_emit``), which checks each message as Storm does.
"""

from __future__ import annotations

from time import monotonic
from typing import Any, Dict, List, Optional, Tuple, cast

from petrel.local import msgpack_wire
from petrel.local.emit_routing import MEMO_MAX_BYTES, MEMO_MAX_ENTRIES
from petrel.local.msgpack_quick import SYNC_MESSAGE, TUPLE_KEY_LEN, message_of, unpack_one
from petrel.local.msgpack_wire import TUPLE_ID_DIGITS, MsgpackReader, packb
from petrel.local.router_base import RunnerHooks, tuple_ids
from petrel.local.routing import Router
from petrel.local.task import Route, Task, TaskFailure
from petrel.local.wire import StdoutReader
from petrel.runtime.msgpack_codec import describe
from petrel.semantics.acker import rand64
from petrel.topology.serializer import uses_msgpack

__all__ = ["MsgpackRouter", "router_for"]


def router_for(runner: RunnerHooks, conf: Dict[str, Any]) -> Router:
    """The router for the topology's serializer (``petrel.serializer``, checked at build time):
    JSON, Storm's default, or MessagePack."""
    return MsgpackRouter(runner) if uses_msgpack(conf) else Router(runner)


class MsgpackRouter(Router):
    """Handles the messages of every task, in MessagePack."""

    activate_cmd = msgpack_wire.ACTIVATE_CMD
    deactivate_cmd = msgpack_wire.DEACTIVATE_CMD
    next_cmd = msgpack_wire.NEXT_CMD
    fail_head = msgpack_wire.FAIL_HEAD
    command_id_json = staticmethod(msgpack_wire.command_id_json)

    def __init__(self, runner: RunnerHooks) -> None:
        super().__init__(runner)
        # every id has TUPLE_ID_DIGITS digits (about 8e12 of them before one more is needed)
        self.new_tid = tuple_ids(10 ** (TUPLE_ID_DIGITS - 1) + rand64(40))

    # ------------------------------------------------------------------ the wire
    @staticmethod
    def new_reader() -> StdoutReader:
        """A MessagePack reader for a task's stdout."""
        return MsgpackReader()

    @staticmethod
    def pack_values(values: Any) -> bytes:
        """A tuple's values as they go into a tuple message."""
        return packb(values)

    @staticmethod
    def handshake_message(setup: dict) -> bytes:
        """The handshake as a MessagePack map (its first byte tells the task the format)."""
        return packb(setup)

    @staticmethod
    def task_ids_message(targets: list) -> bytes:
        """The task ids an emit went to, as a MessagePack array."""
        return packb(targets)

    @staticmethod
    def heartbeat_message(tid: bytes) -> bytes:
        """Storm's heartbeat tuple for a bolt, in MessagePack."""
        return msgpack_wire.heartbeat(tid)

    @staticmethod
    def tick_message(tid: bytes, secs: int) -> bytes:
        """A tick tuple, in MessagePack."""
        return msgpack_wire.tick(tid, secs)

    @staticmethod
    def spout_ack_fail(ok: bool, mid: Any) -> bytes:
        """The ack (``ok``) or fail command for a spout's message id, in MessagePack."""
        return (msgpack_wire.ACK_HEAD if ok else msgpack_wire.FAIL_HEAD) + packb(mid)

    def build_routes(self, task: Task) -> None:
        """The routes of ``task``, each with its MessagePack tuple format."""
        super().build_routes(task)
        for stream_id, route in task.routes.items():
            route.fmt = msgpack_wire.tuple_format(task.cid, stream_id, task.id)

    @staticmethod
    def parse(raw: Any) -> dict:
        """A decoded message, which must be a map (a task never sends anything else)."""
        if type(raw) is not dict:
            raise TaskFailure(f"a message must be a MessagePack map, got "
                              f"{type(raw).__name__}: {describe(packb(raw))}")
        return raw

    # ------------------------------------------------------------------ bolts
    def bolt_messages(self, task: Task, raws: List[Any], now: float) -> None:
        """Handle every message a bolt task wrote in one read, in order."""
        if task.state != "running":
            if task.state != "starting":
                return
            self.runner.handshake_done(task, self.parse(raws[0]))
            raws = raws[1:]
            if not raws:
                return
        inputs = task.inputs
        pending = self.acker.pending
        tree_done = self.tree_done
        pop = inputs.pop
        route = task.routes.get("default")
        single = route.single if route is not None else None
        if route is not None and single is not None:
            fmt = route.fmt
            memo = cast(Dict[Any, tuple], route.memo)   # (packed values, targets) by their bytes
        tasks = self.tasks
        dirty = self.dirty
        new_tid = self.new_tid
        child: list
        acked = emitted = delivered = 0
        if not task.working and any(type(m) is not dict for m in raws):
            task.working = True   # an ack or emit cut out of the read answers a command
        try:
            for msg in raws:
                kind = type(msg)
                if kind is tuple and single is not None:   # (b"", anchor id, tuple and values)
                    entry = inputs.get(msg[1])
                    if entry is not None:  # anchored on one pending input of ours
                        known = memo.get(msg[2]) or _learn_packed(cast(Route, route), msg[2])
                        if known is not None:
                            packed, targets = known
                            if targets is None:  # shuffle and the like: a new pick each time
                                targets = single(None)
                            emitted += 1
                            r = entry[0]
                            for t in targets:   # _deliver, inlined on this hot path
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
                                    target.proc.tuples.append(fmt % (tid, packed))
                                    dirty.add(target)
                                else:
                                    target.held.append(fmt % (tid, packed))
                                delivered += 1
                            continue
                if kind is bytes:   # an ack's id, cut out of the read
                    entry = pop(msg, None)
                    if entry is not None:
                        acked += 1
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
                        continue
                elif kind is dict:
                    cmd = msg.get("command")
                    if cmd == "ack":
                        tid = msg.get("id")
                        entry = pop(tid.encode(), None) if type(tid) is str else None
                        if entry is not None:
                            acked += 1
                            self._ack_entry(entry, now)
                            continue
                self.bolt_message(task, message_of(msg), now)
        finally:
            cs = task.cs
            if acked:
                cs.acked += acked
                task.acked += acked
            if emitted:
                cs.emitted += emitted
                task.emitted += emitted
            if delivered:
                cs.transferred += delivered
                task.transferred += delivered
                consumer_cs = route.consumer_cs if route is not None else None
                if consumer_cs is not None:
                    consumer_cs.executed += delivered
            sampled = task.sample_tid
            if sampled is not None and sampled not in inputs:
                task.sample_done(now)

    # ------------------------------------------------------------------ spouts
    def spout_messages(self, task: Task, raws: List[Any], now: float) -> None:
        """Handle every message a spout task wrote in one read, then feed it commands."""
        if task.state != "running":
            if task.state != "starting":
                return
            self.runner.handshake_done(task, self.parse(raws[0]))
            raws = raws[1:]
        synced = False
        route = task.routes.get("default")
        single = route.single if route is not None else None
        for raw in raws:
            if raw is SYNC_MESSAGE:
                if task.inflight:  # a sync nobody asked for is ignored
                    self.spout_synced(task, now)
                    synced = True
                continue
            if type(raw) is tuple and single is not None and len(raw) == 2:
                # (message id, tuple key and values): an emit cut out of the read
                quick = cast(Route, route)
                known = quick.memo.get(raw[1]) or _learn_packed(quick, raw[1])
                if known is not None:
                    packed, targets = known
                    task.cs.emitted += 1
                    task.emitted += 1
                    task.emits_in_command += 1
                    self._spout_tuple(task, raw[0], targets or single(None), quick, packed, now)
                    continue
            msg = raw if type(raw) is dict else self.parse(message_of(raw))
            cmd = msg.get("command")
            if cmd == "sync":
                if task.inflight:  # a sync nobody asked for is ignored
                    self.spout_synced(task, now)
                    synced = True
            elif cmd == "emit":
                values = msg.get("tuple")
                if route is not None and single is not None and type(values) is list \
                        and len(values) == route.nfields and msg.get("need_task_ids") is False \
                        and msg.get("stream", "default") == "default" and not msg.get("task"):
                    value = values[0] if route.nfields == 1 else None
                    memo = cast(Dict[Any, tuple], route.memo)
                    known = memo.get(value) if type(value) is str else None
                    if known is None:
                        known = _learn_values(route, values)
                    packed, targets = known
                    if targets is None:  # shuffle and the like: a new pick each time
                        targets = single(None)
                    task.cs.emitted += 1
                    task.emitted += 1
                    task.emits_in_command += 1
                    self._spout_tuple(task, msg.get("id"), targets, route, packed, now)
                else:
                    self.spout_emit(task, msg, now)
            elif cmd in ("log", "error", "metrics"):
                self.other_command(task, msg, cmd)
            else:
                raise TaskFailure(f"Unknown command received: {cmd}")
        if synced and task.state == "running":
            # answer at once: the spout's round trip bounds the whole topology
            self.spout_command(task, now)
            if task.proc.ctl and task.proc.flush():
                self.dirty.discard(task)



def _learn_packed(route: Route, rest: bytes) -> Optional[Tuple[bytes, Optional[List[int]]]]:
    """(packed values, target tasks) of an emit on ``route``'s quick path, from the packed
    tuple key and values; None when the values are not a list of the stream's width (the
    general path says why).

    ``msgpack_quick.scan`` checked that the values are one whole MessagePack object. The
    targets are None when the grouping ignores the values (shuffle and the like): the caller
    then picks them anew for each emit. Short values are remembered per route by their bytes,
    so the next emit of the same values costs a lookup.
    """
    assert route.single is not None
    packed = rest[TUPLE_KEY_LEN:]
    values = unpack_one(packed)
    if type(values) is not list or len(values) != route.nfields:
        return None
    known = (packed, None if route.value_free else route.single(values))
    if len(rest) <= MEMO_MAX_BYTES:
        memo = cast(Dict[Any, tuple], route.memo)
        if len(memo) >= MEMO_MAX_ENTRIES:
            memo.clear()
        memo[rest] = known
    return known


def _learn_values(route: Route, values: list) -> Tuple[bytes, Optional[List[int]]]:
    """(packed values, target tasks) of a spout's checked emit on ``route``'s quick path.

    A one-field tuple of a short string is remembered per route by its value (only strings:
    1, 1.0 and True are equal keys but pack differently).
    """
    assert route.single is not None
    packed = packb(values)
    known = (packed, None if route.value_free else route.single(values))
    value = values[0] if route.nfields == 1 else None
    if type(value) is str and len(packed) <= MEMO_MAX_BYTES:
        memo = cast(Dict[Any, tuple], route.memo)
        if len(memo) >= MEMO_MAX_ENTRIES:
            memo.clear()
        memo[value] = known
    return known
