"""The runner's side of the MessagePack multilang flavour: reading a task, the fixed messages.

``petrel.serializer: msgpack`` in a topology's conf makes the runner speak MessagePack with
every task, as Storm does with ``topology.multilang.serializer``: messages are MessagePack
maps (task-id lists are arrays) written back to back, with no separator. The msgpack package
(a C extension) is used when it is installed; otherwise petrel's pure-Python codec, which
writes the same bytes, more slowly.

A byte that is not part of a message cannot be skipped in MessagePack as a stray JSON line
can be skipped: the reader stops the task with one line saying what it read.
"""

from __future__ import annotations

from time import monotonic
from typing import Any, List

from petrel.local.msgpack_quick import (
    STARTS,
    TUPLE_ID_DIGITS,
    new_known,
    scan,
    spout_read,
)
from petrel.local.wire import ProtocolError, dumps
from petrel.runtime.msgpack_codec import MsgpackError, describe, unpackb
from petrel.runtime.msgpack_emits import SYNC
from petrel.runtime.msgpack_stream import new_reader, packb
from petrel.topology.serializer import SERIALIZER_KEY

try:  # optional: the C implementation (petrel.runtime.msgpack_stream falls back the same way)
    import msgpack as _msgpack
except ImportError:  # pragma: no cover - depends on the environment
    _msgpack = None

__all__ = ["MsgpackReader", "packb", "tuple_format",
           "TUPLE_ID_DIGITS", "NEXT_CMD", "ACTIVATE_CMD", "DEACTIVATE_CMD", "ACK_HEAD",
           "FAIL_HEAD", "spout_command", "command_id_json", "heartbeat", "tick"]

# Tuple ids the runner gives in MessagePack have exactly TUPLE_ID_DIGITS digits, so a tuple
# message is a fixed format with the id and the values filled in (see ``tuple_format``).
_ID_STR = bytes((0xA0 | TUPLE_ID_DIGITS,))   # the header of a 13-byte MessagePack string

NEXT_CMD = packb({"command": "next", "id": ""})
ACTIVATE_CMD = packb({"command": "activate", "id": ""})
DEACTIVATE_CMD = packb({"command": "deactivate", "id": ""})
# ``packb({"command": "ack", "id": mid})`` is the head below followed by ``packb(mid)``
ACK_HEAD = packb({"command": "ack", "id": None})[:-1]
FAIL_HEAD = packb({"command": "fail", "id": None})[:-1]
_HEARTBEAT_TAIL = packb({"comp": None, "stream": "__heartbeat", "task": -1, "tuple": []})[1:]
_TICK_MIDDLE = packb({"comp": "__system", "stream": "__tick", "task": -1})[1:] + packb("tuple")

_JSON_ANSWER = (
    "the component answered in JSON, not MessagePack: it does not speak MessagePack "
    f"({SERIALIZER_KEY}: msgpack in topology.yaml asks every component to, and petrel's "
    f"components do; for other shell components, such as storm.py's, remove the setting to "
    f"use JSON)")


def _refuse_ext(code: int, data: bytes) -> Any:
    raise MsgpackError(f"MessagePack extension type {code}, which the multilang protocol does "
                       f"not use")


_STRAY = ("a byte on the component's stdout that is not part of a MessagePack message cannot "
          "be skipped: the component must write nothing else there (log with the component's "
          "logger, or to stderr)")


class MsgpackReader:
    """A task's stdout as MessagePack messages; ProtocolError for bad bytes.

    A spout's usual read (syncs, and pairs of an emit and a sync) is cut at each pair's fixed
    tail and each pair decoded in one call (``msgpack_quick.spout_read``). A bolt's usual
    acks and emits at the start of a read come cut out by their bytes (``msgpack_quick.scan``:
    ids and packed values, not decoded); from the first message of another shape on, and
    while a message is incomplete, messages come decoded.
    With the msgpack package, its streaming Unpacker decodes every message of a read in one
    C loop, and the messages are checked after (each must be a map or an array); bad bytes
    end the task, so the messages of the same read before them are not handled.
    """

    __slots__ = ("_reader", "_unpacker", "_fed", "_tail", "_first", "_known", "partial_at")

    def __init__(self) -> None:
        self._unpacker = None if _msgpack is None else _msgpack.Unpacker(
            raw=False, strict_map_key=False, ext_hook=_refuse_ext, max_buffer_size=0)
        self._reader: Any = new_reader() if self._unpacker is None else None
        self._fed = 0          # bytes given to the Unpacker
        self._tail = b""       # the latest bytes read while a message is incomplete
        self._first = True     # nothing read yet: the handshake reply comes first
        self._known = new_known()   # packed values known to be one whole object
        self.partial_at = 0.0  # monotonic time the latest bytes of an incomplete message came

    def _pending(self) -> int:
        unpacker = self._unpacker
        return self._fed - unpacker.tell() if unpacker is not None else self._reader.pending()

    @property
    def buf(self) -> bytes:
        """The latest bytes of an incomplete message (empty when none is pending)."""
        return self._tail if self._pending() else b""

    def feed(self, chunk: bytes) -> List[Any]:
        """Every message ``chunk`` completes: the usual ones as ``msgpack_quick.scan`` gives
        them, the others decoded (maps as dicts, arrays as lists)."""
        if self._first and chunk:
            self._first = False
            if chunk[:1] == b"{":
                raise ProtocolError(f"{_JSON_ANSWER}; read: {describe(chunk)}")
        quick: List[Any] = []
        if chunk.endswith(SYNC) and not self._pending():
            found = spout_read(chunk, self._known)
            if found is not None:
                return found
        if chunk.startswith(STARTS) and not self._pending():
            quick, at = scan(chunk, self._known)
            if at == len(chunk):
                return quick
            chunk = chunk[at:]
        unpacker = self._unpacker
        try:
            if unpacker is None:
                found = self._reader.feed(chunk)
                if self._reader.error is not None:  # bad bytes after whole messages
                    raise self._reader.error
            else:
                unpacker.feed(chunk)
                self._fed += len(chunk)
                found = list(unpacker)
                for msg in found:
                    kind = type(msg)
                    if kind is not dict and kind is not list:
                        raise MsgpackError(f"not a multilang message (a {kind.__name__}); "
                                           f"read: {describe(chunk)}")
        except (ValueError, OverflowError, TypeError) as exc:  # MsgpackError is a ValueError
            why = str(exc) or type(exc).__name__
            if "; read: " not in why:
                why += f"; read: {describe(chunk)}"
            raise ProtocolError(f"cannot read the component's output as MessagePack "
                                f"({why}); {_STRAY}") from None
        if self._pending():
            self._tail = chunk[-300:] if found else (self._tail + chunk[-300:])[-300:]
            self.partial_at = monotonic()
        if quick:
            quick.extend(found)
            return quick
        return found


def tuple_format(comp: str, stream: str, task: int) -> bytes:
    """A tuple message for one stream of a task: ``fmt % (tuple id, packed values)``."""
    middle = (packb("comp") + packb(comp) + packb("stream") + packb(stream)
              + packb("task") + packb(task) + packb("tuple"))
    return (b"\x85" + packb("id") + _ID_STR + b"%s" + middle.replace(b"%", b"%%") + b"%s")


def heartbeat(tuple_id: bytes) -> bytes:
    """Storm's heartbeat tuple for a bolt (it answers with a sync)."""
    return b"\x85" + packb("id") + _ID_STR + tuple_id + _HEARTBEAT_TAIL


def tick(tuple_id: bytes, secs: int) -> bytes:
    """A tick tuple, its one value the tick interval."""
    return (b"\x85" + packb("id") + _ID_STR + tuple_id + _TICK_MIDDLE + packb([secs]))


def spout_command(head: bytes, msg_id: Any) -> bytes:
    """An ack (``ACK_HEAD``) or fail (``FAIL_HEAD``) command for a spout message id."""
    return head + packb(msg_id)


def command_id_json(command: bytes) -> bytes:
    """The message id of an ack or fail command, as JSON (the form spouts' ids are kept in)."""
    mid = unpackb(command)["id"]
    return str(mid).encode() if type(mid) is int else dumps(mid)
