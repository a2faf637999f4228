"""Pid files: a daemon is recognised by pid, start time and marker, and nothing else is
ever signalled."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from petrel.cluster.devcluster import ClusterDir
from petrel.devstorm.daemons import MARKER, PidFile


def _pidfile(tmp_path: Path) -> PidFile:
    cluster = ClusterDir(tmp_path)
    cluster.run.mkdir(parents=True)
    cluster.logs.mkdir(parents=True)
    return PidFile(cluster, "nimbus")


def _start(*argv: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", *argv],
                            start_new_session=True)


def _write(daemon: PidFile, proc: subprocess.Popen[bytes], start: object) -> None:
    daemon.path.write_text(json.dumps({"pid": proc.pid, "start": start, "marker": daemon.marker}))


def test_a_pid_file_naming_another_program_is_never_signalled(tmp_path: Path) -> None:
    daemon = _pidfile(tmp_path)
    other = _start("not-a-storm-daemon")
    try:
        from petrel.devstorm.daemons import _start_time
        _write(daemon, other, _start_time(other.pid))
        assert daemon.pid() is None               # no marker on its command line
        assert daemon.stop() is False
        time.sleep(0.2)
        assert other.poll() is None               # still running: not signalled
        assert not daemon.path.exists()           # the stale file is gone
    finally:
        other.kill()
        other.wait()


def test_a_pid_file_whose_process_started_at_another_time_is_stale(tmp_path: Path) -> None:
    daemon = _pidfile(tmp_path)
    ours = _start(f"{MARKER}{daemon.cluster.root}")
    try:
        _write(daemon, ours, "12345")             # a pid reused by a newer process
        assert daemon.pid() is None
        assert daemon.stop() is False and ours.poll() is None
    finally:
        ours.kill()
        ours.wait()


def test_a_pid_file_of_a_process_that_is_gone_is_stale(tmp_path: Path) -> None:
    daemon = _pidfile(tmp_path)
    gone = _start(f"{MARKER}{daemon.cluster.root}")
    gone.kill()
    gone.wait()
    _write(daemon, gone, None)
    assert daemon.pid() is None
    daemon.path.write_text("garbage")
    assert daemon.pid() is None


def test_our_own_daemon_is_recognised_and_stopped_with_its_process_group(tmp_path: Path) -> None:
    daemon = _pidfile(tmp_path)
    script = ("import subprocess, sys, time; "
              "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']); "
              "time.sleep(60)")
    leader = subprocess.Popen([sys.executable, "-c", script, f"{MARKER}{daemon.cluster.root}"],
                              start_new_session=True)
    from petrel.devstorm.daemons import _group_gone, _start_time
    _write(daemon, leader, _start_time(leader.pid))
    time.sleep(0.5)
    assert daemon.pid() == leader.pid
    assert daemon.stop(timeout=10) is True
    leader.wait(timeout=5)
    assert _group_gone(leader.pid)                # the child it started is gone too
    assert not daemon.path.exists()


def test_tail_shows_the_end_of_the_console_and_the_log(tmp_path: Path) -> None:
    daemon = _pidfile(tmp_path)
    assert daemon.tail() == "(the daemon wrote no log)"
    daemon.console.write_text("Error: Could not find or load main class X\n")
    daemon.log.write_text("\n".join(f"line {i}" for i in range(100)))
    tail = daemon.tail(lines=3)
    assert "Could not find or load main class X" in tail
    assert "line 99" in tail and "line 96" not in tail
