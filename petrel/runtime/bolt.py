"""``Bolt``: the class manual-ack bolts subclass, its emit, ack, fail and input delivery.

petrel keeps the ids of the inputs not yet acked or failed, so a second ack, or an anchor
to an input already done, is refused with a logged error instead of halting the worker.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Mapping, Optional

from petrel import storm as _facade
from petrel.runtime.collector import Collector
from petrel.runtime.component import Component
from petrel.runtime.failures import report_exception
from petrel.runtime.kinds import BOLT
from petrel.runtime.outputs import InvalidEmit
from petrel.runtime.tuples import Tuple

_log = logging.getLogger("storm")


def tuple_id_of(tup: Any) -> Any:
    """The id of an input tuple, or ``tup`` itself when it is already an id."""
    return tup.id if isinstance(tup, Tuple) else tup


class Bolt(Component):
    """A bolt that acks or fails each input itself (``storm.ack(tup)`` / ``storm.fail(tup)``).

    petrel keeps the ids of inputs not yet acked or failed: acking or failing one twice,
    or anchoring to one already done, is refused with a logged error instead of killing
    the Storm worker. Tick tuples left unacked by ``process`` are acked for you; an input
    whose ``process`` raised is failed unless you already acked or failed it.
    """

    _petrel_kind = BOLT

    def process(self, tup: Any) -> None:
        """Handle one input tuple."""

    def attach(self, collector: Collector, conf: Optional[Mapping[str, Any]] = None,
               context: Optional[Mapping[str, Any]] = None) -> None:
        """As ``Component.attach``; also resets the set of pending inputs."""
        super().attach(collector, conf, context)
        self._petrel_pending: Dict[Any, None] = {}
        self._petrel_input: Optional[Tuple] = None

    def _anchor_ids(self, anchors: Any) -> List[str]:
        if isinstance(anchors, (Tuple, str)):
            anchors = [anchors]
        ids = []
        pending = self._petrel_pending
        for anchor in anchors:
            anchor_id = tuple_id_of(anchor)
            if anchor_id not in pending:
                raise InvalidEmit(
                    f"bolt {self._petrel_component_id!r}: cannot anchor to tuple id "
                    f"{anchor_id!r}: it was already acked or failed, or never received")
            ids.append(anchor_id if isinstance(anchor_id, str) else str(anchor_id))
        return ids

    def _storm_emit(self, values: Any, stream: Optional[str], anchors: Any, id: Any,
                    task: Optional[int], need_task_ids: bool) -> Optional[List[int]]:
        stream_id = "default" if stream is None else stream
        encoded = self._encode_checked(values, stream_id)
        if id is not None:
            raise InvalidEmit(f"bolt {self._petrel_component_id!r}: id= is for spouts; "
                              f"a bolt makes an emit reliable with anchors=[input tuple]")
        anchor_ids = [] if anchors is None else self._anchor_ids(anchors)
        return self._petrel_collector.emit(  # type: ignore[union-attr]
            stream_id, values, encoded, anchor_ids, None, task, need_task_ids)

    def _refuse(self, verb: str, tuple_id: Any) -> None:
        message = (f"bolt {self._petrel_component_id!r}: {verb} of tuple id {tuple_id!r} "
                   f"ignored: it was already acked or failed, or never received (Storm "
                   f"would halt the worker)")
        _log.error("%s", message)
        if self._petrel_collector is not None:
            self._petrel_collector.report_error(message)

    def ack(self, tup: Any) -> None:
        """Ack an input tuple (or a tuple id)."""
        tuple_id = tuple_id_of(tup)
        try:
            del self._petrel_pending[tuple_id]
        except KeyError:
            return self._refuse("ack", tuple_id)
        self._petrel_collector.ack(tuple_id)  # type: ignore[union-attr]

    def fail(self, tup: Any) -> None:
        """Fail an input tuple (or a tuple id): the spout may replay its tree."""
        tuple_id = tuple_id_of(tup)
        try:
            del self._petrel_pending[tuple_id]
        except KeyError:
            return self._refuse("fail", tuple_id)
        self._petrel_collector.fail(tuple_id)  # type: ignore[union-attr]

    def sync(self) -> None:
        """Send ``sync`` now: proof of life during a long ``process``."""
        collector = self._petrel_collector
        if collector is not None:
            collector.sync()
            collector.flush()

    def deliver(self, tup: Tuple) -> None:
        """Hand one input tuple to ``process`` (error handling as described on the class)."""
        _facade._current = self
        pending = self._petrel_pending
        tuple_id = tup.id
        pending[tuple_id] = None
        self._petrel_input = tup
        try:
            self.process(tup)
        except Exception as exc:
            self._petrel_input = None
            try:
                report_exception(self, "process()", exc, tup.values, True)
            finally:
                if tuple_id in pending:
                    del pending[tuple_id]
                    self._petrel_collector.fail(tuple_id)  # type: ignore[union-attr]
            return
        self._petrel_input = None
        if tup.stream == "__tick" and tuple_id in pending:
            del pending[tuple_id]
            self._petrel_collector.ack(tuple_id)  # type: ignore[union-attr]


_facade.register_class("Bolt", Bolt)   # old Petrel's storm.Bolt
