"""``Spout``: the class user spouts subclass, its emit and its delivery of spout commands.

The runtime's spout loop (and ``petrel.mock``) hands each command from Storm to a
``deliver_*`` method, which calls the user's ``nextTuple``, ``ack``, ``fail``, ``activate``
or ``deactivate`` and reports what they raise.
"""

from __future__ import annotations

from typing import Any, List, Optional

from petrel import storm as _facade
from petrel.runtime.collector import SPOUT_EMIT_INT_ID_MESSAGE, SPOUT_EMIT_MESSAGE
from petrel.runtime.component import NULL_JSON, Component, carried_unchanged
from petrel.runtime.failures import report_exception
from petrel.runtime.kinds import SPOUT
from petrel.runtime.outputs import InvalidEmit, check_message_id
from petrel.runtime.protocol import FAST_NULL_NEEDS_CHECK as _NULL_NEEDS_CHECK
from petrel.runtime.protocol import FAST_OPTIONS as _FAST_OPTIONS
from petrel.runtime.protocol import fast_dumps as _fast_dumps


class Spout(Component):
    """A source of tuples. Storm calls nextTuple() repeatedly; emit with id= to be reliable."""

    _petrel_kind = SPOUT

    def nextTuple(self) -> None:
        """Emit zero or more tuples; return quickly (sleep briefly when there is nothing)."""

    def ack(self, id: Any) -> None:
        """The tuple tree emitted with message id ``id`` was fully processed."""

    def fail(self, id: Any) -> None:
        """The tuple tree emitted with message id ``id`` failed or timed out."""

    def activate(self) -> None:
        """The topology was activated (Storm 1.1+ sends this before the first nextTuple)."""

    def deactivate(self) -> None:
        """The topology was deactivated; nextTuple will not be called until activate."""

    def _storm_emit(self, values: Any, stream: Optional[str], anchors: Any, id: Any,
                    task: Optional[int], need_task_ids: bool) -> Optional[List[int]]:
        write = self._petrel_raw_write
        # The commonest emit (default stream, a list of the declared width, an int id or
        # none) written as one ready message, when the collector takes them (the
        # runtime's does): a spout's emit is on its round trip, where every call counts.
        # A collector with quick_emit instead (the mock's) is handed such an emit when
        # JSON would carry its values unchanged. Anything else, or a value that needs a
        # closer look, takes the checked path below.
        if write is None:
            if self._petrel_quick_emit is not None and stream is None and task is None \
                    and anchors is None and not need_task_ids and type(values) is list \
                    and len(values) == self._petrel_default_width \
                    and (id is None or type(id) is int) and carried_unchanged(values):
                return self._petrel_quick_emit(values, id)
        elif stream is None and task is None and anchors is None and not need_task_ids \
                and type(values) is list and len(values) == self._petrel_default_width:
            try:
                encoded = _fast_dumps(values, None, _FAST_OPTIONS)
            except (TypeError, ValueError):
                pass
            else:
                if not (_NULL_NEEDS_CHECK and encoded.partition(NULL_JSON)[1]):
                    if type(id) is int:
                        write(SPOUT_EMIT_INT_ID_MESSAGE % (id, encoded))
                        return None
                    if id is None:
                        write(SPOUT_EMIT_MESSAGE % encoded)
                        return None
        stream_id = "default" if stream is None else stream
        encoded = self._encode_checked(values, stream_id)
        if anchors:
            raise InvalidEmit(f"spout {self._petrel_component_id!r}: spouts do not anchor; "
                              f"pass id=... for a reliable emit")
        if id is not None and type(id) is not str and type(id) is not int:
            check_message_id(self._petrel_component_id, id)
        return self._petrel_collector.emit(  # type: ignore[union-attr]
            stream_id, values, encoded, None, id, task, need_task_ids)

    # -- delivery (called by the runtime loop or the mock) ----------------------------------

    def deliver_next(self) -> None:
        """Call ``nextTuple``; an exception is logged and reported (see failures)."""
        _facade._current = self
        try:
            self.nextTuple()
        except Exception as exc:
            report_exception(self, "nextTuple()", exc)

    def deliver_ack(self, msg_id: Any) -> None:
        """Call ``ack(msg_id)``; an exception is logged and reported."""
        _facade._current = self
        try:
            self.ack(msg_id)
        except Exception as exc:
            report_exception(self, f"ack({msg_id!r})", exc)

    def deliver_fail(self, msg_id: Any) -> None:
        """Call ``fail(msg_id)``; an exception is logged and reported."""
        _facade._current = self
        try:
            self.fail(msg_id)
        except Exception as exc:
            report_exception(self, f"fail({msg_id!r})", exc)

    def deliver_activate(self) -> None:
        """Call ``activate()``; an exception is logged and reported."""
        _facade._current = self
        try:
            self.activate()
        except Exception as exc:
            report_exception(self, "activate()", exc)

    def deliver_deactivate(self) -> None:
        """Call ``deactivate()``; an exception is logged and reported."""
        _facade._current = self
        try:
            self.deactivate()
        except Exception as exc:
            report_exception(self, "deactivate()", exc)


_facade.register_class("Spout", Spout)   # old Petrel's storm.Spout
