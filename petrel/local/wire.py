"""Multilang framing on the host side: bulk splitting of ``...\\nend\\n`` messages and JSON.

Reading follows Storm's ``BufferedReader`` rules: ``\\n``, ``\\r\\n`` and ``\\r`` end a
line, a line that is exactly ``end`` ends a message, earlier lines are joined and parsed as
one JSON value, so pretty-printed JSON is accepted. Writing produces compact one-line JSON
followed by ``\\nend\\n``, with U+2028/U+2029 escaped so line-based readers never split a string.
"""

from __future__ import annotations

import json
from time import monotonic
from types import ModuleType
from typing import Any, Callable, List, Optional, Protocol, Tuple

_orjson: Optional[ModuleType]
try:  # orjson is optional: several times faster, same results
    import orjson as _orjson
except ImportError:  # pragma: no cover - exercised when orjson is absent
    _orjson = None

END = b"\nend\n"
# Below this many pending bytes a read is simply appended and the whole re-split; above it,
# only the new bytes are searched (so a large message costs linear time).
REJOIN_MAX = 64 * 1024


class ProtocolError(Exception):
    """A message a component sent that Storm would die on (the text says what Storm says)."""


def _std_dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"),
                      allow_nan=False).encode("utf-8")


def _std_loads(data: bytes) -> Any:
    try:
        return json.loads(data)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


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


class StdoutReader(Protocol):
    """What splits a task's stdout into messages: ``MessageReader`` or MessagePack's."""

    partial_at: float  # monotonic time the latest bytes of an incomplete message came

    @property
    def buf(self) -> bytes:
        """The bytes (or the latest bytes) of an incomplete message."""

    def feed(self, chunk: bytes) -> List[Any]:
        """Every message ``chunk`` completes."""


class MessageReader:
    """Accumulates a task's stdout bytes and yields every complete message in them.

    The bytes of an incomplete message are kept as a list of chunks and joined once, when
    the chunk holding its terminator arrives; each read is searched only in its own bytes
    (plus the four before it, where a terminator may straddle two reads), so a message of
    any size costs time in proportion to its length.
    """

    __slots__ = ("_small", "_parts", "_cr", "partial_at")

    def __init__(self) -> None:
        self._small = b""  # the start of a message, while under REJOIN_MAX bytes
        self._parts: List[bytes] = []  # or, once larger, its chunks in order
        self._cr = False  # the previous chunk ended with '\r' (maybe half of '\r\n')
        self.partial_at = 0.0  # monotonic time the latest bytes of an incomplete message came

    @property
    def buf(self) -> bytes:
        """The bytes read since the last complete message."""
        parts = self._parts
        if len(parts) > 1:
            parts[:] = [b"".join(parts)]
        return parts[0] if parts else self._small

    def feed(self, chunk: bytes) -> List[bytes]:
        """Add bytes; return the raw JSON text of every message now complete.

        An empty message (a line ``end`` with no JSON before it) comes back as ``b""``, or,
        when the quick path split it, glued before the next one as ``b"end\n..."``;
        ``is_empty`` recognises both.
        """
        if self._cr or b"\r" in chunk:
            chunk = self._normalise(chunk)
        if self._parts:
            return self._feed_large(chunk)
        buf = self._small + chunk if self._small else chunk
        # The usual case, split in C. An empty message inside the buffer shows up as a part
        # starting with "end\n", which the caller's parser reports; one at either edge
        # takes the careful path.
        if buf.startswith(b"end\n") or buf.endswith(b"\nend\nend\n"):
            self._small = b""
            return self._split_carefully(buf)
        out = buf.split(END)
        rest = self._small = out.pop()
        if rest and (not out or len(rest) >= REJOIN_MAX or rest.startswith(b"end\n")):
            self._small = b""
            if rest.startswith(b"end\n"):  # an empty message right after the last one
                return out + self._split_carefully(rest)
            # a large message begins, or no message completed: note the time of the bytes
            self._keep(rest)
        return out

    def _keep(self, rest: bytes) -> None:
        """Keep the start of an incomplete message; its bytes are a sign of life."""
        if len(rest) >= REJOIN_MAX:
            self._parts.append(rest)
        else:
            self._small = rest
        self.partial_at = monotonic()

    def _feed_large(self, chunk: bytes) -> List[bytes]:
        """``feed`` while a large message is pending: search only the new bytes."""
        parts = self._parts
        last = parts[-1]
        tail = last[-4:] if len(last) >= 4 else b"".join(parts)[-4:]
        around = tail + chunk[:4]
        if END not in chunk and END not in around and not self._empty_first(chunk):
            parts.append(chunk)
            self.partial_at = monotonic()
            return []
        if len(last) < 4 or self._empty_first(chunk):
            # rare edges: split everything
            parts.append(chunk)
            buf = b"".join(parts)
            parts.clear()
            return self._split_carefully(buf)
        # Copy the message's bytes once, without the terminator.
        k = around.find(END)
        if k >= 0:  # the terminator straddles the two reads
            parts[-1] = last[:k - 4]
            rest = chunk[k + 1:]
        else:
            i = chunk.find(END)
            parts.append(chunk[:i])
            rest = chunk[i + 5:]
        message = b"".join(parts)
        parts.clear()
        return [message] + self.feed(rest) if rest else [message]

    def _empty_first(self, chunk: bytes) -> bool:
        """True when the pending bytes and then ``chunk`` begin with a line ``end``."""
        first = self._parts[0]
        head = first if len(first) >= 4 else b"".join(self._parts) + chunk[:4]
        return head.startswith(b"end\n")

    def _normalise(self, chunk: bytes) -> bytes:
        """``\r\n`` and ``\r`` become ``\n``, also when ``\r\n`` straddles two reads."""
        if self._cr and chunk:
            self._cr = False
            if chunk.startswith(b"\n"):
                chunk = chunk[1:]
        if b"\r" in chunk:
            if chunk.endswith(b"\r"):
                self._cr = True
            chunk = chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        return chunk

    def _split_carefully(self, buf: bytes) -> List[bytes]:
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
        if pos < len(buf):
            self._keep(buf[pos:] if pos else buf)
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
