"""Where a component's output goes: the Collector seam and its protocol implementation.

Every output of a component (emit, ack, fail, log, error, sync) goes through the one
collector it holds. Validation has already happened in the component code
(``petrel.runtime.component`` and its subclasses), so a collector only records or
transmits. The runtime attaches a ``ProtocolCollector`` that writes multilang messages;
``petrel.mock`` attaches its own collector that records them.
"""

from __future__ import annotations

from typing import Any, Callable, List, Optional

from petrel.runtime.protocol import END, FAST_OPTIONS, Channel, encode, fast_dumps, fast_encode

# Storm's multilang log levels (docs/internals/protocol.md#log-levels).
TRACE, DEBUG, INFO, WARN, ERROR = 0, 1, 2, 3, 4


class Collector:
    """The interface: one method per kind of output. Subclass it to record output."""

    def emit(self, stream: str, values: List[Any], encoded: bytes,
             anchors: Optional[List[str]], msg_id: Any, task: Optional[int],
             need_task_ids: bool) -> Optional[List[int]]:
        """Send one tuple already validated; ``encoded`` is ``values`` as JSON bytes.

        (Or in the collector's format, for one that sets ``pack_values``.)

        ``anchors`` is a list of input tuple ids for a bolt and None for a spout;
        ``msg_id`` (spouts) None means unreliable; ``task`` set means a direct emit.
        Returns the destination task ids when ``need_task_ids`` and not direct, else None.
        """
        raise NotImplementedError

    def ack(self, tuple_id: Any) -> None:
        """Ack the input tuple with this id."""
        raise NotImplementedError

    def fail(self, tuple_id: Any) -> None:
        """Fail the input tuple with this id."""
        raise NotImplementedError

    def log(self, msg: str, level: int) -> None:
        """Have Storm log ``msg`` at multilang ``level`` (0 TRACE .. 4 ERROR)."""
        raise NotImplementedError

    def report_error(self, msg: str) -> None:
        """Report an error to Storm (shown in the Storm UI)."""
        raise NotImplementedError

    def sync(self) -> None:
        """Send ``sync``: the end of a spout command, or a bolt's proof of life."""
        raise NotImplementedError

    def flush(self) -> None:
        """Make buffered output visible now (no-op for collectors that do not buffer)."""

    def fast_emit(self, component: Any) -> Optional[Callable[..., Optional[List[int]]]]:
        """With ``pack_values``: the component's ``_storm_emit`` taking its commonest emit
        straight to this collector's output, or None (every emit takes the checked path)."""
        return None

    # A collector that transmits multilang messages as they are may set this to a function
    # taking one whole framed message (bytes); components then format their commonest
    # emits themselves. None: every emit is a call to emit().
    raw_write: Optional[Callable[[bytes], None]] = None
    # A collector without raw_write that keeps emits in-process (petrel.mock's) may set
    # this instead: the commonest emits (the 'default' stream, a list of its declared
    # width, no task ids wanted) whose values JSON carries unchanged (ASCII str, int,
    # finite float, None) arrive as quick_emit(values, x), not encoded: a copy of the
    # list is what Storm would deliver. A Spout passes x = its message id (an int, or
    # None: unreliable); a BasicBolt passes x = the input being processed, which the emit
    # is anchored to. Returns None. Other emits still go to emit().
    quick_emit: Optional[Callable[[List[Any], Any], None]] = None
    # A collector whose channel is not JSON sets this to pack_values(component_id, stream,
    # values) -> bytes in its format (InvalidEmit for what the format cannot carry): the
    # components then pass those bytes to emit() as ``encoded``. None: JSON.
    pack_values: Optional[Callable[[str, str, Any], bytes]] = None


_ACK = b'{"command":"ack","id":'
_FAIL = b'{"command":"fail","id":'
_SYNC = b'{"command":"sync"}' + END
_EMIT = b'{"command":"emit"'
_NO_TASK_IDS = b',"need_task_ids":false}' + END
_WANT_TASK_IDS = b'}' + END
_CLOSE = b"}" + END
# Whole emit messages of the common cases, filled in with one bytes formatting (cheaper
# than joining pieces): default stream, no direct task, no task ids wanted. Components
# use them too when their collector has a ``raw_write`` (see ProtocolCollector).
SPOUT_EMIT_MESSAGE = b'{"command":"emit","tuple":%s,"need_task_ids":false}' + END
SPOUT_EMIT_ID_MESSAGE = b'{"command":"emit","id":%s,"tuple":%s,"need_task_ids":false}' + END
SPOUT_EMIT_INT_ID_MESSAGE = (b'{"command":"emit","id":%d,"tuple":%s,"need_task_ids":false}'
                             + END)
BOLT_EMIT_MESSAGE = b'{"command":"emit","anchors":%s,"tuple":%s,"need_task_ids":false}' + END


class ProtocolCollector(Collector):
    """Writes each output as a multilang message on the channel (buffered, see flush).

    ``raw_write(message)`` buffers one whole framed message: components write their
    commonest emits through it, already formatted with the ``*_MESSAGE`` templates above,
    instead of calling ``emit``.
    """

    SYNC = _SYNC

    def __init__(self, channel: Channel) -> None:
        self.channel = channel
        self._write = channel.write
        self.raw_write = channel.write

    def emit(self, stream: str, values: List[Any], encoded: bytes,
             anchors: Optional[List[str]], msg_id: Any, task: Optional[int],
             need_task_ids: bool) -> Optional[List[int]]:
        """Write an ``emit`` message; read back the task ids when asked for them."""
        if stream == "default" and task is None and not need_task_ids:
            if anchors is not None:
                if msg_id is None:
                    self._write(BOLT_EMIT_MESSAGE
                                % (fast_dumps(anchors, None, FAST_OPTIONS), encoded))
                    return None
            elif msg_id is None:
                self._write(SPOUT_EMIT_MESSAGE % encoded)
                return None
            elif type(msg_id) is int:
                # Python's int text is exact JSON at any size (orjson stops at 64 bits).
                self._write(SPOUT_EMIT_INT_ID_MESSAGE % (msg_id, encoded))
                return None
            elif type(msg_id) is str:
                self._write(SPOUT_EMIT_ID_MESSAGE
                            % (fast_dumps(msg_id, None, FAST_OPTIONS), encoded))
                return None
        head = _EMIT
        if stream != "default":
            head += b',"stream":' + fast_encode(stream)
        if anchors is not None:
            head += b',"anchors":' + fast_encode(anchors)
        if msg_id is not None:
            head += b',"id":' + (str(msg_id).encode() if type(msg_id) is int
                                 else encode(msg_id))
        if task is not None:
            head += b',"task":' + str(int(task)).encode()
            self._write(head + b',"tuple":' + encoded + _CLOSE)
            return None
        if need_task_ids:
            self._write(head + b',"tuple":' + encoded + _WANT_TASK_IDS)
            return self.channel.take_task_ids()
        self._write(head + b',"tuple":' + encoded + _NO_TASK_IDS)
        return None

    def ack(self, tuple_id: Any) -> None:
        """Write ``{"command":"ack","id":...}``."""
        self._write(_ACK + (fast_dumps(tuple_id, None, FAST_OPTIONS) if type(tuple_id) is str
                            else encode(tuple_id)) + _CLOSE)

    def fail(self, tuple_id: Any) -> None:
        """Write ``{"command":"fail","id":...}``."""
        self._write(_FAIL + (fast_dumps(tuple_id, None, FAST_OPTIONS) if type(tuple_id) is str
                            else encode(tuple_id)) + _CLOSE)

    def log(self, msg: str, level: int) -> None:
        """Write a ``log`` command and flush, so Storm sees it (and our liveness) now."""
        self.channel.send_now({"command": "log", "msg": msg, "level": level})

    def report_error(self, msg: str) -> None:
        """Write an ``error`` command and flush."""
        self.channel.send_now({"command": "error", "msg": msg})

    def sync(self) -> None:
        """Write ``sync`` (buffered; the spout loop flushes right after)."""
        self._write(_SYNC)

    def flush(self) -> None:
        """Write everything buffered."""
        self.channel.flush()
