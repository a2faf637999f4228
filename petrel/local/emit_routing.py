"""Emits as a local-mode worker checks and routes them, and their tuple-tree edges.

An emit is checked (stream, width, direct target) as Storm checks it, routed with Storm's
groupings (``petrel.semantics``), and each delivered tuple becomes an edge of the tuple
trees of its anchors (XOR values, ``petrel.semantics.acker``). ``_learn`` remembers the
tuple texts already checked, so the quick paths of the bolt and spout handlers skip the
decoding.
"""

from __future__ import annotations

from time import monotonic
from typing import Any, Callable, Dict, Iterable, List, Optional

from petrel.local.task import Route, Task, TaskFailure
from petrel.local.task_commands import TaskCommands
from petrel.local.wire import dumps, loads
from petrel.semantics.acker import entry_acks, entry_roots, rand64
from petrel.semantics.direct import DIRECT, NOT_A_TASK_ID, NOT_SUBSCRIBED, check_direct
from petrel.semantics.routes import regular_targets

MEMO_MAX_BYTES = 256          # longer tuple texts are checked every time (memory bound)
MEMO_MAX_ENTRIES = 4096       # a route's memo starts over when it holds this many


class EmitRouting(TaskCommands):
    """Checking, routing and delivering emits; acking and failing inputs' trees."""

    # Called with (task, stream, values) for every checked emit of a watched task: Storm's
    # topology.debug. None (the usual case) costs the general path one test, the quick
    # paths nothing: a watched task's emits never take them.
    show_emit: Optional[Callable[[Task, str, list], None]] = None

    def watch_emits(self, tasks: Iterable[Task], show: Callable[[Task, str, list], None]
                    ) -> None:
        """Call ``show`` with every emit ``tasks`` make, once checked (``topology.debug``)."""
        watched = {task.id for task in tasks}
        for tid in watched:
            for route in self.tasks[tid].routes.values():
                route.single = None   # no quick path: each emit is decoded and checked
        if not watched:
            return

        def show_watched(task: Task, stream: str, values: list) -> None:
            if task.id in watched:
                show(task, stream, values)

        self.show_emit = show_watched

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
        child: list
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
            if target.sample_tid is None:  # time this one (process latency)
                target.sample_tid = tid
                target.sample_at = monotonic()
            if target.state == "running":
                target.proc.tuples.append(fmt % (tid, values_json))
                dirty.add(target)
            else:
                target.held.append(fmt % (tid, values_json))
            target.cs.executed += 1

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
            targets = self._direct_targets(task, route, direct)
            need_ids = False
        elif route.has_direct:
            raise TaskFailure("Cannot do regular emit to direct stream")
        else:
            targets = regular_targets(route.groupers, values)
        if self.show_emit is not None:
            self.show_emit(task, stream, values)
        return stream, values, route, targets, need_ids

    def _direct_targets(self, task: Task, route: Route, direct: Any) -> List[int]:
        verdict = check_direct(direct, self.runner.layout.task_component, route.direct_targets)
        if verdict == NOT_A_TASK_ID:
            raise TaskFailure(f"emit 'task' must be an integer task id, got {direct!r}")
        if verdict == NOT_SUBSCRIBED:
            return []  # dropped silently, as Storm does
        if verdict != DIRECT:
            raise TaskFailure("Cannot emitDirect to a task expecting a regular grouping")
        if task.cid not in self.warned_direct:
            self.warned_direct.add(task.cid)
            self.runner.warn(
                f"petrel: note: '{task.cid}' emits direct tuples; this works locally, and "
                f"petrel submit NAME adds -DJSON_SMART_SIMPLE=true to "
                f"topology.worker.childopts, without which Storm 2.6+ workers crash on "
                f"multilang direct emits (petrel.json_smart_simple: false turns that off)")
        return [direct]

    def _ack_entry(self, entry: list, now: float) -> None:
        """Apply an acked input's values to its trees."""
        for r, value in entry_acks(entry):
            tree = self.acker.xor(r, value)
            if tree is not None:
                self.tree_done(tree, True, now)

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
        task.dropped_inputs += n
        task.sample_tid = None
        return n
