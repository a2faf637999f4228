"""The classes users subclass (Spout, Bolt, BasicBolt) and the declarations of foreign components.

Worker side: standard library only, importable on Python 3.9+. The same classes are
instantiated on the developer's machine by create.py, where only their declarations
(``declareOutputFields``, ``getComponentConfiguration``, the module they live in) are read.
On a worker (``python -m petrel.run``) or in ``petrel.mock`` a component is first
``attach``-ed to a collector; its ``deliver*`` methods then hand it tuples and spout
commands. What must behave the same in both places lives here: the checks made before an
emit, BasicBolt's anchoring and auto-ack, and what happens when user code raises
(``petrel.runtime.failures``). ``petrel.runtime``'s docstring describes the seam.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

from petrel import storm as _facade
from petrel.runtime.collector import (
    BOLT_EMIT_MESSAGE,
    INFO,
    SPOUT_EMIT_INT_ID_MESSAGE,
    SPOUT_EMIT_MESSAGE,
    Collector,
)
from petrel.runtime.failures import on_error_policy, report_exception
from petrel.runtime.outputs import (
    InvalidEmit,
    check_message_id,
    emit_shape_error,
    encode_values,
    input_fields,
    output_streams,
)
from petrel.runtime.protocol import FAST_NULL_NEEDS_CHECK as _NULL_NEEDS_CHECK
from petrel.runtime.protocol import FAST_OPTIONS as _FAST_OPTIONS
from petrel.runtime.protocol import fast_dumps as _fast_dumps
from petrel.runtime.tuples import Tuple

# orjson writes NaN and Infinity as null, so emitted JSON holding "null" gets a closer look.
# (Checked with bytes.partition: find() and `in` parse their arguments slowly before 3.13.)
_NULL = b"null"


def carried_unchanged(values: List[Any]) -> bool:
    """True when JSON gives ``values`` back as they are (a copy is what Storm delivers).

    That is, each is an ASCII str, an int (not a bool), a finite float or None. Only such
    emits are handed to a collector's ``quick_emit``.
    """
    for value in values:
        kind = type(value)
        if kind is str:
            if not value.isascii():
                return False
        elif kind is not int and value is not None and not (
                kind is float and value - value == 0.0):
            return False
    return True


# What declareOutputFields may return: a list of fields for the 'default' stream, or a
# mapping of stream id to fields (or to a petrel.emitter.Stream for direct streams).
OutputFields = Union[Sequence[str], Dict[str, Any]]


class Stream:
    """An output stream declaration: its fields and whether it is a direct stream."""

    def __init__(self, fields: Sequence[str], direct: bool = False) -> None:
        self.fields = list(fields)
        self.direct = bool(direct)

    def __repr__(self) -> str:
        return f"Stream({self.fields!r}, direct={self.direct!r})"

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Stream) and other.fields == self.fields
                and other.direct == self.direct)


_log = logging.getLogger("storm")

# Storm's multilang levels 0-4 as Python logging levels (TRACE has no Python level).
_PY_LEVELS = (5, logging.DEBUG, logging.INFO, logging.WARNING, logging.ERROR)
_LEVEL_NAMES = {"trace": 0, "debug": 1, "info": 2, "warn": 3, "warning": 3, "error": 4,
                "critical": 4}


def storm_log_level(level: Any) -> int:
    """Storm's level 0-4 for ``level``: 0-4 itself, a name ('warn'), or a logging level."""
    if isinstance(level, str) and level.lower() in _LEVEL_NAMES:
        return _LEVEL_NAMES[level.lower()]
    if isinstance(level, int) and not isinstance(level, bool):
        if 0 <= level <= 4:
            return level
        if level >= 5:  # a Python logging level such as logging.WARNING
            return 0 if level < 10 else 1 if level < 20 else 2 if level < 30 \
                else 3 if level < 40 else 4
    raise ValueError(f"log level {level!r}: use 0-4 (TRACE, DEBUG, INFO, WARN, ERROR), a name "
                     f"such as 'warn', or a logging level such as logging.WARNING")


class Component:
    """What every petrel component shares: its declarations, its module, its output.

    Output methods (``emit``, ``log``, ``reportError``, ``sync``) work once the runtime or
    the mock has called ``attach``; ``petrel.storm``'s functions call them on the current
    component.
    """

    _petrel_collector: Optional[Collector] = None
    # Set by attach: the collector's raw_write (None for collectors that want every emit
    # as a call) and the width of the 'default' stream (-1: not declared).
    _petrel_raw_write: Any = None
    _petrel_quick_emit: Any = None    # the collector's quick_emit (see Collector)
    _petrel_default_width = -1

    def __init__(self, script: Optional[str] = None) -> None:
        # Old Petrel passed script=__file__ so the builder knows which module runs the
        # component; without it the builder uses the class's __module__.
        self.script = script

    def declareOutputFields(self) -> OutputFields:
        """Fields of the 'default' stream as a list, or {stream_id: fields} for several."""
        return []

    def getComponentConfiguration(self) -> Optional[Dict[str, Any]]:
        """Component-specific Storm config, e.g. {"topology.tick.tuple.freq.secs": 60}."""
        return None

    def initialize(self, conf: Dict[str, Any], context: Dict[str, Any]) -> None:
        """Called once on the worker after the handshake; heavy set-up belongs here."""

    # -- the runtime seam -------------------------------------------------------------------

    def attach(self, collector: Collector, conf: Optional[Mapping[str, Any]] = None,
               context: Optional[Mapping[str, Any]] = None) -> None:
        """Send this component's output to ``collector``; ``conf``/``context`` as in the handshake.

        Reads the output streams (the context's, else ``declareOutputFields()``), the input
        fields (``source->stream->fields``) and ``petrel.on_error``, and makes this the
        current component of ``petrel.storm``. Does not call ``initialize``.
        """
        context = context or {}
        self._petrel_collector = collector
        self._petrel_conf = conf or {}
        self._petrel_context = context
        self._petrel_component_id = str(context.get("componentid") or type(self).__name__)
        self._petrel_task = context.get("taskid")
        self._petrel_streams = output_streams(self, context)
        self._petrel_widths = {s: len(f) for s, f in self._petrel_streams.items()}
        self._petrel_default_width = self._petrel_widths.get("default", -1)
        self._petrel_raw_write = collector.raw_write
        self._petrel_quick_emit = collector.quick_emit
        self._petrel_input_fields = input_fields(context)
        self._petrel_on_error = on_error_policy(conf)
        _facade.set_current(self)

    def make_tuple(self, id: Any, component: Optional[str], stream: str, task: int,
                   values: List[Any]) -> Tuple:
        """A ``petrel.storm.Tuple`` whose values are also reachable by the source's field names."""
        return Tuple(id, component, stream, task, values,
                     self._petrel_input_fields.get(component, _NO_FIELDS).get(stream))

    def run(self) -> None:
        """Run this component as a Storm multilang subprocess until Storm closes stdin."""
        from petrel.runtime.worker import run_component
        run_component(self)

    # -- output ------------------------------------------------------------------------------

    def _encode_checked(self, values: Any, stream: Any) -> bytes:
        """``values`` as JSON bytes after the shape checks; InvalidEmit otherwise."""
        try:
            width = self._petrel_widths.get(stream)
        except AttributeError:
            raise RuntimeError(
                f"{type(self).__name__} is not running: emit works inside a component run by "
                f"'python -m petrel.run' or petrel.mock") from None
        if width is None or (type(values) is not list and type(values) is not tuple) \
                or len(values) != width:
            raise emit_shape_error(self._petrel_component_id, self._petrel_streams,
                                   stream, values)
        try:
            data = _fast_dumps(values, None, _FAST_OPTIONS)
        except (TypeError, ValueError):
            return encode_values(self._petrel_component_id, stream, values)
        # orjson writes NaN and Infinity as null: look closer only then.
        if _NULL_NEEDS_CHECK and data.partition(_NULL)[1]:
            return encode_values(self._petrel_component_id, stream, values)
        return data

    def _storm_emit(self, values: Any, stream: Optional[str], anchors: Any, id: Any,
                    task: Optional[int], need_task_ids: bool) -> Optional[List[int]]:
        raise NotImplementedError

    def emit(self, values: Sequence[Any], stream: Optional[str] = None, anchors: Any = None,
             id: Any = None, directTask: Optional[int] = None,
             need_task_ids: bool = False) -> Optional[List[int]]:
        """Emit one tuple (see ``petrel.storm.emit``)."""
        return self._storm_emit(values, stream, anchors, id, directTask, need_task_ids)

    def emitDirect(self, task: int, values: Sequence[Any], stream: Optional[str] = None,
                   anchors: Any = None, id: Any = None) -> None:
        """Emit one tuple to task ``task`` (its component subscribes with direct grouping)."""
        self._storm_emit(values, stream, anchors, id, task, False)

    def emitMany(self, list_of_values: Sequence[Sequence[Any]], stream: Optional[str] = None,
                 anchors: Any = None, id: Any = None, directTask: Optional[int] = None,
                 need_task_ids: bool = False) -> Optional[List[List[int]]]:
        """Emit several tuples with the same options; all are checked before any is sent."""
        stream_id = "default" if stream is None else stream
        for values in list_of_values:
            self._encode_checked(values, stream_id)
        results = [self._storm_emit(values, stream, anchors, id, directTask, need_task_ids)
                   for values in list_of_values]
        return results if need_task_ids and directTask is None else None

    def log(self, msg: Any, level: Any = INFO) -> None:
        """Log ``msg`` in the component log and have Storm log it too (levels 0-4)."""
        storm_level = storm_log_level(level)
        text = str(msg)
        _log.log(_PY_LEVELS[storm_level], "%s", text)
        collector = self._petrel_collector
        if collector is not None:
            collector.log(text, storm_level)

    def reportError(self, msg: Any) -> None:
        """Report an error to Storm (Storm UI) and log it."""
        text = str(msg)
        _log.error("reported error: %s", text)
        collector = self._petrel_collector
        if collector is not None:
            collector.report_error(text)

    def sync(self) -> None:
        """Flush pending output (bolts also send ``sync``, see ``Bolt.sync``)."""
        collector = self._petrel_collector
        if collector is not None:
            collector.flush()


_NO_FIELDS: Dict[str, List[str]] = {}


class Spout(Component):
    """A source of tuples. Storm calls nextTuple() repeatedly; emit with id= to be reliable."""

    def nextTuple(self) -> None:
        """Emit zero or more tuples; return quickly (sleep briefly when there is nothing)."""

    def ack(self, id: Any) -> None:
        """The tuple tree emitted with message id ``id`` was fully processed."""

    def fail(self, id: Any) -> None:
        """The tuple tree emitted with message id ``id`` failed or timed out."""

    def activate(self) -> None:
        """The topology was activated (Storm 1.1+ sends this before the first nextTuple)."""

    def deactivate(self) -> None:
        """The topology was deactivated; nextTuple will not be called until activate."""

    def _storm_emit(self, values: Any, stream: Optional[str], anchors: Any, id: Any,
                    task: Optional[int], need_task_ids: bool) -> Optional[List[int]]:
        write = self._petrel_raw_write
        # The commonest emit (default stream, a list of the declared width, an int id or
        # none) written as one ready message, when the collector takes them (the
        # runtime's does): a spout's emit is on its round trip, where every call counts.
        # A collector with quick_emit instead (the mock's) is handed such an emit when
        # JSON would carry its values unchanged. Anything else, or a value that needs a
        # closer look, takes the checked path below.
        if write is None:
            if self._petrel_quick_emit is not None and stream is None and task is None \
                    and anchors is None and not need_task_ids and type(values) is list \
                    and len(values) == self._petrel_default_width \
                    and (id is None or type(id) is int) and carried_unchanged(values):
                return self._petrel_quick_emit(values, id)
        elif stream is None and task is None and anchors is None and not need_task_ids \
                and type(values) is list and len(values) == self._petrel_default_width:
            try:
                encoded = _fast_dumps(values, None, _FAST_OPTIONS)
            except (TypeError, ValueError):
                pass
            else:
                if not (_NULL_NEEDS_CHECK and encoded.partition(_NULL)[1]):
                    if type(id) is int:
                        write(SPOUT_EMIT_INT_ID_MESSAGE % (id, encoded))
                        return None
                    if id is None:
                        write(SPOUT_EMIT_MESSAGE % encoded)
                        return None
        stream_id = "default" if stream is None else stream
        encoded = self._encode_checked(values, stream_id)
        if anchors:
            raise InvalidEmit(f"spout {self._petrel_component_id!r}: spouts do not anchor; "
                              f"pass id=... for a reliable emit")
        if id is not None and type(id) is not str and type(id) is not int:
            check_message_id(self._petrel_component_id, id)
        return self._petrel_collector.emit(  # type: ignore[union-attr]
            stream_id, values, encoded, None, id, task, need_task_ids)

    # -- delivery (called by the runtime loop or the mock) ----------------------------------

    def deliver_next(self) -> None:
        """Call ``nextTuple``; an exception is logged and reported (see failures)."""
        _facade._current = self
        try:
            self.nextTuple()
        except Exception as exc:
            report_exception(self, "nextTuple()", exc)

    def deliver_ack(self, msg_id: Any) -> None:
        """Call ``ack(msg_id)``; an exception is logged and reported."""
        _facade._current = self
        try:
            self.ack(msg_id)
        except Exception as exc:
            report_exception(self, f"ack({msg_id!r})", exc)

    def deliver_fail(self, msg_id: Any) -> None:
        """Call ``fail(msg_id)``; an exception is logged and reported."""
        _facade._current = self
        try:
            self.fail(msg_id)
        except Exception as exc:
            report_exception(self, f"fail({msg_id!r})", exc)

    def deliver_activate(self) -> None:
        """Call ``activate()``; an exception is logged and reported."""
        _facade._current = self
        try:
            self.activate()
        except Exception as exc:
            report_exception(self, "activate()", exc)

    def deliver_deactivate(self) -> None:
        """Call ``deactivate()``; an exception is logged and reported."""
        _facade._current = self
        try:
            self.deactivate()
        except Exception as exc:
            report_exception(self, "deactivate()", exc)


def _tuple_id(tup: Any) -> Any:
    return tup.id if isinstance(tup, Tuple) else tup


class Bolt(Component):
    """A bolt that acks or fails each input itself (``storm.ack(tup)`` / ``storm.fail(tup)``).

    petrel keeps the ids of inputs not yet acked or failed: acking or failing one twice,
    or anchoring to one already done, is refused with a logged error instead of killing
    the Storm worker. Tick tuples left unacked by ``process`` are acked for you; an input
    whose ``process`` raised is failed unless you already acked or failed it.
    """

    def process(self, tup: Any) -> None:
        """Handle one input tuple."""

    def attach(self, collector: Collector, conf: Optional[Mapping[str, Any]] = None,
               context: Optional[Mapping[str, Any]] = None) -> None:
        """As ``Component.attach``; also resets the set of pending inputs."""
        super().attach(collector, conf, context)
        self._petrel_pending: Dict[Any, None] = {}
        self._petrel_input: Optional[Tuple] = None

    def _anchor_ids(self, anchors: Any) -> List[str]:
        if isinstance(anchors, (Tuple, str)):
            anchors = [anchors]
        ids = []
        pending = self._petrel_pending
        for anchor in anchors:
            anchor_id = _tuple_id(anchor)
            if anchor_id not in pending:
                raise InvalidEmit(
                    f"bolt {self._petrel_component_id!r}: cannot anchor to tuple id "
                    f"{anchor_id!r}: it was already acked or failed, or never received")
            ids.append(anchor_id if isinstance(anchor_id, str) else str(anchor_id))
        return ids

    def _storm_emit(self, values: Any, stream: Optional[str], anchors: Any, id: Any,
                    task: Optional[int], need_task_ids: bool) -> Optional[List[int]]:
        stream_id = "default" if stream is None else stream
        encoded = self._encode_checked(values, stream_id)
        if id is not None:
            raise InvalidEmit(f"bolt {self._petrel_component_id!r}: id= is for spouts; "
                              f"a bolt makes an emit reliable with anchors=[input tuple]")
        anchor_ids = [] if anchors is None else self._anchor_ids(anchors)
        return self._petrel_collector.emit(  # type: ignore[union-attr]
            stream_id, values, encoded, anchor_ids, None, task, need_task_ids)

    def _refuse(self, verb: str, tuple_id: Any) -> None:
        message = (f"bolt {self._petrel_component_id!r}: {verb} of tuple id {tuple_id!r} "
                   f"ignored: it was already acked or failed, or never received (Storm "
                   f"would halt the worker)")
        _log.error("%s", message)
        if self._petrel_collector is not None:
            self._petrel_collector.report_error(message)

    def ack(self, tup: Any) -> None:
        """Ack an input tuple (or a tuple id)."""
        tuple_id = _tuple_id(tup)
        try:
            del self._petrel_pending[tuple_id]
        except KeyError:
            return self._refuse("ack", tuple_id)
        self._petrel_collector.ack(tuple_id)  # type: ignore[union-attr]

    def fail(self, tup: Any) -> None:
        """Fail an input tuple (or a tuple id): the spout may replay its tree."""
        tuple_id = _tuple_id(tup)
        try:
            del self._petrel_pending[tuple_id]
        except KeyError:
            return self._refuse("fail", tuple_id)
        self._petrel_collector.fail(tuple_id)  # type: ignore[union-attr]

    def sync(self) -> None:
        """Send ``sync`` now: proof of life during a long ``process``."""
        collector = self._petrel_collector
        if collector is not None:
            collector.sync()
            collector.flush()

    def deliver(self, tup: Tuple) -> None:
        """Hand one input tuple to ``process`` (error handling as described on the class)."""
        _facade._current = self
        pending = self._petrel_pending
        tuple_id = tup.id
        pending[tuple_id] = None
        self._petrel_input = tup
        try:
            self.process(tup)
        except Exception as exc:
            self._petrel_input = None
            try:
                report_exception(self, "process()", exc, tup.values, True)
            finally:
                if tuple_id in pending:
                    del pending[tuple_id]
                    self._petrel_collector.fail(tuple_id)  # type: ignore[union-attr]
            return
        self._petrel_input = None
        if tup.stream == "__tick" and tuple_id in pending:
            del pending[tuple_id]
            self._petrel_collector.ack(tuple_id)  # type: ignore[union-attr]


class BasicBolt(Bolt):
    """A bolt whose emits inside process() are anchored to the input, acked when it returns.

    If ``process`` raises, the input is failed instead (and the error logged and reported).
    """

    def attach(self, collector: Collector, conf: Optional[Mapping[str, Any]] = None,
               context: Optional[Mapping[str, Any]] = None) -> None:
        """As ``Bolt.attach``."""
        super().attach(collector, conf, context)
        self._petrel_done = False
        self._petrel_anchored: Optional[Tuple] = None   # the input whose anchors are encoded
        self._petrel_anchors_json = b"[]"

    def _storm_emit(self, values: Any, stream: Optional[str], anchors: Any, id: Any,
                    task: Optional[int], need_task_ids: bool) -> Optional[List[int]]:
        write = self._petrel_raw_write
        # As in Spout._storm_emit: the commonest emit (default stream, the declared width,
        # anchored to the input being processed) as one ready message, or handed to
        # quick_emit with the input. The input's anchor list is encoded once, however many
        # tuples process() emits.
        if write is None:
            quick = self._petrel_quick_emit
            if quick is not None and stream is None and anchors is None and task is None \
                    and id is None and not need_task_ids and type(values) is list \
                    and len(values) == self._petrel_default_width:
                current = self._petrel_input
                if current is not None and not self._petrel_done \
                        and carried_unchanged(values):
                    return quick(values, current)
        elif stream is None and anchors is None and task is None and id is None \
                and not need_task_ids and type(values) is list \
                and len(values) == self._petrel_default_width:
            current = self._petrel_input
            if current is not None and not self._petrel_done:
                try:
                    encoded = _fast_dumps(values, None, _FAST_OPTIONS)
                except (TypeError, ValueError):
                    pass
                else:
                    if not (_NULL_NEEDS_CHECK and encoded.partition(_NULL)[1]):
                        if current is not self._petrel_anchored:
                            self._petrel_anchored = current
                            tuple_id = current.id
                            self._petrel_anchors_json = _fast_dumps(
                                [tuple_id if type(tuple_id) is str else str(tuple_id)],
                                None, _FAST_OPTIONS)
                        write(BOLT_EMIT_MESSAGE % (self._petrel_anchors_json, encoded))
                        return None
        stream_id = "default" if stream is None else stream
        encoded = self._encode_checked(values, stream_id)
        if id is not None:
            raise InvalidEmit(f"bolt {self._petrel_component_id!r}: id= is for spouts; "
                              f"a BasicBolt anchors its emits to the input by itself")
        if anchors is None:
            current = self._petrel_input
            if current is None:
                anchor_ids = []
            else:
                # Storm casts every anchor to a String: never send a number.
                tuple_id = current.id
                anchor_ids = [tuple_id if type(tuple_id) is str else str(tuple_id)]
        else:
            anchor_ids = self._anchor_ids(anchors)
        return self._petrel_collector.emit(  # type: ignore[union-attr]
            stream_id, values, encoded, anchor_ids, None, task, need_task_ids)

    def _anchor_ids(self, anchors: Any) -> List[str]:
        if isinstance(anchors, (Tuple, str)):
            anchors = [anchors]
        current = self._petrel_input
        ids = []
        for anchor in anchors:
            anchor_id = _tuple_id(anchor)
            if current is None or anchor_id != current.id or self._petrel_done:
                raise InvalidEmit(
                    f"bolt {self._petrel_component_id!r}: a BasicBolt can only anchor to the "
                    f"tuple being processed; {anchor_id!r} was already acked or failed")
            ids.append(anchor_id if isinstance(anchor_id, str) else str(anchor_id))
        return ids

    def ack(self, tup: Any) -> None:
        """Ack the input now instead of when ``process`` returns (rarely needed)."""
        self._finish("ack", _tuple_id(tup))

    def fail(self, tup: Any) -> None:
        """Fail the input instead of acking it when ``process`` returns."""
        self._finish("fail", _tuple_id(tup))

    def _finish(self, verb: str, tuple_id: Any) -> None:
        current = self._petrel_input
        if current is None or current.id != tuple_id or self._petrel_done:
            return self._refuse(verb, tuple_id)
        self._petrel_done = True
        if verb == "ack":
            self._petrel_collector.ack(tuple_id)  # type: ignore[union-attr]
        else:
            self._petrel_collector.fail(tuple_id)  # type: ignore[union-attr]

    def deliver(self, tup: Tuple) -> None:
        """Hand one input to ``process``; ack it after, or fail it if ``process`` raised."""
        _facade._current = self
        self._petrel_input = tup
        self._petrel_done = False
        try:
            self.process(tup)
        except Exception as exc:
            self._petrel_input = None
            try:
                report_exception(self, "process()", exc, tup.values, True)
            finally:
                if not self._petrel_done:
                    self._petrel_done = True
                    self._petrel_collector.fail(tup.id)  # type: ignore[union-attr]
            return
        self._petrel_input = None
        if not self._petrel_done:
            self._petrel_collector.ack(tup.id)  # type: ignore[union-attr]


class ShellSpout:
    """A spout written in any multilang language: Storm runs ``[execution_command, script]``."""

    def __init__(self, execution_command: str, script: str, output_fields: OutputFields) -> None:
        self.execution_command = execution_command
        self.script = script
        self.output_fields = output_fields

    def declareOutputFields(self) -> OutputFields:
        """The output fields given to the constructor."""
        return self.output_fields

    def getComponentConfiguration(self) -> Optional[Dict[str, Any]]:
        """Shell components carry no component configuration of their own."""
        return None


class ShellBolt(ShellSpout):
    """A bolt written in any multilang language: Storm runs ``[execution_command, script]``."""


class JavaSpout:
    """A JVM spout on the cluster's classpath, built from its class name and constructor args."""

    def __init__(self, class_name: str, args: Optional[List[Any]] = None,
                 output_fields: OutputFields = ()) -> None:
        self.class_name = class_name
        self.args = list(args or [])
        self.output_fields = output_fields

    def declareOutputFields(self) -> OutputFields:
        """The output fields given to the constructor."""
        return self.output_fields

    def getComponentConfiguration(self) -> Optional[Dict[str, Any]]:
        """JVM components carry no component configuration of their own."""
        return None


class JavaBolt(JavaSpout):
    """A JVM bolt on the cluster's classpath, built from its class name and constructor args."""
