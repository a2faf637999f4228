"""The original Petrel's worker command lines: ``python -m petrel.run MODULE LOGFILE`` and the
SIGUSR1 debugging hook ``petrel.rdebug`` (``listen()`` in a component, ``python -m
petrel.rdebug PID`` to signal it), run as real processes over real pipes."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Iterator, Optional

import pytest
from host import BoltHost, component_env, make_context

import petrel.rdebug
from petrel.debug import DebuggerNotInstalled

ECHO = """
from petrel import rdebug, storm
from petrel.emitter import BasicBolt


class EchoBolt(BasicBolt):
    def declareOutputFields(self):
        return ["word"]

    def process(self, tup):
        storm.emit([tup.values[0]])


def run():
    {listen}
    EchoBolt().run()
"""

CONTEXT = make_context("echo", 3, {"default": ["word"]}, {"spout": {"default": ["word"]}})


def write_echo(directory: Path, listen: str = "pass") -> None:
    """The test bolt: emits each tuple's first value; ``listen`` runs before it starts."""
    (directory / "echobolt.py").write_text(textwrap.dedent(ECHO.format(listen=listen)))


def echo_round_trip(proc: BoltHost, word: str) -> None:
    """Send ``word``; the bolt must emit it back."""
    proc.send_tuple([word])
    emit = proc.messages_until(lambda m: m.get("command") == "emit")[-1]
    assert emit["tuple"] == [word]


def test_module_and_log_file_arguments_run_the_component(tmp_path: Path) -> None:
    write_echo(tmp_path)
    logs = tmp_path / "logs"
    logs.mkdir()
    argv = [sys.executable, "-m", "petrel.run", "echobolt", str(logs / "petrel_echobolt.log")]
    with BoltHost(argv, tmp_path, component_env()) as proc:
        proc.handshake({}, CONTEXT)
        echo_round_trip(proc, "hello")
        assert proc.stop() == 0
        log = logs / f"petrel{proc.pid}_echobolt.log"
        assert log.is_file() and not proc.log_files(tmp_path)
        assert proc.stderr_text() == (
            "petrel.run: note: the <logfile> argument is the original Petrel's form; the log is "
            f"{log} (PETREL_LOGDIR sets its directory)\n")


@pytest.mark.parametrize("args", [["a", "b", "c"], ["echobolt", "--log"]])
def test_other_argument_lists_print_the_usage(args: list[str], tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "petrel.run", *args], cwd=tmp_path,
                          env=component_env(), capture_output=True, text=True, timeout=30)
    assert done.returncode == 2
    assert done.stderr.startswith("usage: python -m petrel.run <module>")


def rdebug(*args: str) -> subprocess.CompletedProcess[str]:
    """``python -m petrel.rdebug ARGS``."""
    return subprocess.run([sys.executable, "-m", "petrel.rdebug", *args], env=component_env(),
                          capture_output=True, text=True, timeout=30)


def test_sigusr1_logs_the_stack_and_the_component_goes_on(tmp_path: Path) -> None:
    write_echo(tmp_path, "rdebug.listen()")
    with BoltHost.petrel("echobolt", tmp_path) as proc:
        proc.handshake({}, CONTEXT)
        echo_round_trip(proc, "before")
        done = rdebug(str(proc.pid))
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith(f"sent SIGUSR1 to pid {proc.pid}: it logs its stack")
        echo_round_trip(proc, "after")
        assert proc.stop() == 0
    log = proc.log_text()
    assert f"stops on SIGUSR1 ('python -m petrel.rdebug {proc.pid}')" in log
    assert f"petrel.rdebug: SIGUSR1: pid {proc.pid} was here (most recent call last):" in log
    assert "no debugger password, so the component goes on" in log
    assert "Traceback" not in log


@pytest.fixture
def sigusr1_restored() -> Iterator[None]:
    """Put back this process's SIGUSR1 handler and petrel.rdebug's settings after a test."""
    handler = signal.getsignal(signal.SIGUSR1)
    settings = dict(petrel.rdebug._settings)
    yield
    signal.signal(signal.SIGUSR1, handler)
    petrel.rdebug._settings.update(settings)


def test_with_a_password_sigusr1_starts_petrels_debugger(
        monkeypatch: pytest.MonkeyPatch, sigusr1_restored: None) -> None:
    calls: list[tuple[str, Optional[float]]] = []
    monkeypatch.setattr(petrel.rdebug, "start_embedded_debugger",
                        lambda password, timeout: calls.append((password, timeout)))
    petrel.rdebug.listen("secret1", timeout=7)
    os.kill(os.getpid(), signal.SIGUSR1)
    assert calls == [("secret1", 7)]
    monkeypatch.setenv(petrel.rdebug.PASSWORD_ENV, "fromenv")
    petrel.rdebug.listen()
    os.kill(os.getpid(), signal.SIGUSR1)
    assert calls[-1] == ("fromenv", petrel.rdebug.DEFAULT_RPDB2_TIMEOUT)


def test_a_missing_debugger_is_logged_and_the_process_goes_on(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
        sigusr1_restored: None) -> None:
    def missing(password: str, timeout: Optional[float]) -> None:
        raise DebuggerNotInstalled("rpdb2 is not installed for this python")

    monkeypatch.setattr(petrel.rdebug, "start_embedded_debugger", missing)
    petrel.rdebug.listen("secret1")
    with caplog.at_level(logging.INFO, logger="petrel.rdebug"):
        os.kill(os.getpid(), signal.SIGUSR1)
    assert "petrel.rdebug: cannot start the debugger: rpdb2 is not installed" in caplog.text
    assert "test_a_missing_debugger_is_logged_and_the_process_goes_on" in caplog.text  # stack


@pytest.mark.parametrize(("args", "code", "text"), [
    ([], 2, "usage: python -m petrel.rdebug PID"),
    (["twelve"], 2, "usage: python -m petrel.rdebug PID"),
    (["4194305"], 1, "petrel.rdebug: no process 4194305; give the pid of a running component"),
])
def test_rdebug_bad_pids(args: list[str], code: int, text: str) -> None:
    done = rdebug(*args)
    assert done.returncode == code
    assert done.stderr.startswith(text) and "Traceback" not in done.stderr
