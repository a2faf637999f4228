"""The petrel runtime's usual MessagePack messages, cut out of a read by their bytes.

The petrel runtime writes its acks and emits from fixed pieces (``petrel.runtime.
msgpack_emits``) and every tuple id the runner gives has ``TUPLE_ID_DIGITS`` digits, so an ack
is a fixed-size message and an emit is a fixed head, an id, the packed values and a fixed
tail. ``scan`` takes a bolt's such messages apart with splits and slices, without
building objects:

- an ack: its tuple id (``bytes``);
- an emit on the default stream anchored to one input, no task ids wanted:
  ``(b"", anchor id, the packed tuple key and values)``.

It stops at the first message of another shape; the caller decodes the rest of the read in
full. The values are found by the fixed tail after them, and taken only when they are
exactly one MessagePack object: decoding is deterministic, so that object ends where the
real values end, whatever bytes they hold (values known whole are remembered).

A spout's read holds few messages, which the C decoder reads faster than Python cuts them:
its usual read (syncs answering acks, and pairs of an emit with a message id and a sync
answering ``next`` commands) is only cut at each pair's fixed tail, each pair decoded in
one call (``spout_read``); other spout reads are decoded in full.
"""

from __future__ import annotations

from typing import Any, Callable, List, Optional, Set, Tuple

from petrel.local.emit_routing import MEMO_MAX_BYTES, MEMO_MAX_ENTRIES
from petrel.local.wire import ProtocolError
from petrel.runtime.msgpack_codec import unpackb as _pure_unpackb
from petrel.runtime.msgpack_emits import ACK, BOLT_EMIT, NO_TASK_IDS, SPOUT_EMIT_ID, SYNC, TUPLE

try:  # optional: the C implementation
    import msgpack as _msgpack
except ImportError:  # pragma: no cover - depends on the environment
    _msgpack = None

__all__ = ["TUPLE_ID_DIGITS", "TUPLE_KEY_LEN", "STARTS", "SPOUT_TAIL", "new_known", "scan",
           "spout_read", "SYNC_MESSAGE", "unpack_one", "message_of"]

TUPLE_ID_DIGITS = 13
_ID_STR = bytes((0xA0 | TUPLE_ID_DIGITS,))   # the header of a 13-byte MessagePack string
_DIGITS = TUPLE_ID_DIGITS
ACK_ID = ACK + _ID_STR                      # then the id
ACK_SIZE = len(ACK_ID) + _DIGITS
_ACK_ID_LEN = len(ACK_ID)
ANCHORED = BOLT_EMIT + b"\x91" + _ID_STR    # then the id, TUPLE, the values, NO_TASK_IDS
_ANCHORED_LEN = len(ANCHORED)
_ACK_ANCHORED_LEN = ACK_SIZE + _ANCHORED_LEN
STARTS = (ACK_ID, ANCHORED)   # how a read ``scan`` can cut begins
_TUPLE_LEN = TUPLE_KEY_LEN = len(TUPLE)   # the packed key before an emit's values
_TAIL_LEN = len(NO_TASK_IDS)
_UNPACK_ERRORS = (ValueError, TypeError, OverflowError, RecursionError)
SPOUT_TAIL = NO_TASK_IDS + SYNC   # how each pair of a spout's usual read (emit, sync) ends
_SPOUT_HEAD_LEN = len(SPOUT_EMIT_ID)
_SYNC_LEN = len(SYNC)
# Every sync ``spout_read`` finds, decoded: one map shared by all (read, never changed).
SYNC_MESSAGE = {"command": "sync"}
_UINT_SIZES = {0xCC: 2, 0xCD: 3, 0xCE: 5, 0xCF: 9}   # uint 8/16/32/64: header and bytes
_THREE = b"\x93"   # a MessagePack array of three objects


def _refuse_ext(code: int, data: bytes) -> Any:
    raise ValueError(f"MessagePack extension type {code}")


def unpack_one(data: bytes) -> Any:
    """The one MessagePack object ``data`` holds; ValueError (or TypeError) if it is not."""
    if _msgpack is not None:
        return _msgpack.unpackb(data, raw=False, strict_map_key=False, ext_hook=_refuse_ext)
    return _pure_unpackb(data)


def new_known() -> Set[bytes]:
    """A reader's set of packed values known to be one whole object (and b"", for acks)."""
    return {b""}


def _whole(rest: bytes, known: Set[bytes]) -> bool:
    """True when ``rest`` is the tuple key and one whole MessagePack object (remembered when
    short)."""
    if not rest.startswith(TUPLE):
        return False
    try:
        unpack_one(rest[_TUPLE_LEN:])
    except _UNPACK_ERRORS:
        return False
    if len(rest) <= MEMO_MAX_BYTES:
        if len(known) >= MEMO_MAX_ENTRIES:
            known.clear()
        known.add(rest)
    return True


def _acks(data: bytes, at: int, end: int, append: Callable[[Any], None]) -> int:
    """Append the ids of the acks from ``at`` on; where the first other message begins."""
    while at + ACK_SIZE <= end and data.startswith(ACK_ID, at):
        at += ACK_SIZE
        append(data[at - _DIGITS:at])
    return at


def _whole_read(data: bytes, known: Set[bytes]) -> Optional[List[Any]]:
    """The items of a read made only of a bolt's acks and anchored emits, else None."""
    items: List[Any] = []
    append = items.append
    parts = data.split(NO_TASK_IDS)   # each an emit but for the tail, after acks maybe
    last = parts.pop()
    for part in parts:
        if part.startswith(ANCHORED):
            start = _ANCHORED_LEN
        elif part.startswith(ANCHORED, ACK_SIZE) and part.startswith(ACK_ID):  # one ack first
            append(part[_ACK_ID_LEN:ACK_SIZE])
            start = _ACK_ANCHORED_LEN
        else:
            at = _acks(part, 0, len(part), append)
            if not at or not part.startswith(ANCHORED, at):  # a message of another shape
                return None
            start = at + _ANCHORED_LEN
        rest = part[start + _DIGITS:]
        if rest not in known and not _whole(rest, known):
            return None
        append((b"", part[start:start + _DIGITS], rest))
    return items if _acks(last, 0, len(last), append) == len(last) else None


def scan(data: bytes, known: Set[bytes]) -> Tuple[List[Any], int]:
    """The usual messages at the start of ``data`` (see the module doc), and where the first
    other one begins (``len(data)`` when there is none); ``known``: values known whole."""
    size = len(data)
    if size % ACK_SIZE == 0 and data.startswith(ACK_ID):
        # Only acks? Cut at the fixed head, they leave one id of the fixed size each.
        ids = data.split(ACK_ID)
        if len(ids) == size // ACK_SIZE + 1 and set(map(len, ids[1:])) == {_DIGITS}:
            del ids[0]
            return ids, size
    found = _whole_read(data, known)
    if found is not None:
        return found, size
    items: List[Any] = []
    append = items.append
    pos = 0
    while pos < size:
        pos = _acks(data, pos, size, append)
        start = pos + _ANCHORED_LEN + _DIGITS
        stop = data.find(NO_TASK_IDS, start)
        if stop < 0 or not data.startswith(ANCHORED, pos):
            break
        rest = data[start:stop]
        if rest not in known and not _whole(rest, known):
            break
        append((b"", data[start - _DIGITS:start], rest))
        pos = stop + _TAIL_LEN
    return items, pos


def _syncs(part: bytes, found: List[Any]) -> bool:
    """Add ``SYNC_MESSAGE`` for each sync ``part`` is made of; False when it holds anything
    else."""
    count = len(part) // _SYNC_LEN
    if part != SYNC * count:
        return False
    found += [SYNC_MESSAGE] * count
    return True


def _uint_size(first: int) -> int:
    """The size of an unsigned integer whose MessagePack encoding starts with ``first``
    (0 for any other object)."""
    if first < 0x80:
        return 1
    return _UINT_SIZES.get(first, 0)


def spout_read(data: bytes, known: Set[bytes]) -> Optional[List[Any]]:
    """A spout's usual read: syncs (the answers to acks and fails) and pairs of an emit with
    a message id and a sync (one pair per ``next``), in any order; None for any other read.

    Syncs come as ``SYNC_MESSAGE``, one shared map. An emit whose message id is an unsigned
    integer comes as ``(message id, the packed tuple key and values)``, its values not
    decoded; one with another id comes decoded.

    The read is cut at each pair's fixed tail; what comes before a pair's fixed head must be
    whole syncs. The bytes between the head and the tail must be the message id, the tuple
    key and the values: an integer id's size is in its first byte, and the values must then
    be one whole object (``known``: values known whole); another id is read with the key
    and the values as the body of a three-object array, which decodes to exactly three
    objects with the key in the middle only when they are (decoding is deterministic, and a
    one-object answer cannot leave bytes over). A tail's bytes inside the values cut them
    short, and a value cut short never decodes whole (a container's header counts what is
    missing), so such a read is None.
    """
    if not data.endswith(SYNC):
        return None
    parts = data.split(SPOUT_TAIL)
    last = parts.pop()   # syncs after the last pair, or nothing
    found: List[Any] = []
    append = found.append
    for part in parts:
        at = part.find(SPOUT_EMIT_ID)
        if at < 0 or (at and not _syncs(part[:at], found)):
            return None
        at += _SPOUT_HEAD_LEN
        size = _uint_size(part[at]) if at < len(part) else 0
        rest = part[at + size:]
        if size and (rest in known or _whole(rest, known)) and rest:
            first = part[at]
            append((first if size == 1 else int.from_bytes(part[at + 1:at + size], "big"),
                    rest))
        else:
            try:
                mid, key, values = unpack_one(_THREE + part[at:])
            except _UNPACK_ERRORS:
                return None
            if key != "tuple":
                return None
            append({"command": "emit", "id": mid, "tuple": values, "need_task_ids": False})
        append(SYNC_MESSAGE)
    if last and not _syncs(last, found):
        return None
    return found


def message_of(item: Any) -> Any:
    """The decoded message of an item ``scan`` or ``spout_read`` gave (for the checks of the
    general path)."""
    kind = type(item)
    if kind is not tuple and kind is not bytes:
        return item
    if kind is tuple and len(item) == 2:   # a spout's emit: (message id, key and values)
        return {"command": "emit", "id": item[0], "tuple": unpack_one(item[1][_TUPLE_LEN:]),
                "need_task_ids": False}
    try:
        if kind is bytes:
            return {"command": "ack", "id": item.decode()}
        return {"command": "emit", "anchors": [item[1].decode()],
                "tuple": unpack_one(item[2][_TUPLE_LEN:]), "need_task_ids": False}
    except UnicodeDecodeError as exc:
        raise ProtocolError(f"cannot read the component's output as MessagePack ({exc}): a "
                            f"tuple id that is not UTF-8") from None
