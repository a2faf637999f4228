"""Old Petrel's word-count sample (Python 3 syntax fixes only, in sample_wordcount/): its
component tests pass, ``petrel build`` packs it and ``petrel submit`` runs it locally."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SAMPLE = Path(__file__).resolve().parent / "sample_wordcount"
ENV = {**os.environ, "PYTHONPATH": str(REPO)}


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy laid out as in old Petrel's repository (samples/wordcount), so the manifest's
    ``../../petrel/dist/...`` line means what it meant there; no build output in the tree."""
    target = tmp_path_factory.mktemp("petrel") / "samples" / "wordcount"
    shutil.copytree(SAMPLE, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def petrel(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "petrel.cli", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120, env=ENV)


def test_its_component_tests_pass(sample: Path) -> None:
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          "splitsentence.py", "wordcount.py"], cwd=sample, capture_output=True,
                         text=True, timeout=120, env=ENV)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "2 passed" in run.stdout


def test_it_builds_skipping_the_petrel_egg_line(sample: Path) -> None:
    built = petrel("build", "--config", "topology.yaml", cwd=sample)
    assert built.returncode == 0, built.stderr
    assert "manifest.txt line 3" in built.stderr and "skipped" in built.stderr
    with zipfile.ZipFile(sample / "topology.jar") as jar:
        names = set(jar.namelist())
    assert {"resources/randomsentence.py", "resources/splitsentence.py",
            "resources/wordcount.py", "resources/logconfig.ini",
            "resources/topology.ser"} <= names


def test_it_runs_locally(sample: Path, tmp_path: Path) -> None:
    stats_file = tmp_path / "stats.json"
    run = petrel("submit", "--config", "topology.yaml", "--duration", "3", "--quiet",
                 "--logdir", str(tmp_path / "logs"), "--stats-json", str(stats_file),
                 cwd=sample)
    assert run.returncode == 0, run.stdout + run.stderr
    stats = json.loads(stats_file.read_text())
    assert stats["restarts"] == 0
    components = stats["components"]
    assert components["spout"]["emitted"] > 0          # one sentence every 0.25 s
    assert components["split"]["executed"] == components["spout"]["emitted"]
    assert components["count"]["executed"] == components["split"]["emitted"] > 0
    assert sum(c["errors"] + c["failed"] for c in components.values()) == 0
    # The sample's logconfig.ini is used: its format names the logger in brackets.
    split_log = next((tmp_path / "logs").glob("petrel*_splitsentence.log")).read_text()
    assert "[storm][INFO]handshake done: component 'split'" in split_log


def test_its_create_py_runs_in_the_mock() -> None:
    from petrel import mock

    result = mock.run_topology(SAMPLE, spout_data={"spout": [["the cow the"], ["a cow"]]})
    assert result.emitted("count") == [["the", 1], ["cow", 1], ["the", 2], ["a", 1], ["cow", 2]]
    result.assert_no_errors()
