"""Emits in the mock: checked targets, records, and one queued delivery per target task.

Values travel as the JSON bytes the component produced and are decoded once per delivery:
a bolt receives exactly what Storm would hand it. ``emitter`` builds each task's emit
closure, which takes the common cases itself (one subscribing task, or a bolt stream nobody
subscribes to); ``emit`` is the general path (any grouping, several subscribers, direct
emits); ``petrel.mock.quick`` has the quickest cases. All record and route alike.
"""

from __future__ import annotations

from typing import Any, Callable, List, Optional

from petrel.mock.quick import QuickEmit, quick_emitter
from petrel.mock.taskstate import Roots, Route, Task
from petrel.mock.trees import TreeTracking
from petrel.runtime.outputs import InvalidEmit
from petrel.runtime.protocol import decode, encode
from petrel.runtime.tuples import Tuple as StormTuple
from petrel.semantics.direct import NOT_A_TASK_ID, NOT_SUBSCRIBED, REGULAR_GROUPING, check_direct
from petrel.semantics.routes import regular_targets

try:  # orjson's loads straight, when present (the runtime's decode wraps it)
    import orjson
    _loads: Callable[[bytes], Any] = orjson.loads
except ImportError:  # pragma: no cover - without orjson
    _loads = decode

# Message ids of these types come back from JSON unchanged; others make the round trip.
_JSON_SCALARS = (int, str, float, bool)
_NO_TARGETS: List[int] = []


def _carried(encoded: bytes) -> Any:
    """The values a bolt receives: decoded from the JSON the component emitted."""
    try:
        return _loads(encoded)
    except ValueError:  # e.g. an integer beyond 64 bits, which only json parses
        return decode(encoded)


class EmitRouting(TreeTracking):
    """Routing the emits of every task."""

    def _targets(self, task: Task, route: Route, values: Any, direct: Any) -> List[int]:
        if direct is not None:
            return self._direct_targets(task, route, direct)
        if route.direct:
            raise InvalidEmit(f"{task.label}: stream '{route.stream}' is a direct stream; emit "
                              f"on it with emitDirect(task, values) or directTask=...")
        return regular_targets(route.groupers, values)

    def _direct_targets(self, task: Task, route: Route, direct: Any) -> List[int]:
        verdict = check_direct(direct, self.layout.task_component, route.direct_components)
        if verdict == NOT_A_TASK_ID:
            raise InvalidEmit(f"{task.label}: emitDirect needs an integer task id, "
                              f"got {direct!r}")
        if verdict == NOT_SUBSCRIBED:
            direct_ids = [t.id for cid, d in route.direct_components.items() if d
                          for t in self.by_component[cid]]
            raise InvalidEmit(
                f"{task.label} emitted directly to task {direct}, which does not subscribe to "
                f"stream '{route.stream}' (Storm would drop the tuple); tasks subscribed with "
                f"directGrouping: {direct_ids or 'none'}")
        if verdict == REGULAR_GROUPING:
            raise InvalidEmit(
                f"{task.label} emitted directly to task {direct} "
                f"('{self.layout.task_component[direct]}'), "
                f"which subscribes to stream '{route.stream}' with a regular grouping; "
                f"subscribe with directGrouping or use a plain emit")
        return [direct]

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
        key: Any = next(self.ids)  # a str once some task receives it
        roots: Optional[Roots] = None
        if task.kind == "spout":
            if msg_id is not None:
                if type(msg_id) not in _JSON_SCALARS:
                    msg_id = decode(encode(msg_id))  # what JSON carried comes back
                roots = self.new_tree(task, msg_id, len(targets))
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
        new_tree = self.new_tree
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
