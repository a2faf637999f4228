"""The original Petrel's SIGUSR1 debugging hook, now pointing at ``petrel.debug``.

In a component, ``petrel.rdebug.listen()`` (the original's call) makes SIGUSR1 stop it:
``python -m petrel.rdebug PID`` (or ``kill -USR1 PID``) sends the signal. On SIGUSR1 the
component logs where it was (the interrupted stack) in its log. With a debugger password,
given as ``listen(password)`` or ``$PETREL_RDEBUG_PASSWORD``, it then waits for the rpdb2
console (``python -m petrel.debug``, which also works on Python 3.12+) through
``petrel.debug.start_embedded_debugger``; from there ``up`` reaches the interrupted code.
The original's console over named pipes is not kept: petrel.debug's debuggers replace it.

Standard library only, Python 3.9+: this module runs on Storm workers.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import traceback
from types import FrameType
from typing import Any, Dict, List, Optional

from petrel.debug import DEFAULT_RPDB2_TIMEOUT, DebuggerNotInstalled, start_embedded_debugger

log = logging.getLogger("petrel.rdebug")

PASSWORD_ENV = "PETREL_RDEBUG_PASSWORD"

# What listen() chose, read by the signal handler.
_settings: Dict[str, Any] = {"password": None, "timeout": DEFAULT_RPDB2_TIMEOUT}


def listen(password: Optional[str] = None,
           timeout: Optional[float] = DEFAULT_RPDB2_TIMEOUT) -> None:
    """Make SIGUSR1 log this process's stack and, with a password, start the rpdb2 debugger.

    ``timeout``: seconds the debugger waits for the console to attach (None: forever).
    """
    _settings["password"] = password or os.environ.get(PASSWORD_ENV) or None
    _settings["timeout"] = timeout
    signal.signal(signal.SIGUSR1, remote_debug)
    log.info("petrel.rdebug: pid %d stops on SIGUSR1 ('python -m petrel.rdebug %d')",
             os.getpid(), os.getpid())


def remote_debug(signum: int, frame: Optional[FrameType]) -> None:
    """The SIGUSR1 handler: log the stack, then wait for rpdb2 if a password is set.

    It never raises: a debugger that is missing or refuses the password is logged and
    the component goes on.
    """
    stack = "".join(traceback.format_stack(frame)) if frame is not None else "(unknown)\n"
    log.warning("petrel.rdebug: SIGUSR1: pid %d was here (most recent call last):\n%s",
                os.getpid(), stack.rstrip())
    password = _settings["password"]
    if password is None:
        log.warning("petrel.rdebug: no debugger password, so the component goes on; to stop it "
                    "in rpdb2, call petrel.rdebug.listen('PASSWORD') or set %s", PASSWORD_ENV)
        return
    try:
        start_embedded_debugger(password, _settings["timeout"])
    except (DebuggerNotInstalled, ValueError) as exc:
        log.error("petrel.rdebug: cannot start the debugger: %s", exc)
    except Exception:  # noqa: BLE001 - the debugger must never end the component
        log.exception("petrel.rdebug: the debugger failed; the component goes on")


def debug_process(pid: int) -> str:
    """Send SIGUSR1 to ``pid`` (a component that called ``listen()``); returns what to do next.

    Raises OSError (ProcessLookupError, PermissionError) when the signal cannot be sent.
    """
    os.kill(pid, signal.SIGUSR1)
    return (f"sent SIGUSR1 to pid {pid}: it logs its stack in its component log "
            f"(petrel{pid}_<module>.log); if it has a debugger password, run "
            f"'python -m petrel.debug', then 'password PASSWORD' and 'attach {pid}'")


def main(argv: Optional[List[str]] = None) -> int:
    """``python -m petrel.rdebug PID``: signal a component to stop for debugging."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1 or not args[0].isdigit() or int(args[0]) <= 0:
        sys.stderr.write("usage: python -m petrel.rdebug PID\n"
                         "Sends SIGUSR1 to a component that called petrel.rdebug.listen().\n")
        return 2
    pid = int(args[0])
    try:
        print(debug_process(pid))
    except (ProcessLookupError, OverflowError):
        sys.stderr.write(f"petrel.rdebug: no process {pid}; give the pid of a running "
                         "component (its log is petrel<pid>_<module>.log)\n")
        return 1
    except PermissionError:
        sys.stderr.write(f"petrel.rdebug: not allowed to signal pid {pid}; run this as the "
                         "user that runs the component\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
