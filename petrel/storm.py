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
"""

from __future__ import annotations

from typing import Any, List, Optional, Sequence

from petrel.runtime.collector import DEBUG, ERROR, INFO, TRACE, WARN
from petrel.runtime.tuples import Tuple

__all__ = [
    "Tuple", "emit", "emitDirect", "emitMany", "ack", "fail", "ackId", "failId", "log",
    "logTrace", "logDebug", "logInfo", "logWarn", "logError", "reportError", "sync",
    "current", "set_current", "TRACE", "DEBUG", "INFO", "WARN", "ERROR",
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
