"""What the runner does with each message a task writes: routing, acking, spout commands.

Emits are routed with Storm's groupings (D.3) and checked as a local-mode worker checks them
(A.8); acks and fails drive the XOR ack trees (D.4); a spout's ``sync`` releases its next
commands (A.7). This is the runner's hot path: it works on whole read chunks, recognises the
petrel runtime's usual acks and emits by their bytes, passes a tuple's JSON on as it came
(checked once per distinct text, see ``_learn``), and reads the clock once per chunk.
"""

from __future__ import annotations

import collections
import itertools
import time
from typing import TYPE_CHECKING, Any, Callable, Deque, Dict, List, Optional

from petrel.local.acker import Acker, Tree, rand64
from petrel.local.groupings import make_grouper
from petrel.local.stats import RunStats
from petrel.local.task import Route, Task, TaskFailure
from petrel.local.wire import END, dumps, is_empty, loads

if TYPE_CHECKING:  # pragma: no cover
    from petrel.local.runner import LocalRunner

SPOUT_MAX_IDLE_WAIT = 0.016   # longest back-off between 'next' calls of an idle spout
SPOUT_BATCH = 256             # most commands written to a spout before it has synced them
SPOUT_NEXTS_AHEAD = 2         # 'next's a productive spout has in flight (1: Storm's strict order)
LOG_LEVELS = {0: "TRACE", 1: "DEBUG", 2: "INFO", 3: "WARN", 4: "ERROR"}
NEXT_CMD = b'{"command":"next","id":""}\nend\n'
MEMO_MAX_BYTES = 256          # longer tuple texts are checked every time (memory bound)
MEMO_MAX_ENTRIES = 4096       # a route's memo starts over when it holds this many
_TUPLE_END = b"}" + END
_SYNC = b'{"command":"sync"}'
# the fixed parts of the petrel runtime's usual messages (the quick paths)
_ACK_HEAD = b'{"command":"ack","id":"'
_ACK_HEAD_LEN = len(_ACK_HEAD)
_ACK_SEP = b'"}\n' + _ACK_HEAD          # between two acks joined with '\n'
_EMIT_HEAD = b'{"command":"emit","anchors":["'
_EMIT_HEAD_LEN = len(_EMIT_HEAD)
_EMIT_MID = b'"],"tuple":'
_EMIT_MID_LEN = len(_EMIT_MID)
_EMIT_TAIL = b',"need_task_ids":false}'
_EMIT_TAIL_LEN = len(_EMIT_TAIL)
_SPOUT_EMIT_HEAD = b'{"command":"emit","id":'
_SPOUT_EMIT_HEAD_LEN = len(_SPOUT_EMIT_HEAD)
_SPOUT_EMIT_MID = b',"tuple":'
_SPOUT_EMIT_MID_LEN = len(_SPOUT_EMIT_MID)


# What the runner keeps for each tuple a bolt task holds (``Task.inputs``, by tuple id) is an
# entry [roots, value]. roots None: the tuple is in no tree. roots an int: the root id of
# its one tree, and value its edge XOR the edges of the tuples anchored on it (what Storm's
# ack sends to the acker). roots a dict {root id: edge}: several trees, and value the XOR of
# the anchored tuples' edges alone.


def entry_roots(entry: list) -> Any:
    """The root ids of an input entry's trees."""
    roots = entry[0]
    if roots is None:
        return ()
    return (roots,) if type(roots) is int else roots


def entry_acks(entry: list) -> List[tuple]:
    """(root id, XOR value) for each tree an ack of this input entry completes an edge of."""
    roots = entry[0]
    if roots is None:
        return []
    if type(roots) is int:
        return [(roots, entry[1])]
    val = entry[1]
    return [(r, edge ^ val) for r, edge in roots.items()]


def tuple_ids(start: int) -> Callable[[], bytes]:
    """A function giving the next tuple id as ASCII digits, made 1024 at a time."""
    blocks = itertools.count(start, 1024)
    return itertools.chain.from_iterable(
        " ".join(map(str, range(b, b + 1024))).encode().split() for b in blocks).__next__


class Router:
    """Handles the messages of every task for one runner."""

    def __init__(self, runner: LocalRunner) -> None:
        self.runner = runner
        self.tasks: Dict[int, Task] = runner.tasks
        self.acker: Acker = runner.acker
        self.stats: RunStats = runner.stats
        self.dirty: set = runner.dirty
        self.acking = runner.acking
        self.first_ack_at: Optional[float] = None
        self.warned_direct: set = set()
        self.error_times: Dict[str, Deque[float]] = collections.defaultdict(collections.deque)
        # Tuple ids only need to be unique among a task's pending inputs: a counter is
        # enough and much cheaper than Storm's random longs (edge values stay random).
        self.new_tid = tuple_ids(rand64(40))

    # ------------------------------------------------------------------ set-up
    def build_routes(self, task: Task) -> None:
        """The routes and tuple-message formats of each stream of ``task``."""
        comp = task.comp
        topology = self.runner.topology
        component_tasks = self.runner.layout.component_tasks
        for stream_id, sdef in comp.streams.items():
            route = Route(stream_id, len(sdef.fields))
            for consumer, grouping in topology.subscribers(comp.id, stream_id).items():
                route.grouping_of[consumer] = grouping.kind
                if grouping.kind == "direct":
                    route.has_direct = True
                    route.direct_targets[consumer] = True
                    continue
                route.direct_targets[consumer] = False
                route.groupers.append(make_grouper(grouping.kind, component_tasks[consumer],
                                                   sdef.fields, grouping.fields))
                route.value_free = grouping.kind != "fields"
                route.consumer_cs = self.runner.stats.components.get(consumer)
            if len(route.groupers) == 1 and not route.has_direct:
                route.single = route.groupers[0]
            head = (b'{"id":"%s","comp":' + dumps(comp.id) + b',"stream":' + dumps(stream_id)
                    + b',"task":' + str(task.id).encode() + b',"tuple":')
            route.fmt = head.replace(b"%", b"%%").replace(b'"id":"%%s"', b'"id":"%s"') \
                + b"%s" + _TUPLE_END
            task.routes[stream_id] = route

    # ------------------------------------------------------------------ parsing
    @staticmethod
    def parse(raw: bytes) -> dict:
        """One message as a dict, or TaskFailure worded as Storm's reader fails."""
        if is_empty(raw):
            raise TaskFailure("empty message (a line 'end' with no JSON before it)")
        try:
            msg = loads(raw)
        except ValueError as exc:
            text = raw[:300].decode("utf-8", "replace")
            raise TaskFailure(f"cannot parse the component's output as JSON ({exc}); "
                              f"read: {text!r}") from None
        if type(msg) is not dict:
            raise TaskFailure(f"a message must be a JSON object, got "
                              f"{raw[:300].decode('utf-8', 'replace')!r}")
        return msg

    def _learn(self, route: Route, values_json: bytes) -> Optional[tuple]:
        """Check a tuple's JSON text for the quick path; its memo entry, or None to parse.

        The text must be a JSON list as wide as the stream (local mode's check). What goes
        out is the text itself when it is one plain ASCII line, else its re-encoding (so
        U+2028/U+2029 are escaped). For a fields grouping the targets depend only on the
        values, so they are remembered too. Short texts are remembered: the next emit with
        the same bytes skips the decoding.
        """
        try:
            values = loads(values_json)
        except ValueError:
            return None
        if type(values) is not list or len(values) != route.nfields or route.single is None:
            return None
        out = values_json if values_json.isascii() and b"\n" not in values_json \
            else dumps(values)
        known = (out, None if route.value_free else route.single(values))
        if len(values_json) <= MEMO_MAX_BYTES:
            memo = route.memo
            if len(memo) >= MEMO_MAX_ENTRIES:
                memo.clear()
            memo[values_json] = known
        return known

    # ------------------------------------------------------------------ delivery
    def _deliver(self, targets: List[int], fmt: bytes, values_json: bytes,
                 anchor: Optional[list], anchors: Optional[List[list]] = None) -> None:
        """Queue one tuple for each target task, as an edge of the anchors' tuple trees.

        ``anchor`` is the one input entry ``[roots, ack value]`` the tuple is anchored to
        (a spout's emit passes a stand-in whose ack value collects the tree's first XOR),
        ``anchors`` several such entries; neither: an unanchored tuple.
        """
        tasks = self.tasks
        dirty = self.dirty
        new_tid = self.new_tid
        for t in targets:
            if anchor is not None:
                edge = rand64(64)
                anchor[1] ^= edge
                roots = anchor[0]
                child = [roots, edge] if type(roots) is int else [dict.fromkeys(roots, edge), 0]
            elif anchors:
                many: Dict[int, int] = {}
                for entry in anchors:
                    edge = rand64(64)
                    entry[1] ^= edge
                    for r in entry_roots(entry):
                        many[r] = many.get(r, 0) ^ edge
                child = list(many.popitem()) if len(many) == 1 else [many, 0]
            else:
                child = [None, 0]
            target = tasks[t]
            tid = new_tid()
            target.inputs[tid] = child
            if target.state == "running":
                target.proc.tuples.append(fmt % (tid, values_json))
                dirty.add(target)
            else:
                target.held.append(fmt % (tid, values_json))
            target.cs.executed += 1

    # ------------------------------------------------------------------ bolts
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
                        if route is not None and raw.endswith(_EMIT_TAIL):
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
                if delivered:
                    task.cs.transferred += delivered
                    route.consumer_cs.executed += delivered
        finally:
            if acked:
                task.cs.acked += acked

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
            self._ack_entry(entry, now)
        elif cmd == "sync":
            pass
        elif cmd == "fail":
            tid = msg.get("id")
            entry = task.inputs.pop(tid.encode(), None) if type(tid) is str else None
            if entry is None:
                raise TaskFailure(f"Failed a non-existent or already acked/failed id: {tid}")
            task.cs.failed += 1
            for r in entry_roots(entry):
                tree = self.acker.fail(r)
                if tree is not None:
                    self.tree_done(tree, False, now)
        else:
            self.other_command(task, msg, cmd)

    def _ack_entry(self, entry: list, now: float) -> None:
        """Apply an acked input's values to its trees."""
        for r, value in entry_acks(entry):
            tree = self.acker.xor(r, value)
            if tree is not None:
                self.tree_done(tree, True, now)

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
        if targets:
            task.cs.transferred += len(targets)
            self._deliver(targets, route.fmt, dumps(values), None, anchor_entries)
        if need_ids is not False:
            task.proc.ctl.append(dumps(targets) + END)
            self.dirty.add(task)


    def _targets(self, task: Task, msg: dict) -> tuple:
        """Check an emit as Storm does; (stream, values, route, target tasks, need_task_ids)."""
        stream = msg.get("stream")
        if stream is None:
            stream = "default"
        elif type(stream) is not str:
            raise TaskFailure(f"emit 'stream' must be a string, got {stream!r}")
        values = msg.get("tuple")
        if type(values) is not list:
            raise TaskFailure(f"emit without a 'tuple' list: {msg!r}")
        route = task.routes.get(stream)
        if route is None:
            raise TaskFailure(f"Unknown stream ID: {stream}")
        if len(values) != route.nfields:
            raise TaskFailure(f"Tuple created with wrong number of fields. Expected "
                              f"{route.nfields} fields but got {len(values)} fields "
                              f"(stream '{stream}')")
        need_ids = msg.get("need_task_ids", True)
        if need_ids is not True and need_ids is not False and need_ids is not None:
            raise TaskFailure(f"'need_task_ids' must be a boolean, got {need_ids!r}")
        direct = msg.get("task")
        if direct:
            return stream, values, route, self._direct_targets(task, route, direct), False
        if route.has_direct:
            raise TaskFailure("Cannot do regular emit to direct stream")
        groupers = route.groupers
        if len(groupers) == 1:
            targets = groupers[0](values)
        else:
            targets = []
            for g in groupers:
                targets += g(values)
        return stream, values, route, targets, need_ids

    def _direct_targets(self, task: Task, route: Route, direct: Any) -> List[int]:
        if not isinstance(direct, int) or isinstance(direct, bool):
            raise TaskFailure(f"emit 'task' must be an integer task id, got {direct!r}")
        target_cid = self.runner.layout.task_component.get(direct)
        if target_cid is None or target_cid not in route.direct_targets:
            return []  # not subscribed: dropped silently, as Storm does
        if not route.direct_targets[target_cid]:
            raise TaskFailure("Cannot emitDirect to a task expecting a regular grouping")
        if task.cid not in self.warned_direct:
            self.warned_direct.add(task.cid)
            self.runner.warn(
                f"petrel: note: '{task.cid}' emits direct tuples; this works locally, and "
                f"petrel submit NAME adds -DJSON_SMART_SIMPLE=true to "
                f"topology.worker.childopts, without which Storm 2.6+ workers crash on "
                f"multilang direct emits (petrel.json_smart_simple: false turns that off)")
        return [direct]

    def fail_inputs(self, task: Task, now: float) -> int:
        """Fail the trees of every tuple a dead bolt task held; returns how many."""
        n = 0
        for entry in task.inputs.values():
            for r in entry_roots(entry):
                tree = self.acker.fail(r)
                if tree is not None:
                    self.tree_done(tree, False, now)
            n += 1
        task.inputs.clear()
        task.held = []
        return n


    # ------------------------------------------------------------------ spouts
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
                inflight = task.inflight
                if inflight:  # a sync nobody asked for is ignored
                    if inflight.popleft():
                        task.nexts_ahead -= 1
                        if task.emits_in_command:
                            task.idle_nexts = 0
                        else:
                            task.idle_nexts += 1
                            task.next_at = now + min(
                                0.001 * (1 << min(task.idle_nexts - 1, 10)), SPOUT_MAX_IDLE_WAIT)
                    task.emits_in_command = 0
                    task.command_sent = now
                    synced = True
                continue
            if raw.startswith(_SPOUT_EMIT_HEAD) and raw.endswith(_EMIT_TAIL) \
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
        task.emits_in_command += 1
        self._spout_tuple(task, int(mid), targets or route.single(None), route, out, now)
        return True

    def spout_emit(self, task: Task, msg: dict, now: float) -> None:
        """Route one spout emit; a message id starts a tuple tree in the acker."""
        stream, values, route, targets, need_ids = self._targets(task, msg)
        task.cs.emitted += 1
        task.emits_in_command += 1
        self._spout_tuple(task, msg.get("id"), targets, route,
                          dumps(values) if targets else b"", now)
        if need_ids is not False:
            # the spout waits for this list before its sync: it cannot wait for the next command
            task.proc.ctl.append(dumps(targets) + END)
            self.dirty.add(task)

    def _spout_tuple(self, task: Task, msg_id: Any, targets: List[int], route: Route,
                     values_json: bytes, now: float) -> None:
        """Deliver a spout tuple; with a message id (and acking on) its tree starts now."""
        tracked = msg_id is not None and self.acking
        root = self.acker.new_root() if tracked else 0
        xor = 0
        if targets:
            task.cs.transferred += len(targets)
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
        parts = []
        commands = s.commands
        while commands and ahead + len(parts) < SPOUT_BATCH:
            parts.append(commands.popleft())
            inflight.append(False)
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
                parts += [NEXT_CMD] * room
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

    # ------------------------------------------------------------------ trees
    def tree_done(self, tree: Tree, ok: bool, now: float, count_pending: bool = True) -> None:
        """A tuple tree completed or failed: count it and queue the spout's ack/fail."""
        spout: Task = tree.spout
        if count_pending:
            spout.pending_trees -= 1
        cs = spout.cs
        mid = tree.msg_id
        mid_json = str(mid).encode() if type(mid) is int else dumps(mid)
        if ok:
            cs.acked += 1
            self.stats.spout_acked += 1
            cs.latency.add((now - tree.start) * 1000.0)
            if self.first_ack_at is None:
                self.first_ack_at = now
            cmd = b'{"command":"ack","id":' + mid_json + _TUPLE_END
        else:
            cs.failed += 1
            self.stats.spout_failed += 1
            cmd = b'{"command":"fail","id":' + mid_json + _TUPLE_END
        if spout.state == "running":
            spout.commands.append(cmd)

    # ------------------------------------------------------------------ other commands
    def other_command(self, task: Task, msg: dict, cmd: Any) -> None:
        """log, error, metrics and the commands Storm ignores or dies on."""
        runner = self.runner
        if cmd == "log":
            text = msg.get("msg")
            if not isinstance(text, str):
                raise TaskFailure(f"log 'msg' must be a string, got {text!r}")
            level = msg.get("level")
            name = LOG_LEVELS.get(level, "INFO") if type(level) is int else "INFO"
            runner.log(f"{name} ShellLog pid:{task.pid}, name:{task.cid} {text}")
            if level in (3, 4) and type(level) is int:
                print(f"petrel: {name} from {task.cid}[{task.id}]: {text}",
                      file=runner.opts.err, flush=True)
        elif cmd == "error":
            text = msg.get("msg")
            if not isinstance(text, str):
                raise TaskFailure(f"error 'msg' must be a string, got {text!r}")
            task.cs.errors += 1
            self.show_error(task, f"Shell Process Exception: {text}")
        elif cmd == "metrics":
            name = msg.get("name")
            raise TaskFailure(f"Could not find metric by name[{name}] (multilang metrics need a "
                              f"Java-registered IShellMetric; a Thrift shell component has none)")
        elif cmd is None:
            if "pid" in msg:
                raise TaskFailure("a pid reply arrived after the handshake (its first message "
                                  "was something else)")
            raise TaskFailure(f"a message without 'command': {msg!r}")
        elif not isinstance(cmd, str):
            raise TaskFailure(f"'command' must be a string, got {cmd!r}")
        # any other bolt command (reset_timeout, ...) is ignored, as Storm does

    def show_error(self, task: Task, text: str) -> None:
        """Log an error report and print it (at most 5 per 10 s per component, as Storm)."""
        runner = self.runner
        runner.log(f"ERROR reported by {task.cid}[{task.id}]: {text}")
        times = self.error_times[task.cid]
        now = time.monotonic()
        while times and now - times[0] > 10.0:
            times.popleft()
        if len(times) < 5:
            times.append(now)
            first = text.strip().splitlines() or [""]
            more = "" if len(first) == 1 else f" (+{len(first) - 1} lines in the log)"
            print(f"petrel: error reported by {task.cid}[{task.id}]: {first[0][:500]}{more}",
                  file=runner.opts.err, flush=True)
