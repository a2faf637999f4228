"""``MockSpout``: a spout that replays a list of rows, one per ``nextTuple`` call."""

from __future__ import annotations

from typing import Any, List, Optional, Sequence

from petrel.emitter import OutputFields, Spout

_ROW_KEYS = ("values", "stream", "id")


class MockSpout(Spout):
    """Replays ``rows`` (each a list of values) on the 'default' stream, one per nextTuple.

    ``output_fields`` is what ``declareOutputFields`` returns: a list of field names, or
    {stream_id: fields} for several streams. A row may also be a dict
    ``{"values": [...], "stream": "other", "id": msg_id}`` to pick its stream or message id.
    Emits are reliable: a row's message id is its index in ``rows`` (or ``ids[index]``
    when ``ids`` is given), unless ``reliable=False``. ``acked`` and ``failed`` list the
    message ids Storm (here, the mock) reported back. ``data`` is ``rows`` under old
    Petrel's name.
    """

    def __init__(self, output_fields: OutputFields, rows: Sequence[Any],
                 reliable: bool = True, ids: Optional[Sequence[Any]] = None) -> None:
        super().__init__()
        self.output_fields = output_fields
        self.rows = list(rows)
        self.reliable = reliable
        self.ids = list(ids) if ids is not None else None
        if self.ids is not None and len(self.ids) != len(self.rows):
            raise ValueError(f"MockSpout: {len(self.rows)} rows but {len(self.ids)} ids; "
                             f"give one message id per row")
        self.index = 0
        self.acked: List[Any] = []
        self.failed: List[Any] = []

    def declareOutputFields(self) -> OutputFields:
        """The output fields given to the constructor."""
        return self.output_fields

    def nextTuple(self) -> None:
        """Emit the next row, or nothing once every row was emitted."""
        index = self.index
        if index >= len(self.rows):
            return
        self.index = index + 1
        row = self.rows[index]
        msg_id = None
        if self.reliable:
            msg_id = index if self.ids is None else self.ids[index]
        if isinstance(row, dict):
            unknown = [k for k in row if k not in _ROW_KEYS]
            if unknown or "values" not in row:
                raise ValueError(f"MockSpout row {index}: a dict row needs 'values' and may "
                                 f"have 'stream' and 'id'; got the keys {sorted(row)}")
            msg_id = row.get("id", msg_id)
            self._storm_emit(row["values"], row.get("stream"), None, msg_id, None, False)
        else:
            self._storm_emit(row, None, None, msg_id, None, False)  # self.emit, one call less

    def ack(self, id: Any) -> None:
        """Remember that the tuple tree of message id ``id`` completed."""
        self.acked.append(id)

    def fail(self, id: Any) -> None:
        """Remember that the tuple tree of message id ``id`` failed."""
        self.failed.append(id)

    @property
    def data(self) -> List[Any]:
        """The rows, under old Petrel's name (``MockSpout(output_fields, data)``)."""
        return self.rows

    @data.setter
    def data(self, rows: Sequence[Any]) -> None:
        self.rows = list(rows)

    @property
    def done(self) -> bool:
        """True once every row was emitted."""
        return self.index >= len(self.rows)
