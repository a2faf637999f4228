"""jvm/GenericTopology.java and ``petrel submit --via-storm-cli``.

No Storm jars exist here, so GenericTopology is compiled and run against tiny stubs of the
Storm classes it uses (tests/cluster/jvm_stubs), and the ``storm`` command is a fake script
that runs it the way ``storm jar`` does. The test against a real Storm installation runs
only where a ``storm`` command is on PATH.
"""

from __future__ import annotations

import argparse
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest
from cluster_samples import word_count

from petrel.cluster import stormcli
from petrel.cluster.commands import submit_to_cluster
from petrel.errors import PetrelError
from petrel.topology.thrift import serialize_topology

HERE = Path(__file__).resolve().parent
STUBS = HERE / "jvm_stubs"
JAVAC, JAVA = shutil.which("javac"), shutil.which("java")
needs_jdk = pytest.mark.skipif(JAVAC is None or JAVA is None,
                               reason="needs a JDK (javac and java on PATH)")


@pytest.fixture(scope="module")
def stub_classes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("stub-classes")
    sources = [str(p) for p in STUBS.rglob("*.java")]
    subprocess.run([JAVAC, "-nowarn", "-d", str(out), *sources], check=True, timeout=120)
    return out


@pytest.fixture(scope="module")
def submitter_classes(stub_classes: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("submitter-classes")
    stormcli.compile_submitter(str(stub_classes), out)
    return out


def _jar(path: Path, *, topology: bytes | None, conf: str | None) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\r\n\r\n")
        if topology is not None:
            zf.writestr("resources/topology.ser", topology)
        if conf is not None:
            zf.writestr("resources/__topology__.yaml", conf)
    return path


TOPOLOGY = serialize_topology(word_count())
CONF = "topology.workers: 2\nwc.greeting: hi\n"


@needs_jdk
def test_generic_topology_reads_the_jar_and_submits(stub_classes: Path, submitter_classes: Path,
                                                     tmp_path: Path) -> None:
    classes = submitter_classes
    jar = _jar(tmp_path / "t.jar", topology=TOPOLOGY, conf=CONF)
    out = tmp_path / "submitted.txt"
    cp = os.pathsep.join([str(stub_classes), str(classes), str(jar)])
    proc = subprocess.run([JAVA, f"-Dpetrel.test.out={out}", "-cp", cp, stormcli.MAIN_CLASS,
                           "wc", "--inactive"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert out.read_text().splitlines() == [
        "name=wc", "status=INACTIVE", f"topology_bytes={len(TOPOLOGY)}",
        "conf.topology.workers=2 (Integer)", "conf.wc.greeting=hi (String)",
    ]


@needs_jdk
@pytest.mark.parametrize("argv, jar_topology, words", [
    ([], TOPOLOGY, "the topology name is missing"),
    (["wc", "--bogus"], TOPOLOGY, "unexpected argument '--bogus'"),
    (["wc"], None, "resources/topology.ser is not in the jar"),
])
def test_generic_topology_errors(stub_classes: Path, submitter_classes: Path, tmp_path: Path,
                                 argv: list[str], jar_topology: bytes | None, words: str) -> None:
    classes = submitter_classes
    jar = _jar(tmp_path / "t.jar", topology=jar_topology, conf=CONF)
    cp = os.pathsep.join([str(stub_classes), str(classes), str(jar)])
    proc = subprocess.run([JAVA, f"-Dpetrel.test.out={tmp_path / 'o'}", "-cp", cp,
                           stormcli.MAIN_CLASS, *argv], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert f"petrel.GenericTopology: error: {words}" in proc.stderr
    assert not (tmp_path / "o").exists()


def _fake_storm(bin_dir: Path, stub_classes: Path, record: Path, out: Path) -> None:
    """A ``storm`` script: ``classpath`` prints the stubs, ``jar`` runs the class like Storm."""
    bin_dir.mkdir()
    script = bin_dir / "storm"
    script.write_text(f"""#!/bin/sh
echo "$@" >> "{record}"
case "$1" in
  classpath) echo "Running: something"; echo "{stub_classes}";;
  jar)
    shift
    while [ "$1" = "-c" ]; do shift 2; done
    jar="$1"; shift; cls="$1"; shift
    exec "{JAVA}" -Dpetrel.test.out="{out}" -cp "{stub_classes}:$jar" "$cls" "$@";;
  *) exit 3;;
esac
""")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)


@needs_jdk
@pytest.mark.skipif(sys.platform == "win32", reason="the fake storm is a POSIX shell script")
def test_via_storm_cli_with_a_fake_storm_command(stub_classes: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    record, out = tmp_path / "storm-argv.txt", tmp_path / "submitted.txt"
    _fake_storm(tmp_path / "bin", stub_classes, record, out)
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    jar = _jar(tmp_path / "topology.jar", topology=TOPOLOGY, conf=CONF)
    built = SimpleNamespace(jar=jar, name="wordcount", conf={}, topology=word_count())
    args = argparse.Namespace(name="wc", nimbus="10.0.0.5:7000", inactive=False, force=False,
                              via_storm_cli=True, timeout=30.0)
    assert submit_to_cluster(args, built) == 0
    calls = record.read_text().splitlines()
    assert calls[0] == "classpath"
    assert calls[1].startswith('jar -c nimbus.seeds=["10.0.0.5"] -c nimbus.thrift.port=7000 ')
    assert calls[1].endswith(" petrel.GenericTopology wc")
    assert out.read_text().splitlines()[:2] == ["name=wc", "status=ACTIVE"]
    assert zipfile.ZipFile(jar).namelist() == [  # the user's jar is left untouched
        "META-INF/MANIFEST.MF", "resources/topology.ser", "resources/__topology__.yaml"]


def test_via_storm_cli_without_storm(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(PetrelError, match="needs Apache Storm's 'storm' command on PATH"):
        stormcli.find_storm()


def test_an_installed_petrel_carries_the_java_source(tmp_path: Path) -> None:
    """setuptools installs GenericTopology.java with the package, where stormcli looks."""
    repo = HERE.parents[1]
    src = tmp_path / "src"
    src.mkdir()
    for name in ["pyproject.toml", "README.md"]:
        shutil.copy(repo / name, src / name)
    shutil.copytree(repo / "petrel", src / "petrel",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    build = tmp_path / "build"
    subprocess.run([sys.executable, "-c", "from setuptools import setup; setup()", "-q",
                    "build_py", "--build-lib", str(build)],
                   cwd=src, check=True, capture_output=True, timeout=120)
    lookup = "from petrel.cluster import stormcli; print(stormcli.java_source())"
    found = subprocess.run(
        [sys.executable, "-c", lookup],
        cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(build)},
        check=True, capture_output=True, text=True, timeout=60).stdout.strip()
    assert Path(found) == build / "petrel" / "cluster" / "GenericTopology.java"
    assert Path(found).read_bytes() == stormcli.JAVA_SOURCE.read_bytes()


def test_maven_builds_the_same_java_source() -> None:
    maven_source = HERE.parents[1] / "jvm/src/main/java/petrel/GenericTopology.java"
    assert maven_source.resolve() == stormcli.JAVA_SOURCE.resolve()


def test_a_missing_java_source_says_how_to_repair(monkeypatch: pytest.MonkeyPatch,
                                                  tmp_path: Path) -> None:
    monkeypatch.setattr(stormcli, "JAVA_SOURCE", tmp_path / "GenericTopology.java")
    with pytest.raises(PetrelError, match="missing from this petrel installation.*reinstall"):
        stormcli.java_source()


def test_storm_command_lines() -> None:
    jar = Path("/tmp/t.jar")
    assert stormcli.storm_command("storm", jar, "wc", local=True, duration=20.5) == [
        "storm", "local", "--local-ttl", "20", "/tmp/t.jar", "petrel.GenericTopology", "wc"]
    assert stormcli.storm_command("storm", jar, "wc", local=False, inactive=True) == [
        "storm", "jar", "/tmp/t.jar", "petrel.GenericTopology", "wc", "--inactive"]


@pytest.mark.skipif(shutil.which("storm") is None,
                    reason="needs Apache Storm's 'storm' command on PATH (Storm is not installed "
                           "on this machine), to compile against the real 'storm classpath'")
def test_compiles_against_a_real_storm_installation(tmp_path: Path) -> None:
    storm = stormcli.find_storm()
    classes = stormcli.compile_submitter(stormcli.storm_classpath(storm), tmp_path / "classes")
    assert any(p.name == "GenericTopology.class" for p in classes)
