"""jvm/ and ``petrel submit --via-storm-cli`` against a real Apache Storm.

The Maven build compiles GenericTopology against the real storm-client. With no ``storm``
command on PATH, ``--via-storm-cli`` runs Storm's own StormSubmitter with ``java`` and the
client classpath of a Storm home (``$STORM_HOME``, else the ``petrel storm up`` cluster's),
and the topology it submits runs on the real cluster.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Iterator

import pytest
from storm_helpers import REPO, RealStorm, copy_topology, wait_until

from petrel.cluster import stormcli
from petrel.cluster.stormhome import home_from_cluster

NAME = "wordcount-via-storm-cli"


def petrel_without_storm_command(*argv: str, cwd: Path, env: dict[str, str],
                                 timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run ``petrel`` with no ``storm`` command on PATH and only the Storm home ``env`` names."""
    path = [d for d in os.environ.get("PATH", "").split(os.pathsep)
            if d and not (Path(d) / "storm").exists()]
    full_env = {**os.environ, "PYTHONPATH": str(REPO), "PATH": os.pathsep.join(path),
                "STORM_HOME": "", **env}
    for name in ("STORM_CONF_DIR", "PETREL_STORM_DIR"):
        if name not in env:
            full_env.pop(name, None)
    return subprocess.run([sys.executable, "-m", "petrel.cli", *argv], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=timeout)


def test_maven_builds_the_submitter_against_the_real_storm_client(tmp_path: Path) -> None:
    if shutil.which("mvn") is None:
        pytest.skip("needs Maven ('mvn'); .ci/run installs it")
    build = tmp_path / "target"
    cmd = ["mvn", "-B", "-q", "-f", str(REPO / "jvm" / "pom.xml"),
           f"-DbuildDirectory={build}", "package"]
    proc = subprocess.run(["mvn", "-o", *cmd[1:]], capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:          # offline lacks a plugin or storm-client: fetch it once
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    jars = list(build.glob("petrel-storm-submitter-*.jar"))
    assert len(jars) == 1, sorted(p.name for p in build.iterdir())
    with zipfile.ZipFile(jars[0]) as zf:
        names = zf.namelist()
        header = zf.read("petrel/GenericTopology.class")[:8]
    assert not [n for n in names if n.startswith("org/apache/")]   # storm-client is `provided`
    assert int.from_bytes(header[6:8], "big") == 52                 # Java 8 class files
    assert not (REPO / "jvm" / "target").exists()


@pytest.fixture(scope="module")
def submitted(storm: RealStorm, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Word count submitted with --via-storm-cli through java and STORM_HOME; killed after."""
    home = home_from_cluster(storm.directory)
    assert home is not None, f"no cluster.json with a Storm home in {storm.directory}"
    topo = copy_topology("wordcount", tmp_path_factory.mktemp("wc-cli"))
    conf = topo / "topology.yaml"
    conf.write_text(conf.read_text().replace("sentence_interval_secs: 0.25",
                                             "sentence_interval_secs: 0.02"))
    proc = petrel_without_storm_command(
        "submit", "--config", str(conf), NAME, "--nimbus", storm.nimbus, "--via-storm-cli",
        cwd=topo, env={"STORM_HOME": str(home.path)})
    assert proc.returncode == 0, f"submit failed:\n{proc.stdout}\n{proc.stderr}"
    assert f"submitted topology '{NAME}' through Storm's StormSubmitter" in proc.stdout
    assert f"java with the Storm home {home.path} (STORM_HOME=" in proc.stdout
    yield topo
    storm.kill(NAME)


def test_a_topology_submitted_through_storm_submitter_runs(storm: RealStorm,
                                                           submitted: Path) -> None:
    flowing = wait_until(
        lambda: (s := storm.stats(NAME)) and s.get("count") and s["count"].acked > 0 and s,
        90, "the count bolt acks tuples")
    assert flowing["split"].executed > 0
    assert flowing["spout"].emitted > 0
    assert storm.info(NAME).status == "ACTIVE"
    assert storm.errors(NAME) == {}


def test_force_inactive_resubmits_through_the_cluster_home_and_its_storm_yaml(
        storm: RealStorm, submitted: Path) -> None:
    """No STORM_HOME, no --nimbus: the petrel storm up cluster's home and conf/ are used."""
    first = storm.topology_id(NAME)
    assert first is not None
    proc = petrel_without_storm_command(
        "submit", "--config", str(submitted / "topology.yaml"), NAME, "--via-storm-cli",
        "--force", "--inactive", cwd=submitted, env={"PETREL_STORM_DIR": str(storm.directory)})
    assert proc.returncode == 0, f"submit failed:\n{proc.stdout}\n{proc.stderr}"
    assert f"the 'petrel storm up' cluster in {storm.directory}" in proc.stdout
    second = storm.topology_id(NAME)
    assert second is not None and second != first
    assert storm.info(NAME).status == "INACTIVE"


def test_list_and_kill_through_storms_own_command_classes(storm: RealStorm,
                                                          submitted: Path) -> None:
    home = home_from_cluster(storm.directory)
    assert home is not None
    client = stormcli.HomeClient(home)
    listing = subprocess.run(client.list_command(storm.nimbus), capture_output=True, text=True,
                             timeout=120)
    assert listing.returncode == 0, listing.stderr
    assert any(line.split()[:1] == [NAME] for line in listing.stdout.splitlines()), listing.stdout
    kill = subprocess.run(client.kill_command(NAME, storm.nimbus), capture_output=True, text=True,
                          timeout=120)
    assert kill.returncode == 0, kill.stdout + kill.stderr
    wait_until(lambda: storm.topology_id(NAME) is None, 90, "Nimbus no longer lists it")


def test_without_a_storm_command_or_home_the_error_names_both_fixes(tmp_path: Path) -> None:
    topo = copy_topology("wordcount", tmp_path)
    proc = petrel_without_storm_command(
        "submit", "--config", str(topo / "topology.yaml"), "wc", "--via-storm-cli", cwd=topo,
        env={"PETREL_STORM_DIR": str(tmp_path / "no-cluster")})
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    assert "needs Apache Storm's 'storm' command on PATH" in proc.stderr
    assert "STORM_HOME" in proc.stderr and "petrel storm up" in proc.stderr
