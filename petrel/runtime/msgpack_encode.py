"""MessagePack encoding for the multilang protocol, in pure Python (standard library only).

Chooses the shortest form for every length and integer, as the JVM side's
``petrel.PetrelMsgpackSerializer`` does, so both sides produce the same bytes for the same
value. The types are those of ``petrel.runtime.msgpack_codec``.
"""

from __future__ import annotations

import struct
from typing import Any, Dict

MAX_DEPTH = 512

_pack_float = struct.Struct(">Bd").pack
_INT_FORMS = (
    # (lowest, highest, type byte, struct format) for values not in a fixint.
    (0, 0xFF, 0xCC, ">BB"), (0, 0xFFFF, 0xCD, ">BH"), (0, 0xFFFFFFFF, 0xCE, ">BI"),
    (0, 0xFFFFFFFFFFFFFFFF, 0xCF, ">BQ"), (-0x80, -1, 0xD0, ">Bb"),
    (-0x8000, -1, 0xD1, ">Bh"), (-0x80000000, -1, 0xD2, ">Bi"),
    (-0x8000000000000000, -1, 0xD3, ">Bq"),
)
_INT_PACKERS = tuple((low, high, code, struct.Struct(fmt).pack)
                     for low, high, code, fmt in _INT_FORMS)


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
