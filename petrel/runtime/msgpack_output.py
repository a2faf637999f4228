"""A component's output in MessagePack: the collector, and the refusal of what cannot go.

The worker attaches a ``MsgpackCollector`` instead of the JSON ``ProtocolCollector`` when
Storm's handshake came as MessagePack. Every message is a map assembled from pre-packed
pieces (the map header, the keys, the command name) around the packed values; the commonest
emits and acks are one concatenation. Components encode their tuples with
``pack_values``, which names the component, the stream and the value when MessagePack
cannot carry it (the JSON path's checks say the same for JSON).
"""

from __future__ import annotations

import reprlib
from typing import Any, List, Optional

from petrel.runtime import msgpack_stream
from petrel.runtime.collector import ProtocolCollector
from petrel.runtime.msgpack_emits import (
    ACK,
    ANCHORS,
    BOLT_EMIT,
    EMIT,
    FAIL,
    ID,
    NO_TASK_IDS,
    PACK_ERRORS,
    SPOUT_EMIT,
    SPOUT_EMIT_ID,
    STREAM,
    SYNC,
    TASK,
    TUPLE,
    Emit,
    quick_emit,
    quick_pack,
)
from petrel.runtime.msgpack_encode import MAX_DEPTH
from petrel.runtime.outputs import InvalidEmit
from petrel.runtime.protocol import Channel

pack = msgpack_stream.packb
BACKEND = msgpack_stream.BACKEND

TYPES_CARRIED = ("str, int (64 bits: -2**63 to 2**64-1), float, bool, None, bytes, and lists "
                 "and dicts of them")

_short = reprlib.Repr()
_short.maxstring = _short.maxother = 80
_short.maxlevel = 3


def _beyond_64_bits(value: int) -> bool:
    return not -2**63 <= value < 2**64


def unpackable(value: Any, depth: int = 0) -> Optional[str]:
    """What inside ``value`` MessagePack cannot encode, in words; None if it all can."""
    if value is None or isinstance(value, (str, float, bytes, bytearray, memoryview)):
        return None
    if isinstance(value, int):
        return f"the integer {value}, beyond 64 bits" if _beyond_64_bits(value) else None
    if depth >= MAX_DEPTH:
        return f"a value nested more than {MAX_DEPTH} levels deep"
    if isinstance(value, (list, tuple)):
        items: List[Any] = list(value)
    elif isinstance(value, dict):
        items = [item for pair in value.items() for item in pair]
    else:
        return f"a value of type {type(value).__name__}"
    for item in items:
        found = unpackable(item, depth + 1)
        if found:
            return found
    return None


def _cannot_pack(component_id: str, what: str, value: Any, exc: BaseException) -> InvalidEmit:
    if isinstance(exc, UnicodeEncodeError):
        return InvalidEmit(
            f"component {component_id!r} emitted a string that is not valid Unicode (a lone "
            f"surrogate, e.g. from undecodable bytes) {what}: {_short.repr(value)}; decode "
            f"such bytes with errors='replace' before emitting, or emit them as bytes")
    found = unpackable(value) or f"a value MessagePack refused ({exc})"
    return InvalidEmit(f"component {component_id!r} emitted {found} {what}, which MessagePack "
                       f"cannot encode: {_short.repr(value)}; MessagePack carries "
                       f"{TYPES_CARRIED}")


def pack_values(component_id: str, stream: str, values: Any) -> bytes:
    """The MessagePack bytes of an emit's ``values``; InvalidEmit naming what cannot go."""
    try:
        return pack(values)
    except (TypeError, ValueError, OverflowError, RecursionError) as exc:
        raise _cannot_pack(component_id, f"on stream {stream!r}", values, exc) from None


class MsgpackCollector(ProtocolCollector):
    """``ProtocolCollector`` for a channel that speaks MessagePack (see the module doc).

    ``raw_write`` is None: the components' ready-made JSON emits do not apply, every emit
    comes through ``emit`` with its values packed by ``pack_values``.
    """

    SYNC = SYNC

    def __init__(self, channel: Channel, component_id: str = "?") -> None:
        super().__init__(channel)
        self.raw_write = None
        self.pack_values = pack_values
        self.component_id = component_id

    def fast_emit(self, component: Any) -> Optional[Emit]:
        """The component's commonest emit packed at once (petrel.runtime.msgpack_emits)."""
        return quick_emit(component, self._write)

    def _pack_id(self, msg_id: Any) -> bytes:
        try:
            return pack(msg_id)
        except (TypeError, ValueError, OverflowError, RecursionError) as exc:
            raise _cannot_pack(self.component_id, "as a message id", msg_id, exc) from None

    def emit(self, stream: str, values: List[Any], encoded: bytes,
             anchors: Optional[List[str]], msg_id: Any, task: Optional[int],
             need_task_ids: bool) -> Optional[List[int]]:
        """Write an ``emit`` map (``encoded``: the packed values); task ids when asked."""
        if stream == "default" and task is None and not need_task_ids:
            if anchors is not None:
                if msg_id is None:
                    self._write(BOLT_EMIT + pack(anchors) + TUPLE + encoded + NO_TASK_IDS)
                    return None
            elif msg_id is None:
                self._write(SPOUT_EMIT + encoded + NO_TASK_IDS)
                return None
            else:
                self._write(SPOUT_EMIT_ID + self._pack_id(msg_id) + TUPLE + encoded
                            + NO_TASK_IDS)
                return None
        parts = [EMIT]   # key-value pairs, packed
        if stream != "default":
            parts.append(STREAM + pack(stream))
        if anchors is not None:
            parts.append(ANCHORS + pack(anchors))
        if msg_id is not None:
            parts.append(ID + self._pack_id(msg_id))
        if task is not None:
            # An int on the wire: Storm then reads an Integer task id, as emitDirect wants.
            parts.append(TASK + pack(int(task)))
        parts.append(TUPLE + encoded)
        # Storm ignores need_task_ids for a direct emit; without the key it means true.
        if task is None and not need_task_ids:
            parts.append(NO_TASK_IDS)
        self._write(bytes((0x80 | len(parts),)) + b"".join(parts))
        if task is None and need_task_ids:
            return self.channel.take_task_ids()
        return None

    def ack(self, tuple_id: Any) -> None:
        """Write ``{"command": "ack", "id": ...}``."""
        try:
            self._write(ACK + quick_pack(tuple_id))
        except PACK_ERRORS:
            self._write(ACK + self._pack_id(tuple_id))   # raises, saying why

    def fail(self, tuple_id: Any) -> None:
        """Write ``{"command": "fail", "id": ...}``."""
        try:
            self._write(FAIL + quick_pack(tuple_id))
        except PACK_ERRORS:
            self._write(FAIL + self._pack_id(tuple_id))

    def sync(self) -> None:
        """Write ``sync`` (buffered; the spout loop flushes right after)."""
        self._write(SYNC)
