"""One worker process: start-up, running one component, and every way it can end.

``python -m petrel.run <module>`` (``petrel.run.main``) calls ``start`` before any user
code runs: it protects stdin/stdout and sets up the component log. ``Component.run()``
calls ``run_component``, which does the handshake, ``initialize`` and the protocol loop
(``petrel.runtime.loops``), and at the end writes the profile summary when
``PETREL_PROFILE_SUMMARY`` asks for one. Failures before the loop starts (import,
constructor, ``initialize``) are written to the component log and to the original stderr,
where Storm shows them, and the process exits with status 1.

The process-wide state (the protected descriptors, the log path, the channel) is kept in
this module's ``_worker``: one worker per process.
"""

from __future__ import annotations

import faulthandler
import logging
import os
import signal
import sys
import tempfile
import time
import traceback
from typing import Any, Dict, NoReturn, Optional, Type

from petrel import __version__, storm
from petrel.runtime.collector import ProtocolCollector
from petrel.runtime.failures import FatalComponentError, describe_exception
from petrel.runtime.headlines import missing_module_fix, short_traceback, wrong_run_signature
from petrel.runtime.keepalive import DEFAULT_INTERVAL, KeepAlive, keep_alive, keep_alive_message
from petrel.runtime.kinds import is_spout
from petrel.runtime.logs import configure_logging, log_dir, log_path
from petrel.runtime.loops import handshake, new_profile, run_loop
from petrel.runtime.profiling import (
    Profile,
    SpoutProfile,
    profiling_enabled,
    summary_path,
    write_summary,
)
from petrel.runtime.protocol import BACKEND, Channel, ChannelClosed, ProtocolError
from petrel.runtime.stdio import ProtectedStdio, protect_stdio

log = logging.getLogger("storm")

EXIT_FAILURE = 1
EXIT_SIGTERM = 128 + signal.SIGTERM


class Worker:
    """This process's protected descriptors, log file and protocol channel."""

    def __init__(self, module: str, path: str, stdio: ProtectedStdio) -> None:
        self.module = module
        self.log_path = path
        self.stdio = stdio
        # JSON or MessagePack, whichever the handshake comes in (Storm's
        # topology.multilang.serializer): Channel.use_msgpack.
        self.channel = Channel(stdio.protocol_in, stdio.protocol_out, detect_format=True)
        self.component_started = False
        self.handshake_done = False


_worker: Optional[Worker] = None


def _on_sigterm(signum: int, frame: Any) -> None:
    log.info("received SIGTERM: exiting")
    raise SystemExit(EXIT_SIGTERM)


def start(module: str) -> Worker:
    """Protect stdio and set up logging for ``module`` (once per process)."""
    global _worker
    if _worker is not None:
        return _worker
    directory = log_dir()
    try:
        os.makedirs(directory, exist_ok=True)
        path = log_path(module, directory=directory)
        stdio = protect_stdio(path)
    except OSError as exc:
        # An unusable log directory must not stop the component: log to the temp dir.
        fallback = log_path(module, directory=tempfile.gettempdir())
        stdio = protect_stdio(fallback)
        stdio.tell_storm(f"petrel: cannot write logs in {directory} ({exc}); logging to "
                         f"{fallback}")
        path = fallback
    how = configure_logging(path)
    faulthandler.enable(file=sys.stderr)
    signal.signal(signal.SIGTERM, _on_sigterm)
    sys.excepthook = _uncaught
    log.info("petrel %s worker for module %r: pid %d, python %s (%s), json %s, cwd %s; %s",
             __version__, module, os.getpid(), sys.version.split()[0], sys.executable,
             BACKEND, os.getcwd(), how)
    _worker = Worker(module, path, stdio)
    return _worker


def fail_startup(worker: Worker, what: str, exc: Optional[BaseException] = None) -> NoReturn:
    """Log ``what`` (and the exception) to the log and to Storm's stderr; exit with status 1.

    Storm's stderr gets one headline first (with the fix, for a missing module or a ``run``
    without ``self``), then the traceback without the import machinery's frames.
    """
    text = f"petrel: component module {worker.module!r}: {what}"
    wrong_run = wrong_run_signature(exc) if exc is not None else None
    if wrong_run:
        text = f"petrel: component module {worker.module!r}: {wrong_run}"
    elif exc is not None:
        text += f": {type(exc).__name__}: {exc}"
        fix = missing_module_fix(exc)
        if fix:
            text += f"; {fix}"
    text += f" (log: {worker.log_path})"
    details = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)) \
        if exc is not None else ""
    log.error("%s\n%s", text, details.rstrip())
    short = short_traceback(exc) if exc is not None else ""
    worker.stdio.tell_storm(text + ("\n" + short if short else ""))
    _flush_quietly(worker.channel)
    sys.exit(EXIT_FAILURE)


def _uncaught(kind: Type[BaseException], exc: BaseException, tb: Any) -> None:
    """An exception nothing caught ends the worker with a headline, not a bare traceback."""
    worker = _worker
    if worker is None or not isinstance(exc, Exception):
        sys.__excepthook__(kind, exc, tb)
        return
    what = "failed before the handshake" if not worker.handshake_done else "failed"
    try:
        fail_startup(worker, what, exc)
    except SystemExit:
        pass


def _flush_quietly(channel: Channel) -> None:
    try:
        channel.flush()
    except (ChannelClosed, OSError):
        pass


def send_to_storm(message: Dict[str, Any]) -> bool:
    """Write ``message`` on this worker's protocol channel now, from any thread.

    Returns False (and sends nothing) outside a petrel worker or before the handshake.
    """
    worker = _worker
    if worker is None or not worker.handshake_done:
        return False
    worker.channel.send_now(message)
    return True


def send_keep_alive() -> bool:
    """Send the running component's sign of life (``petrel.runtime.keepalive``) to Storm."""
    component = storm._current
    if component is None:
        return False
    return send_to_storm(keep_alive_message(component))


def start_keep_alive(interval: float = DEFAULT_INTERVAL) -> KeepAlive:
    """Start (once per process) the thread that keeps this worker alive in a debugger."""
    return keep_alive(send_keep_alive, interval)


def _debugger_keep_alive() -> None:
    """Keep Storm from killing a component that imported a debugger itself.

    The book's bare ``import rpdb2; rpdb2.start_embedded_debugger('pw')`` (or pydevd)
    bypasses ``petrel.debug``, so nothing would send signs of life while it is stopped.
    """
    if "rpdb2" not in sys.modules and "pydevd" not in sys.modules:
        return
    try:
        start_keep_alive()
        log.info("a debugger module is loaded: keep-alive thread started (signs of life to "
                 "Storm while the main thread is stopped in the debugger)")
    except Exception:  # never let the courtesy stop the component
        log.exception("could not start the debugger keep-alive thread")


def run_component(component: Any) -> None:
    """Handshake, ``initialize``, then the protocol loop until Storm closes the pipes."""
    worker = _worker or start(type(component).__module__)
    worker.component_started = True
    channel = worker.channel
    try:
        conf, context = handshake(channel)
    except ChannelClosed as closed:
        log.info("Storm closed the pipes before the handshake (%s); exiting", closed.reason)
        return
    except ProtocolError as exc:
        fail_startup(worker, f"bad handshake: {exc}")
    worker.handshake_done = True
    started = time.perf_counter()
    summary = summary_path()
    profile: Optional[Profile] = None
    try:
        _debugger_keep_alive()
        collector = _collector(channel, context)
        component.attach(collector, conf, context)
        log.info("handshake done: component %r, task %s, pid %d, multilang %s",
                 context.get("componentid"), context.get("taskid"), os.getpid(),
                 _format_description(channel))
        try:
            component.initialize(conf, context)
        except Exception as exc:
            try:
                collector.report_error(describe_exception(
                    str(context.get("componentid")), context.get("taskid"), "initialize()",
                    exc))
            except (ChannelClosed, OSError):
                pass
            fail_startup(worker, "initialize() failed", exc)
        lines = profiling_enabled()
        if lines:
            log.info("tuple profiling enabled (logger 'storm' at DEBUG)")
        if lines or summary:
            profile = new_profile(component, lines)
        _run_until_the_end(worker, component, profile)
    finally:
        if summary:
            kind = "spout" if isinstance(profile, SpoutProfile) or (
                profile is None and is_spout(component)) else "bolt"
            write_summary(summary, kind, profile, time.perf_counter() - started)


def _collector(channel: Channel, context: Dict[str, Any]) -> ProtocolCollector:
    """The collector that writes the channel's format."""
    if channel.format == "msgpack":
        from petrel.runtime.msgpack_output import MsgpackCollector
        return MsgpackCollector(channel, str(context.get("componentid")))
    return ProtocolCollector(channel)


def _format_description(channel: Channel) -> str:
    """'json' or 'MessagePack (<backend>)', for the log."""
    if channel.format != "msgpack":
        return "json"
    from petrel.runtime.msgpack_stream import BACKEND as MSGPACK_BACKEND
    return "MessagePack (" + ("the msgpack package" if MSGPACK_BACKEND == "msgpack"
                              else "petrel's pure-Python codec") + ")"


def _run_until_the_end(worker: Worker, component: Any, profile: Optional[Profile]) -> None:
    """The protocol loop, and every way it ends after the handshake."""
    channel = worker.channel
    try:
        run_loop(component, channel, profile)
    except ChannelClosed as closed:
        _flush_quietly(channel)
        if closed.partial_bytes:
            log.warning("%s in the middle of a message (%d bytes discarded); exiting",
                        closed.reason, closed.partial_bytes)
        else:
            log.info("%s; exiting", closed.reason)
    except FatalComponentError as exc:
        _flush_quietly(channel)
        log.error("%s", exc)
        worker.stdio.tell_storm(f"petrel: {exc} (log: {worker.log_path})")
        sys.exit(EXIT_FAILURE)
    except ProtocolError as exc:
        _flush_quietly(channel)
        log.error("protocol error: %s", exc)
        who = getattr(component, "_petrel_component_id", type(component).__name__)
        worker.stdio.tell_storm(f"petrel: component {who!r}: protocol error: {exc} "
                                f"(log: {worker.log_path})")
        sys.exit(EXIT_FAILURE)
    except Exception as exc:  # a bug in petrel itself: say so loudly, exit
        _flush_quietly(channel)
        log.exception("internal error in the petrel runtime")
        worker.stdio.tell_storm(f"petrel: internal error: {type(exc).__name__}: {exc} "
                                f"(log: {worker.log_path})")
        sys.exit(EXIT_FAILURE)
