"""Multilang framing and JSON: bulk reads of whole messages, one buffered write per flush.

Wire format (docs/internals/protocol.md#framing): each message is one JSON value, a newline,
a line holding exactly ``end``. Both directions are UTF-8 bytes, whatever the locale.
Reading is done in large ``os.read`` chunks; every complete message in a chunk is decoded
at once and queued.
Writing appends whole messages to a buffer that is flushed once before the process would
block waiting for input (and whenever the runtime asks, e.g. at a spout ``sync``).
orjson is used when importable, the standard json module otherwise; both produce the same
strict JSON (no NaN or Infinity, compact, UTF-8). ``detect_format``: see Channel.use_msgpack.
"""

from __future__ import annotations

import io
import json
import math
import os
import sys
import threading
import time
from collections import deque
from functools import partial
from typing import Any, Callable, Deque, List, Optional

try:  # orjson is optional: several times faster, same output
    import orjson
except ImportError:  # pragma: no cover - exercised on interpreters without orjson
    orjson = None  # type: ignore[assignment]

END = b"\nend\n"
# First bytes of a MessagePack map: fixmap, map 16, map 32 (a JSON handshake starts with '{').
MSGPACK_MAP_STARTS = frozenset(range(0x80, 0x90)) | {0xDE, 0xDF}
READ_SIZE = 256 * 1024
# Flush on our own once this many messages are buffered, so memory stays bounded while a
# long batch of input is processed.
MAX_BUFFERED = 2000

BACKEND = "orjson" if orjson is not None else "json"

_std_encoder = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"))
_std_decoder = json.JSONDecoder()


class ProtocolError(Exception):
    """The host sent something that is not the multilang protocol (invalid JSON, no framing)."""


class ChannelClosed(Exception):
    """The host closed our stdin or stdout: Storm is done with this process."""

    def __init__(self, reason: str, partial_bytes: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.partial_bytes = partial_bytes


def _std_encode(obj: Any) -> bytes:
    return _std_encoder.encode(obj).encode("utf-8")


if orjson is not None:
    _ORJSON_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
    _orjson_dumps = orjson.dumps
    _orjson_loads = orjson.loads
    # The hot path: raises TypeError for what orjson cannot encode, writes NaN/Infinity as
    # null. Callers use it only when they check for b"null" and fall back to encode().
    fast_encode = partial(orjson.dumps, option=_ORJSON_OPTIONS)
    FAST_NULL_NEEDS_CHECK = True
    # The same without partial's cost (a third of an emit's encoding time): call it as
    # ``fast_dumps(obj, None, FAST_OPTIONS)``.
    fast_dumps = orjson.dumps
    FAST_OPTIONS = _ORJSON_OPTIONS

    def encode(obj: Any) -> bytes:
        """Strict JSON bytes for ``obj``; ValueError for NaN/Infinity, TypeError if not JSON."""
        try:
            data = _orjson_dumps(obj, option=_ORJSON_OPTIONS)
        except TypeError:
            # Big integers and non-string dict keys: the standard module accepts them.
            return _std_encode(obj)
        # orjson writes NaN and Infinity as null; only then is the slow check needed.
        if b"null" in data and has_non_finite(obj):
            raise ValueError("NaN and Infinity are not valid JSON")
        return data

    def decode(data: bytes) -> Any:
        """The JSON value in ``data`` (bytes, UTF-8)."""
        try:
            return _orjson_loads(data)
        except ValueError:
            return _std_decode(data)
else:  # pragma: no cover - exercised on interpreters without orjson
    def encode(obj: Any) -> bytes:
        """Strict JSON bytes for ``obj``; ValueError for NaN/Infinity, TypeError if not JSON."""
        return _std_encode(obj)

    fast_encode = _std_encode
    FAST_NULL_NEEDS_CHECK = False
    FAST_OPTIONS = 0

    def fast_dumps(obj: Any, default: Any = None, option: int = 0) -> bytes:
        """``fast_encode`` with orjson.dumps's signature (``default``/``option`` unused)."""
        return _std_encode(obj)

    def decode(data: bytes) -> Any:
        """The JSON value in ``data`` (bytes, UTF-8)."""
        return _std_decode(data)


def _gil_enabled() -> bool:
    """False on a free-threaded CPython running without the GIL (then every write locks)."""
    check = getattr(sys, "_is_gil_enabled", None)
    return True if check is None else bool(check())


def _std_decode(data: bytes) -> Any:
    try:
        return _std_decoder.decode(data.decode("utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        snippet = data[:200].decode("utf-8", "replace")
        if not data.strip() or data.startswith(b"end\n"):
            raise ProtocolError("empty message from the host (a line 'end' with no JSON "
                                "before it)") from None
        why = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        raise ProtocolError(f"invalid JSON from the host ({why}): {snippet!r}") from None


# Decoding on the hot path: raises ValueError (orjson) or ProtocolError (json) on bad input.
_fast_decode = orjson.loads if orjson is not None else _std_decode


def has_non_finite(obj: Any) -> bool:
    """True if ``obj`` holds a float NaN or Infinity anywhere inside lists, tuples or dicts."""
    if isinstance(obj, float):
        return not math.isfinite(obj)
    if isinstance(obj, (list, tuple)):
        return any(has_non_finite(v) for v in obj)
    if isinstance(obj, dict):
        return any(has_non_finite(v) for v in obj.values())
    return False


def unencodable_type(obj: Any) -> Optional[str]:
    """The type name of the first value inside ``obj`` that JSON cannot encode, if any."""
    if obj is None or isinstance(obj, (str, int, float, bool)):
        return None
    if isinstance(obj, (list, tuple)):
        for v in obj:
            found = unencodable_type(v)
            if found:
                return found
        return None
    if isinstance(obj, dict):
        for k, v in obj.items():
            if not (k is None or isinstance(k, (str, int, float, bool))):
                return type(k).__name__ + " (as a dict key)"
            found = unencodable_type(v)
            if found:
                return found
        return None
    return type(obj).__name__


def frame(obj: Any) -> bytes:
    """One complete protocol message: the JSON of ``obj`` followed by the ``end`` line."""
    return encode(obj) + END


class Channel:
    """Both directions of the multilang protocol over two file descriptors.

    ``queue`` holds decoded messages not yet handled (and, in its place, the ProtocolError
    for one that could not be decoded, for its reader to raise); ``fill()`` flushes pending
    output, blocks until at least one more complete message arrived and queues all of them
    (``read_chunk()`` then ``feed()``, which a loop may also call itself).
    """

    def __init__(self, in_fd: int, out_fd: int, read_size: int = READ_SIZE,
                 detect_format: bool = False) -> None:
        self.in_fd = in_fd
        self.out_fd = out_fd
        self.read_size = read_size
        self.queue: Deque[Any] = deque()
        # Reads go into one preallocated buffer: a fresh large bytes object per read
        # would cost an mmap/munmap pair per message when messages come one at a time.
        self._read_buffer = bytearray(read_size)
        self._read_view = memoryview(self._read_buffer)
        self._reader = io.FileIO(in_fd, "rb", closefd=False)
        self._readinto = self._reader.readinto
        # The bytes of an incomplete message, in order; empty between whole messages.
        self.partial: List[bytes] = []
        self._fresh = True   # no message read yet: a line 'end' may open the stream
        self.pending: List[bytes] = []   # whole framed messages waiting to be written
        self.write = self.pending.append  # hot path: append one framed message
        self._lock = threading.Lock()
        self._acquire = self._lock.acquire
        self._release = self._lock.release
        # The thread that created the channel (the main loop's, its owner) may write
        # without the lock while no other thread has ever written; the spout loop does,
        # since it writes once per round trip and the lock costs as much as the rest of
        # the write. The owner sets ``owner_writing``, then checks ``shared``; another
        # thread sets ``shared`` (in flush()), then waits while ``owner_writing``. Under the
        # GIL one of them always sees the other's flag, so writes never overlap; once
        # another thread has written, the owner takes the lock too. Free-threaded builds
        # always take it.
        self._owner = threading.get_ident()
        self.shared = not _gil_enabled()
        self.owner_writing = False
        self.format = "json"  # or "msgpack", after use_msgpack()
        self.frame_message: Callable[[Any], bytes] = frame
        if detect_format:
            self.feed = self._feed_first  # type: ignore[method-assign]

    # -- format -------------------------------------------------------------------------

    def _feed_first(self, chunk: bytes) -> None:
        """The handshake's first byte tells the format: '{' for JSON, a map's for msgpack."""
        if chunk:
            del self.feed  # back to the JSON method, unless use_msgpack() replaces it
            if chunk[0] in MSGPACK_MAP_STARTS:
                self.use_msgpack()
            self.feed(chunk)

    def use_msgpack(self) -> None:
        """Speak MessagePack from now on (``detect_format``: when the handshake is a map)."""
        from petrel.runtime import msgpack_stream
        self.feed, self.partial_bytes = msgpack_stream.channel_feed(  # type: ignore
            self.queue, self.partial, ProtocolError)
        self.format = "msgpack"
        self.frame_message = msgpack_stream.packb

    # -- output -------------------------------------------------------------------------

    def send(self, obj: Any) -> None:
        """Buffer one message (encoded strictly)."""
        self.pending.append(self.frame_message(obj))

    def buffered(self) -> int:
        """How many messages wait in the output buffer."""
        return len(self.pending)

    def flush(self) -> None:
        """Write every buffered message with as few system calls as possible (any thread)."""
        out = self.pending
        if not out:
            return
        if not self.shared and threading.get_ident() != self._owner:
            self._share()
        # acquire()/release() rather than `with`: half the cost.
        self._acquire()
        try:
            # Other threads may append meanwhile (never remove: that needs the lock):
            # write exactly the first n messages, so none is lost or written twice.
            n = len(out)
            data = b"".join(out)
            if len(out) != n:
                data = b"".join(out[:n])
            del out[:n]
            self.write_all(data, 0)
        finally:
            self._release()

    def _share(self) -> None:
        """Called by a thread other than the owner before its first write (see __init__)."""
        self.shared = True
        while self.owner_writing:
            time.sleep(0.0005)

    def write_all(self, data: bytes, written: int) -> None:
        """Write ``data[written:]``, however many system calls it takes."""
        try:
            view = memoryview(data)[written:]
            while view:
                view = view[os.write(self.out_fd, view):]
        except BrokenPipeError:
            raise ChannelClosed("stdout closed by the host") from None

    def send_now(self, obj: Any) -> None:
        """Buffer ``obj`` and flush at once; safe to call from another thread."""
        self.pending.append(self.frame_message(obj))
        self.flush()

    # -- input --------------------------------------------------------------------------

    def partial_bytes(self) -> int:
        """How many bytes of an incomplete message were read."""
        return sum(map(len, self.partial))

    def read_chunk(self) -> bytes:
        """Block until the host sends more bytes and return them (ChannelClosed at the end)."""
        try:
            size = self._readinto(self._read_view)
        except OSError as exc:
            raise ChannelClosed(f"stdin unreadable ({exc})",
                                self.partial_bytes()) from None
        if not size:
            raise ChannelClosed("stdin closed by the host", self.partial_bytes())
        return self._read_view[:size].tobytes()

    def feed(self, chunk: bytes) -> None:
        """Queue every message ``chunk`` completes; keep an incomplete tail for later."""
        pieces = self.partial
        if b"\r" in chunk:
            # A raw CR is never inside valid JSON text, so it can only end a line.
            chunk = chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        if pieces:
            # Only rejoin once the new bytes (plus the tail of the old) hold a terminator;
            # before the first message (the small setup message) always, so that a line
            # 'end' opening the stream is seen even when it arrives split across reads.
            tail = b"".join(pieces[-4:])[-4:]
            if END not in tail + chunk[:5] and END not in chunk and not self._fresh:
                pieces.append(chunk)
                return
            pieces.append(chunk)
            data = b"".join(pieces)
            pieces.clear()
        else:
            data = chunk
        if data[:4] == b"end\n":
            # A terminator at the very start of the stream (an empty first message).
            data = b"\n" + data
        parts = data.split(END)
        rest = parts.pop()
        if parts or rest[:4] == b"end\n":
            self._fresh = False
        if rest[:4] == b"end\n":
            parts.append(rest)  # a line 'end' right after a terminator: an empty message
        elif rest:
            pieces.append(rest)
        if len(parts) == 1:
            # One message per read is the common case for spouts: decode it right here.
            try:
                self.queue.append(_fast_decode(parts[0]))
                return
            except (ValueError, ProtocolError):
                pass
        if parts:
            self._decode_into_queue(parts)

    def fill(self) -> None:
        """Flush, then block until at least one more complete message is queued."""
        self.flush()
        queue = self.queue
        before = len(queue)
        while len(queue) == before:
            self.feed(self.read_chunk())

    def _decode_into_queue(self, parts: List[bytes]) -> None:
        append = self.queue.append
        loads = _fast_decode
        for part in parts:
            try:
                append(loads(part))
                continue
            except (ValueError, ProtocolError):
                pass
            try:
                append(decode(part))  # the standard module, or a ProtocolError naming the text
            except ProtocolError as exc:
                # Queued in its place: the messages before it are handled first, as Storm
                # reading line by line would, and whoever reaches it raises it.
                append(exc)
                return

    def next_message(self) -> Any:
        """The next message from the host, blocking if none is queued."""
        if not self.queue:
            self.fill()
        msg = self.queue.popleft()
        if isinstance(msg, ProtocolError):
            raise msg
        return msg

    def take_task_ids(self) -> List[int]:
        """The next task-id list; other messages read meanwhile stay queued, in order."""
        queue = self.queue
        while True:
            for index, msg in enumerate(queue):
                if isinstance(msg, ProtocolError):
                    raise msg
                if type(msg) is list:
                    if not all(type(t) is int for t in msg):
                        raise ProtocolError(f"task ids must be integers, got: {str(msg)[:200]}")
                    del queue[index]
                    return msg
            self.fill_more()

    def fill_more(self) -> None:
        """``fill()`` (kept by name: it never drops what is already queued)."""
        self.fill()
