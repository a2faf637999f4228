"""Encoding and stream reading for the MessagePack flavour of the multilang protocol.

The msgpack package (a C extension) is used when importable: it encodes and decodes several
times faster than the pure-Python codec of petrel.runtime.msgpack_codec, which is the
fallback so that the worker runtime needs nothing installed. Both produce the same bytes.

Every multilang message is a map (or, for task ids, a list), so a message that starts with
any other byte is refused at once: text printed to the channel by mistake starts with bytes
that MessagePack reads as small integers, and would otherwise be decoded as numbers.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Deque, List, Optional, Tuple

from petrel.runtime import msgpack_codec
from petrel.runtime.msgpack_codec import MAX_DECLARED_LENGTH, MsgpackError, describe

try:  # optional: the C implementation, same format
    import msgpack as _msgpack
except ImportError:  # pragma: no cover - depends on the environment
    _msgpack = None

BACKEND = "msgpack" if _msgpack is not None else "python"


# An incomplete message up to this size has its length headers checked after every read.
CHECK_EVERY_READ_BELOW = 64 * 1024

# The first bytes of a map or an array: every multilang message is one.
MESSAGE_STARTS = frozenset(range(0x80, 0xA0)) | {0xDC, 0xDD, 0xDE, 0xDF}


def _refuse_ext(code: int, data: bytes) -> Any:
    raise MsgpackError(f"MessagePack extension type {code} ({len(data)} bytes), which the "
                       "multilang protocol does not use")


# The msgpack package's exceptions that come without a message.
_SILENT_ERRORS = {"FormatError": "byte 0xc1, which is never used in MessagePack",
                  "StackError": "a value nested too deeply"}


class PythonReader:
    """Whole messages out of a byte stream cut anywhere, with the pure-Python codec."""

    def __init__(self) -> None:
        self._unpacker = msgpack_codec.Unpacker()
        # Set once the stream went bad after whole messages (which feed() returned first).
        self.error: Optional[MsgpackError] = None

    def feed(self, chunk: bytes) -> List[Any]:
        """The messages ``chunk`` completes; MsgpackError if it completes none but is bad.

        When whole messages come before the bad bytes, they are returned and ``error`` is
        set: the next call raises it.
        """
        if self.error is not None:
            raise self.error
        self._unpacker.feed(chunk)
        found = self._unpacker.messages(MESSAGE_STARTS)
        if found and self._unpacker.pending():
            try:
                self._unpacker.messages(MESSAGE_STARTS)
            except MsgpackError as exc:
                self.error = exc
        return found

    def pending(self) -> int:
        """How many bytes of an incomplete message wait for the rest."""
        return self._unpacker.pending()


class CReader:
    """The same as PythonReader, with the msgpack package.

    A chunk that starts a message (nothing pending) is first decoded with ``unpackb``, which
    costs a fraction of the streaming Unpacker's per-read overhead: one message per read is
    the usual case for a spout or a lightly loaded bolt. Whatever ``unpackb`` cannot take
    whole (a cut message, bad bytes) and what follows the first message go to the Unpacker,
    which has the last word. After a read of several messages the next read goes straight
    to the Unpacker (several per read is the usual case for a loaded bolt, and ``unpackb``
    would then cost an exception and a copy of the rest on every read).
    """

    def __init__(self) -> None:
        assert _msgpack is not None
        limits = {f"max_{kind}_len": MAX_DECLARED_LENGTH for kind in ("str", "bin", "array",
                                                                        "map")}
        self._unpacker = _msgpack.Unpacker(raw=False, strict_map_key=False,
                                           ext_hook=_refuse_ext, max_buffer_size=0, **limits)
        self._unpackb = functools.partial(_msgpack.unpackb, raw=False, strict_map_key=False,
                                          ext_hook=_refuse_ext, **limits)
        self._extra_data = _msgpack.ExtraData
        # Offsets in the Unpacker's own stream: bytes fed, end of its last whole message.
        self._fed = 0
        self._done = 0
        self.error: Optional[MsgpackError] = None
        self._recent = b""  # the latest bytes fed to the Unpacker, for error messages
        # The reads holding the incomplete message, and its size when its length headers
        # were last checked (see _check_waiting).
        self._waiting: List[bytes] = []
        self._checked = 0
        self._several = False   # the latest read held several messages

    def feed(self, chunk: bytes) -> List[Any]:
        """The messages ``chunk`` completes; the rest as in PythonReader.feed."""
        if self.error is not None:
            raise self.error
        if self._fed == self._done and chunk and not self._several:
            try:
                value = self._unpackb(chunk)
                rest = b""
            except self._extra_data as extra:
                value, rest = extra.unpacked, extra.extra
            except Exception:  # whatever it is, the Unpacker below says it properly
                return self._stream(chunk)
            kind = type(value)
            if kind is dict or kind is list:
                if not rest:
                    return [value]
                self._several = True
                try:
                    return [value, *self._stream(rest)]
                except MsgpackError:  # kept in self.error, raised by the next call
                    return [value]
        found = self._stream(chunk)
        self._several = len(found) > 1
        return found

    def _stream(self, chunk: bytes) -> List[Any]:
        self._unpacker.feed(chunk)
        self._fed += len(chunk)
        self._recent = (self._recent + chunk)[-200:] if len(chunk) < 200 else chunk
        found: List[Any] = []
        tell = self._unpacker.tell
        try:
            for value in self._unpacker:
                kind = type(value)
                if kind is not dict and kind is not list:
                    raise MsgpackError(f"not a multilang message (a value of type "
                                       f"{kind.__name__}, not a map or list)")
                self._done = tell()
                found.append(value)
        except (ValueError, OverflowError, TypeError) as exc:
            why = str(exc) or _SILENT_ERRORS.get(type(exc).__name__, type(exc).__name__)
            if " exceeds max_" in why:  # "<n> exceeds max_array_len(<limit>)"
                why = (f"a length header declares {int(why.split()[0]):,} items, more than the "
                       f"{MAX_DECLARED_LENGTH:,} petrel accepts (a stray or corrupted length)")
            # Show the bytes from the end of the last whole message, as far as kept.
            recent = self._recent
            bad = recent[max(0, self._done - (self._fed - len(recent))):]
            error = MsgpackError(f"{why}; read: {describe(bad)}")
            self.error = error
            if not found:
                raise error from None
            return found
        if self._fed != self._done:
            self._check_waiting(chunk, found)
        return found

    def _check_waiting(self, chunk: bytes, found: List[Any]) -> None:
        """Refuse an incomplete message whose str or bin header declares too many bytes.

        The Unpacker would wait for them all (it checks the array and map counts at once,
        not these). The pure-Python decoder, which checks them, reads the message again
        after every read while it is small, then each time its size has doubled, so a
        large message costs at most twice that.
        """
        waiting = self._fed - self._done
        if waiting <= len(chunk):  # the message started in this read
            self._waiting = [chunk[len(chunk) - waiting:]]
            self._checked = 0
        else:
            self._waiting.append(chunk)
        if waiting > CHECK_EVERY_READ_BELOW and waiting <= 2 * self._checked:
            return
        self._checked = waiting
        data = b"".join(self._waiting)
        try:
            if data[0] not in MESSAGE_STARTS:  # a str or bin, say: refused once complete
                raise MsgpackError("not a multilang message")
            msgpack_codec.decode_at(data, 0)
        except msgpack_codec.Incomplete:
            pass
        except MsgpackError as exc:
            self.error = MsgpackError(f"{exc}; read: {describe(data)}")
            if not found:
                raise self.error from None

    def pending(self) -> int:
        """How many bytes of an incomplete message wait for the rest."""
        return self._fed - self._done


# Why a channel stops at the first bad byte, said with every such error.
NO_RESYNC = ("a MessagePack stream cannot be resynchronised after a stray byte (it has no "
             "line ends to resume at); the usual cause is text printed to the stdout that "
             "carries the protocol")


def channel_feed(queue: Deque[Any], partial: List[bytes],
                 error: Callable[[str], Exception]) -> Tuple[Callable[[bytes], None],
                                                              Callable[[], int]]:
    """A Channel's ``feed`` and ``partial_bytes`` for MessagePack, with a fresh reader.

    ``feed`` queues the messages a read completes, then, in place of bad bytes, one
    ``error(text)``. ``partial`` holds one empty placeholder while a message is incomplete
    (its bytes are in the reader, which ``partial_bytes`` asks), so code that tests the
    JSON channel's ``partial`` for emptiness works unchanged.
    """
    reader = new_reader()
    pending = reader.pending

    def feed(chunk: bytes) -> None:
        try:
            queue.extend(reader.feed(chunk))
            bad = reader.error
        except MsgpackError as exc:
            bad = exc
        if bad is not None:
            queue.append(error(f"invalid MessagePack from the host: {bad}; {NO_RESYNC}"))
        elif pending():
            if not partial:
                partial.append(b"")
        elif partial:
            partial.clear()
    return feed, pending


def new_reader() -> Any:
    """A stream reader with the fastest codec available (CReader or PythonReader)."""
    return CReader() if _msgpack is not None else PythonReader()


def new_packer() -> Callable[[Any], bytes]:
    """A packing function of its own (the msgpack package's Packer.pack, else ``packb``).

    It raises what the packer does: TypeError, ValueError, OverflowError (an int beyond
    64 bits, with the package).
    """
    if _msgpack is None:
        return msgpack_codec.packb
    return _msgpack.Packer(use_bin_type=True).pack


def _c_packb() -> Callable[[Any], bytes]:
    assert _msgpack is not None
    pack = _msgpack.Packer(use_bin_type=True).pack

    def packb(value: Any) -> bytes:
        """The MessagePack bytes of ``value``; TypeError or ValueError if it cannot be."""
        try:
            return pack(value)
        except OverflowError as exc:
            raise ValueError(f"an integer does not fit MessagePack's 64 bits ({exc})") from None
    return packb


packb: Callable[[Any], bytes] = _c_packb() if _msgpack is not None else msgpack_codec.packb
