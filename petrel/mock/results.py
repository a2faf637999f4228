"""What a mock run produced: result types, records, and the result objects tests read."""

from __future__ import annotations

import collections
import collections.abc
import heapq
from typing import Any, Callable, Dict, Iterator, List, NamedTuple, Optional, Tuple

from petrel.mock.engine import Engine
from petrel.mock.errors import MockError
from petrel.mock.quick import record_anchors, record_values
from petrel.mock.taskstate import Task, collections_paused
from petrel.runtime.tuples import Tuple as StormTuple

# Result types (the numbers are old Petrel's).
STORM_TUPLE = 0   # petrel.storm.Tuple with id, component, stream, task, values
LIST = 1          # the values as a list
TUPLE = 2         # the values as a Python tuple
NAMEDTUPLE = 3    # a namedtuple named after the component class, fields = declared fields

RESULT_TYPES = {STORM_TUPLE: "STORM_TUPLE", LIST: "LIST", TUPLE: "TUPLE",
                NAMEDTUPLE: "NAMEDTUPLE"}


# Called through a variable: the type name is computed, which mypy's namedtuple check refuses.
_make_namedtuple: Callable[..., Any] = collections.namedtuple

def _row_eq(self: tuple, other: object) -> Any:
    if type(other) is list:
        return list(self) == other
    return tuple.__eq__(self, other)


def _row_ne(self: tuple, other: object) -> Any:
    result = _row_eq(self, other)
    return result if result is NotImplemented else not result


def row_type(name: str, fields: List[str]) -> type:
    """The NAMEDTUPLE row class: a namedtuple that also equals the list of its values.

    So ``row.word`` works (old Petrel's default result type) and so does comparing a
    result with lists, ``result[count] == [["the", 1]]`` (the LIST result type's way).
    """
    # rename=True: a field called 'class' or 'my-field' still works, by position.
    base = _make_namedtuple(name, fields, rename=True)
    return type(name, (base,), {"__slots__": (), "__eq__": _row_eq, "__ne__": _row_ne,
                                "__hash__": tuple.__hash__, "__doc__": row_type.__doc__})


def check_result_type(result_type: Any) -> int:
    """``result_type`` itself when valid; MockError listing the valid ones otherwise."""
    if isinstance(result_type, bool) or result_type not in RESULT_TYPES:
        raise MockError(f"result_type {result_type!r} is not one of mock.STORM_TUPLE, "
                        f"mock.LIST, mock.TUPLE, mock.NAMEDTUPLE")
    return result_type


class Emitted(NamedTuple):
    """One emit as the component made it (``values`` after the JSON round trip)."""

    component: str
    task: int
    stream: str
    values: List[Any]
    tuple_id: str                   # the id the receiving bolts see
    anchors: Optional[List[str]]    # input tuple ids (bolts); None for spouts
    msg_id: Any                     # spout message id (None: unreliable, or a bolt)
    direct_task: Optional[int]      # set for emitDirect


class ErrorReport(NamedTuple):
    """An error a task reported (``reportError`` or an exception in user code)."""

    component: str
    task: int
    message: str


class LogEntry(NamedTuple):
    """A ``log`` call: Storm level 0-4 (TRACE .. ERROR) and message."""

    component: str
    task: int
    level: int
    message: str


class Converter:
    """Turns recorded emits into the requested result type (namedtuple types are cached)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._types: Dict[Any, Any] = {}

    def _namedtuple(self, task: Task, stream: str) -> Any:
        key = (task.component_id, stream)
        cls = self._types.get(key)
        if cls is None:
            fields = self.engine.topology.components[task.component_id].streams[stream].fields
            name = f"{type(task.component).__name__}Tuple"
            if stream != "default":
                name += "_" + "".join(c if c.isalnum() else "_" for c in stream)
            cls = row_type(name, fields)
            self._types[key] = cls
        return cls

    def emitted(self, tasks: List[Task], stream: Optional[str], result_type: int) -> List[Any]:
        """What ``tasks`` emitted on ``stream`` (None: all), in emit order, as ``result_type``."""
        with collections_paused():
            if len(tasks) == 1 and result_type == LIST:
                # The common read, one task's values: no (task, record) pairs to build.
                records = tasks[0].emits
                if stream is not None:
                    records = [r for r in records if r[1] == stream]
                # record_values() inlined for the quick path's records: one call less each.
                return [list(r[2]) if type(r[2]) is tuple else record_values(r[2])
                        for r in records]
            if len(tasks) == 1 and result_type == NAMEDTUPLE:
                return self._named_rows(tasks[0], stream)
            return self._convert_all(_records(tasks, stream), result_type)

    def _named_rows(self, task: Task, stream: Optional[str]) -> List[Any]:
        """One task's emits as NAMEDTUPLE rows, without building (task, record) pairs."""
        new = tuple.__new__
        types: Dict[str, Any] = {}
        rows = []
        for record in task.emits:
            record_stream = record[1]
            if stream is not None and record_stream != stream:
                continue
            cls = types.get(record_stream)
            if cls is None:
                cls = types[record_stream] = self._namedtuple(task, record_stream)
            stored = record[2]
            # A quick record's tuple holds only immutable values: the row can share them.
            rows.append(new(cls, stored if type(stored) is tuple else record_values(stored)))
        return rows

    def convert_all(self, records: List[Tuple[Task, tuple]], result_type: int) -> List[Any]:
        """(task, record) pairs as ``result_type``, each with values of its own."""
        with collections_paused():
            return self._convert_all(records, result_type)

    def _convert_all(self, records: List[Tuple[Task, tuple]], result_type: int) -> List[Any]:
        if result_type == LIST:
            return [record_values(r[2]) for _t, r in records]
        if result_type == TUPLE:
            return [tuple(record_values(r[2])) for _t, r in records]
        if result_type == NAMEDTUPLE:
            return [self._namedtuple(t, r[1])(*record_values(r[2])) for t, r in records]
        return [StormTuple(str(r[0]), t.component_id, r[1], t.id, record_values(r[2]),
                           t.routes[r[1]].fields) for t, r in records]

    def emitted_record(self, task: Task, record: tuple) -> Emitted:
        """One record of ``task.emits`` as an ``Emitted``."""
        tuple_id, stream, encoded, anchors, msg_id, direct = record
        return Emitted(task.component_id, task.id, stream, record_values(encoded), str(tuple_id),
                       record_anchors(anchors), msg_id, direct)


def _records(tasks: List[Task], stream: Optional[str]) -> List[Tuple[Task, tuple]]:
    """(task, record) pairs of ``tasks`` on ``stream`` (None: all), in emit order."""
    per_task = [[(t, r) for r in t.emits if stream is None or r[1] == stream] for t in tasks]
    if len(per_task) == 1:
        return per_task[0]
    return list(heapq.merge(*per_task, key=lambda pair: int(pair[1][0])))


class TopologyResult:
    """The outcome of ``mock.run_topology``: what each component and task did.

    ``emitted(component_id, stream='default', task=None)`` and ``received(...)`` give the
    tuples; ``acked``, ``failed`` and ``pending`` the spout message ids whose tuple trees
    completed, failed, or neither; ``errors`` and ``logs`` what components reported;
    ``stats`` per-component counters like ``petrel submit --stats-json``.
    """

    def __init__(self, engine: Engine, result_type: int = LIST) -> None:
        self._engine = engine
        self.result_type = check_result_type(result_type)
        self._converter = Converter(engine)

    # -- tuples ------------------------------------------------------------------------------
    def _tasks(self, component_id: str, task: Optional[int]) -> List[Task]:
        tasks = self._engine.tasks_of(component_id)
        if task is None:
            return tasks
        chosen = [t for t in tasks if t.id == task]
        if not chosen:
            raise MockError(f"component '{component_id}' has no task {task!r}; its tasks are "
                            f"{[t.id for t in tasks]}")
        return chosen

    def emitted(self, component_id: str, stream: Optional[str] = "default",
                task: Optional[int] = None, result_type: Optional[int] = None) -> List[Any]:
        """What ``component_id`` emitted on ``stream`` (None: every stream), in emit order.

        ``task`` narrows it to one task id; ``result_type`` overrides the run's.
        """
        kind = self.result_type if result_type is None else check_result_type(result_type)
        tasks = self._tasks(component_id, task)
        self._check_stream(component_id, stream)
        return self._converter.emitted(tasks, stream, kind)

    def emits(self, component_id: str, stream: Optional[str] = None,
              task: Optional[int] = None) -> List[Emitted]:
        """Every emit of ``component_id`` with its anchors, message id and direct task."""
        self._check_stream(component_id, stream)
        record = self._converter.emitted_record
        return [record(t, r) for t, r in _records(self._tasks(component_id, task), stream)]

    def received(self, component_id: str, task: Optional[int] = None) -> List[StormTuple]:
        """The tuples a bolt received (tick tuples included), per task in delivery order."""
        out: List[StormTuple] = []
        for t in self._tasks(component_id, task):
            out.extend(t.received)
        return out

    def _check_stream(self, component_id: str, stream: Optional[str]) -> None:
        streams = self._engine.topology.components[component_id].streams
        if stream is not None and stream not in streams:
            raise MockError(f"component '{component_id}' declares no stream '{stream}'; its "
                            f"streams: {list(streams)}")

    # -- tasks and instances -------------------------------------------------------------------
    @property
    def tasks(self) -> Dict[str, List[int]]:
        """Component id -> its task ids (numbered as the local runner and Storm do)."""
        return {cid: [t.id for t in ts] for cid, ts in self._engine.by_component.items()}

    def instance(self, component_id: str, task: Optional[int] = None) -> Any:
        """The component object that ran as ``task`` (default: the component's first task)."""
        return self._tasks(component_id, task)[0].component

    def instances(self, component_id: str) -> List[Any]:
        """The component objects of every task of ``component_id``, in task order."""
        return [t.component for t in self._tasks(component_id, None)]

    # -- tuple trees -------------------------------------------------------------------------
    @property
    def acked(self) -> List[Any]:
        """Spout message ids whose tuple trees were fully acked, in completion order."""
        return [tree.msg_id for tree in self._engine.tree_log if tree.acked]

    @property
    def failed(self) -> List[Any]:
        """Spout message ids whose tuple trees failed (a bolt called fail, or raised)."""
        return [tree.msg_id for tree in self._engine.tree_log if not tree.acked]

    @property
    def pending(self) -> List[Any]:
        """Spout message ids whose trees never completed (Storm would time them out)."""
        return [tree.msg_id for tree in self._engine.pending_trees()]

    # -- reports -------------------------------------------------------------------------------
    @property
    def errors(self) -> List[ErrorReport]:
        """Errors reported by every task (reportError, exceptions in user code)."""
        return [ErrorReport(t.component_id, t.id, m) for t in self._engine.tasks.values()
                for m in t.errors]

    @property
    def logs(self) -> List[LogEntry]:
        """``log`` calls of every task."""
        return [LogEntry(t.component_id, t.id, level, m)
                for t in self._engine.tasks.values() for level, m in t.logs]

    @property
    def stats(self) -> Dict[str, Dict[str, Any]]:
        """Per component: kind, tasks, emitted, executed, acked, failed, errors."""
        out: Dict[str, Dict[str, Any]] = {}
        for cid, tasks in self._engine.by_component.items():
            out[cid] = {
                "kind": tasks[0].kind if tasks else "bolt", "tasks": len(tasks),
                "emitted": sum(len(t.emits) for t in tasks),
                "executed": sum(len(t.received) for t in tasks),
                "acked": sum(len(t.acked) for t in tasks),
                "failed": sum(len(t.failed) for t in tasks),
                "errors": sum(len(t.errors) for t in tasks),
            }
        return out

    # -- assertions ----------------------------------------------------------------------------
    def assert_no_errors(self) -> None:
        """AssertionError listing every reported error, if there is any."""
        errors = self.errors
        if errors:
            text = "\n".join(f"- {e.component} task {e.task}: {e.message.splitlines()[0]}"
                             for e in errors)
            raise AssertionError(f"{len(errors)} error(s) reported:\n{text}")

    def assert_all_acked(self) -> None:
        """AssertionError unless every reliable spout tuple's tree was fully acked."""
        failed, pending = self.failed, self.pending
        if failed or pending:
            raise AssertionError(
                f"{len(self.acked)} spout tuple(s) acked, but {len(failed)} failed "
                f"{_short(failed)} and {len(pending)} never completed {_short(pending)} "
                f"(a bolt that neither acks nor fails its input leaves its tree pending)"
                + (f"; errors: {[e.message.splitlines()[0] for e in self.errors]}"
                   if self.errors else ""))

    def __repr__(self) -> str:
        counts = ", ".join(f"{cid}: {s['emitted']} emitted" for cid, s in self.stats.items())
        return (f"<TopologyResult {counts}; acked={len(self.acked)} failed={len(self.failed)} "
                f"pending={len(self.pending)} errors={len(self.errors)}>")


def _short(items: List[Any]) -> str:
    text = repr(items)
    return text if len(text) <= 200 else text[:200] + "...]"


class SimpleResult(collections.abc.Mapping):
    """``run_simple_topology``'s result: component object -> the tuples it emitted.

    A read-only mapping (each list is built on first access). It also carries the whole
    run as ``.topology`` (a TopologyResult; the component ids are the class names) and
    its ``acked``, ``failed``, ``pending``, ``errors`` and ``logs``.
    """

    def __init__(self, pairs: List[Tuple[Any, str]], topology: TopologyResult) -> None:
        self._pairs = list(pairs)          # (component object, component id), chain order
        self._cache: Dict[str, List[Any]] = {}
        self.topology = topology

    def __getitem__(self, component: Any) -> List[Any]:
        # By identity: a component class may define __eq__ without __hash__.
        for obj, cid in self._pairs:
            if obj is component:
                if cid not in self._cache:
                    self._cache[cid] = self.topology.emitted(cid, stream=None)
                return self._cache[cid]
        raise KeyError(f"{component!r} was not in the chain; the result is keyed by the "
                       f"component objects passed to run_simple_topology")

    def __iter__(self) -> Iterator[Any]:
        return iter([obj for obj, _cid in self._pairs])

    def __len__(self) -> int:
        return len(self._pairs)

    def __contains__(self, component: object) -> bool:
        return any(obj is component for obj, _cid in self._pairs)

    def __repr__(self) -> str:
        return "{" + ", ".join(f"{k!r}: {self[k]!r}" for k, _cid in self._pairs) + "}"

    @property
    def acked(self) -> List[Any]:
        """Spout message ids whose tuple trees were fully acked."""
        return self.topology.acked

    @property
    def failed(self) -> List[Any]:
        """Spout message ids whose tuple trees failed."""
        return self.topology.failed

    @property
    def pending(self) -> List[Any]:
        """Spout message ids whose trees never completed."""
        return self.topology.pending

    @property
    def errors(self) -> List[ErrorReport]:
        """Errors reported by the components."""
        return self.topology.errors

    @property
    def logs(self) -> List[LogEntry]:
        """``log`` calls of the components."""
        return self.topology.logs
