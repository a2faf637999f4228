"""What Storm's messages to a component must look like, and the refusal of anything else.

The setup message, a bolt's tuples and a spout's commands are checked where they are read.
One that does not fit raises ProtocolError naming what is wrong and showing the message,
so the component exits with one clear line instead of processing junk (a string taken as a
tuple's values, a list of task ids nobody asked for, a context of the wrong type).
"""

from __future__ import annotations

import os
import reprlib
from typing import Any, Dict, Tuple

from petrel.runtime.protocol import ProtocolError

SETUP_KEYS = ("conf", "pidDir", "context")
TUPLE_KEYS = ("id", "comp", "stream", "task", "tuple")

_short = reprlib.Repr()
_short.maxlevel = 4
_short.maxstring = 80
_short.maxother = 80
_short.maxdict = _short.maxlist = 8


def show(msg: Any) -> str:
    """A short text of a decoded message (bounded however large or deep it is)."""
    return _short.repr(msg)


def kind(value: Any) -> str:
    """The JSON kind of a decoded value, as a message names it."""
    if value is None:
        return "null"
    if type(value) is bool:
        return "a JSON boolean"
    if isinstance(value, (int, float)):
        return "a JSON number"
    if isinstance(value, str):
        return "a JSON string"
    if isinstance(value, list):
        return "a JSON array"
    return "a JSON object"


def _is_str_list(value: Any) -> bool:
    return type(value) is list and all(type(v) is str for v in value)


def _is_fields_by_stream(value: Any) -> bool:
    return type(value) is dict and all(_is_str_list(f) for f in value.values())


# context keys a component reads: (check, what Storm sends)
CONTEXT_TYPES = {
    "componentid": (lambda v: type(v) is str, "a string"),
    "taskid": (lambda v: type(v) is int, "an integer"),
    "task->component": (lambda v: type(v) is dict, "a JSON object"),
    "stream->outputfields": (_is_fields_by_stream,
                             "a JSON object of stream -> list of field names"),
    "source->stream->fields": (
        lambda v: type(v) is dict and all(_is_fields_by_stream(s) for s in v.values()),
        "a JSON object of component -> stream -> list of field names"),
}


def check_setup(setup: Any) -> Tuple[str, Dict[str, Any], Dict[str, Any]]:
    """``(pidDir, conf, context)`` from Storm's setup message, or ProtocolError."""
    if isinstance(setup, ProtocolError):
        raise setup
    if type(setup) is not dict:
        raise ProtocolError(f"expected Storm's setup message (a JSON object with conf, pidDir "
                            f"and context) first, got {kind(setup)}: {show(setup)}")
    missing = [k for k in SETUP_KEYS if k not in setup]
    if missing:
        raise ProtocolError(f"Storm's setup message has no {' and no '.join(missing)}: "
                            f"{show(setup)}")
    pid_dir, conf, context = setup["pidDir"], setup["conf"], setup["context"]
    if type(pid_dir) is not str or not pid_dir:
        raise ProtocolError(f"'pidDir' in Storm's setup message must be a directory path, got "
                            f"{kind(pid_dir)}: {show(pid_dir)}")
    for name, value in (("conf", conf), ("context", context)):
        if type(value) is not dict:
            raise ProtocolError(f"'{name}' in Storm's setup message must be a JSON object, "
                                f"got {kind(value)}: {show(value)}")
    for key, (ok, wanted) in CONTEXT_TYPES.items():
        if key in context and not ok(context[key]):
            raise ProtocolError(f"'{key}' in the setup message's context must be {wanted}, "
                                f"got {kind(context[key])}: {show(context[key])}")
    return pid_dir, conf, context


def write_pid_file(pid_dir: str, pid: int) -> None:
    """Create ``<pidDir>/<pid>`` (Storm finds the worker's processes by it), or ProtocolError."""
    path = os.path.join(pid_dir, str(pid))
    try:
        with open(path, "w"):
            pass
    except OSError as exc:
        raise ProtocolError(f"cannot create the pid file {path} in the 'pidDir' of Storm's "
                            f"setup message: {exc.strerror or exc}") from None


def _unasked(msg: Any, expected: str) -> ProtocolError:
    if isinstance(msg, ProtocolError):  # queued in place of a message that was not JSON
        return msg
    if type(msg) is list:
        return ProtocolError(f"a list of task ids that no emit asked for, where {expected} was "
                             f"expected: {show(msg)}")
    return ProtocolError(f"{kind(msg)} where {expected} was expected: {show(msg)}")


def bad_tuple(msg: Any) -> ProtocolError:
    """Why ``msg``, read where a bolt expects a tuple, is not one."""
    if type(msg) is not dict:
        return _unasked(msg, "a tuple")
    if "command" in msg:
        return ProtocolError(f"Unknown command received: {show(msg['command'])} (a bolt receives "
                             f"tuples only): {show(msg)}")
    missing = [k for k in TUPLE_KEYS if k not in msg]
    if missing:
        return ProtocolError(f"tuple message without {', '.join(map(repr, missing))}: "
                             f"{show(msg)}")
    for key, ok, wanted in (("tuple", type(msg["tuple"]) is list, "a JSON array of values"),
                            ("stream", type(msg["stream"]) is str, "a string"),
                            ("comp", msg["comp"] is None or type(msg["comp"]) is str,
                             "a string or null"),
                            ("task", type(msg["task"]) is int, "an integer")):
        if not ok:
            return ProtocolError(f"tuple message whose '{key}' is {kind(msg[key])}, not "
                                 f"{wanted}: {show(msg)}")
    return ProtocolError(f"unreadable tuple message: {show(msg)}")  # pragma: no cover


def not_a_command(msg: Any) -> ProtocolError:
    """Why ``msg``, read where a spout expects a command, is not one."""
    if type(msg) is not dict:
        return _unasked(msg, "a command")
    if "command" not in msg:
        return ProtocolError(f"Command not found in spout message: {show(msg)}")
    return ProtocolError(f"spout message whose 'command' is {kind(msg['command'])}, not a "
                         f"string: {show(msg)}")


def command_without_id(command: str, msg: Any) -> ProtocolError:
    """An ``ack`` or ``fail`` command that names no message id."""
    return ProtocolError(f"{command} command without 'id': {show(msg)}")
