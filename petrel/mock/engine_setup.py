"""The mock engine's set-up: one task per component copy, routes, limits, user-code errors.

``EngineSetup`` holds what every part of the engine shares (``petrel.mock.engine`` lists the
parts): the task layout, conf and contexts (``petrel.semantics.layout``), each task's
routes (``petrel.semantics.routes``), the spouts' emit limits, and how an exception in user
code becomes a ``MockError``.
"""

from __future__ import annotations

import collections
import itertools
import random
from typing import Any, Callable, Deque, Dict, Iterator, List, Mapping, Optional, Tuple

from petrel import storm as _facade
from petrel.emitter import Bolt, Spout
from petrel.mock.errors import MockError, user_error
from petrel.mock.spout import MockSpout
from petrel.mock.taskstate import Roots, Route, Task, Tree, component_copies
from petrel.runtime.failures import ON_ERROR_KEY, FatalComponentError
from petrel.runtime.tuples import Tuple as StormTuple
from petrel.semantics.layout import (
    acker_count,
    assign_tasks,
    build_context,
    component_conf,
    topology_conf,
)
from petrel.semantics.routes import plan_stream
from petrel.semantics.ticks import tick_secs
from petrel.topology.model import TopologyDef

ON_ERROR_CHOICES = ("raise", "continue")


class EngineSetup:
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
            tick = tick_secs(comp.kind, cconf)
            tasks = []
            for index, task_id in enumerate(layout_tasks[cid]):
                component = objects[cid][index]
                self._check_kind(cid, comp.kind, component)
                task = Task(task_id, cid, index, comp.kind, component)
                task.conf = cconf
                task.context = build_context(topo, self.layout, task_id)
                task.tick_secs = tick
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
            for consumer, grouping in topo.subscribers(comp.id, stream_id).items():
                if grouping.kind.startswith("custom"):
                    raise MockError(f"bolt '{consumer}' subscribes to '{comp.id}' with a custom "
                                    f"Java grouping, which petrel.mock cannot run; test it with "
                                    f"the local runner or use a built-in grouping")
            plan = plan_stream(topo, self.layout, comp.id, stream_id, self.rng)
            route = Route(stream_id, plan.fields)
            route.direct = sdef.direct
            route.direct_components = plan.direct_of
            route.groupers = plan.groupers
            consumers = list(route.direct_components)
            if not route.direct and len(consumers) == 1 and not route.direct_components[
                    consumers[0]] and len(self.layout.component_tasks[consumers[0]]) == 1:
                # Every regular grouping sends each tuple to the one task there is.
                route.only = self.tasks[self.layout.component_tasks[consumers[0]][0]]
            route.sink = not consumers
            task.routes[stream_id] = route

    # ------------------------------------------------------------------ user-code errors
    def restore(self) -> None:
        """Give ``petrel.storm`` back the component it had before the run."""
        _facade._current = self._previous_current

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
        return user_error(f"{task.label} ({type(task.component).__name__}): "
                          + "\n".join(head) + "\n" + hint, exc.__context__ or exc)
