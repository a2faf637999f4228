"""A local run (``petrel submit`` without a name) leaves nothing in the temporary directory:
not after a clean end, nor after Ctrl+C or SIGTERM; a run with failures keeps only its logs
and names them. Real ``petrel submit`` subprocesses with TMPDIR pointed at a test directory."""

from __future__ import annotations

import signal
import subprocess
import textwrap
from pathlib import Path

import pytest
from cli_helpers import cli_argv, cli_env, petrel_cli

SPOUT = """
import time
from petrel import storm
from petrel.emitter import Spout


class NumberSpout(Spout):
    def __init__(self):
        super().__init__(script=__file__)
        self.n = 0

    @classmethod
    def declareOutputFields(cls):
        return ["n"]

    def nextTuple(self):
        time.sleep(0.01)
        self.n += 1
        storm.emit([self.n], id=self.n)
"""

BOLT = """
from petrel.emitter import BasicBolt


class CheckBolt(BasicBolt):
    def __init__(self):
        super().__init__(script=__file__)

    @classmethod
    def declareOutputFields(cls):
        return []

    def initialize(self, conf, context):
        if conf.get("test.fail"):
            raise ValueError("test.fail is set")

    def process(self, tup):
        pass
"""

CREATE = """
from numberspout import NumberSpout
from checkbolt import CheckBolt


def create(builder):
    builder.setSpout("numbers", NumberSpout(), 1)
    builder.setBolt("check", CheckBolt(), 1).shuffleGrouping("numbers")
"""


def write_topology(root: Path, fail: bool = False) -> Path:
    """A two-component topology; with ``fail`` its bolt cannot start."""
    root.mkdir()
    for name, text in (("numberspout.py", SPOUT), ("checkbolt.py", BOLT), ("create.py", CREATE)):
        (root / name).write_text(textwrap.dedent(text))
    (root / "manifest.txt").write_text("")
    (root / "topology.yaml").write_text(f"topology.name: tempcheck\ntest.fail: {str(fail).lower()}"
                                        "\ntopology.message.timeout.secs: 5\n")
    return root / "topology.yaml"


@pytest.fixture
def tmpdir_env(tmp_path: Path) -> Path:
    """The directory the runs get as TMPDIR."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    return tmp


def test_a_clean_run_removes_its_directory(tmp_path: Path, tmpdir_env: Path) -> None:
    config = write_topology(tmp_path / "topo")
    done = petrel_cli("submit", "--config", str(config), "--duration", "1.5", cwd=tmp_path,
                      TMPDIR=str(tmpdir_env))
    assert done.returncode == 0, done.stderr
    assert list(tmpdir_env.iterdir()) == []
    assert "with the logs of this clean run (--logdir DIR keeps them)" in done.stdout


def test_a_run_with_failures_keeps_only_its_logs(tmp_path: Path, tmpdir_env: Path) -> None:
    config = write_topology(tmp_path / "topo", fail=True)
    done = petrel_cli("submit", "--config", str(config), "--duration", "1.5", cwd=tmp_path,
                      TMPDIR=str(tmpdir_env))
    assert "test.fail is set" in done.stderr   # the task fails at start, then restarts
    [work] = list(tmpdir_env.iterdir())
    assert work.name.startswith("petrel-tempcheck-")
    assert [p.name for p in work.iterdir()] == ["logs"]
    assert list((work / "logs").glob("petrel*_checkbolt.log"))
    assert f"petrel submit: the logs stay in {work / 'logs'}; remove {work} when done" \
        in done.stdout


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_stopped_run_removes_its_directory(signum: int, tmp_path: Path,
                                             tmpdir_env: Path) -> None:
    config = write_topology(tmp_path / "topo")
    # --duration: a backstop, should the start line never come
    with subprocess.Popen(cli_argv("submit", "--config", str(config), "--duration", "60"),
                          cwd=tmp_path,
                          env=cli_env(TMPDIR=str(tmpdir_env)), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            if "running topology 'tempcheck' locally" in line:
                break
        assert list(tmpdir_env.iterdir()), "the run has its directory while it runs"
        proc.send_signal(signum)
        out, err = proc.communicate(timeout=60)
    # The runner drains and stops cleanly (0); a signal just before it took over the
    # handlers ends the command as an interrupt (130/143): either way nothing is left.
    assert proc.returncode in (0, 128 + signum), err
    assert proc.returncode or f"stopped ({signal.Signals(signum).name} received)" in out
    assert list(tmpdir_env.iterdir()) == [], (proc.returncode, out, err)
