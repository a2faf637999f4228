"""jvm/GenericTopology.java and ``petrel submit --via-storm-cli``.

GenericTopology is compiled and run against tiny stubs of the Storm classes it uses
(tests/cluster/jvm_stubs); the ``storm`` command is a fake script that runs it the way
``storm jar`` does, and a fake Storm home holds the stubs as its storm-client jar for the
``java`` path. tests/storm/test_jvm_real.py runs both against a real Apache Storm.
"""

from __future__ import annotations

import argparse
import json
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


def _no_storm(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, java: bool = False) -> None:
    """No ``storm`` on PATH (only ``java`` if asked), no STORM_HOME, no petrel storm cluster."""
    bin_dir = tmp_path / "path"
    bin_dir.mkdir()
    if java and JAVA:
        (bin_dir / "java").symlink_to(JAVA)
    monkeypatch.setenv("PATH", str(bin_dir))
    for name in ("STORM_HOME", "STORM_CONF_DIR", "JAVA_HOME", "STORM_JAR_JVM_OPTS",
                 "STORM_EXT_CLASSPATH", "STORM_EXT_CLASSPATH_DAEMON"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PETREL_STORM_DIR", str(tmp_path / "no-cluster"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


def _fake_home(root: Path, storm_client: Path | None = None) -> Path:
    """A Storm home laid out like a release: lib-worker/storm-client-*.jar, lib/, conf/."""
    for d in ("lib-worker", "lib", "conf"):
        (root / d).mkdir(parents=True)
    jar = root / "lib-worker" / "storm-client-2.8.3.jar"
    if storm_client is None:
        jar.write_bytes(b"")
    else:
        with zipfile.ZipFile(jar, "w") as zf:
            for cls in storm_client.rglob("*.class"):
                zf.write(cls, cls.relative_to(storm_client).as_posix())
    return root


def test_via_storm_cli_without_storm_or_a_home_names_both_fixes(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _no_storm(monkeypatch, tmp_path)
    with pytest.raises(PetrelError) as err:
        stormcli.find_storm()
    message = str(err.value)
    assert "needs Apache Storm's 'storm' command on PATH" in message
    assert "STORM_HOME" in message and "'petrel storm up'" in message


def test_a_storm_home_without_storm_jars_is_refused(monkeypatch: pytest.MonkeyPatch,
                                                    tmp_path: Path) -> None:
    _no_storm(monkeypatch, tmp_path)
    monkeypatch.setenv("STORM_HOME", str(tmp_path))
    with pytest.raises(PetrelError, match="holds no Storm jars"):
        stormcli.find_storm()


@pytest.mark.skipif(JAVA is None, reason="needs a Java runtime ('java' on PATH)")
def test_storm_home_runs_java_like_storm_jar(monkeypatch: pytest.MonkeyPatch,
                                              tmp_path: Path) -> None:
    _no_storm(monkeypatch, tmp_path, java=True)
    home = _fake_home(tmp_path / "storm")
    monkeypatch.setenv("STORM_HOME", str(home))
    client = stormcli.find_storm()
    assert isinstance(client, stormcli.HomeClient)
    jar = tmp_path / "t.jar"
    cmd = client.submit_command(jar, "wc", local=False, inactive=True,
                                nimbus="10.0.0.5:7000,10.0.0.6", duration=None)
    cp = cmd[cmd.index("-cp") + 1].split(os.pathsep)
    assert cp == [f"{home}/*", f"{home}/lib-worker/*", str(jar), str(home / "conf")]
    assert cmd[0] == str(tmp_path / "path" / "java")
    assert ("-Dstorm.options=nimbus.seeds%3D%5B%2210.0.0.5%22%2C%2210.0.0.6%22%5D,"
            "nimbus.thrift.port%3D7000") in cmd
    assert f"-Dstorm.jar={jar}" in cmd and f"-Dstorm.home={home}" in cmd
    assert cmd[-3:] == ["petrel.GenericTopology", "wc", "--inactive"]
    local = client.submit_command(jar, "wc", local=True, inactive=False, nimbus=None,
                                  duration=7.5)
    assert local[-3:] == ["org.apache.storm.LocalCluster", "petrel.GenericTopology", "wc"]
    assert "-Dstorm.local.sleeptime=7" in local
    assert local[local.index("-cp") + 1].split(os.pathsep)[1] == f"{home}/lib/*"
    kill = client.kill_command("wc", None)
    assert kill[-4:] == ["org.apache.storm.command.KillTopology", "wc", "-w", "0"]


def test_the_petrel_storm_up_cluster_supplies_home_conf_and_java(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _no_storm(monkeypatch, tmp_path)
    home = _fake_home(tmp_path / "storm")
    cluster = tmp_path / "cluster"
    (cluster / "conf").mkdir(parents=True)
    java = tmp_path / "jdk" / "bin" / "java"
    java.parent.mkdir(parents=True)
    java.write_text("")
    ports = {"nimbus": 1, "ui": 2, "zookeeper": 3, "supervisor": 4, "slots": [5]}
    (cluster / "cluster.json").write_text(json.dumps(
        {"version": "2.8.3", "home": str(home), "java": str(java), "ports": ports, "ui": False,
         "started": 0.0}))
    monkeypatch.setenv("PETREL_STORM_DIR", str(cluster))
    client = stormcli.find_storm()
    assert isinstance(client, stormcli.HomeClient)
    assert "'petrel storm up' cluster" in client.describe()
    cmd = client.list_command(None)
    assert cmd[0] == str(java)
    assert str(cluster / "conf") in cmd[cmd.index("-cp") + 1].split(os.pathsep)
    assert f"-Dstorm.log.dir={cluster / 'logs'}" in cmd
    assert cmd[-1] == "org.apache.storm.command.ListTopologies"


@pytest.mark.skipif(sys.platform == "win32", reason="the fake storm is a POSIX shell script")
def test_a_home_with_bin_storm_is_used_through_that_command(monkeypatch: pytest.MonkeyPatch,
                                                            tmp_path: Path) -> None:
    _no_storm(monkeypatch, tmp_path)
    home = _fake_home(tmp_path / "storm")
    (home / "bin").mkdir()
    (home / "bin" / "storm").write_text("#!/bin/sh\n")
    (home / "bin" / "storm").chmod(0o755)
    monkeypatch.setenv("STORM_HOME", str(home))
    client = stormcli.find_storm()
    assert client == stormcli.StormCommand(str(home / "bin" / "storm"))


@needs_jdk
def test_via_storm_cli_through_java_and_a_storm_home(stub_classes: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    _no_storm(monkeypatch, tmp_path, java=True)
    home = _fake_home(tmp_path / "storm", storm_client=stub_classes)
    out = tmp_path / "submitted.txt"
    monkeypatch.setenv("STORM_HOME", str(home))
    monkeypatch.setenv("STORM_JAR_JVM_OPTS", f"-Dpetrel.test.out={out}")
    monkeypatch.setenv("PATH", f"{tmp_path / 'path'}{os.pathsep}{Path(JAVAC).parent}")
    jar = _jar(tmp_path / "topology.jar", topology=TOPOLOGY, conf=CONF)
    built = SimpleNamespace(jar=jar, name="wordcount", conf={}, topology=word_count())
    args = argparse.Namespace(name="wc", nimbus="10.0.0.5:7000", inactive=True, force=False,
                              via_storm_cli=True, timeout=30.0)
    assert submit_to_cluster(args, built) == 0
    assert out.read_text().splitlines()[:2] == ["name=wc", "status=INACTIVE"]


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
    client = stormcli.find_storm()
    classes = stormcli.compile_submitter(client.classpath(), tmp_path / "classes")
    assert any(p.name == "GenericTopology.class" for p in classes)
