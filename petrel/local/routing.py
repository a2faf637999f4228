"""What the runner does with each message a task writes: routing, acking, spout commands.

Emits are routed with Storm's groupings (D.3) and checked as a local-mode worker checks them
(A.8); acks and fails drive the XOR ack trees (D.4); a spout's ``sync`` releases its next
commands (A.7). This is the runner's hot path, so it works on whole read chunks, builds each
outgoing tuple from pre-encoded bytes and reads the clock once per chunk.
"""

from __future__ import annotations

import collections
import itertools
import time
from typing import TYPE_CHECKING, Any, Deque, Dict, List, Optional

from petrel.local.acker import Acker, Tree, rand64
from petrel.local.groupings import make_grouper
from petrel.local.stats import RunStats
from petrel.local.task import Route, Task, TaskFailure
from petrel.local.wire import END, dumps, is_empty, loads

if TYPE_CHECKING:  # pragma: no cover
    from petrel.local.runner import LocalRunner

SPOUT_MAX_IDLE_WAIT = 0.016   # longest back-off between 'next' calls of an idle spout
SPOUT_BATCH = 256             # most commands written to a spout before it has synced them
SPOUT_NEXTS_AHEAD = 2         # 'next' commands written before the first one is answered
LOG_LEVELS = {0: "TRACE", 1: "DEBUG", 2: "INFO", 3: "WARN", 4: "ERROR"}
NEXT_CMD = b'{"command":"next","id":""}\nend\n'
_TUPLE_END = b"}" + END
_SYNC = b'{"command":"sync"}'
# the fixed parts of the petrel runtime's usual ack and emit messages (the quick paths)
_ACK_HEAD = b'{"command":"ack","id":"'
_ACK_HEAD_LEN = len(_ACK_HEAD)
_EMIT_HEAD = b'{"command":"emit","anchors":["'
_EMIT_HEAD_LEN = len(_EMIT_HEAD)
_EMIT_TAIL = b',"need_task_ids":false}'
_EMIT_TAIL_LEN = len(_EMIT_TAIL)


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
        self.new_id = itertools.count(rand64(40)).__next__

    # ------------------------------------------------------------------ set-up
    def build_routes(self, task: Task) -> None:
        """The routes and pre-encoded tuple-message bytes of each stream of ``task``."""
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
            if len(route.groupers) == 1 and not route.has_direct:
                route.single = route.groupers[0]
            task.routes[stream_id] = route
            task.prefix[stream_id] = (
                b'","comp":' + dumps(comp.id) + b',"stream":' + dumps(stream_id)
                + b',"task":' + str(task.id).encode() + b',"tuple":')

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

    # ------------------------------------------------------------------ bolts
    def bolt_messages(self, task: Task, raws: List[bytes], now: float) -> None:
        """Handle every message a bolt task wrote in one read.

        The usual emit (a declared stream with one subscriber, no direct task, no task ids
        wanted) is handled inline; anything else goes through ``bolt_emit`` and its checks.
        """
        parse = self.parse
        inputs = task.inputs
        routes = task.routes
        prefix = task.prefix
        cs = task.cs
        xor = self.acker.xor
        pending = self.acker.pending
        tasks = self.tasks
        dirty = self.dirty
        new_id = self.new_id
        for raw in raws:
            if task.state != "running":
                if task.state == "starting":
                    self.runner.handshake_done(task, parse(raw))
                    continue
                return
            if raw.startswith(_ACK_HEAD) and raw.endswith(b'"}'):
                tid = raw[_ACK_HEAD_LEN:-2]
                if tid.isdigit():  # an id we made: the message is exactly this, no parse
                    entry = inputs.pop(tid, None)
                    if entry is None:
                        raise TaskFailure(f"Acked a non-existent or already acked/failed id: "
                                          f"{tid.decode()}")
                    cs.acked += 1
                    roots = entry[0]
                    if roots:
                        val = entry[1]
                        for r, edge in roots.items():
                            tree = pending.get(r)  # Acker.xor, inlined on this hot path
                            if tree is not None:
                                tree.val ^= edge ^ val
                                if not tree.val:
                                    del pending[r]
                                    self.tree_done(tree, True, now)
                    continue
            if raw.startswith(_EMIT_HEAD) and raw.endswith(_EMIT_TAIL):
                if self._quick_emit(task, raw):
                    continue
            try:
                msg = loads(raw)
            except ValueError:
                msg = parse(raw)
            if type(msg) is not dict:
                parse(raw)
            cmd = msg.get("command")
            if cmd == "emit":
                stream = msg.get("stream", "default")
                route = routes.get(stream) if type(stream) is str else None
                values = msg.get("tuple")
                if (route is None or route.single is None or type(values) is not list
                        or len(values) != route.nfields or msg.get("need_task_ids") is not False
                        or "task" in msg):
                    self.bolt_emit(task, msg)
                    continue
                targets = route.single(values)
                anchors = msg.get("anchors")
                anchor_entries = None
                if anchors:
                    if type(anchors) is str:
                        anchors = [anchors]
                    anchor_entries = []
                    for a in anchors:
                        entry = inputs.get(a.encode()) if type(a) is str else None
                        if entry is None:
                            self.bolt_emit(task, msg)  # raises the fitting TaskFailure
                        if entry[0]:
                            anchor_entries.append(entry)
                cs.emitted += 1
                if not targets:
                    continue
                cs.transferred += len(targets)
                head = prefix[stream]
                values_json = dumps(values)
                for t in targets:
                    roots = None
                    if anchor_entries:
                        roots = {}
                        for entry in anchor_entries:
                            edge = rand64(64)
                            entry[1] ^= edge
                            for r in entry[0]:
                                roots[r] = roots.get(r, 0) ^ edge
                    target = tasks[t]
                    tid = b"%d" % new_id()
                    target.inputs[tid] = [roots, 0]
                    data = b'{"id":"' + tid + head + values_json + _TUPLE_END
                    if target.state == "running":
                        target.proc.tuples.append(data)
                        dirty.add(target)
                    else:
                        target.held.append(data)
                    target.cs.executed += 1
            elif cmd == "ack":
                tid = msg.get("id")
                entry = inputs.pop(tid.encode(), None) if type(tid) is str else None
                if entry is None:
                    raise TaskFailure(f"Acked a non-existent or already acked/failed id: {tid}")
                cs.acked += 1
                roots = entry[0]
                if roots:
                    val = entry[1]
                    for r, edge in roots.items():
                        tree = xor(r, edge ^ val)
                        if tree is not None:
                            self.tree_done(tree, True, now)
            elif cmd == "sync":
                pass
            elif cmd == "fail":
                tid = msg.get("id")
                entry = inputs.pop(tid.encode(), None) if type(tid) is str else None
                if entry is None:
                    raise TaskFailure(f"Failed a non-existent or already acked/failed id: {tid}")
                cs.failed += 1
                if entry[0]:
                    for r in entry[0]:
                        tree = self.acker.fail(r)
                        if tree is not None:
                            self.tree_done(tree, False, now)
            else:
                self.other_command(task, msg, cmd)

    def _quick_emit(self, task: Task, raw: bytes) -> bool:
        """The petrel runtime's usual emit, taken apart as bytes; False to parse it instead.

        Its exact shape is ``{"command":"emit","anchors":["<digits>"],"tuple":<JSON>,
        "need_task_ids":false}`` on the default stream. The tuple's JSON is decoded on its
        own (which proves the whole message valid, since the rest is fixed text) and, when
        it is one plain ASCII line, passed on to the targets as it came.
        """
        i = raw.find(b'"],"tuple":', _EMIT_HEAD_LEN)
        anchor = raw[_EMIT_HEAD_LEN:i]
        if i < 0 or not anchor.isdigit():
            return False
        values_json = raw[i + 11:-_EMIT_TAIL_LEN]
        try:
            values = loads(values_json)
        except ValueError:
            return False
        route = task.routes.get("default")
        if (type(values) is not list or route is None or route.single is None
                or len(values) != route.nfields):
            return False
        entry = task.inputs.get(anchor)
        if entry is None:
            raise TaskFailure(f"Anchored onto {anchor.decode()} after ack/fail")
        targets = route.single(values)
        cs = task.cs
        cs.emitted += 1
        if not targets:
            return True
        cs.transferred += len(targets)
        if not values_json.isascii() or b"\n" in values_json:
            values_json = dumps(values)
        head = task.prefix["default"]
        tasks = self.tasks
        dirty = self.dirty
        new_id = self.new_id
        roots_of = entry[0]
        for t in targets:
            roots = None
            if roots_of:
                edge = rand64(64)
                entry[1] ^= edge
                roots = dict.fromkeys(roots_of, edge)
            target = tasks[t]
            tid = b"%d" % new_id()
            target.inputs[tid] = [roots, 0]
            data = b'{"id":"' + tid + head + values_json + _TUPLE_END
            if target.state == "running":
                target.proc.tuples.append(data)
                dirty.add(target)
            else:
                target.held.append(data)
            target.cs.executed += 1
        return True

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
                if entry[0]:
                    anchor_entries.append(entry)
        task.cs.emitted += 1
        if targets:
            task.cs.transferred += len(targets)
            head = task.prefix[stream]
            values_json = dumps(values)
            tasks = self.tasks
            new_id = self.new_id
            dirty = self.dirty
            for t in targets:
                roots = None
                if anchor_entries:
                    roots = {}
                    for entry in anchor_entries:
                        edge = rand64(64)
                        entry[1] ^= edge
                        for r in entry[0]:
                            roots[r] = roots.get(r, 0) ^ edge
                target = tasks[t]
                tid = b"%d" % new_id()
                target.inputs[tid] = [roots, 0]
                data = b'{"id":"' + tid + head + values_json + _TUPLE_END
                if target.state == "running":
                    target.proc.tuples.append(data)
                    dirty.add(target)
                else:
                    target.held.append(data)
                target.cs.executed += 1
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
                f"petrel: note: '{task.cid}' emits direct tuples; this works locally but "
                f"Storm 2.6+ workers crash on multilang direct emits unless "
                f"topology.worker.childopts has -DJSON_SMART_SIMPLE=true")
        return [direct]

    def fail_inputs(self, task: Task, now: float) -> int:
        """Fail the trees of every tuple a dead bolt task held; returns how many."""
        n = 0
        for entry in task.inputs.values():
            if entry[0]:
                for r in entry[0]:
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
        parse = self.parse
        synced = False
        for raw in raws:
            if task.state != "running":
                if task.state == "starting":
                    self.runner.handshake_done(task, parse(raw))
                    continue
                return
            if raw == _SYNC:
                msg = None
                cmd = "sync"
            else:
                try:
                    msg = loads(raw)
                except ValueError:
                    msg = parse(raw)
                if type(msg) is not dict:
                    parse(raw)
                cmd = msg.get("command")
            if cmd == "emit":
                self.spout_emit(task, msg, now)
            elif cmd == "sync":
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
            elif cmd in ("log", "error", "metrics"):
                self.other_command(task, msg, cmd)
            else:
                raise TaskFailure(f"Unknown command received: {cmd}")
        if synced and task.state == "running":
            # answer at once: the spout's round trip bounds the whole topology
            self.spout_command(task, now)
            if task.proc.ctl and task.proc.flush():
                self.dirty.discard(task)

    def spout_emit(self, task: Task, msg: dict, now: float) -> None:
        """Route one spout emit; a message id starts a tuple tree in the acker."""
        stream, values, route, targets, need_ids = self._targets(task, msg)
        task.cs.emitted += 1
        task.emits_in_command += 1
        msg_id = msg.get("id")
        tracked = msg_id is not None and self.acking
        root = self.acker.new_root() if tracked else 0
        xor = 0
        if targets:
            task.cs.transferred += len(targets)
            head = task.prefix[stream]
            values_json = dumps(values)
            tasks = self.tasks
            dirty = self.dirty
            for t in targets:
                roots = None
                if tracked:
                    edge = rand64(64)
                    xor ^= edge
                    roots = {root: edge}
                target = tasks[t]
                tid = b"%d" % self.new_id()
                target.inputs[tid] = [roots, 0]
                data = b'{"id":"' + tid + head + values_json + _TUPLE_END
                if target.state == "running":
                    target.proc.tuples.append(data)
                    dirty.add(target)
                else:
                    target.held.append(data)
                target.cs.executed += 1
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
        if need_ids is not False:
            task.proc.ctl.append(dumps(targets) + END)
            self.dirty.add(task)

    def spout_command(self, s: Task, now: float) -> Optional[float]:
        """Write the spout's queued commands and maybe a 'next'; returns a back-off deadline.

        Commands are pipelined: the acks and fails waiting for the spout go out together
        with a ``next`` in one write, and while a productive ``next`` is being answered the
        following one is already written. The spout answers each in order with its own
        ``sync``, exactly as if they had come one by one, but it never waits for the runner
        between them, and the process wake-ups are shared. Each ``next`` in flight counts as
        one more pending tuple, so max spout pending is not overshot more than on Storm.
        """
        if s.state != "running":
            return None
        inflight = s.inflight
        ahead = len(inflight)
        nexts = s.nexts_ahead
        if nexts >= SPOUT_NEXTS_AHEAD or (nexts and s.idle_nexts) or ahead >= SPOUT_BATCH:
            return None  # wait for syncs: pipeline only behind one productive 'next'
        wake = None
        parts = []
        commands = s.commands
        while commands and ahead + len(parts) < SPOUT_BATCH:
            parts.append(commands.popleft())
            inflight.append(False)
        if commands or self.runner.phase != "running" or not s.active or s.blockers:
            pass
        elif s.max_pending is not None and s.pending_trees + nexts >= s.max_pending:
            pass
        elif now < s.next_at:
            wake = s.next_at
        else:
            parts.append(NEXT_CMD)
            inflight.append(True)
            s.nexts_ahead = nexts + 1
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
