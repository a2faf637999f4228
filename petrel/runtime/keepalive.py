"""Signs of life while the main thread sits in a debugger, so Storm does not kill the worker.

Storm kills a multilang component that says nothing for ``topology.subprocess.timeout.secs``
(its ShellBolt/ShellSpout heartbeat check). While the main thread is inside a debugger
(waiting for it to attach, or stopped at a breakpoint) a ``KeepAlive`` thread sends a sign
of life every few seconds: a bolt sends ``sync``, which a bolt may send at any time. A spout
may not (a ``sync`` ends the command Storm is waiting on), so a spout sends a TRACE-level
``log`` message instead, which Storm also counts while it waits for the spout.

``petrel.debug`` starts the thread when it starts a debugger; the worker starts it when the
component module imported a debugger itself (``petrel.runtime.worker``), giving it the
function that writes on the worker's channel.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from typing import Any, Callable, Dict, List, Optional

from petrel.runtime.kinds import is_spout

log = logging.getLogger("petrel.debug")

DEFAULT_INTERVAL = 1.0
# Modules whose code runs on the main thread while a debugger holds it.
DEBUGGER_MODULES = ("rpdb2", "rpdb", "debugpy", "pydevd", "_pydevd_bundle", "_pydev_bundle",
                    "_pydevd_frame_eval", "_pydevd_sys_monitoring")
SPOUT_KEEP_ALIVE_TEXT = "petrel.debug: paused in the debugger (keep-alive)"


def debugger_roots() -> List[str]:
    """Files and directories holding the code of the debuggers imported in this process."""
    roots = []
    for name in DEBUGGER_MODULES:
        module = sys.modules.get(name)
        path = getattr(module, "__file__", None)
        if not path:
            continue
        if os.path.basename(path).startswith("__init__."):
            roots.append(os.path.dirname(path) + os.sep)
        else:
            roots.append(path)
    return roots


def thread_in_debugger(thread_id: int, roots: Optional[List[str]] = None) -> bool:
    """True when the thread's current call stack runs code of an imported debugger."""
    frame = sys._current_frames().get(thread_id)
    roots = debugger_roots() if roots is None else roots
    if not roots:
        return False
    starts = tuple(roots)
    while frame is not None:
        if frame.f_code.co_filename.startswith(starts):
            return True
        frame = frame.f_back
    return False


def keep_alive_message(component: Any) -> Dict[str, Any]:
    """The sign of life a component may send unasked: ``sync`` for a bolt, a log for a spout."""
    if is_spout(component):
        return {"command": "log", "msg": SPOUT_KEEP_ALIVE_TEXT, "level": 0}
    return {"command": "sync"}


class KeepAlive:
    """A daemon thread that calls ``send`` while the main thread sits in a debugger.

    ``send`` sends one sign of life and returns False when it could not (no component yet).
    ``paused`` is replaceable for tests; by default it looks at the main thread's stack.
    """

    def __init__(self, interval: float = DEFAULT_INTERVAL,
                 paused: Optional[Callable[[], bool]] = None,
                 *, send: Callable[[], bool]) -> None:
        self.interval = interval
        main_id = threading.main_thread().ident or 0
        self.paused = paused or (lambda: thread_in_debugger(main_id))
        self.send = send
        self.sent = 0
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None

    @property
    def running(self) -> bool:
        """True while the thread runs."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> KeepAlive:
        """Start the thread (once)."""
        if not self.running:
            self._stop.clear()
            thread = threading.Thread(target=self._run, name="petrel-debug-keepalive",
                                      daemon=True)
            # pydevd (debugpy) neither traces nor suspends threads marked like its own;
            # rpdb2 never traces a thread started before it, as this one is.
            setattr(thread, "pydev_do_not_trace", True)  # noqa: B010
            setattr(thread, "is_pydev_daemon_thread", True)  # noqa: B010
            self._thread = thread
            thread.start()
        return self

    def stop(self) -> None:
        """Stop the thread and wait for it."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(self.interval + 1.0)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                if self.paused() and self.send():
                    self.sent += 1
            except Exception as exc:  # the channel is gone: the component is ending
                log.debug("keep-alive stopped: %s", exc)
                return


_keep_alive: Optional[KeepAlive] = None


def keep_alive(send: Callable[[], bool], interval: float = DEFAULT_INTERVAL) -> KeepAlive:
    """Start (once per process) the thread that keeps a paused component alive."""
    global _keep_alive
    if _keep_alive is None or not _keep_alive.running:
        _keep_alive = KeepAlive(interval, send=send).start()
    return _keep_alive
