"""Stopping inside a running component with a real debugger, and staying alive while stopped.

Two debuggers are supported, both optional installs on the machine that runs the component:

- Winpdb / rpdb2 (``pip install rpdb2``; the GUI is ``pip install winpdb-reborn``):
  ``petrel.debug.start_embedded_debugger(password)`` waits for the ``rpdb2`` console or
  Winpdb to attach, then stops on the line after the call. It wraps
  ``rpdb2.start_embedded_debugger`` (the book's ``import rpdb2;
  rpdb2.start_embedded_debugger('pw')`` still works on Python 3.9-3.11) and makes rpdb2
  run on Python 3.12 and 3.13, where importing it or stopping at a breakpoint fails.
- debugpy (VS Code, ``pip install debugpy``): ``petrel.debug.listen(port)``.

Storm kills a component that says nothing for ``topology.subprocess.timeout.secs``. Both
functions start the worker's keep-alive thread (``petrel.runtime.keepalive``): while the
main thread is inside the debugger (waiting for it to attach, or stopped at a breakpoint),
it sends a sign of life every few seconds, ``sync`` for a bolt and a TRACE-level ``log``
for a spout (a spout that is not in a command is never timed out). Nothing is sent before
the handshake, when Storm does not time a component yet.

Standard library only, Python 3.9+: this module runs on Storm workers.
"""

from __future__ import annotations

import copyreg
import logging
import os
import re
import sys
import types
from typing import Any, Dict, Optional, Tuple

from petrel.runtime.keepalive import DEFAULT_INTERVAL
from petrel.runtime.worker import send_to_storm, start_keep_alive

log = logging.getLogger("petrel.debug")

DEFAULT_RPDB2_TIMEOUT = 300.0
DEFAULT_DEBUGPY_PORT = 5678
# rpdb2 listens on the first free port of this range.
RPDB2_PORTS = "51000-51023"
# What rpdb2's console accepts as a password.
_RPDB2_PASSWORD = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


class DebuggerNotInstalled(ImportError):
    """The debugger package is not installed for the interpreter running the component."""


def _announce(text: str) -> None:
    """Say ``text`` in the component log and, after the handshake, in Storm's log (WARN)."""
    log.warning("%s", text)
    try:
        send_to_storm({"command": "log", "msg": text, "level": 3})
    except Exception:  # noqa: BLE001 - telling Storm is a courtesy, never a failure
        pass


# -- Winpdb / rpdb2 --------------------------------------------------------------------------


def _load_source(name: str, path: str) -> types.ModuleType:
    """``imp.load_source`` for rpdb2 on Python 3.12+ (only its launch-a-script mode uses it)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _copy_frame_locals(proxy: Any) -> Tuple[Any, Tuple[Dict[str, Any]]]:
    return dict, (dict(proxy),)


def import_rpdb2() -> Any:
    """Import rpdb2, made to work on Python 3.12+; DebuggerNotInstalled if it is missing.

    rpdb2 (last released for Python <= 3.11) imports the ``imp`` module, removed in 3.12,
    and copies ``frame.f_locals`` with ``copy.copy``, which fails on 3.13's
    ``FrameLocalsProxy`` (PEP 667) the moment a breakpoint is hit. A stand-in ``imp`` is
    present only while rpdb2 is imported, and copying a FrameLocalsProxy gives a dict
    snapshot, which is what ``f_locals`` was before 3.13.
    """
    if "rpdb2" in sys.modules:
        return sys.modules["rpdb2"]
    stand_in = None
    if sys.version_info >= (3, 12) and "imp" not in sys.modules:
        stand_in = types.ModuleType("imp", "stand-in for rpdb2 on Python 3.12+")
        stand_in.load_source = _load_source  # type: ignore[attr-defined]
        sys.modules["imp"] = stand_in
    try:
        import rpdb2
    except ImportError as exc:
        raise DebuggerNotInstalled(
            f"rpdb2 is not installed for {sys.executable} ({exc}); install it where the "
            "component runs: 'pip install rpdb2' (for a Storm worker, add a line 'rpdb2' to "
            "requirements.txt and list requirements.txt in manifest.txt)") from None
    finally:
        if stand_in is not None and sys.modules.get("imp") is stand_in:
            del sys.modules["imp"]
    proxy_type = type(sys._getframe().f_locals)
    if proxy_type is not dict:
        copyreg.pickle(proxy_type, _copy_frame_locals)
    return rpdb2


def console_command() -> str:
    """How to start the rpdb2 console on this Python: 'rpdb2' crashes on 3.12+ (no ``imp``)."""
    if sys.version_info >= (3, 12):
        return "'python3 -m petrel.debug' (the rpdb2 console; 'rpdb2' itself fails on 3.12+)"
    return "'rpdb2' (or 'python3 -m petrel.debug')"


def start_embedded_debugger(password: str, timeout: Optional[float] = DEFAULT_RPDB2_TIMEOUT,
                            *, allow_remote: bool = False,
                            keep_alive_interval: float = DEFAULT_INTERVAL) -> None:
    """Wait for Winpdb or the ``rpdb2`` console to attach, then stop after this call.

    ``timeout``: seconds to wait for the debugger (None waits forever, 0 not at all);
    without an attach the component goes on. ``allow_remote``: accept a debugger from
    another machine (``rpdb2`` then needs ``-r``/``--host``); by default only this machine.
    Call it in ``initialize`` or ``process``/``nextTuple``: before the handshake the local
    runner gives a component 60 seconds to start.
    """
    if not isinstance(password, str) or not _RPDB2_PASSWORD.match(password):
        raise ValueError(f"start_embedded_debugger: password {password!r} is not accepted by "
                         "rpdb2; use a letter followed by letters, digits or '_'")
    rpdb2 = import_rpdb2()
    start_keep_alive(keep_alive_interval)
    waiting = "forever" if timeout is None else f"up to {timeout:g} s"
    _announce(f"pid {os.getpid()} waits {waiting} for a debugger (rpdb2 ports {RPDB2_PORTS}): "
              f"run {console_command()}, then 'password <pw>' and 'attach {os.getpid()}', "
              "or use Winpdb")
    # depth=1: stop in the caller's frame, not in this wrapper.
    rpdb2.start_embedded_debugger(password, fAllowRemote=allow_remote, timeout=timeout,
                                  depth=1)


# -- debugpy (VS Code) -----------------------------------------------------------------------


def import_debugpy() -> Any:
    """Import debugpy; DebuggerNotInstalled if it is missing."""
    try:
        import debugpy
    except ImportError as exc:
        raise DebuggerNotInstalled(
            f"debugpy is not installed for {sys.executable} ({exc}); install it where the "
            "component runs: 'pip install debugpy' (for a Storm worker, add a line 'debugpy' "
            "to requirements.txt and list requirements.txt in manifest.txt)") from None
    return debugpy


def listen(port: int = DEFAULT_DEBUGPY_PORT, host: str = "127.0.0.1", *, wait: bool = True,
           keep_alive_interval: float = DEFAULT_INTERVAL) -> Tuple[str, int]:
    """Let VS Code (or any DAP client) attach with debugpy on ``host:port``.

    ``wait``: block until the client attached (then breakpoints set in the editor work from
    the next line on; ``debugpy.breakpoint()`` stops right there). Use ``host='0.0.0.0'``
    to accept a client from another machine, e.g. a Storm supervisor. Returns the address.
    """
    debugpy = import_debugpy()
    start_keep_alive(keep_alive_interval)
    address = debugpy.listen((host, port))
    bound = (str(address[0]), int(address[1])) if isinstance(address, tuple) else (host, port)
    _announce(f"pid {os.getpid()}: debugpy listens on {bound[0]}:{bound[1]}"
              + ("; waiting for the debugger to attach" if wait else ""))
    if wait:
        debugpy.wait_for_client()
    return bound


def console_main() -> int:
    """``python -m petrel.debug``: the rpdb2 console, also on Python 3.12+."""
    return int(import_rpdb2().main() or 0)


if __name__ == "__main__":
    sys.exit(console_main())
