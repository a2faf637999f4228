"""``Component``: what spouts and bolts share (declarations, attach, emit checks, output).

Worker side: standard library only, importable on Python 3.9+. The same classes are
instantiated on the developer's machine by create.py, where only their declarations
(``declareOutputFields``, ``getComponentConfiguration``, the module they live in) are read.
On a worker (``python -m petrel.run``) or in ``petrel.mock`` a component is first
``attach``-ed to a collector; its ``deliver*`` methods (``petrel.runtime.spout``,
``petrel.runtime.bolt``, ``petrel.runtime.basic_bolt``) then hand it tuples and spout
commands. What must behave the same in both places lives in these classes: the checks made
before an emit, BasicBolt's anchoring and auto-ack, and what happens when user code raises
(``petrel.runtime.failures``). ``petrel.runtime``'s docstring describes the seam.
"""

from __future__ import annotations

import logging
import sys
from typing import Any, Dict, List, Mapping, Optional, Sequence

from petrel import storm as _facade
from petrel.runtime.collector import INFO, Collector
from petrel.runtime.failures import on_error_policy
from petrel.runtime.outputs import (
    OutputFields,
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
NULL_JSON = b"null"


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


_log = logging.getLogger("storm")
_NO_FIELDS: Dict[str, List[str]] = {}

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

    _petrel_kind: Optional[str] = None   # petrel.runtime.kinds: set by Spout, Bolt, BasicBolt
    _petrel_collector: Optional[Collector] = None
    # Set by attach: the collector's raw_write (None for collectors that want every emit
    # as a call) and the width of the 'default' stream (-1: not declared).
    _petrel_raw_write: Any = None
    _petrel_quick_emit: Any = None    # the collector's quick_emit (see Collector)
    _petrel_default_width = -1
    _petrel_packing = False   # attach gave this instance a collector's pack_values

    # Old Petrel's interpreter for the component (python3.X, the one running create.py);
    # petrel's workers run the topology's ``petrel.python`` whatever this says.
    DEFAULT_PYTHON = f"python{sys.version_info[0]}.{sys.version_info[1]}"

    def __init__(self, script: Optional[str] = None) -> None:
        # Old Petrel passed script=__file__ so the builder knows which module runs the
        # component; without it the builder uses the class's __module__.
        self.script = script
        self.execution_command = self.DEFAULT_PYTHON
        # Old Petrel's component configuration: getComponentConfiguration returns it.
        self._json: Dict[str, Any] = {}

    def declareOutputFields(self) -> OutputFields:
        """Fields of the 'default' stream as a list, or {stream_id: fields} for several."""
        return []

    def getComponentConfiguration(self) -> Optional[Dict[str, Any]]:
        """Component-specific Storm config, e.g. {"topology.tick.tuple.freq.secs": 60}.

        By default ``self._json`` (old Petrel's place for it), or None when empty.
        """
        conf = getattr(self, "_json", None)   # None when a subclass skipped __init__
        return conf if conf else None

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
        # Old Petrel's attributes, from a patched Storm's context (-1 without one).
        self.task_index = context.get("taskIndex", -1)
        self.worker_port = context.get("workerPort", -1)
        self._petrel_streams = output_streams(self, context)
        self._petrel_widths = {s: len(f) for s, f in self._petrel_streams.items()}
        self._petrel_default_width = self._petrel_widths.get("default", -1)
        self._petrel_raw_write = collector.raw_write
        self._petrel_quick_emit = collector.quick_emit
        # A collector in another format than JSON (MessagePack): this instance's checked
        # encoding and its commonest emit are replaced by the collector's, so the JSON
        # path below costs nothing more for it. (Never through self.__dict__: reading it
        # makes every attribute access of the instance slower on CPython 3.11+.)
        if self._petrel_packing:
            del self._encode_checked, self._storm_emit
            self._petrel_packing = False
        if collector.pack_values is not None:
            self._petrel_packing = True
            self._encode_checked = self._pack_checked  # type: ignore[method-assign]
            self._storm_emit = (collector.fast_emit(self)  # type: ignore[method-assign]
                                or type(self)._storm_emit.__get__(self))
        self._petrel_input_fields: Mapping[Any, Dict[str, List[str]]] = input_fields(context)
        self._petrel_on_error = on_error_policy(conf)
        _facade.set_current(self)

    def make_tuple(self, id: Any, component: Optional[str], stream: str, task: int,
                   values: List[Any]) -> Tuple:
        """A ``petrel.storm.Tuple`` whose values are also reachable by the source's field names."""
        return Tuple(id, component, stream, task, values,
                     self._petrel_input_fields.get(component, _NO_FIELDS).get(stream))

    def run(self) -> None:
        """Run this component as a Storm multilang subprocess until Storm closes stdin."""
        # Imported here: create.py and petrel.mock use components without a worker.
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
        if _NULL_NEEDS_CHECK and data.partition(NULL_JSON)[1]:
            return encode_values(self._petrel_component_id, stream, values)
        return data

    def _pack_checked(self, values: Any, stream: Any) -> bytes:
        """``_encode_checked`` for a collector with ``pack_values`` (MessagePack)."""
        width = self._petrel_widths.get(stream)
        if width is None or (type(values) is not list and type(values) is not tuple) \
                or len(values) != width:
            raise emit_shape_error(self._petrel_component_id, self._petrel_streams,
                                   stream, values)
        return self._petrel_collector.pack_values(  # type: ignore[union-attr,misc]
            self._petrel_component_id, stream, values)

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
        results: List[Any] = [
            self._storm_emit(values, stream, anchors, id, directTask, need_task_ids)
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


_facade.register_class("Task", Component)   # old Petrel's storm.Task
