"""Multilang framing on the host side: bulk splitting of ``...\\nend\\n`` messages and JSON.

Reading follows Storm's ``BufferedReader`` rules: ``\\n``, ``\\r\\n`` and ``\\r`` end a
line, a line that is exactly ``end`` ends a message, earlier lines are joined and parsed as
one JSON value, so pretty-printed JSON is accepted. Writing produces compact one-line JSON
followed by ``\\nend\\n``, with U+2028/U+2029 escaped so line-based readers never split a string.
"""

from __future__ import annotations

import json
from types import ModuleType
from typing import Any, Callable, List, Optional, Tuple

_orjson: Optional[ModuleType]
try:  # orjson is optional: several times faster, same results
    import orjson as _orjson
except ImportError:  # pragma: no cover - exercised when orjson is absent
    _orjson = None

END = b"\nend\n"


class ProtocolError(Exception):
    """A message a component sent that Storm would die on (the text says what Storm says)."""


def _std_dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"),
                      allow_nan=False).encode("utf-8")


def _std_loads(data: bytes) -> Any:
    return json.loads(data)


if _orjson is not None:
    _fast_dumps = _orjson.dumps
    _fast_loads = _orjson.loads
    _JSONDecodeError = _orjson.JSONDecodeError

    def dumps(value: Any) -> bytes:
        """Compact JSON bytes (orjson when possible, stdlib for huge ints and the like)."""
        try:
            data = _fast_dumps(value)
        except TypeError:
            data = _std_dumps(value)
        # isascii() is a quick scan; a multi-byte 'in' test costs ten times as much
        if not data.isascii() and (b"\xe2\x80\xa8" in data or b"\xe2\x80\xa9" in data):
            data = data.replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029")
        return data

    def loads(data: bytes) -> Any:
        """Parse JSON; falls back to the stdlib for what orjson refuses (NaN, huge ints)."""
        try:
            return _fast_loads(data)
        except _JSONDecodeError:
            return _std_loads(data)
else:  # pragma: no cover
    def dumps(value: Any) -> bytes:
        """Compact JSON bytes."""
        data = _std_dumps(value)
        if b"\xe2\x80\xa8" in data or b"\xe2\x80\xa9" in data:
            data = data.replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029")
        return data

    loads = _std_loads


def encode(value: Any) -> bytes:
    """One framed message: compact JSON plus ``\\nend\\n``."""
    return dumps(value) + END


class MessageReader:
    """Accumulates a task's stdout bytes and yields every complete message in them."""

    __slots__ = ("buf", "_cr")

    def __init__(self) -> None:
        self.buf = b""
        self._cr = False  # the previous chunk ended with '\r' (maybe half of '\r\n')

    def feed(self, chunk: bytes) -> List[bytes]:
        """Add bytes; return the raw JSON text of every message now complete.

        An empty message (a line ``end`` with no JSON before it) comes back as ``b""``, or,
        when the quick path split it, glued before the next one as ``b"end\n..."``;
        ``is_empty`` recognises both.
        """
        if not self._cr and b"\r" not in chunk:
            buf = self.buf + chunk if self.buf else chunk
            # The usual case, split in C ('\n' line ends only). An empty message inside
            # the buffer shows up as a part starting with "end\n", which the caller's
            # parser reports; one at either edge takes the careful path.
            if not buf.startswith(b"end\n") and not buf.endswith(b"\nend\nend\n"):
                out = buf.split(END)
                self.buf = out.pop()
                return out
            self.buf = b""
            chunk = buf
        return self._feed_slowly(chunk)

    def _feed_slowly(self, chunk: bytes) -> List[bytes]:
        if self._cr:
            self._cr = False
            if chunk.startswith(b"\n"):
                chunk = chunk[1:]
        if b"\r" in chunk:
            if chunk.endswith(b"\r"):
                self._cr = True
            chunk = chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        buf = self.buf + chunk if self.buf else chunk
        out: List[bytes] = []
        pos = 0
        find = buf.find
        while True:
            if buf.startswith(b"end\n", pos):
                # a terminator with no JSON before it: Storm parses null and dies
                out.append(b"")
                pos += 4
                continue
            i = find(END, pos)
            if i < 0:
                break
            out.append(buf[pos:i])
            pos = i + 5
        self.buf = buf[pos:] if pos else buf
        return out


def is_empty(raw: bytes) -> bool:
    """True when ``feed`` returned an empty message (Storm reads it as null and dies)."""
    return not raw.strip() or raw.startswith(b"end\n")


def parse_message(raw: bytes) -> dict:
    """Decode one message; anything Storm could not read as a JSON object raises."""
    if is_empty(raw):
        raise ProtocolError("empty message (a line 'end' with no JSON before it)")
    try:
        msg = loads(raw)
    except ValueError as exc:
        text = raw[:200].decode("utf-8", "replace")
        raise ProtocolError(f"invalid JSON from the component: {exc}; read: {text!r}") from None
    if not isinstance(msg, dict):
        raise ProtocolError(f"a message must be a JSON object, got {type(msg).__name__}: "
                            f"{raw[:200].decode('utf-8', 'replace')!r}")
    return msg


def parse_batch(raws: List[bytes]) -> List[Tuple[dict, None] | Tuple[None, str]]:
    """Decode several messages at once; each item is (message, None) or (None, error)."""
    out: List[Any] = []
    for raw in raws:
        try:
            out.append((parse_message(raw), None))
        except ProtocolError as exc:
            out.append((None, str(exc)))
    return out


Loader = Callable[[bytes], Any]
