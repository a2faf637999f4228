"""The keeper restarts a daemon that exits on its own, leaves alone one stopped on purpose,
gives up on one that keeps exiting, and stops first on ``down``.

The daemons here are stand-ins (a shell-script ``java`` that sleeps, or one that exits at
once) started through the real pid files, so the keeper's own process and signals are real;
the keeper meeting a real Storm supervisor is in tests/storm/test_devstorm_cli.py.
"""

from __future__ import annotations

import os
import signal
import stat
import threading
import time
from pathlib import Path
from typing import Callable

import pytest

from petrel.cluster.devcluster import ClusterRecord, Ports
from petrel.devstorm import keeper as keeper_module
from petrel.devstorm.cluster import KEEPER, LocalStorm
from petrel.devstorm.daemons import start_keeper
from petrel.devstorm.home import StormHome
from petrel.devstorm.java import Java
from petrel.devstorm.settings import prepare
from petrel.devstorm.versions import StormVersion


def _fake_java(tmp_path: Path, body: str) -> str:
    java = tmp_path / "bin" / "java"
    java.parent.mkdir(parents=True, exist_ok=True)
    java.write_text(f"#!/bin/sh\n{body}\n")
    java.chmod(java.stat().st_mode | stat.S_IEXEC)
    return str(java)


def _cluster(tmp_path: Path, java_body: str = "sleep 120") -> LocalStorm:
    """A cluster directory whose daemons are stand-ins, all started, as ``up`` leaves it."""
    storm = LocalStorm(tmp_path / "cluster")
    home = tmp_path / "home"
    (home / "lib").mkdir(parents=True)
    java = _fake_java(tmp_path, java_body)
    record = ClusterRecord("2.8.3", str(home), java, Ports(slots=[6700]), False, time.time())
    prepare(storm.dir, record.ports, ui=False)
    record.save(storm.dir.record_path)
    stormhome = StormHome(home, StormVersion.parse("2.8.3"))
    for name, spec in storm.specs(record).items():
        storm.pidfile(name).start(spec, stormhome, Java(java, 17))
    return storm


def _wait(check: Callable[[], object], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"not within {timeout} s: {what}"
        time.sleep(0.1)


def _keeper_log(storm: LocalStorm) -> str:
    path = storm.dir.logs / "keeper.log"
    return path.read_text(encoding="utf-8") if path.is_file() else ""


def test_a_daemon_that_exits_is_restarted_and_one_stopped_on_purpose_is_not(
        tmp_path: Path) -> None:
    storm = _cluster(tmp_path)
    start_keeper(storm.pidfile(KEEPER))
    try:
        _wait(lambda: "watching" in _keeper_log(storm), 60, "the keeper starts")
        supervisor = storm.pidfile("supervisor")
        old = supervisor.pid()
        assert old is not None
        os.killpg(old, signal.SIGKILL)                     # the daemon dies by itself
        _wait(lambda: supervisor.pid() not in (None, old), 60, "the supervisor is restarted")
        assert f"supervisor (pid {old}) exited; restarted as pid {supervisor.pid()}" \
            in _keeper_log(storm)

        assert storm.pidfile("nimbus").stop() is True      # stopped on purpose
        time.sleep(3 * keeper_module.EVERY_SECS)
        assert storm.pidfile("nimbus").pid() is None
        assert "nimbus (pid" not in _keeper_log(storm)
    finally:
        stopped = storm.down(progress=lambda line: None)
    assert storm.pidfile(KEEPER).pid() is None
    assert "supervisor" in stopped and "zookeeper" in stopped
    assert _keeper_log(storm).rstrip().endswith("stopped")


def test_a_daemon_that_keeps_exiting_is_left_stopped_after_five_restarts(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    storm = _cluster(tmp_path, java_body='case "$*" in *Supervisor*) exit 1;; esac\n'
                                         "sleep 120")
    monkeypatch.setattr(keeper_module, "EVERY_SECS", 0.05)
    keeper = keeper_module.Keeper(storm)
    thread = threading.Thread(target=keeper.run, daemon=True)
    thread.start()
    try:
        _wait(lambda: "left stopped" in _keeper_log(storm), 30, "the keeper gives up")
        log = _keeper_log(storm)
        assert log.count("supervisor (pid") == keeper_module.MAX_RESTARTS + 1
        assert "supervisor (pid" in log and "exited 5 times within 600 s: left stopped" in log
        assert not storm.pidfile("supervisor").path.exists()
        assert storm.pidfile("nimbus").pid() is not None   # the others are untouched
    finally:
        keeper.stopping = True
        thread.join(10)
        storm.down(progress=lambda line: None)


def test_the_keeper_refuses_an_argument_that_is_not_a_cluster_marker(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert keeper_module.main(["/tmp/somewhere"]) == 2
    assert "usage: python -m petrel.devstorm.keeper -Dpetrel.storm.cluster=DIR" \
        in capsys.readouterr().err
