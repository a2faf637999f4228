"""The keep-alive petrel.debug starts: what it sends, when, and never before the handshake."""

from __future__ import annotations

import sys
import threading
import time

import pytest

import petrel.debug as debug
from petrel.emitter import BasicBolt, Bolt, Spout
from petrel.runtime import keepalive
from petrel.runtime.worker import send_to_storm


def test_bolts_sync_and_spouts_log() -> None:
    assert keepalive.keep_alive_message(BasicBolt()) == {"command": "sync"}
    assert keepalive.keep_alive_message(Bolt()) == {"command": "sync"}
    # a spout's sync would end the command Storm waits on; a TRACE log is a sign of life
    assert keepalive.keep_alive_message(Spout()) == {
        "command": "log", "msg": keepalive.SPOUT_KEEP_ALIVE_TEXT, "level": 0}


def test_sends_only_while_paused() -> None:
    paused = threading.Event()
    sent = []
    keeper = keepalive.KeepAlive(0.02, paused=paused.is_set,
                             send=lambda: sent.append(time.monotonic()) or True).start()
    try:
        time.sleep(0.2)
        assert sent == []
        paused.set()
        time.sleep(0.3)
        assert len(sent) >= 5
        paused.clear()
        time.sleep(0.1)
        count = len(sent)
        time.sleep(0.2)
        assert len(sent) == count
    finally:
        keeper.stop()
    assert not keeper.running and keeper.sent == len(sent)


def test_stops_when_the_channel_is_gone() -> None:
    def broken() -> bool:
        raise OSError("stdout closed by the host")

    keeper = keepalive.KeepAlive(0.01, paused=lambda: True, send=broken).start()
    time.sleep(0.2)
    assert not keeper.running


def test_nothing_is_sent_outside_a_worker_or_before_the_handshake() -> None:
    assert send_to_storm({"command": "sync"}) is False


def test_sees_a_thread_inside_debugger_code(monkeypatch: pytest.MonkeyPatch) -> None:
    inside = threading.Event()
    leave = threading.Event()

    def fake_debugger_wait() -> None:   # stands for rpdb2 holding the thread
        inside.set()
        leave.wait(5)

    thread = threading.Thread(target=fake_debugger_wait)
    thread.start()
    inside.wait(5)
    try:
        assert keepalive.thread_in_debugger(thread.ident or 0, roots=[__file__])
        assert not keepalive.thread_in_debugger(thread.ident or 0, roots=["/nowhere/rpdb2.py"])
        assert not keepalive.thread_in_debugger(thread.ident or 0, roots=[])
    finally:
        leave.set()
        thread.join()


def test_debugger_roots_follow_imported_debuggers() -> None:
    debug.import_rpdb2()   # installed with the dev extras; a bare import fails on 3.12+

    roots = keepalive.debugger_roots()
    assert any(r.endswith("rpdb2.py") for r in roots)


def test_bad_password_is_refused_before_waiting() -> None:
    with pytest.raises(ValueError, match="letter followed by letters, digits or '_'"):
        debug.start_embedded_debugger("no spaces please", timeout=0)


def test_missing_debugger_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(__import__("sys").modules, "debugpy", None)
    with pytest.raises(debug.DebuggerNotInstalled, match="pip install debugpy"):
        debug.import_debugpy()


def test_the_waiting_notice_names_a_console_that_works_on_this_python() -> None:
    command = debug.console_command()
    if sys.version_info >= (3, 12):
        assert command.startswith("'python3 -m petrel.debug'")   # 'rpdb2' needs imp
    else:
        assert command.startswith("'rpdb2'") and "python3 -m petrel.debug" in command
