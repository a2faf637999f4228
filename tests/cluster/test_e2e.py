"""``petrel submit --config ... NAME --nimbus 127.0.0.1:PORT`` end to end, in a real process.

The real jar builder makes the jar; the stand-in Nimbus receives it and checks everything
Nimbus would: the uploaded bytes, the topology (decoded and validated), jsonConf.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml
from nimbus_standin import StandInNimbus, topology_problem

from petrel.topology.thrift import deserialize_topology, from_thrift

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
WORDSPLIT = HERE / "data" / "wordsplit"
WORDCOUNT = REPO / "topologies" / "wordcount"


def petrel(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "HOME": str(cwd)}
    env.pop("STORM_CONF_DIR", None)
    return subprocess.run([sys.executable, "-m", "petrel.cli", *argv], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def _submit_and_check(topology_dir: Path, tmp_path: Path, nimbus: StandInNimbus) -> None:
    work = tmp_path / "topo"
    shutil.copytree(topology_dir, work, ignore=shutil.ignore_patterns("*.jar", "__pycache__"))
    jar = tmp_path / "out.jar"
    proc = petrel("submit", "--config", str(work / "topology.yaml"), "wc",
                  "--nimbus", nimbus.address, "--destjar", str(jar), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    running = nimbus.topologies["wc"]
    assert proc.stdout.strip().splitlines()[-1] == (
        f"submitted topology 'wc' to Nimbus at {nimbus.address}: id {running.id}, status ACTIVE")
    assert "uploading out.jar: 100%" in proc.stderr
    assert running.jar == jar.read_bytes()
    assert topology_problem(running.topology) is None
    assert nimbus.problems == []
    conf = yaml.safe_load((work / "topology.yaml").read_text())
    submitted = next(c for c in nimbus.calls if c[0] == "submitTopologyWithOpts")[1]
    assert json.loads(submitted[2]) == running.conf == conf
    # what was submitted is exactly what the jar carries
    ser = zipfile.ZipFile(jar).read("resources/topology.ser")
    assert running.topology == deserialize_topology(ser)
    assert from_thrift(running.topology).spouts


def test_submit_end_to_end(tmp_path: Path, nimbus: StandInNimbus) -> None:
    _submit_and_check(WORDSPLIT, tmp_path, nimbus)
    assert set(nimbus.topologies["wc"].topology.bolts) == {"split"}


@pytest.mark.skipif(not (WORDCOUNT / "topology.yaml").is_file(),
                    reason="topologies/wordcount is not in this checkout")
def test_submit_the_wordcount_example(tmp_path: Path, nimbus: StandInNimbus) -> None:
    _submit_and_check(WORDCOUNT, tmp_path, nimbus)


def test_second_submit_is_refused_then_forced(tmp_path: Path, nimbus: StandInNimbus) -> None:
    work = tmp_path / "topo"
    shutil.copytree(WORDSPLIT, work)
    args = ("submit", "--config", str(work / "topology.yaml"), "wc", "--nimbus", nimbus.address)
    assert petrel(*args, cwd=tmp_path).returncode == 0
    first = nimbus.topologies["wc"].id
    proc = petrel(*args, cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        f"petrel submit: error: topology 'wc' is already running (id {first}, status ACTIVE); "
        "use --force to replace it or 'petrel kill wc'")
    proc = petrel(*args, "--force", "--inactive", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert f"killed the running topology 'wc' ({first}) first (--force)" in proc.stdout
    assert nimbus.topologies["wc"].id != first
    assert nimbus.topologies["wc"].status == "INACTIVE"


def test_rejected_topology_exit_code_and_message(tmp_path: Path, nimbus: StandInNimbus) -> None:
    nimbus.reject_submit_with = "Found a cycle in the topology"
    work = tmp_path / "topo"
    shutil.copytree(WORDSPLIT, work)
    proc = petrel("submit", "--config", str(work / "topology.yaml"), "wc",
                  "--nimbus", nimbus.address, cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1].startswith(
        "petrel submit: error: Nimbus rejected topology 'wc': Found a cycle in the topology; "
        "nothing was started")
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("argv, words", [
    (["--config", "topology.yaml", ""], "the topology name is empty"),
    (["topology.yaml"], "looks like a config file, not a topology name"),
    (["--config", "topology.yaml", "my.topo"], "topology name 'my.topo' contains '.'"),
])
def test_a_bad_name_stops_submit_before_anything_runs(tmp_path: Path, nimbus: StandInNimbus,
                                                       argv: list[str], words: str) -> None:
    """An empty "$NAME" must not start a local run; a misplaced config path is named."""
    work = tmp_path / "topo"
    shutil.copytree(WORDSPLIT, work, ignore=shutil.ignore_patterns("*.jar", "__pycache__"))
    proc = petrel("submit", *argv, "--nimbus", nimbus.address, cwd=work)
    assert proc.returncode == 2 and words in proc.stderr, proc.stderr
    assert "running topology" not in proc.stderr
    assert nimbus.calls == [] and not (work / "topology.jar").exists()


def test_an_empty_nimbus_option_is_an_error_not_localhost(tmp_path: Path) -> None:
    proc = petrel("list", "--nimbus", "", cwd=tmp_path)
    assert proc.returncode == 2
    assert "--nimbus: empty Nimbus address; give HOST or HOST:PORT" in proc.stderr


def test_local_only_options_with_a_name_are_refused(tmp_path: Path) -> None:
    proc = petrel("submit", "--config", "topology.yaml", "wc", "--duration", "3", "--quiet",
                  cwd=tmp_path)
    assert proc.returncode == 2
    assert ("--duration, --quiet: only for a local run; drop them, or drop the topology name "
            "'wc' to run locally") in proc.stderr


def test_dashboard_options_with_a_name_are_refused(tmp_path: Path) -> None:
    """A bare --ui stores port 0 (a free port): it still counts as given."""
    proc = petrel("submit", "--config", "topology.yaml", "wc", "--ui", cwd=tmp_path)
    assert proc.returncode == 2
    assert ("--ui: only for a local run; drop it, or drop the topology name 'wc' to run "
            "locally") in proc.stderr
