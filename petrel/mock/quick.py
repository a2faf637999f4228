"""The mock's ``quick_emit`` closures: a component's commonest emits, values unencoded.

A Spout's or BasicBolt's emit on the 'default' stream whose values JSON carries unchanged
(see ``petrel.runtime.collector``) reaches the collector as ``quick_emit(values, x)``: no
encoding, no stream id, anchor list or seven-argument call to build. Each task gets a
closure specialised for where its 'default' stream goes (one subscribing task, or nobody,
for a bolt); a task whose 'default' stream goes anywhere else gets none, and its emits
take ``Engine.emit``. Both record and route alike, so a run is the same whichever path
an emit takes.

Such an emit is recorded with a tuple of its values instead of JSON bytes
(``record_values``), and a BasicBolt's with the input tuple itself in its anchors place
(``record_anchors``): one object instead of a new list per emit. The tuple delivered is
made without calling ``Tuple.__init__`` (a third of its cost), every slot set here;
tests/mock/test_quick.py checks that no slot is missed.
"""

from __future__ import annotations

from typing import Any, Callable, Deque, Iterator, List, Optional, Protocol, Tuple

from petrel.emitter import BasicBolt
from petrel.mock.taskstate import Roots, Task
from petrel.runtime.protocol import decode
from petrel.runtime.tuples import Tuple as StormTuple

try:  # orjson's loads straight, when present (the runtime's decode wraps it)
    import orjson
    loads: Callable[[bytes], Any] = orjson.loads
except ImportError:  # pragma: no cover - without orjson
    loads = decode

QuickEmit = Callable[[List[Any], Any], None]
DEFAULT = "default"
_new_tuple = StormTuple.__new__


class QuickHost(Protocol):
    """What the quick emits use of the engine (``petrel.mock.engine.Engine``)."""

    queue: Deque[Tuple[Task, StormTuple, Optional[Roots]]]
    ids: Iterator[int]

    def new_tree(self, task: Task, msg_id: Any, targets: int) -> Optional[Roots]:
        """Start the tree of a reliable spout tuple."""


def record_values(stored: Any) -> List[Any]:
    """The values of a record (a new list): its tuple copied, or its JSON bytes decoded."""
    if type(stored) is tuple:
        return list(stored)
    try:
        return loads(stored)
    except ValueError:  # e.g. an integer beyond 64 bits, which only json parses
        return decode(stored)


def record_anchors(anchors: Any) -> Optional[List[str]]:
    """The anchor ids of a record: a quick BasicBolt record holds the input tuple itself."""
    if type(anchors) is StormTuple:
        tuple_id = anchors.id
        return [tuple_id if type(tuple_id) is str else str(tuple_id)]
    return anchors


def _delivered(key: str, component_id: str, task_id: int, values: List[Any],
               fields: Optional[List[str]]) -> StormTuple:
    """The tuple a task receives: a copy of the values, every slot set (no __init__ call)."""
    tup = _new_tuple(StormTuple)
    tup.id = key
    tup.component = component_id
    tup.stream = DEFAULT
    tup.task = task_id
    tup.values = values.copy()
    tup.fields = fields
    return tup


def quick_emitter(engine: QuickHost, task: Task) -> Optional[QuickEmit]:
    """The ``quick_emit`` of ``task``'s collector; None when the general path must take all."""
    route = task.routes.get(DEFAULT)
    if route is None or route.direct:
        return None
    if task.kind == "spout":
        return _spout_single(engine, task) if route.only is not None else None
    if not isinstance(task.component, BasicBolt):
        return None
    if route.sink:
        return _bolt_sink(engine, task)
    return _bolt_single(engine, task) if route.only is not None else None


def _spout_single(engine: QuickHost, task: Task) -> QuickEmit:
    route = task.routes[DEFAULT]
    target = route.only
    assert target is not None  # quick_emitter checked it
    records_append = task.emits.append
    queue_append = engine.queue.append
    ids = engine.ids
    component_id, task_id, fields = task.component_id, task.id, route.fields
    new_tree = engine.new_tree

    def emit(values: List[Any], msg_id: Any) -> None:
        key = str(next(ids))
        task.spout_emits += 1
        roots = None if msg_id is None else new_tree(task, msg_id, 1)
        records_append((key, DEFAULT, tuple(values), None, msg_id, None))
        queue_append((target, _delivered(key, component_id, task_id, values, fields), roots))

    return emit


def _bolt_sink(engine: QuickHost, task: Task) -> QuickEmit:
    records_append = task.emits.append
    ids = engine.ids

    def emit(values: List[Any], current: StormTuple) -> None:
        # Nobody receives it: the record is all there is to do.
        records_append((next(ids), DEFAULT, tuple(values), current, None, None))

    return emit


def _bolt_single(engine: QuickHost, task: Task) -> QuickEmit:
    route = task.routes[DEFAULT]
    target = route.only
    assert target is not None  # quick_emitter checked it
    records_append = task.emits.append
    ids = engine.ids
    queue_append = engine.queue.append
    component_id, task_id, fields = task.component_id, task.id, route.fields

    def emit(values: List[Any], current: StormTuple) -> None:
        key = str(next(ids))
        records_append((key, DEFAULT, tuple(values), current, None, None))
        roots = task.roots
        if roots:  # the input's trees wait for one more ack
            for tree in roots:
                tree.count += 1
        queue_append((target, _delivered(key, component_id, task_id, values, fields), roots))

    return emit
