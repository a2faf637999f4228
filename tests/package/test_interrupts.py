"""Ctrl+C or SIGTERM while ``petrel build`` writes a jar, or while ``petrel submit`` waits for
Nimbus: one line saying so, the conventional exit status (130, 143), and no temporary file."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _topology(tmp_path: Path, big_mb: int = 0) -> Path:
    topo = tmp_path / "wc"
    shutil.copytree(REPO / "topologies" / "wordcount", topo,
                    ignore=shutil.ignore_patterns("*.jar", "__pycache__", "*.log"))
    if big_mb:
        with open(topo / "big.bin", "wb") as out:        # random: slow to compress
            for _ in range(big_mb):
                out.write(os.urandom(1 << 20))
        (topo / "manifest.txt").write_text("logconfig.ini\nbig.bin\n")
    return topo


def _petrel(topo: Path, *argv: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "petrel.cli", *argv], cwd=topo, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})})


def _wait_for(check: object, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not check():                                    # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


@pytest.mark.parametrize("sig, status, word", [(signal.SIGTERM, 143, "terminated (SIGTERM)"),
                                               (signal.SIGINT, 130, "interrupted")])
def test_a_signal_while_the_jar_is_written_leaves_no_temporary_file(
        tmp_path: Path, sig: int, status: int, word: str) -> None:
    topo = _topology(tmp_path, big_mb=120)
    proc = _petrel(topo, "build", "--config", "topology.yaml")
    _wait_for(lambda: list(topo.glob(".topology.jar.*.tmp")) or proc.poll() is not None, 60)
    assert proc.poll() is None, "the build ended before the test could interrupt it"
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == status, err
    assert err.strip() == f"petrel build: {word}"
    assert not list(topo.glob(".*.tmp")) and not (topo / "topology.jar").exists()


def test_sigterm_while_submit_waits_for_nimbus_says_so_and_removes_its_jar(
        tmp_path: Path) -> None:
    topo = _topology(tmp_path)
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    accepted: list[socket.socket] = []
    threading.Thread(target=lambda: accepted.append(server.accept()[0]), daemon=True).start()
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    port = server.getsockname()[1]
    proc = _petrel(topo, "submit", "--config", "topology.yaml", "wc",
                   "--nimbus", f"127.0.0.1:{port}", env={"TMPDIR": str(tmpdir)})
    try:
        _wait_for(lambda: accepted or proc.poll() is not None, 60)  # a Nimbus that never answers
        assert proc.poll() is None, proc.communicate()
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    finally:
        server.close()
        for conn in accepted:
            conn.close()
    assert proc.returncode == 143, err
    assert err.strip().endswith("petrel submit: terminated (SIGTERM)"), err
    assert "Traceback" not in err
    assert list(tmpdir.iterdir()) == []                  # its temporary jar directory is gone
