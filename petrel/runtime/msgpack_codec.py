"""MessagePack for the multilang protocol, in pure Python (standard library only).

Messages are MessagePack values written back to back, with no separator: the framing of the
JVM side's ``petrel.PetrelMsgpackSerializer`` and of pystorm's msgpack serializer. Only the
multilang value types exist: maps, lists (and tuples), str, int (64 bits, signed or
unsigned), float (always written as float64), bool, None and bytes (bytes, bytearray,
memoryview; read back as bytes). Extension types are refused both ways.

Encoding (``packb``, from petrel.runtime.msgpack_encode) chooses the shortest form for
every length and integer, as the JVM side does, so both sides produce the same bytes for
the same value.
"""

from __future__ import annotations

import struct
from typing import Any, Callable, Dict, FrozenSet, List, Optional, Tuple

from petrel.runtime.msgpack_encode import MAX_DEPTH as MAX_DEPTH
from petrel.runtime.msgpack_encode import packb as packb

# The largest length a str, bin, array or map header may declare (bytes or items). Larger
# is taken for a stray or corrupted header and refused at once: waiting for that many
# bytes would hang the reader (a stray 32-bit length may claim up to 4 GiB).
MAX_DECLARED_LENGTH = 64 * 1024 * 1024

_unpack_float64 = struct.Struct(">d").unpack_from
_unpack_float32 = struct.Struct(">f").unpack_from


class MsgpackError(ValueError):
    """Bytes that are not MessagePack's multilang values (the message says what was read)."""


class Incomplete(Exception):
    """The bytes end inside a value: more must be read before it can be decoded."""


Decoded = Tuple[Any, int]


def _need(data: bytes, end: int) -> None:
    if end > len(data):
        raise Incomplete


def _fixed(data: bytes, at: int, size: int, signed: bool) -> Decoded:
    _need(data, at + size)
    return int.from_bytes(data[at:at + size], "big", signed=signed), at + size


def _declared(data: bytes, at: int, size_bytes: int, what: str) -> Decoded:
    """A length header's value; MsgpackError beyond MAX_DECLARED_LENGTH."""
    size, end = _fixed(data, at, size_bytes, False)
    if size > MAX_DECLARED_LENGTH:
        article = "an" if what == "array" else "a"
        raise MsgpackError(f"{article} {what} header at offset {at - 1} declares {size:,} "
                           f"{'items' if what in ('array', 'map') else 'bytes'}, more than the "
                           f"{MAX_DECLARED_LENGTH:,} petrel accepts (a stray or corrupted "
                           f"length)")
    return size, end


def _raw(data: bytes, at: int, size_bytes: int, what: str = "bin") -> Tuple[bytes, int]:
    size, at = _declared(data, at, size_bytes, what) if size_bytes == 4 else \
        _fixed(data, at, size_bytes, False)
    _need(data, at + size)
    return data[at:at + size], at + size


def _text(raw: bytes, data: bytes, at: int) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise MsgpackError(f"a string that is not UTF-8 at offset {at}: "
                           f"{describe(data[at:at + 40])}") from None


def _array(data: bytes, at: int, size: int, depth: int) -> Decoded:
    items: List[Any] = []
    append = items.append
    for _ in range(size):
        item, at = decode_at(data, at, depth + 1)
        append(item)
    return items, at


def _map(data: bytes, at: int, size: int, depth: int) -> Decoded:
    result: Dict[Any, Any] = {}
    for _ in range(size):
        key, at = decode_at(data, at, depth + 1)
        value, at = decode_at(data, at, depth + 1)
        try:
            result[key] = value
        except TypeError:
            raise MsgpackError(f"a map key that Python cannot use ({type(key).__name__}) "
                               f"before offset {at}") from None
    return result, at


def decode_at(data: bytes, at: int, depth: int = 0) -> Decoded:
    """The value that starts at ``data[at]`` and the offset after it (Incomplete if cut)."""
    if at >= len(data):
        raise Incomplete
    b = data[at]
    at += 1
    # The common forms first, inline: a call per value is most of the cost.
    if b <= 0x7F:
        return b, at
    if 0xA0 <= b <= 0xBF:
        end = at + (b & 0x1F)
        if end > len(data):
            raise Incomplete
        raw = data[at:end]
        try:
            return raw.decode(), end
        except UnicodeDecodeError:
            return _text(raw, data, at), end
    if depth >= MAX_DEPTH:
        raise MsgpackError(f"a value nested more than {MAX_DEPTH} levels deep")
    if b <= 0x8F:
        result: Dict[Any, Any] = {}
        depth += 1
        for _ in range(b & 0x0F):
            k = data[at] if at < len(data) else 0
            if 0xA0 <= k <= 0xBF:  # a short string key: the usual case
                key_end = at + 1 + (k & 0x1F)
                if key_end > len(data):
                    raise Incomplete
                key = _text(data[at + 1:key_end], data, at + 1)
                at = key_end
            else:
                key, at = decode_at(data, at, depth)
            value, at = decode_at(data, at, depth)
            try:
                result[key] = value
            except TypeError:
                raise MsgpackError(f"a map key that Python cannot use ({type(key).__name__}) "
                                   f"before offset {at}") from None
        return result, at
    if b <= 0x9F:
        items: List[Any] = []
        append = items.append
        depth += 1
        for _ in range(b & 0x0F):
            item, at = decode_at(data, at, depth)
            append(item)
        return items, at
    if b >= 0xE0:
        return b - 0x100, at
    if b == 0xC0:
        return None, at
    if b == 0xD9 or b == 0xDA:
        start = at + (1 if b == 0xD9 else 2)
        end = start + int.from_bytes(data[at:start], "big")
        if end > len(data):
            raise Incomplete
        return _text(data[start:end], data, start), end
    handler = _DECODERS.get(b)
    if handler is None:
        what = ("never used in MessagePack" if b == 0xC1 else
                "a MessagePack extension type, which the multilang protocol does not use")
        raise MsgpackError(f"byte 0x{b:02x} at offset {at - 1} is {what}")
    return handler(data, at, depth)


def _str_n(size_bytes: int) -> Callable[[bytes, int, int], Decoded]:
    def read(data: bytes, at: int, depth: int) -> Decoded:
        raw, end = _raw(data, at, size_bytes, "str")
        return _text(raw, data, at), end
    return read


def _container(size_bytes: int, body: Callable[..., Decoded]) -> Callable[..., Decoded]:
    what = "array" if body is _array else "map"

    def read(data: bytes, at: int, depth: int) -> Decoded:
        size, at = _declared(data, at, size_bytes, what)
        return body(data, at, size, depth)
    return read


def _float(size: int) -> Callable[[bytes, int, int], Decoded]:
    unpack = _unpack_float32 if size == 4 else _unpack_float64

    def read(data: bytes, at: int, depth: int) -> Decoded:
        _need(data, at + size)
        return float(unpack(data, at)[0]), at + size
    return read


_DECODERS: Dict[int, Callable[[bytes, int, int], Decoded]] = {
    0xC0: lambda data, at, depth: (None, at),
    0xC2: lambda data, at, depth: (False, at),
    0xC3: lambda data, at, depth: (True, at),
    0xC4: lambda data, at, depth: _raw(data, at, 1),
    0xC5: lambda data, at, depth: _raw(data, at, 2),
    0xC6: lambda data, at, depth: _raw(data, at, 4),
    0xCA: _float(4),
    0xCB: _float(8),
    0xD9: _str_n(1),
    0xDA: _str_n(2),
    0xDB: _str_n(4),
    0xDC: _container(2, _array),
    0xDD: _container(4, _array),
    0xDE: _container(2, _map),
    0xDF: _container(4, _map),
}
for _code, _size in ((0xCC, 1), (0xCD, 2), (0xCE, 4), (0xCF, 8)):
    _DECODERS[_code] = (lambda size: lambda data, at, depth: _fixed(data, at, size, False))(_size)
for _code, _size in ((0xD0, 1), (0xD1, 2), (0xD2, 4), (0xD3, 8)):
    _DECODERS[_code] = (lambda size: lambda data, at, depth: _fixed(data, at, size, True))(_size)


def unpackb(data: bytes) -> Any:
    """The one value ``data`` holds; MsgpackError if it is cut short or followed by more."""
    try:
        value, end = decode_at(data, 0)
    except Incomplete:
        raise MsgpackError(f"truncated MessagePack value: {describe(data)}") from None
    if end != len(data):
        raise MsgpackError(f"{len(data) - end} extra byte(s) after a MessagePack value: "
                           f"{describe(data[end:])}")
    return value


def describe(data: bytes, limit: int = 80) -> str:
    """Up to ``limit`` bytes as text (other bytes as \\xNN), for error messages."""
    shown = bytes(data[:limit])
    text = "".join(chr(b) if 0x20 <= b < 0x7F and b not in b"\\'" else f"\\x{b:02x}"
                   for b in shown)
    return f"'{text}'" + ("..." if len(data) > limit else "")


class Unpacker:
    """Stream decoding: ``feed()`` bytes as they are read, then ``messages()`` the whole ones.

    Bytes of a message split across reads wait in the buffer until the rest arrives.
    """

    def __init__(self) -> None:
        self._buffer = b""

    def feed(self, chunk: bytes) -> None:
        """Add bytes read from the stream."""
        self._buffer = self._buffer + chunk if self._buffer else bytes(chunk)

    def pending(self) -> int:
        """How many bytes of an incomplete message are buffered."""
        return len(self._buffer)

    def head(self) -> bytes:
        """The buffered bytes (those of an incomplete message), for error messages."""
        return self._buffer

    def messages(self, starts: Optional[FrozenSet[int]] = None) -> List[Any]:
        """Every whole message buffered, in order; MsgpackError at the first invalid one.

        The messages before an invalid one are returned first; the next call raises.
        ``starts``, when given, rejects a message whose first byte is not in it, before
        decoding it (a stray ``print`` shows as small integers otherwise).
        """
        data = self._buffer
        at = 0
        found: List[Any] = []
        size = len(data)
        while at < size:
            try:
                if starts is not None and data[at] not in starts:
                    raise MsgpackError(f"not a multilang message: {describe(data[at:])}")
                value, at = decode_at(data, at)
            except Incomplete:
                break
            except MsgpackError as exc:
                self._buffer = data[at:]
                if found:
                    return found
                if "; read: " in str(exc):
                    raise
                raise MsgpackError(f"{exc}; read: {describe(data[at:])}") from None
            found.append(value)
        self._buffer = data[at:]
        return found

