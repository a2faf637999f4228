"""The in-process topology engine: tasks, routing with Storm's groupings, tuple trees, ticks.

Every task is a real component instance attached to a ``TaskCollector`` (the runtime's
collector seam, see ``petrel.runtime``), so emits are checked, BasicBolts anchor and ack,
and user errors are handled by the same code as on a worker. Task ids, handshake contexts,
merged component conf, groupings (Storm's fields hash included), direct-target checks and
tick tuples come from ``petrel.semantics``, as in the local runner, so a value reaches the
same task index in both. Values travel as the JSON bytes the component produced and are
decoded once per delivery; values JSON gives back unchanged (ASCII str, int, finite float,
None) skip the encoding: each receiving task gets a copy of the list (``petrel.mock.quick``).

Scheduling is deterministic: deliveries are processed first-in first-out; when none are
queued, pending spout acks and fails are delivered, then each spout that is still
producing gets one ``nextTuple`` call.

``Engine`` is built in layers, one responsibility per module, each on the one before:
``engine_setup`` (tasks, routes, limits, user-code errors), ``trees`` (tuple trees),
``emits`` (routing emits), ``delivery`` (the queue), ``spout_calls`` (calling spouts) and
this module (start, ticks, a whole run, queries). Emits are recorded raw (tuple id,
stream, JSON bytes or a tuple of plain values, anchors, message id, direct task); results
decode them only when read.
"""

from __future__ import annotations

import time
from typing import Any, Dict, List, Mapping

from petrel import storm as _facade
from petrel.mock.errors import MockError, user_error
from petrel.mock.spout_calls import SpoutScheduling
from petrel.mock.taskstate import Task, TaskCollector, collections_paused
from petrel.runtime.failures import ON_ERROR_KEY
from petrel.semantics.ticks import TICK_CONF, make_tick

__all__ = ["Engine"]


class Engine(SpoutScheduling):
    """Runs a TopologyDef in-process with one component object per task: start, ticks, a
    whole run, queries. Its arguments are those of ``EngineSetup`` (see there)."""

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
                        raise user_error(f"{task.label} ({type(task.component).__name__}): "
                                         f"initialize() raised {type(exc).__name__}: "
                                         f"{exc}", exc) from exc
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

    def tasks_of(self, component_id: str) -> List[Task]:
        """The tasks of a component; MockError naming the components when unknown."""
        tasks = self.by_component.get(component_id)
        if tasks is None:
            raise MockError(f"no component '{component_id}' in the topology; components: "
                            f"{list(self.by_component)}")
        return tasks
