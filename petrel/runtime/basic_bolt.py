"""``BasicBolt``: a bolt whose emits are anchored to its input, acked when process() returns.

Its commonest emit (default stream, declared width, anchored to the input) is written as
one ready message; the input's anchor list is encoded once however many tuples
``process`` emits.
"""

from __future__ import annotations

from typing import Any, List, Mapping, Optional

from petrel import storm as _facade
from petrel.runtime.bolt import Bolt, tuple_id_of
from petrel.runtime.collector import BOLT_EMIT_MESSAGE, Collector
from petrel.runtime.component import NULL_JSON, carried_unchanged
from petrel.runtime.failures import report_exception
from petrel.runtime.kinds import BASIC_BOLT
from petrel.runtime.outputs import InvalidEmit
from petrel.runtime.protocol import FAST_NULL_NEEDS_CHECK as _NULL_NEEDS_CHECK
from petrel.runtime.protocol import FAST_OPTIONS as _FAST_OPTIONS
from petrel.runtime.protocol import fast_dumps as _fast_dumps
from petrel.runtime.tuples import Tuple


class BasicBolt(Bolt):
    """A bolt whose emits inside process() are anchored to the input, acked when it returns.

    If ``process`` raises, the input is failed instead (and the error logged and reported).
    """

    _petrel_kind = BASIC_BOLT

    def attach(self, collector: Collector, conf: Optional[Mapping[str, Any]] = None,
               context: Optional[Mapping[str, Any]] = None) -> None:
        """As ``Bolt.attach``."""
        super().attach(collector, conf, context)
        self._petrel_done = False
        self._petrel_anchored: Optional[Tuple] = None   # the input whose anchors are encoded
        self._petrel_anchors_json = b"[]"

    def _storm_emit(self, values: Any, stream: Optional[str], anchors: Any, id: Any,
                    task: Optional[int], need_task_ids: bool) -> Optional[List[int]]:
        write = self._petrel_raw_write
        # As in Spout._storm_emit: the commonest emit (default stream, the declared width,
        # anchored to the input being processed) as one ready message, or handed to
        # quick_emit with the input. The input's anchor list is encoded once, however many
        # tuples process() emits.
        if write is None:
            quick = self._petrel_quick_emit
            if quick is not None and stream is None and anchors is None and task is None \
                    and id is None and not need_task_ids and type(values) is list \
                    and len(values) == self._petrel_default_width:
                current = self._petrel_input
                if current is not None and not self._petrel_done \
                        and carried_unchanged(values):
                    return quick(values, current)
        elif stream is None and anchors is None and task is None and id is None \
                and not need_task_ids and type(values) is list \
                and len(values) == self._petrel_default_width:
            current = self._petrel_input
            if current is not None and not self._petrel_done:
                try:
                    encoded = _fast_dumps(values, None, _FAST_OPTIONS)
                except (TypeError, ValueError):
                    pass
                else:
                    if not (_NULL_NEEDS_CHECK and encoded.partition(NULL_JSON)[1]):
                        if current is not self._petrel_anchored:
                            self._petrel_anchored = current
                            tuple_id = current.id
                            self._petrel_anchors_json = _fast_dumps(
                                [tuple_id if type(tuple_id) is str else str(tuple_id)],
                                None, _FAST_OPTIONS)
                        write(BOLT_EMIT_MESSAGE % (self._petrel_anchors_json, encoded))
                        return None
        stream_id = "default" if stream is None else stream
        encoded = self._encode_checked(values, stream_id)
        if id is not None:
            raise InvalidEmit(f"bolt {self._petrel_component_id!r}: id= is for spouts; "
                              f"a BasicBolt anchors its emits to the input by itself")
        if anchors is None:
            current = self._petrel_input
            if current is None:
                anchor_ids = []
            else:
                # Storm casts every anchor to a String: never send a number.
                tuple_id = current.id
                anchor_ids = [tuple_id if type(tuple_id) is str else str(tuple_id)]
        else:
            anchor_ids = self._anchor_ids(anchors)
        return self._petrel_collector.emit(  # type: ignore[union-attr]
            stream_id, values, encoded, anchor_ids, None, task, need_task_ids)

    def _anchor_ids(self, anchors: Any) -> List[str]:
        if isinstance(anchors, (Tuple, str)):
            anchors = [anchors]
        current = self._petrel_input
        ids = []
        for anchor in anchors:
            anchor_id = tuple_id_of(anchor)
            if current is None or anchor_id != current.id or self._petrel_done:
                raise InvalidEmit(
                    f"bolt {self._petrel_component_id!r}: a BasicBolt can only anchor to the "
                    f"tuple being processed; {anchor_id!r} was already acked or failed")
            ids.append(anchor_id if isinstance(anchor_id, str) else str(anchor_id))
        return ids

    def ack(self, tup: Any) -> None:
        """Ack the input now instead of when ``process`` returns (rarely needed)."""
        self._finish("ack", tuple_id_of(tup))

    def fail(self, tup: Any) -> None:
        """Fail the input instead of acking it when ``process`` returns."""
        self._finish("fail", tuple_id_of(tup))

    def _finish(self, verb: str, tuple_id: Any) -> None:
        current = self._petrel_input
        if current is None or current.id != tuple_id or self._petrel_done:
            return self._refuse(verb, tuple_id)
        self._petrel_done = True
        if verb == "ack":
            self._petrel_collector.ack(tuple_id)  # type: ignore[union-attr]
        else:
            self._petrel_collector.fail(tuple_id)  # type: ignore[union-attr]

    def deliver(self, tup: Tuple) -> None:
        """Hand one input to ``process``; ack it after, or fail it if ``process`` raised."""
        _facade._current = self
        self._petrel_input = tup
        self._petrel_done = False
        try:
            self.process(tup)
        except Exception as exc:
            self._petrel_input = None
            try:
                report_exception(self, "process()", exc, tup.values, True)
            finally:
                if not self._petrel_done:
                    self._petrel_done = True
                    self._petrel_collector.fail(tup.id)  # type: ignore[union-attr]
            return
        self._petrel_input = None
        if not self._petrel_done:
            self._petrel_collector.ack(tup.id)  # type: ignore[union-attr]


_facade.register_class("BasicBolt", BasicBolt)   # old Petrel's storm.BasicBolt
