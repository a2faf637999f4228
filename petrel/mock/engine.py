"""The in-process topology engine: tasks, routing with Storm's groupings, tuple trees, ticks.

Every task is a real component instance attached to a ``TaskCollector`` (the runtime's
collector seam, see ``petrel.runtime``), so emits are checked, BasicBolts anchor and ack,
and user errors are handled by the same code as on a worker. The engine numbers tasks,
builds handshake contexts and merges component config with the local runner's functions,
and picks fields-grouping targets with the runner's hash, so a value reaches the same task
index in both. Values travel as the JSON bytes the component produced and are decoded
once per delivery: a bolt receives exactly what Storm would hand it. Values JSON gives
back unchanged (ASCII str, int, finite float, None) skip the encoding: each receiving
task gets a copy of the list (``petrel.mock.quick``).

Scheduling is deterministic: deliveries are processed first-in first-out; when none are
queued, pending spout acks and fails are delivered, then each spout that is still
producing gets one ``nextTuple`` call. A spout stops producing when a call emits nothing
(it starts again after an ack or fail reaches it; with ``spout_timeout`` it is polled
until its limit or the time passes) or when it reaches its emit limit.
Tuple trees are tracked by counting, per spout tuple, the deliveries not yet acked.

Emits are recorded raw (tuple id, stream, JSON bytes or a tuple of plain values, anchors,
message id, direct task); results decode them only when read. A stream with a single
subscribing task (every link of ``run_simple_topology``'s chain) and a bolt stream nobody
subscribes to skip the groupers, and their commonest emits arrive through the
collector's ``quick_emit`` (``petrel.mock.quick``); ``Engine.emit`` is the general path,
and all give the same run. A BasicBolt task keeps the trees of the one input it is
processing (``Task.roots``), a Bolt task those of every input it still holds.
"""

from __future__ import annotations

import collections
import itertools
import random
import time
from typing import Any, Callable, Deque, Dict, Iterable, Iterator, List, Mapping, Optional, Tuple

from petrel import storm as _facade
from petrel.emitter import Bolt, Spout
from petrel.mock.errors import MockError
from petrel.mock.quick import QuickEmit, quick_emitter
from petrel.mock.spout import MockSpout
from petrel.mock.taskstate import (
    Roots,
    Route,
    Task,
    TaskCollector,
    Tree,
    collections_paused,
    component_copies,
    make_tick,
)
from petrel.runtime.failures import ON_ERROR_KEY, FatalComponentError
from petrel.runtime.outputs import InvalidEmit
from petrel.runtime.protocol import decode, encode
from petrel.runtime.tuples import Tuple as StormTuple
from petrel.semantics.groupings import make_grouper
from petrel.semantics.layout import (
    acker_count,
    assign_tasks,
    build_context,
    component_conf,
    topology_conf,
)
from petrel.topology.model import TopologyDef

try:  # orjson's loads straight, when present (the runtime's decode wraps it)
    from orjson import loads
except ImportError:  # pragma: no cover - without orjson
    loads = decode

TICK_CONF = "topology.tick.tuple.freq.secs"
# A spout not bounded by max_spout_emits (a MockSpout is bounded by its rows) must stop
# emitting within these limits, or the run stops with an error asking for max_spout_emits.
SPOUT_EMIT_LIMIT = 10_000
SPOUT_TIME_LIMIT_S = 10.0
# Message ids of these types come back from JSON unchanged; others make the round trip.
_JSON_SCALARS = (int, str, float, bool)
_NO_TARGETS: List[int] = []


def _carried(encoded: bytes) -> Any:
    """The values a bolt receives: decoded from the JSON the component emitted."""
    try:
        return loads(encoded)
    except ValueError:  # e.g. an integer beyond 64 bits, which only json parses
        return decode(encoded)


# With spout_timeout: the pause after a round of nextTuple calls that emitted nothing.
SPOUT_POLL_S = 0.001

# Deliveries in one run before a cycle in the topology is suspected.
DELIVERY_LIMIT = 20_000_000

ON_ERROR_CHOICES = ("raise", "continue")


class Engine:
    """Runs a TopologyDef in-process with one component object per task (see module doc).

    ``instances`` maps each component id to the object create.py declared;
    ``task_objects`` gives ready-made objects, one per task, for some ids instead.
    ``conf`` is the topology config; ``initialize`` False skips ``initialize`` (old
    Petrel's ``config=None``). ``on_error`` 'raise' stops the run with
    MockError at the first exception in user code; 'continue' logs, reports and fails the
    tuple as a worker does. ``max_spout_emits`` is per spout task (an int for every spout
    or {spout_id: n}). ``spout_timeout`` (seconds) keeps calling spouts that emit nothing
    until they reach ``max_spout_emits`` or the time passes (``run_spouts``).
    ``ack_unrouted`` False keeps a reliable spout tuple that reaches no task pending
    (MockTask lets the test ack or fail it) instead of acking it at once.
    """

    def __init__(self, topology: TopologyDef, instances: Mapping[str, Any],
                 conf: Optional[Mapping[str, Any]] = None, *, initialize: bool = True,
                 on_error: str = "raise", max_spout_emits: Any = None, seed: int = 0,
                 name: str = "mock",
                 task_objects: Optional[Mapping[str, List[Any]]] = None,
                 ack_unrouted: bool = True, spout_timeout: Optional[float] = None) -> None:
        if on_error not in ON_ERROR_CHOICES:
            raise MockError(f"on_error={on_error!r}: use 'raise' (stop at the first error in "
                            f"a component) or 'continue' (fail the tuple and go on, as Storm)")
        if spout_timeout is not None and (isinstance(spout_timeout, bool) or not isinstance(
                spout_timeout, (int, float)) or not spout_timeout > 0):
            raise MockError(f"spout_timeout={spout_timeout!r}: give the seconds to keep "
                            f"calling nextTuple of spouts that emit nothing (a number > 0), "
                            f"or None to stop a spout at its first empty call")
        self.spout_timeout = spout_timeout
        self.spout_deadline: Optional[float] = None     # set when the spouts start
        self.topology = topology
        self.user_conf = dict(conf or {})
        self.initialize = initialize
        self.on_error = on_error
        self.rng = random.Random(seed)
        self.queue: Deque[Tuple[Task, StormTuple, Optional[Roots]]] = collections.deque()
        # Tuple ids from a counter, in emit order: a delivered tuple has it as a str, the
        # record of a tuple nobody receives keeps the number (cheaper than its text).
        self.ids: Iterator[int] = itertools.count(1)
        self.trees: List[Tree] = []                        # every spout tuple tree, in order
        self.tree_log: List[Tree] = []                     # finished trees, in that order
        self.deliveries = 0
        self.started_at = 0.0
        self.acking = acker_count(self.user_conf) > 0
        self.ack_unrouted = ack_unrouted
        self.layout = assign_tasks(topology, self.user_conf)
        self.base_conf = topology_conf(self.user_conf, name, f"{name}-1-0")
        self.tasks: Dict[int, Task] = {}
        self.by_component: Dict[str, List[Task]] = {}
        self.spouts: List[Task] = []
        self._build(instances, task_objects or {}, max_spout_emits)
        self._previous_current: Any = None

    # ------------------------------------------------------------------ set-up
    def _build(self, instances: Mapping[str, Any], task_objects: Mapping[str, List[Any]],
               max_spout_emits: Any) -> None:
        topo = self.topology
        layout_tasks = self.layout.component_tasks
        copied = {cid: obj for cid, obj in instances.items() if cid not in task_objects}
        objects = component_copies(topo, copied, layout_tasks)
        objects.update(task_objects)
        limits = self._emit_limits(max_spout_emits)
        for cid, comp in topo.components.items():
            cconf = component_conf(self.base_conf, comp.conf)
            tick = cconf.get(TICK_CONF)
            tasks = []
            for index, task_id in enumerate(layout_tasks[cid]):
                component = objects[cid][index]
                self._check_kind(cid, comp.kind, component)
                task = Task(task_id, cid, index, comp.kind, component)
                task.conf = cconf
                task.context = build_context(topo, self.layout, task_id)
                if comp.kind == "bolt" and tick:
                    task.tick_secs = int(tick)
                if comp.kind == "spout":
                    task.max_emits = limits.get(cid)
                    task.bounded = (task.max_emits is not None or self.spout_timeout is not None
                                    or isinstance(component, MockSpout))
                    self.spouts.append(task)
                self.tasks[task_id] = task
                tasks.append(task)
            self.by_component[cid] = tasks
        for task in self.tasks.values():
            self._build_routes(task)

    def _emit_limits(self, max_spout_emits: Any) -> Dict[str, Optional[int]]:
        spouts = list(self.topology.spouts)
        if max_spout_emits is None:
            return {}
        if isinstance(max_spout_emits, Mapping):
            unknown = [k for k in max_spout_emits if k not in spouts]
            if unknown:
                raise MockError(f"max_spout_emits names {unknown}, which are not spouts of the "
                                f"topology; spouts: {spouts}")
            limits = dict(max_spout_emits)
        else:
            limits = {cid: max_spout_emits for cid in spouts}
        for cid, value in limits.items():
            if value is not None and (not isinstance(value, int) or isinstance(value, bool)
                                      or value < 0):
                raise MockError(f"max_spout_emits for spout '{cid}' must be a whole number "
                                f"of tuples (>= 0), got {value!r}")
        return limits

    @staticmethod
    def _check_kind(cid: str, kind: str, component: Any) -> None:
        if kind == "spout" and isinstance(component, Spout):
            return
        if kind == "bolt" and isinstance(component, Bolt):
            return
        what = type(component).__name__
        if kind == "spout":
            raise MockError(f"spout '{cid}' is a {what}, which petrel.mock cannot run "
                            f"in-process; give its tuples with spout_data={{'{cid}': rows}} "
                            f"(or test it with the local runner)")
        raise MockError(f"bolt '{cid}' is a {what}, which petrel.mock cannot run in-process "
                        f"(only petrel Bolt/BasicBolt subclasses); test it with the local "
                        f"runner, 'petrel submit'")

    def _build_routes(self, task: Task) -> None:
        topo = self.topology
        comp = topo.components[task.component_id]
        for stream_id, sdef in comp.streams.items():
            route = Route(stream_id, list(sdef.fields))
            route.direct = sdef.direct
            for consumer, grouping in topo.subscribers(comp.id, stream_id).items():
                targets = self.layout.component_tasks[consumer]
                if grouping.kind == "direct":
                    route.direct_components[consumer] = True
                    continue
                route.direct_components[consumer] = False
                if grouping.kind.startswith("custom"):
                    raise MockError(f"bolt '{consumer}' subscribes to '{comp.id}' with a custom "
                                    f"Java grouping, which petrel.mock cannot run; test it with "
                                    f"the local runner or use a built-in grouping")
                route.groupers.append(make_grouper(grouping.kind, targets, sdef.fields,
                                                   grouping.fields, self.rng))
            consumers = list(route.direct_components)
            if not route.direct and len(consumers) == 1 and not route.direct_components[
                    consumers[0]] and len(self.layout.component_tasks[consumers[0]]) == 1:
                # Every regular grouping sends each tuple to the one task there is.
                route.only = self.tasks[self.layout.component_tasks[consumers[0]][0]]
            route.sink = not consumers
            task.routes[stream_id] = route

    # ------------------------------------------------------------------ start and stop
    def start(self) -> None:
        """Attach every task's component, call ``initialize``, activate the spouts."""
        self._previous_current = _facade._current
        self.started_at = time.monotonic()
        try:
            for task in self.tasks.values():
                attach_conf = task.conf
                if self.on_error == "raise":
                    attach_conf = dict(task.conf)
                    attach_conf[ON_ERROR_KEY] = "exit"
                task.component.attach(TaskCollector(self, task), attach_conf, task.context)
            if self.initialize:
                for task in self.tasks.values():
                    _facade._current = task.component
                    try:
                        task.component.initialize(dict(task.conf), task.context)
                    except Exception as exc:
                        raise MockError(f"{task.label} ({type(task.component).__name__}): "
                                        f"initialize() raised {type(exc).__name__}: "
                                        f"{exc}") from exc
            for task in self.spouts:
                self.call(task, task.component.deliver_activate)
        except BaseException:
            self.restore()  # the caller never gets an engine to close: let go of the facade
            raise

    def finish(self) -> None:
        """Deactivate the spouts and restore ``petrel.storm``'s current component."""
        try:
            for task in self.spouts:
                self.call(task, task.component.deliver_deactivate)
            self.drain()
        finally:
            self.restore()

    def restore(self) -> None:
        """Give ``petrel.storm`` back the component it had before the run."""
        _facade._current = self._previous_current

    # ------------------------------------------------------------------ errors
    def call(self, task: Task, method: Callable[..., None], *args: Any) -> None:
        """Call a ``deliver_*`` method of ``task``'s component; MockError when it must stop."""
        try:
            method(*args)
        except FatalComponentError as exc:
            raise self._failure(task, exc) from (exc.__context__ or exc)

    def _failure(self, task: Task, exc: FatalComponentError) -> MockError:
        """MockError for an exception in user code (already logged and reported)."""
        report = task.errors[-1] if task.errors else str(exc)
        lines = report.splitlines()
        # The report's first lines say what, where and which tuple; the traceback is
        # chained to the MockError, so it is not repeated in the message.
        head = [ln for ln in lines[:3] if not ln.startswith("Traceback")]
        hint = ("(petrel.mock stops at the first error; pass on_error='continue' to fail the "
                "tuple and go on as a Storm worker does)" if self.on_error == "raise" else
                f"(the config sets {ON_ERROR_KEY}: exit, so the task stopped)")
        return MockError(f"{task.label} ({type(task.component).__name__}): "
                         + "\n".join(head) + "\n" + hint)

    # ------------------------------------------------------------------ the collector side
    def _targets(self, task: Task, route: Route, values: Any, direct: Any) -> List[int]:
        if direct is not None:
            return self._direct_targets(task, route, direct)
        if route.direct:
            raise InvalidEmit(f"{task.label}: stream '{route.stream}' is a direct stream; emit "
                              f"on it with emitDirect(task, values) or directTask=...")
        targets: List[int] = []
        for grouper in route.groupers:
            targets += grouper(values)
        return targets

    def emit(self, task: Task, stream: str, values: Any, encoded: bytes,
             anchors: Optional[List[str]], msg_id: Any, direct: Optional[int],
             need_task_ids: bool) -> Optional[List[int]]:
        """Route one emit of ``task`` (values already checked and encoded by the component).

        The general path: any grouping, several subscribers, direct emits. The collectors'
        closures (``emitter``) take the common cases themselves and call this otherwise.
        """
        route = task.routes[stream]
        if route.groupers or direct is not None or route.direct:
            values = _carried(encoded)
            targets = self._targets(task, route, values, direct)
        else:
            # Nobody subscribes: nothing to decode (the results decode the record).
            targets = _NO_TARGETS
        key = next(self.ids)
        roots: Optional[Roots] = None
        if task.kind == "spout":
            if msg_id is not None:
                if type(msg_id) not in _JSON_SCALARS:
                    msg_id = decode(encode(msg_id))  # what JSON carried comes back
                roots = self._new_tree(task, msg_id, len(targets))
            task.spout_emits += 1
        elif anchors:  # its anchors' trees wait for one more ack per target
            roots = self._roots_of(task, anchors)
            if roots and targets:
                extra = len(targets)
                for tree in roots:
                    tree.count += extra
        if targets:
            key = str(key)  # the id the receiving tasks see
        task.emits.append((key, stream, encoded, anchors, msg_id, direct))
        if targets:
            queue_append = self.queue.append
            tasks = self.tasks
            component_id, task_id, fields = task.component_id, task.id, route.fields
            queue_append((tasks[targets[0]],
                          StormTuple(key, component_id, stream, task_id, values, fields),
                          roots))
            for target_id in targets[1:]:  # each task gets its own copy of the values
                queue_append((tasks[target_id],
                              StormTuple(key, component_id, stream, task_id,
                                         _carried(encoded),
                                         fields),
                              roots))
        if need_task_ids and direct is None:
            return list(targets)
        return None

    def emitter(self, task: Task) -> Callable[..., Optional[List[int]]]:
        """The emit function of ``task``'s collector (``Collector.emit``'s arguments).

        A closure over what it needs, built once per task: it runs for every tuple of a
        run. It takes the common cases itself (a stream with one subscribing task, or a
        bolt's stream nobody subscribes to) and hands the rest to ``emit``. Each delivery
        gets values decoded once from the JSON the component produced (what Storm
        carries, not the objects emitted).
        """
        routes = task.routes
        records_append = task.emits.append
        queue_append = self.queue.append
        ids = self.ids
        component_id = task.component_id
        task_id = task.id
        general = self.emit
        new_tree = self._new_tree
        roots_of = self._roots_of
        spout = task.kind == "spout"

        def emit(stream: str, values: Any, encoded: bytes, anchors: Optional[List[str]],
                 msg_id: Any, direct: Optional[int],
                 need_task_ids: bool) -> Optional[List[int]]:
            route = routes[stream]
            target = route.only
            if target is None or direct is not None:
                if route.sink and direct is None and not spout:
                    records_append((next(ids), stream, encoded, anchors, msg_id, None))
                    return [] if need_task_ids else None
                return general(task, stream, values, encoded, anchors, msg_id, direct,
                               need_task_ids)
            key = str(next(ids))
            roots: Optional[Roots] = None
            if spout:
                task.spout_emits += 1
                if msg_id is not None:
                    if type(msg_id) not in _JSON_SCALARS:
                        msg_id = decode(encode(msg_id))  # what JSON carried comes back
                    roots = new_tree(task, msg_id, 1)
            elif anchors:  # its anchors' trees wait for one more ack
                roots = roots_of(task, anchors)
                if roots:
                    for tree in roots:
                        tree.count += 1
            records_append((key, stream, encoded, anchors, msg_id, None))
            queue_append((target, StormTuple(key, component_id, stream, task_id,
                                             _carried(encoded), route.fields), roots))
            return [target.id] if need_task_ids else None

        return emit

    def quick_emitter(self, task: Task) -> Optional[QuickEmit]:
        """The ``quick_emit`` of ``task``'s collector (see ``petrel.mock.quick``)."""
        return quick_emitter(self, task)

    def _new_tree(self, task: Task, msg_id: Any, targets: int) -> Optional[Roots]:
        """Start the tree of a reliable spout tuple; its roots for the deliveries."""
        if not targets:
            if not self.ack_unrouted:
                return None
        elif self.acking:
            tree = Tree(task, msg_id, targets)
            self.trees.append(tree)
            return (tree,)
        # No acker, or nobody subscribes: Storm acks the spout tuple at once.
        self._tree_done(Tree(task, msg_id, 0), True)
        return None

    @staticmethod
    def _roots_of(task: Task, anchors: List[str]) -> Optional[Roots]:
        """The trees of the inputs ``anchors`` names (each tree once)."""
        if not task.keeps_inputs:  # a BasicBolt anchors to the input being processed only
            return task.roots
        inputs = task.inputs
        if len(anchors) == 1:
            return inputs.get(anchors[0])
        found: Dict[Tree, None] = {}
        for anchor in anchors:
            for tree in inputs.get(anchor, ()):
                found[tree] = None
        return tuple(found) or None

    def _direct_targets(self, task: Task, route: Route, direct: Any) -> List[int]:
        if not isinstance(direct, int) or isinstance(direct, bool):
            raise InvalidEmit(f"{task.label}: emitDirect needs an integer task id, "
                              f"got {direct!r}")
        target = self.tasks.get(direct)
        subscribed = route.direct_components.get(target.component_id) \
            if target is not None else None
        if subscribed is None:
            direct_ids = [t.id for cid, d in route.direct_components.items() if d
                          for t in self.by_component[cid]]
            raise InvalidEmit(
                f"{task.label} emitted directly to task {direct}, which does not subscribe to "
                f"stream '{route.stream}' (Storm would drop the tuple); tasks subscribed with "
                f"directGrouping: {direct_ids or 'none'}")
        if not subscribed:
            raise InvalidEmit(
                f"{task.label} emitted directly to task {direct} ('{target.component_id}'), "
                f"which subscribes to stream '{route.stream}' with a regular grouping; "
                f"subscribe with directGrouping or use a plain emit")
        return [direct]

    def ack_input(self, task: Task, tuple_id: Any) -> None:
        """A bolt acked an input: its trees wait for one delivery fewer."""
        self.acker(task)(tuple_id)

    def acker(self, task: Task) -> Callable[[Any], None]:
        """The ack function of ``task``'s collector (a closure: it runs for every tuple)."""
        acked_append = task.acked.append
        tree_done = self._tree_done
        if task.keeps_inputs:
            inputs_pop = task.inputs.pop

            def ack_kept(tuple_id: Any) -> None:
                acked_append(tuple_id)
                roots = inputs_pop(tuple_id, None)
                if roots:
                    for tree in roots:
                        tree.count -= 1
                        if tree.count <= 0 and tree.live:
                            tree_done(tree, True)

            return ack_kept

        def ack(tuple_id: Any) -> None:  # the input being delivered (see Task.roots)
            acked_append(tuple_id)
            roots = task.roots
            if roots:
                task.roots = None
                for tree in roots:
                    tree.count -= 1
                    if tree.count <= 0 and tree.live:
                        tree_done(tree, True)

        return ack

    def fail_input(self, task: Task, tuple_id: Any) -> None:
        """A bolt failed an input: its trees fail (later acks of them are ignored)."""
        task.failed.append(tuple_id)
        if task.keeps_inputs:
            roots = task.inputs.pop(tuple_id, None)
        else:
            roots, task.roots = task.roots, None
        if roots:
            for tree in roots:
                if tree.live:
                    self._tree_done(tree, False)

    def _tree_done(self, tree: Tree, acked: bool) -> None:
        tree.live = False
        tree.acked = acked
        self.tree_log.append(tree)
        tree.spout.commands.append(tree)

    # ------------------------------------------------------------------ running
    def deliver(self, target: Task, tup: StormTuple,
                roots: Optional[Roots] = None) -> None:
        """Queue one tuple for a bolt task (e.g. a tick tuple); ``drain`` delivers it."""
        self.queue.append((target, tup, roots))

    def drain(self) -> None:
        """Deliver queued tuples and spout acks/fails until nothing is left to deliver."""
        queue = self.queue
        popleft = queue.popleft
        while True:
            if queue:
                budget = DELIVERY_LIMIT - self.deliveries
                count = 0
                target = None
                try:
                    while queue:
                        target, tup, roots = popleft()
                        target.roots = roots
                        target.received.append(tup)
                        count += 1
                        if count > budget:
                            raise MockError(f"more than {DELIVERY_LIMIT} tuples delivered: does "
                                            f"the topology loop back on itself without end?")
                        target.deliver(tup)
                except FatalComponentError as exc:
                    raise self._failure(target, exc) from (exc.__context__ or exc)
                finally:
                    self.deliveries += count
            # Spouts' commands come only from deliveries (and from their own acks and
            # fails, which the same call delivers too): done unless those queued more.
            if not self._deliver_spout_commands() or not queue:
                return

    def _deliver_spout_commands(self) -> bool:
        delivered = False
        for task in self.spouts:
            commands = task.commands
            if not commands:
                continue
            spout = task.component
            try:
                while commands:
                    tree = commands.popleft()
                    if tree.acked:
                        spout.deliver_ack(tree.msg_id)
                    else:
                        spout.deliver_fail(tree.msg_id)
            except FatalComponentError as exc:
                raise self._failure(task, exc) from (exc.__context__ or exc)
            if task.max_emits is None or task.spout_emits < task.max_emits:
                task.producing = True  # an ack or fail may give a spout more to emit
            delivered = True
        return delivered

    def run_spouts(self) -> None:
        """Call ``nextTuple`` round robin until no spout produces, draining after each call.

        With ``spout_timeout``, a spout (other than a MockSpout) whose call emits nothing
        keeps being called, with a short sleep after each round in which no spout emitted,
        until it reaches its emit limit or the timeout passes.
        """
        spouts = self.spouts
        queue = self.queue
        deadline = self.spout_deadline
        if len(spouts) == 1 and deadline is None:
            return self._run_one_spout(spouts[0])
        while True:
            producing = [t for t in spouts if t.producing]
            if not producing:
                return
            emitted = False
            for task in producing:
                limit = task.max_emits
                before = task.spout_emits
                if limit is not None and before >= limit:
                    task.producing = False
                    continue
                try:
                    task.next_tuple()
                except FatalComponentError as exc:
                    raise self._failure(task, exc) from (exc.__context__ or exc)
                if task.spout_emits != before:
                    emitted = True
                    if not task.bounded:
                        self._check_unbounded(task)
                elif deadline is None or isinstance(task.component, MockSpout):
                    task.producing = False
                if queue or task.commands:
                    self.drain()
            if deadline is not None:
                if time.monotonic() >= deadline:
                    self._spout_timeout_passed()
                    return
                if not emitted:
                    time.sleep(SPOUT_POLL_S)

    def _run_one_spout(self, task: Task) -> None:
        """``run_spouts`` for the one spout of a topology, without ``spout_timeout``."""
        queue = self.queue
        commands = task.commands
        next_tuple = task.next_tuple
        limit = task.max_emits
        while task.producing:
            before = task.spout_emits
            if limit is not None and before >= limit:
                task.producing = False
                return
            try:
                next_tuple()
            except FatalComponentError as exc:
                raise self._failure(task, exc) from (exc.__context__ or exc)
            if task.spout_emits == before:
                task.producing = False
            elif not task.bounded:
                self._check_unbounded(task)
            if queue or commands:
                self.drain()

    def _spout_timeout_passed(self) -> None:
        """Stop every spout; MockError naming those short of their ``max_spout_emits``."""
        short = []
        for task in self.spouts:
            task.producing = False
            if task.max_emits is not None and task.spout_emits < task.max_emits:
                short.append(f"{task.label} ({type(task.component).__name__}) emitted "
                             f"{task.spout_emits} of max_spout_emits={task.max_emits}")
        if short:
            raise MockError("; ".join(short) + f" before spout_timeout={self.spout_timeout} s "
                            f"passed: give it more time (a larger spout_timeout), fewer "
                            f"tuples to wait for, or check what feeds the spout")

    def _check_unbounded(self, task: Task) -> None:
        elapsed = time.monotonic() - self.started_at
        if task.spout_emits >= SPOUT_EMIT_LIMIT or elapsed > SPOUT_TIME_LIMIT_S:
            raise MockError(
                f"{task.label} ({type(task.component).__name__}) was still emitting after "
                f"{task.spout_emits} tuples and {elapsed:.1f} s: petrel.mock calls nextTuple "
                f"until a call emits nothing, and this spout never stops; pass "
                f"max_spout_emits=N (or give its tuples with a MockSpout / spout_data)")

    def tick(self, counts: Mapping[str, int]) -> None:
        """Deliver ``counts[bolt_id]`` rounds of tick tuples to every task of each bolt."""
        rounds = max(counts.values(), default=0)
        for round_no in range(rounds):
            for cid, n in counts.items():
                if round_no >= n:
                    continue
                for task in self.by_component[cid]:
                    self.deliver(task, make_tick(str(next(self.ids)), task.tick_secs or 0))
            self.drain()
            self.run_spouts()

    def tick_counts(self, ticks: Any) -> Dict[str, int]:
        """{bolt_id: rounds} from ``ticks``: an int for every ticking bolt, or a dict."""
        ticking = [cid for cid, tasks in self.by_component.items()
                   if tasks and tasks[0].tick_secs]
        if ticks is None:
            return {}
        if isinstance(ticks, Mapping):
            counts = dict(ticks)
        elif isinstance(ticks, int) and not isinstance(ticks, bool):
            counts = {cid: ticks for cid in ticking}
        else:
            raise MockError(f"ticks={ticks!r}: give a number of tick rounds for every bolt with "
                            f"{TICK_CONF}, or {{bolt_id: rounds}}")
        for cid, n in counts.items():
            comp = self.topology.components.get(cid)
            if comp is None or comp.kind != "bolt":
                bolts = list(self.topology.bolts)
                raise MockError(f"ticks names '{cid}', which is not a bolt of the topology; "
                                f"bolts: {bolts}")
            if not isinstance(n, int) or isinstance(n, bool) or n < 0:
                raise MockError(f"ticks for bolt '{cid}' must be a whole number, got {n!r}")
            if cid not in ticking:
                raise MockError(f"bolt '{cid}' has no {TICK_CONF}, so Storm never sends it tick "
                                f"tuples; return it from getComponentConfiguration() or set it "
                                f"with addConfiguration() in create.py")
        return counts

    def run(self, ticks: Any = None) -> None:
        """Start, run the spouts to the end, deliver tick rounds, deactivate."""
        counts = self.tick_counts(ticks)
        with collections_paused():
            try:
                self.start()
                if self.spout_timeout is not None:
                    self.spout_deadline = time.monotonic() + self.spout_timeout
                self.drain()
                self.run_spouts()
                self.tick(counts)
                self.finish()
            finally:
                self.restore()

    # ------------------------------------------------------------------ queries
    def tasks_of(self, component_id: str) -> List[Task]:
        """The tasks of a component; MockError naming the components when unknown."""
        tasks = self.by_component.get(component_id)
        if tasks is None:
            raise MockError(f"no component '{component_id}' in the topology; components: "
                            f"{list(self.by_component)}")
        return tasks

    def pending_trees(self) -> Iterable[Tree]:
        """Spout tuples whose trees were neither fully acked nor failed."""
        return [tree for tree in self.trees if tree.live]
