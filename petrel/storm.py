"""The running component, as module functions: ``from petrel import storm; storm.emit([...])``.

Each function acts on the current component, the one whose ``process``/``nextTuple``
is running (the worker runs one component per process; ``petrel.mock`` switches between
them). The same operations exist as methods (``self.emit``, ``self.ack``, ...).

- ``emit(values, stream=None, anchors=None, id=None, directTask=None, need_task_ids=False)``:
  bolts anchor with ``anchors=`` (a ``BasicBolt`` anchors to its input by itself), spouts
  pass ``id=`` for a reliable emit. Returns the destination task ids only when
  ``need_task_ids=True``.
- ``emitDirect(task, values, ...)``, ``emitMany(list_of_values, ...)``.
- ``ack(tup)``, ``fail(tup)`` (manual-ack ``Bolt``), ``ackId(id)``, ``failId(id)``.
- ``log(msg, level=INFO)`` with Storm's levels 0-4 (``TRACE`` .. ``ERROR``; names and
  ``logging`` levels are accepted too), ``logTrace`` .. ``logError``.
- ``reportError(msg)``: shown in the Storm UI. ``sync()``: a bolt's proof of life.
- ``Tuple``: the input tuple class.

Old Petrel's lower-level names keep working where they make sense in a petrel worker:
``emitBolt``/``emitSpout``/``emitManyBolt``/``emitManySpout`` (emits checked as ``emit``'s),
``Spout``/``Bolt``/``BasicBolt``/``Task`` (the classes of ``petrel.emitter``), ``MODE`` and
``ANCHOR_TUPLE`` (read-only views of the running component), ``LogStream``, ``storm_log``,
``json_encode``/``json_decode``, ``StormIPCException``, ``initialize_profiling`` and
``TUPLE_PROFILING``. The functions that read or wrote the multilang pipe themselves
(``readMsg``, ``readTuple``, ``sendMsgToParent``, ``initComponent``...) would steal
messages from petrel's worker: calling one raises an error naming what to use instead.
docs/migration.md lists every name.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Callable, List, NoReturn, Optional, Sequence

from petrel.runtime.collector import DEBUG, ERROR, INFO, TRACE, WARN
from petrel.runtime.kinds import SPOUT, kind_of
from petrel.runtime.protocol import ChannelClosed
from petrel.runtime.tuples import Tuple

__all__ = [
    "Tuple", "emit", "emitDirect", "emitMany", "ack", "fail", "ackId", "failId", "log",
    "logTrace", "logDebug", "logInfo", "logWarn", "logError", "reportError", "sync",
    "current", "set_current", "TRACE", "DEBUG", "INFO", "WARN", "ERROR",
    # old Petrel's lower-level names
    "emitBolt", "emitSpout", "emitManyBolt", "emitManySpout", "LogStream", "storm_log",
    "json_encode", "json_decode", "StormIPCException", "initialize_profiling",
    "BLANK_LINE_CHECK", "MAX_MESSAGE_SIZE", "readMsg", "readCommand", "readTaskIds",
    "readTuple", "sendMsgToParent", "sendFailureMsgToParent", "sendpid", "initComponent",
    "BoltProfiler", "BasicBoltProfiler",
]

# The component the functions below act on; set by the runtime (and the mock) when a
# component starts handling a tuple or command. The only module-level state of petrel.
_current: Any = None


def current() -> Any:
    """The running component; RuntimeError when none is running in this process."""
    if _current is None:
        raise RuntimeError(
            "no petrel component is running in this process: petrel.storm functions work "
            "inside a component run by 'python -m petrel.run' (or by petrel.mock)")
    return _current


def set_current(component: Any) -> None:
    """Make ``component`` the one these functions act on (the runtime and mock call this)."""
    global _current
    _current = component


def emit(values: Sequence[Any], stream: Optional[str] = None, anchors: Any = None,
         id: Any = None, directTask: Optional[int] = None,
         need_task_ids: bool = False) -> Optional[List[int]]:
    """Emit one tuple; returns task ids only when ``need_task_ids=True``."""
    component = _current if _current is not None else current()
    return component._storm_emit(values, stream, anchors, id, directTask, need_task_ids)


def emitDirect(task: int, values: Sequence[Any], stream: Optional[str] = None,
               anchors: Any = None, id: Any = None) -> None:
    """Emit one tuple to task ``task`` of a component subscribed with direct grouping."""
    current()._storm_emit(values, stream, anchors, id, task, False)


def emitMany(list_of_values: Sequence[Sequence[Any]], stream: Optional[str] = None,
             anchors: Any = None, id: Any = None, directTask: Optional[int] = None,
             need_task_ids: bool = False) -> Optional[List[List[int]]]:
    """Emit several tuples with the same options; all are checked before any is sent."""
    return current().emitMany(list_of_values, stream=stream, anchors=anchors, id=id,
                              directTask=directTask, need_task_ids=need_task_ids)


def ack(tup: Any) -> None:
    """Ack an input tuple (manual-ack ``Bolt``; a ``BasicBolt`` acks by itself)."""
    current().ack(tup)


def fail(tup: Any) -> None:
    """Fail an input tuple: its whole tuple tree fails and the spout may replay it."""
    current().fail(tup)


def ackId(tuple_id: Any) -> None:
    """Ack by tuple id (old Petrel)."""
    current().ack(tuple_id)


def failId(tuple_id: Any) -> None:
    """Fail by tuple id."""
    current().fail(tuple_id)


def log(msg: Any, level: Any = INFO) -> None:
    """Log ``msg`` in the component log and in Storm's worker log at ``level``."""
    current().log(msg, level)


def logTrace(msg: Any) -> None:
    """``log(msg, TRACE)``."""
    log(msg, TRACE)


def logDebug(msg: Any) -> None:
    """``log(msg, DEBUG)``."""
    log(msg, DEBUG)


def logInfo(msg: Any) -> None:
    """``log(msg, INFO)``."""
    log(msg, INFO)


def logWarn(msg: Any) -> None:
    """``log(msg, WARN)``."""
    log(msg, WARN)


def logError(msg: Any) -> None:
    """``log(msg, ERROR)``."""
    log(msg, ERROR)


def reportError(msg: Any) -> None:
    """Report an error to Storm (Storm UI, ``petrel status``) and log it."""
    current().reportError(msg)


def sync() -> None:
    """Bolts: send ``sync`` now (keeps a long ``process`` alive). Spouts: flush only."""
    current().sync()


# -- old Petrel's lower-level names ---------------------------------------------------------

storm_log = logging.getLogger("storm")
BLANK_LINE_CHECK = True
MAX_MESSAGE_SIZE = 16777216    # old Petrel's constant; petrel reads messages of any size
# What old Petrel raised when Storm closed the pipe; petrel's worker then ends by itself.
StormIPCException = ChannelClosed


def json_encode(obj: Any) -> str:
    """``obj`` as JSON text (old Petrel's helper)."""
    return json.dumps(obj)


def json_decode(text: Any) -> Any:
    """The object JSON ``text`` holds (old Petrel's helper)."""
    return json.loads(text)


def _running(name: str, kind: str) -> Any:
    component = current()
    is_spout = kind_of(component) == SPOUT
    if is_spout != (kind == "spout"):
        raise RuntimeError(f"storm.{name} is for {kind}s, but {type(component).__name__} is "
                           f"a {'spout' if is_spout else 'bolt'}; use storm.emit, which "
                           f"works in both")
    return component


def emitBolt(tup: Sequence[Any], stream: Optional[str] = None, anchors: Any = None,
             directTask: Optional[int] = None,
             need_task_ids: bool = False) -> Optional[List[int]]:
    """A bolt's ``emit`` (old Petrel): a BasicBolt anchors to its input by itself."""
    return _running("emitBolt", "bolt")._storm_emit(tup, stream, anchors, None, directTask,
                                                    need_task_ids)


def emitSpout(tup: Sequence[Any], stream: Optional[str] = None, id: Any = None,
              directTask: Optional[int] = None,
              need_task_ids: bool = False) -> Optional[List[int]]:
    """A spout's ``emit`` (old Petrel): ``id`` makes it reliable."""
    return _running("emitSpout", "spout")._storm_emit(tup, stream, None, id, directTask,
                                                      need_task_ids)


def emitManyBolt(tuples: Sequence[Sequence[Any]], stream: Optional[str] = None,
                 anchors: Any = None, directTask: Optional[int] = None) -> None:
    """A bolt's ``emitMany`` (old Petrel)."""
    _running("emitManyBolt", "bolt").emitMany(tuples, stream=stream, anchors=anchors,
                                              directTask=directTask)


def emitManySpout(tuples: Sequence[Sequence[Any]], stream: Optional[str] = None,
                  id: Any = None, directTask: Optional[int] = None,
                  need_task_ids: bool = False) -> None:
    """A spout's ``emitMany`` (old Petrel)."""
    _running("emitManySpout", "spout").emitMany(tuples, stream=stream, id=id,
                                                directTask=directTask)


class LogStream:
    """A file-like object writing each line to ``logger`` at ERROR (old Petrel's level).

    petrel's worker already sends ``print`` output to the component log; this is for code
    that made its own.
    """

    def __init__(self, logger: logging.Logger) -> None:
        self.logger = logger

    def write(self, message: str) -> int:
        """Log each non-empty line of ``message``."""
        for line in str(message).split("\n"):
            if line:
                self.logger.error("%s", line)
        return len(message)

    def flush(self) -> None:
        """Nothing to flush: every line went to the logger."""


def initialize_profiling() -> None:
    """Nothing to do: petrel times tuples whenever the ``storm`` logger is at DEBUG."""


def _removed(name: str, instead: str) -> Callable[..., NoReturn]:
    def removed(*_args: Any, **_kwargs: Any) -> NoReturn:
        raise RuntimeError(f"storm.{name} is not available in petrel: {instead}")
    removed.__name__ = removed.__qualname__ = name
    removed.__doc__ = f"Refused with a message naming the replacement: {instead}"
    return removed


_READS = ("petrel's worker reads Storm's messages itself and hands a bolt each tuple in "
          "process(tup), a spout each command as nextTuple()/ack(id)/fail(id); reading stdin "
          "from a component would steal them")
_HANDSHAKE = ("petrel's worker does the handshake (setup info, pid file) before "
              "initialize(conf, context) is called; put your set-up in initialize")
readMsg = _removed("readMsg", _READS)
readCommand = _removed("readCommand", _READS)
readTaskIds = _removed("readTaskIds", "emit(..., need_task_ids=True) returns the task ids")
readTuple = _removed("readTuple", _READS)
sendMsgToParent = _removed(
    "sendMsgToParent", "use storm.emit, ack, fail, log, reportError or sync, which write "
    "the message for you (and check it)")
sendFailureMsgToParent = _removed(
    "sendFailureMsgToParent", "call storm.reportError(msg) to show the error in the Storm UI, "
    "then raise an exception; with 'petrel.on_error: exit' in topology.yaml the worker ends "
    "and Storm restarts it")
sendpid = _removed("sendpid", _HANDSHAKE)
initComponent = _removed("initComponent", _HANDSHAKE)
BoltProfiler = _removed("BoltProfiler", "petrel logs profile lines by itself when the "
                        "'storm' logger is at DEBUG (docs/components.md, Profiling)")
BasicBoltProfiler = _removed("BasicBoltProfiler", "petrel logs profile lines by itself when "
                             "the 'storm' logger is at DEBUG (docs/components.md, Profiling)")

# Old Petrel's storm.Spout/Bolt/BasicBolt/Task: the component classes register themselves
# when their modules load (they import this module, so it cannot import them).
_CLASS_NAMES = {"Spout": "Spout", "Bolt": "Bolt", "BasicBolt": "BasicBolt", "Task": "Component"}
_classes: dict = {}


def register_class(name: str, cls: type) -> None:
    """Make ``cls`` reachable as ``storm.<name>`` (the runtime's component classes call this)."""
    _classes[name] = cls


_GONE_VALUES = {
    "old_stdout": "petrel's worker owns the protocol pipe (sys.stdout goes to the component "
                  "log); emit with storm.emit and log with storm.log",
    "pending_commands": _READS,
    "pending_taskids": "emit(..., need_task_ids=True) returns the task ids",
}


def __getattr__(name: str) -> Any:
    """Old Petrel's names that depend on the running component, or refused ones."""
    if name in _CLASS_NAMES:
        if name in _classes:
            return _classes[name]
        raise AttributeError(f"storm.{name} is petrel.emitter.{_CLASS_NAMES[name]}, which is "
                             f"not imported yet: import petrel.emitter first, or subclass "
                             f"petrel.emitter.{_CLASS_NAMES[name]} directly")
    if name == "MODE":   # old Petrel: storm.Spout or storm.Bolt (BasicBolts too), else None
        if _current is None:
            return None
        return _classes.get("Spout" if kind_of(_current) == SPOUT else "Bolt")
    if name == "ANCHOR_TUPLE":   # the input a BasicBolt anchors its emits to
        return getattr(_current, "_petrel_input", None) if _current is not None else None
    if name == "TUPLE_PROFILING":
        return storm_log.isEnabledFor(logging.DEBUG)
    if name in _GONE_VALUES:
        raise AttributeError(f"storm.{name} is not available in petrel: {_GONE_VALUES[name]}")
    raise AttributeError(f"module 'petrel.storm' has no attribute {name!r}")
