"""MessagePack for the multilang protocol, in pure Python (standard library only).

Messages are MessagePack values written back to back, with no separator: the framing of the
JVM side's ``petrel.PetrelMsgpackSerializer`` and of pystorm's msgpack serializer. Only the
multilang value types exist: maps, lists (and tuples), str, int (64 bits, signed or
unsigned), float (always written as float64), bool, None and bytes (bytes, bytearray,
memoryview; read back as bytes). Extension types are refused both ways.

Encoding chooses the shortest form for every length and integer, as the JVM side does, so
both sides produce the same bytes for the same value.
"""

from __future__ import annotations

import struct
from typing import Any, Callable, Dict, FrozenSet, List, Optional, Tuple

MAX_DEPTH = 512

_pack_float = struct.Struct(">Bd").pack
_unpack_float64 = struct.Struct(">d").unpack_from
_unpack_float32 = struct.Struct(">f").unpack_from
_INT_FORMS = (
    # (lowest, highest, type byte, struct format) for values not in a fixint.
    (0, 0xFF, 0xCC, ">BB"), (0, 0xFFFF, 0xCD, ">BH"), (0, 0xFFFFFFFF, 0xCE, ">BI"),
    (0, 0xFFFFFFFFFFFFFFFF, 0xCF, ">BQ"), (-0x80, -1, 0xD0, ">Bb"),
    (-0x8000, -1, 0xD1, ">Bh"), (-0x80000000, -1, 0xD2, ">Bi"),
    (-0x8000000000000000, -1, 0xD3, ">Bq"),
)
_INT_PACKERS = tuple((low, high, code, struct.Struct(fmt).pack)
                     for low, high, code, fmt in _INT_FORMS)


class MsgpackError(ValueError):
    """Bytes that are not MessagePack's multilang values (the message says what was read)."""


class Incomplete(Exception):
    """The bytes end inside a value: more must be read before it can be decoded."""


# -- encoding ----------------------------------------------------------------------------


def _header(out: bytearray, size: int, fix: int, fix_limit: int, code16: int) -> None:
    if size < fix_limit:
        out.append(fix | size)
    elif size <= 0xFFFF:
        out += struct.pack(">BH", code16, size)
    elif size <= 0xFFFFFFFF:
        out += struct.pack(">BI", code16 + 1, size)
    else:
        raise ValueError(f"a value of {size} items or bytes is too large for MessagePack")


def _int(out: bytearray, value: int) -> None:
    if -32 <= value <= 0x7F:
        out.append(value & 0xFF)
        return
    for low, high, code, pack in _INT_PACKERS:
        if low <= value <= high:
            out += pack(code, value)
            return
    raise ValueError(f"integer {value} does not fit MessagePack's 64 bits")


_STR_CACHE: Dict[str, bytes] = {}


def _str(out: bytearray, value: str) -> None:
    cached = _STR_CACHE.get(value)
    if cached is not None:
        out += cached
        return
    data = value.encode("utf-8")
    if len(data) <= 16:
        # Keys and command names repeat in every message: keep their encoded form.
        if len(_STR_CACHE) >= 4096:
            _STR_CACHE.clear()
        _STR_CACHE[value] = bytes((0xA0 | len(data),)) + data
    size = len(data)
    if size < 32:
        out.append(0xA0 | size)
    elif size <= 0xFF:
        out.append(0xD9)
        out.append(size)
    else:
        _header(out, size, 0, 0, 0xDA)
    out += data


def _bin(out: bytearray, value: Any) -> None:
    data = bytes(value)
    size = len(data)
    if size <= 0xFF:
        out.append(0xC4)
        out.append(size)
    elif size <= 0xFFFF:
        out += struct.pack(">BH", 0xC5, size)
    elif size <= 0xFFFFFFFF:
        out += struct.pack(">BI", 0xC6, size)
    else:
        raise ValueError(f"{size} bytes are too many for one MessagePack value")
    out += data


def _value(out: bytearray, value: Any, depth: int) -> None:
    kind = type(value)
    if kind is str:
        _str(out, value)
    elif kind is int:
        _int(out, value)
    elif value is None:
        out.append(0xC0)
    elif kind is bool:
        out.append(0xC3 if value else 0xC2)
    elif kind is float:
        out += _pack_float(0xCB, value)
    elif kind is list or kind is tuple:
        if depth >= MAX_DEPTH:
            raise ValueError(f"a value nested more than {MAX_DEPTH} levels deep")
        _header(out, len(value), 0x90, 16, 0xDC)
        for item in value:
            _value(out, item, depth + 1)
    elif kind is dict:
        if depth >= MAX_DEPTH:
            raise ValueError(f"a value nested more than {MAX_DEPTH} levels deep")
        _header(out, len(value), 0x80, 16, 0xDE)
        for key, item in value.items():
            _value(out, key, depth + 1)
            _value(out, item, depth + 1)
    else:
        _other(out, value, depth)


def _other(out: bytearray, value: Any, depth: int) -> None:
    """Subclasses of the multilang types, and bytes-like values."""
    if isinstance(value, bool):
        out.append(0xC3 if value else 0xC2)
    elif isinstance(value, int):
        _int(out, int(value))
    elif isinstance(value, float):
        out += _pack_float(0xCB, float(value))
    elif isinstance(value, str):
        _str(out, str(value))
    elif isinstance(value, (bytes, bytearray, memoryview)):
        _bin(out, value)
    elif isinstance(value, (list, tuple)):
        _value(out, list(value), depth)
    elif isinstance(value, dict):
        _value(out, dict(value), depth)
    else:
        raise TypeError(f"MessagePack cannot encode a value of type {type(value).__name__}")


def packb(value: Any) -> bytes:
    """The MessagePack bytes of ``value``; TypeError or ValueError if it cannot be encoded."""
    out = bytearray()
    _value(out, value, 0)
    return bytes(out)


# -- decoding ----------------------------------------------------------------------------

Decoded = Tuple[Any, int]


def _need(data: bytes, end: int) -> None:
    if end > len(data):
        raise Incomplete


def _fixed(data: bytes, at: int, size: int, signed: bool) -> Decoded:
    _need(data, at + size)
    return int.from_bytes(data[at:at + size], "big", signed=signed), at + size


def _raw(data: bytes, at: int, size_bytes: int) -> Tuple[bytes, int]:
    size, at = _fixed(data, at, size_bytes, False)
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
        raw, end = _raw(data, at, size_bytes)
        return _text(raw, data, at), end
    return read


def _container(size_bytes: int, body: Callable[..., Decoded]) -> Callable[..., Decoded]:
    def read(data: bytes, at: int, depth: int) -> Decoded:
        size, at = _fixed(data, at, size_bytes, False)
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

