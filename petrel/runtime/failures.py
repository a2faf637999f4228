"""What happens when user code raises: log it, report it to Storm, and go on (or exit).

An exception in ``process``, ``nextTuple``, ``ack``, ``fail``, ``activate`` or
``deactivate`` is logged with its traceback, the host and pid, and the offending tuple's
values, then sent to Storm as an ``error`` command so it shows in the Storm UI. With
``petrel.on_error: exit`` in the topology config, the process then exits non-zero so Storm
restarts it; the default, ``continue``, keeps the component running.
"""

from __future__ import annotations

import logging
import os
import socket
import traceback
from typing import Any, Mapping, Optional

ON_ERROR_KEY = "petrel.on_error"
ON_ERROR_CHOICES = ("continue", "exit")

log = logging.getLogger("storm")


class FatalComponentError(Exception):
    """Raised after an error was reported when ``petrel.on_error`` is ``exit``."""


def on_error_policy(conf: Optional[Mapping[str, Any]]) -> str:
    """``continue`` or ``exit`` from ``petrel.on_error``; an unknown value warns, continues."""
    value = (conf or {}).get(ON_ERROR_KEY, "continue")
    if value not in ON_ERROR_CHOICES:
        log.warning("%s: %r is not one of %s; using 'continue'",
                    ON_ERROR_KEY, value, ", ".join(ON_ERROR_CHOICES))
        return "continue"
    return str(value)


def _values_repr(values: Any) -> str:
    text = repr(values)
    # Long tuples are cut so log handlers such as syslog do not choke on them.
    return text if len(text) <= 2000 else text[:2000] + "..."


def describe_exception(component_id: str, task: Any, where: str, exc: BaseException,
                       values: Any = None, has_values: bool = False) -> str:
    """The full report: what failed where, the exception, the tuple, the traceback."""
    lines = [
        f"{type(exc).__name__}: {exc}",
        f"in {where} of component {component_id!r} (task {task}, host {socket.gethostname()}, "
        f"pid {os.getpid()})",
    ]
    if has_values:
        lines.append(f"The error occurred while processing this tuple: {_values_repr(values)}")
    lines.append("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)).rstrip())
    return "\n".join(lines)


def report_exception(component: Any, where: str, exc: BaseException,
                     values: Any = None, has_values: bool = False) -> None:
    """Log and report ``exc``; raise FatalComponentError when the policy is ``exit``."""
    component_id = getattr(component, "_petrel_component_id", type(component).__name__)
    task = getattr(component, "_petrel_task", None)
    text = describe_exception(component_id, task, where, exc, values, has_values)
    log.error("%s", text)
    collector = getattr(component, "_petrel_collector", None)
    if collector is not None:
        try:
            collector.report_error(text)
        except Exception:  # the report itself must never hide the original error
            log.exception("could not report the error to Storm")
    if getattr(component, "_petrel_on_error", "continue") == "exit":
        raise FatalComponentError(
            f"{type(exc).__name__} in {where} of component {component_id!r}; exiting because "
            f"{ON_ERROR_KEY} is 'exit'")
