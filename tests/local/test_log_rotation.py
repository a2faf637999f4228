"""Component logs rotate by size: the runner's stderr logs and the components' own log files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from local_helpers import run_topology, shell, topology

from petrel.local.rotating_log import RotatingLog
from petrel.topology.model import GroupingDef

REPO = Path(__file__).resolve().parents[2]


def test_a_rotating_log_keeps_its_limits_and_the_order_of_the_bytes(tmp_path: Path) -> None:
    path = tmp_path / "bolt-3.stderr.log"
    log = RotatingLog(path, max_bytes=100, backups=2)
    written = b"".join(b"%04d-----\n" % i for i in range(50))   # 500 bytes, 10 per write
    for i in range(0, len(written), 10):
        log.write(written[i:i + 10])
    log.close()
    files = [Path(f"{path}.2"), Path(f"{path}.1"), path]
    assert all(f.stat().st_size <= 100 for f in files)
    assert not Path(f"{path}.3").exists()
    assert b"".join(f.read_bytes() for f in files) == written[-300:]


def test_output_bigger_than_a_file_is_split(tmp_path: Path) -> None:
    path = tmp_path / "b.log"
    log = RotatingLog(path, max_bytes=100, backups=5)
    log.write(b"a" * 30)
    log.write(b"b" * 250)
    log.close()
    files = [Path(f"{path}.{n}") for n in (3, 2, 1)] + [path]
    assert [f.read_bytes() for f in files] == [b"a" * 30, b"b" * 100, b"b" * 100, b"b" * 50]


def test_limits_of_zero_never_rotate(tmp_path: Path) -> None:
    path = tmp_path / "a.log"
    log = RotatingLog(path, max_bytes=10, backups=0)
    for _ in range(10):
        log.write(b"0123456789")
    log.close()
    assert path.stat().st_size == 100 and not Path(f"{path}.1").exists()


def test_a_chatty_bolts_stderr_log_rotates_during_a_run(tmp_path: Path) -> None:
    topo = topology(
        shell("spout", "spout", "raw_spout.py", {"default": ["sentence"]}),
        shell("chatty", "bolt", "chatty_bolt.py", {"default": ["word"]},
              inputs={("spout", "default"): GroupingDef("shuffle")}))
    conf = {"test.count": 300, "test.chatty.bytes": 999, "test.env.out": str(tmp_path / "env"),
            "petrel.log.max.bytes": 20_000, "petrel.log.backups": 2}
    run = run_topology(topo, tmp_path, conf, duration=3.0)
    assert run.code == 0, run.err
    assert run.stats.spout_acked == 300
    logs = sorted(run.logdir.glob("chatty-*.stderr.log*"))
    assert [p.name[-2:] for p in logs] == ["og", ".1", ".2"]
    assert all(p.stat().st_size <= 20_000 for p in logs)
    assert not list(run.logdir.glob("chatty-*.stderr.log.3"))
    # the component is given the same limits, for its own log files
    assert (tmp_path / "env").read_text() == "20000 2"


COMPONENT_LOG = """
import logging, os, sys
sys.path.insert(0, {repo!r})
from petrel.runtime.logs import configure_logging
configure_logging(os.path.join({logdir!r}, "petrel1_chatty.log"), "no-logconfig.ini")
for i in range(400):
    logging.getLogger("chatty").info("%04d %s", i, "y" * 100)
"""


def test_a_components_own_log_rotates(tmp_path: Path) -> None:
    env = {"PETREL_LOG_MAX_BYTES": "10000", "PETREL_LOG_BACKUPS": "3", "PATH": "/usr/bin:/bin"}
    subprocess.run([sys.executable, "-c", COMPONENT_LOG.format(repo=str(REPO),
                                                               logdir=str(tmp_path))],
                   check=True, env=env, cwd=tmp_path, timeout=30)
    logs = sorted(tmp_path.glob("petrel1_chatty.log*"))
    assert [p.name for p in logs] == ["petrel1_chatty.log", "petrel1_chatty.log.1",
                                      "petrel1_chatty.log.2", "petrel1_chatty.log.3"]
    assert all(p.stat().st_size <= 10_000 for p in logs)
    assert "0399 " in logs[0].read_text()
