"""Tasks die with the runner, whatever they are doing, even when it is killed with SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fault_topology import alive, submit_argv, submit_env, write_topology

from petrel.local.watchdog import Watchdog
from petrel.runtime.launcher import RUNNER_PID_ENV

HUNG = ["sleep", "read", "pause", "spin"]


def _wait_for(predicate, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_kill_9_of_the_runner_kills_hung_and_spinning_tasks(tmp_path: Path) -> None:
    pids_dir = tmp_path / "pids"
    pids_dir.mkdir()
    config = write_topology(tmp_path / "topo", HUNG, {"test.pids": str(pids_dir)})
    runner = subprocess.Popen(submit_argv(config, "--logdir", str(tmp_path / "logs")),
                              cwd=config.parent, env=submit_env(), stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE)
    try:
        def all_busy() -> bool:
            if runner.poll() is not None:
                raise AssertionError(f"petrel submit ended: {runner.stderr.read()!r}")
            return len(list(pids_dir.glob("*.busy"))) == len(HUNG)
        _wait_for(all_busy, 60, "every bolt to hang")
        task_pids = [int(p.name.split(".")[1]) for p in pids_dir.iterdir()
                     if not p.name.endswith(".busy")]
        assert len(task_pids) == len(HUNG) and all(alive(p) for p in task_pids)
        runner.kill()
        runner.wait(10)
        _wait_for(lambda: not any(alive(p) for p in task_pids), 5, "the tasks to die")
    finally:
        if runner.poll() is None:
            runner.kill()
            runner.wait(10)
        runner.stderr.close()


CHILD = """
import os, sys, time
sys.path.insert(0, {repo!r})
from petrel.runtime.launcher import die_with_runner
die_with_runner()
print(os.getpid(), flush=True)
time.sleep(1e6)
"""

PARENT = """
import os, subprocess, sys, time
env = dict(os.environ, **{{{env!r}: str(os.getpid())}})
child = subprocess.Popen([sys.executable, "-c", {child!r}], env=env, stdout=subprocess.PIPE,
                         start_new_session=True)
print(child.stdout.readline().decode().strip(), flush=True)
time.sleep(1e6)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_the_launcher_sets_the_parent_death_signal(tmp_path: Path) -> None:
    child = CHILD.format(repo=str(Path(__file__).resolve().parents[2]))
    parent = subprocess.Popen([sys.executable, "-c", PARENT.format(env=RUNNER_PID_ENV,
                                                                    child=child)],
                              stdout=subprocess.PIPE)
    pid = int(parent.stdout.readline())
    assert alive(pid)
    parent.kill()
    parent.wait(10)
    parent.stdout.close()
    _wait_for(lambda: not alive(pid), 5, "the child to die with its parent")


def test_the_launcher_exits_when_the_runner_died_before_it_started() -> None:
    child = CHILD.format(repo=str(Path(__file__).resolve().parents[2]))
    # a runner pid that is not the parent's: the runner is gone, the child was re-parented
    env = dict(os.environ, **{RUNNER_PID_ENV: str(os.getpid() + 1_000_000)})
    proc = subprocess.run([sys.executable, "-c", child], env=env, capture_output=True,
                          timeout=20)
    if sys.platform.startswith("linux"):
        assert proc.returncode == 1 and proc.stdout == b""


def test_the_watchdog_kills_listed_groups_when_the_runner_end_closes() -> None:
    dog = Watchdog()
    dog.start()
    assert dog.problem is None and dog.proc is not None
    victim = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(1e6)"],
                              start_new_session=True)
    reaped = subprocess.Popen(["sleep", "1000"], start_new_session=True)
    dog.watch(victim.pid)
    dog.watch(reaped.pid)
    dog.forget(reaped.pid)      # forgotten: the watchdog must leave it alone
    assert dog.proc.stdin is not None
    dog.proc.stdin.close()      # what the kernel does when the runner is killed
    assert victim.wait(5) == -signal.SIGKILL
    dog.proc.wait(5)
    assert reaped.poll() is None
    reaped.kill()
    reaped.wait()


def test_the_watchdog_kills_nothing_at_a_normal_stop() -> None:
    dog = Watchdog()
    dog.start()
    victim = subprocess.Popen(["sleep", "1000"], start_new_session=True)
    dog.watch(victim.pid)
    dog.stop()
    assert dog.proc is None
    time.sleep(0.2)
    assert victim.poll() is None
    victim.kill()
    victim.wait()
