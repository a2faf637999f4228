"""``petrel build`` on bad input: non-zero exit, one message naming the file, no traceback."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Callable

import pytest

from petrel.topology.thrift import deserialize_topology, from_thrift

MakeTopology = Callable[..., Path]
REPO = Path(__file__).resolve().parents[2]


def petrel(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "petrel.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
    )


def build_fails(topo_dir: Path, *extra: str) -> str:
    proc = petrel("build", "--config", "topology.yaml", *extra, cwd=topo_dir)
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("petrel build: error: "), proc.stderr
    assert not (topo_dir / "topology.jar").exists()
    return proc.stderr[len("petrel build: error: ") :].strip()


def test_build_writes_a_topology_ser_that_decodes(make_topology: MakeTopology) -> None:
    topo_dir = make_topology(files={"topology.yaml": "topology.workers: 1\n"})
    proc = petrel("build", "--config", "topology.yaml", cwd=topo_dir)
    assert proc.returncode == 0, proc.stderr
    with zipfile.ZipFile(topo_dir / "topology.jar") as jar:
        data = jar.read("resources/topology.ser")
    topo = from_thrift(deserialize_topology(data), {})
    assert list(topo.components) == ["spout", "split", "count"]
    assert topo.components["count"].module == "wordcount"


BAD_CASES = {
    "unknown component": (
        {
            "create.py": "from randomsentence import RandomSentenceSpout\n"
            "def create(b):\n"
            "    b.setSpout('spout', RandomSentenceSpout())\n"
            "    b.setBolt('count', RandomSentenceSpout()).shuffleGrouping('splitter')\n"
        },
        "subscribes to stream 'default' of 'splitter', which does not exist",
    ),
    "missing create.py": ({"create.py": None}, "create.py: not found"),
    "missing create function": ({"create.py": "X = 1\n"}, "create.py has no function 'create'"),
    "exception in create": (
        {"create.py": "def create(b):\n    raise ValueError('boom')\n"},
        "create.py: create(builder) raised ValueError: boom (create.py line 2",
    ),
    "yaml syntax error": ({"topology.yaml": "a: [1, 2\n"}, "YAML syntax error"),
    "bad conf type": (
        {"topology.yaml": "topology.message.timeout.secs: -5\n"},
        "'topology.message.timeout.secs' = -5 must be greater than zero",
    ),
}


@pytest.mark.parametrize("case", list(BAD_CASES))
def test_bad_input_gives_one_clear_message(make_topology: MakeTopology, case: str) -> None:
    files, expected = BAD_CASES[case]
    files = {"topology.yaml": "topology.workers: 1\n", **files}
    topo_dir = make_topology(files=files)
    assert expected in build_fails(topo_dir)


def test_missing_config_file(make_topology: MakeTopology) -> None:
    topo_dir = make_topology()
    assert "config file not found" in build_fails(topo_dir)


def test_debug_shows_the_traceback_of_the_user_error(make_topology: MakeTopology) -> None:
    topo_dir = make_topology(
        files={
            "topology.yaml": "{}\n",
            "create.py": "def create(b):\n    raise ValueError('boom')\n",
        }
    )
    proc = petrel("--debug", "build", "--config", "topology.yaml", cwd=topo_dir)
    assert proc.returncode != 0
    assert "Traceback" in proc.stderr and "ValueError: boom" in proc.stderr
