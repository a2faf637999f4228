"""The worker launcher run for real, as Storm runs it, in ``stormdist/<id>/resources``.

Each scenario builds a jar, extracts its ``resources/`` the way a supervisor does, and
starts ``[python, _petrel_launch_<module>.py]`` in that directory with the handshake
already waiting on stdin. Except in the last tests, the jar's ``petrel/run.py`` is
replaced by a stand-in that answers the handshake with its pid and describes the
interpreter it runs in, so these tests check the launcher alone.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path

import pytest
from packaging_helpers import (
    SPLIT_MODULE,
    extract_resources,
    finish,
    handshake_message,
    launch,
    make_topology,
    read_message,
    write_files,
)

from petrel.package import contents
from petrel.package.jar import write_jar
from petrel.package.manifest import manifest_files
from petrel.runtime import launcher

PY39 = "/root/.pyenv/versions/3.9.18/bin/python"
PY313 = "/root/.pyenv/versions/3.13.0/bin/python"

STUB_RUN = '''\
"""Test stand-in for petrel.run: answer the handshake, describe where it runs, exit."""
import json, os, sys
buf = b""
while not buf.endswith(b"\\nend\\n"):
    chunk = os.read(0, 65536)
    if not chunk:
        sys.exit(3)
    buf += chunk
setup = json.loads(buf[:-5])
open(os.path.join(setup["pidDir"], str(os.getpid())), "w").close()
import petrel
reply = {"pid": os.getpid(), "prefix": sys.prefix, "module": sys.argv[1],
         "cwd": os.getcwd(), "petrel": petrel.__file__,
         "virtual_env": os.environ.get("VIRTUAL_ENV"), "version": list(sys.version_info[:2])}
os.write(1, json.dumps(reply).encode() + b"\\nend\\n")
'''

COUNTING_SETUP = '''\
echo "$1 $VIRTUAL_ENV $(command -v python)" >> "$PETREL_TEST_COUNTER"
sleep 0.3
'''


class Supervisor:
    """A fake supervisor directory holding extracted topologies, plus a shared work dir."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.workdir = root / "work"
        self.counter = root / "setup-runs.txt"

    def deploy(self, topology_id: str, files: dict[str, str], conf: dict | None = None,
               *, stub: bool = True) -> Path:
        """Build a jar from ``files`` and extract it as ``stormdist/<topology_id>/resources``."""
        src = write_files(self.root / "src" / topology_id, {
            "randomsentence.py": "# spout\n", "splitsentence.py": SPLIT_MODULE, **files})
        entries = contents.jar_entries(
            topo=make_topology("randomsentence", "splitsentence"), conf=conf or {},
            topology_dir=src, topology_ser=b"SER", manifest=manifest_files(src),
            name=topology_id.split("-")[0], source="topology.yaml")
        jar = self.root / f"{topology_id}.jar"
        write_jar(jar, entries)
        resources = extract_resources(jar, self.root / "supervisor" / "stormdist" / topology_id)
        if stub:
            (resources / "petrel" / "run.py").write_text(STUB_RUN)
        return resources

    def env(self, **extra: str) -> dict[str, str]:
        return {"PETREL_WORKDIR": str(self.workdir), "PETREL_TEST_COUNTER": str(self.counter),
                **extra}

    def env_dir(self, topology_id: str) -> Path:
        return self.workdir / f"petrel-env-{topology_id}"

    def setup_runs(self) -> list[str]:
        return self.counter.read_text().splitlines() if self.counter.exists() else []

    def start(self, resources: Path, python: str = sys.executable, **extra: str):
        """Launch a task with its handshake already written to stdin."""
        proc = launch(resources, "splitsentence", env=self.env(**extra), python=python)
        pid_dir = self.root / "pids" / str(proc.pid)
        pid_dir.mkdir(parents=True)
        assert proc.stdin is not None
        proc.stdin.write(handshake_message(pid_dir))
        proc.stdin.flush()
        return proc, pid_dir


@pytest.fixture(scope="module")
def sup(tmp_path_factory: pytest.TempPathFactory) -> Supervisor:
    return Supervisor(tmp_path_factory.mktemp("supervisor"))


@pytest.fixture(scope="module")
def wc(sup: Supervisor) -> Path:
    """The main scenario: a topology shipping a setup.sh that counts its runs."""
    return sup.deploy("wc-1-1700000000", {"setup.sh": COUNTING_SETUP, "manifest.txt": "setup.sh\n"})


def ensure_built(sup: Supervisor, resources: Path) -> None:
    """Run one task if the scenario's environment does not exist yet (tests run alone)."""
    if not launcher.is_complete(str(sup.env_dir(resources.parent.name))):
        proc, _ = sup.start(resources)
        read_message(proc, 60)
        assert finish(proc)[0] == 0


def log_of(resources: Path, pid: int) -> str:
    return (resources / f"petrel{pid}_virtualenv.log").read_text()


def test_two_concurrent_tasks_build_the_environment_once(sup: Supervisor, wc: Path) -> None:
    (first, _), (second, _) = sup.start(wc), sup.start(wc)
    replies = [read_message(p, 60) for p in (first, second)]
    for proc in (first, second):
        assert finish(proc)[0] == 0
    env_dir = sup.env_dir("wc-1-1700000000")
    for proc, reply in zip((first, second), replies):
        assert reply is not None
        assert reply["pid"] == proc.pid  # exec: Storm's pid is the component's pid
        assert Path(reply["prefix"]) == env_dir
        assert reply["virtual_env"] == str(env_dir)
        assert reply["module"] == "splitsentence"
        assert Path(reply["cwd"]) == wc  # cwd unchanged: resources/
        assert Path(reply["petrel"]).parent == wc / "petrel"  # the jar's runtime
    runs = sup.setup_runs()
    assert len(runs) == 1, runs
    arg, virtual_env, python = runs[0].split()
    assert arg == "1" and virtual_env == str(env_dir) and python == str(env_dir / "bin" / "python")
    logs = [log_of(wc, p.pid) for p in (first, second)]
    assert sum("creating the environment" in log for log in logs) == 1
    assert sum("built by another task" in log for log in logs) == 1
    assert any("with virtualenv" in log for log in logs)


def test_a_third_task_reuses_the_environment(sup: Supervisor, wc: Path) -> None:
    ensure_built(sup, wc)
    before = len(sup.setup_runs())
    started = time.monotonic()
    proc, pid_dir = sup.start(wc)
    reply = read_message(proc, 30)
    elapsed = time.monotonic() - started
    assert finish(proc)[0] == 0
    assert reply is not None and reply["pid"] == proc.pid
    assert (pid_dir / str(proc.pid)).exists()
    assert len(sup.setup_runs()) == before
    assert "reusing the environment" in log_of(wc, proc.pid)
    assert elapsed < 10  # generous: only catches a rebuild, not a benchmark


@pytest.mark.parametrize("damage", ["marker", "site-packages", "python"])
def test_a_half_deleted_environment_is_rebuilt(sup: Supervisor, wc: Path, damage: str) -> None:
    ensure_built(sup, wc)
    env_dir = sup.env_dir("wc-1-1700000000")
    before = len(sup.setup_runs())
    if damage == "marker":
        (env_dir / ".petrel-complete").unlink()
    elif damage == "site-packages":
        shutil.rmtree(next((env_dir / "lib").glob("python*/site-packages")))
    else:
        (env_dir / "bin" / "python").unlink()
    proc, _ = sup.start(wc)
    reply = read_message(proc, 60)
    assert finish(proc)[0] == 0
    assert reply is not None and Path(reply["prefix"]) == env_dir
    assert len(sup.setup_runs()) == before + 1
    assert "removing the half-built environment" in log_of(wc, proc.pid)
    assert launcher.is_complete(str(env_dir))


def test_failing_setup_sh_ends_the_task_with_the_reason(sup: Supervisor) -> None:
    resources = sup.deploy("badsetup-2-1700000000", {
        "setup.sh": "echo 'cannot reach the package mirror' >&2\nexit 3\n",
        "manifest.txt": "setup.sh\n"})
    proc, _ = sup.start(resources)
    assert read_message(proc, 60) is None  # nothing at all on stdout
    code, err = finish(proc)
    assert code != 0
    assert "running setup.sh failed with exit code 3" in err
    assert "cannot reach the package mirror" in err
    log = log_of(resources, proc.pid)
    assert "[ERROR]running setup.sh failed with exit code 3" in log
    assert str(resources / f"petrel{proc.pid}_virtualenv.log") in err
    assert not sup.env_dir("badsetup-2-1700000000").exists()  # never reused half-built


def test_pip_error_ends_the_task_with_the_reason(sup: Supervisor) -> None:
    resources = sup.deploy(
        "badpip-3-1700000000",
        {"requirements.txt": "petrel-test-no-such-package==0.0.1\n",
         "manifest.txt": "requirements.txt\n"},
        {"petrel.pip_options": "--no-index --quiet"})
    proc, _ = sup.start(resources)
    assert read_message(proc, 120) is None
    code, err = finish(proc)
    assert code != 0
    assert "installing requirements.txt failed" in err
    assert "petrel-test-no-such-package" in err
    log = log_of(resources, proc.pid)
    assert "--no-index" in log and "petrel-test-no-such-package" in log
    assert not sup.env_dir("badpip-3-1700000000").exists()


def test_petrel_python_skips_environment_creation(sup: Supervisor, tmp_path: Path) -> None:
    resources = sup.deploy("self-4-1700000000", {})
    proc, _ = sup.start(resources, PETREL_PYTHON=sys.executable,
                        PETREL_WORKDIR=str(tmp_path / "unused"))
    reply = read_message(proc, 30)
    assert finish(proc)[0] == 0
    assert reply is not None and reply["pid"] == proc.pid
    assert reply["prefix"] == sys.prefix
    assert not (tmp_path / "unused").exists()
    assert not list(resources.glob("petrel*_virtualenv.log"))


def test_bad_petrel_python_is_reported(sup: Supervisor, tmp_path: Path) -> None:
    resources = sup.deploy("self-4-1700000000", {})
    proc, _ = sup.start(resources, PETREL_PYTHON=str(tmp_path / "nopython"))
    assert read_message(proc, 30) is None
    code, err = finish(proc)
    assert code != 0 and "is not an executable Python interpreter" in err


def test_unusable_workdir_is_reported(sup: Supervisor, tmp_path: Path) -> None:
    resources = sup.deploy("self-4-1700000000", {})
    (tmp_path / "file").write_text("")
    logdir = tmp_path / "logs"
    proc, _ = sup.start(resources, PETREL_WORKDIR=str(tmp_path / "file" / "sub"),
                        PETREL_LOGDIR=str(logdir))
    assert read_message(proc, 30) is None
    code, err = finish(proc)
    assert code != 0 and "cannot use the work directory" in err and "petrel.workdir" in err
    log = (logdir / f"petrel{proc.pid}_virtualenv.log").read_text()
    assert "cannot use the work directory" in log


@pytest.mark.parametrize("python, version", [(PY39, [3, 9]), (PY313, [3, 13])])
def test_other_interpreters_without_virtualenv_use_venv(sup: Supervisor, python: str,
                                                       version: list[int]) -> None:
    if not os.path.exists(python):
        pytest.skip(f"Python {version} not installed at {python}")
    topology_id = f"py{version[0]}{version[1]}-5-1700000000"
    resources = sup.deploy(topology_id, {}, {"petrel.python": "python3"})
    proc, _ = sup.start(resources, python=python)
    reply = read_message(proc, 60)
    assert finish(proc)[0] == 0
    assert reply is not None and reply["pid"] == proc.pid
    assert reply["version"] == version
    assert Path(reply["prefix"]) == sup.env_dir(topology_id)
    log = log_of(resources, proc.pid)
    assert "virtualenv is not importable" in log and "with venv" in log


def test_topology_key_from_the_storm_layout_or_the_name(tmp_path: Path) -> None:
    dist = tmp_path / "stormdist" / "wc-7-1712345678" / "resources"
    dist.mkdir(parents=True)
    assert launcher.topology_key(str(dist), {"topology_name": "wc"}) == "wc-7-1712345678"
    other = tmp_path / "somewhere" / "res"
    other.mkdir(parents=True)
    assert launcher.topology_key(str(other), {"topology_name": "my topo",
                                              "env_hash": "abc"}) == "my_topo-abc"


@pytest.mark.parametrize("python", [sys.executable, PY39], ids=["default", "py39"])
def test_real_component_answers_storm_handshake(sup: Supervisor, python: str) -> None:
    """The whole chain with petrel's real runtime: launcher -> env -> petrel.run -> pid reply."""
    if not os.path.exists(python):
        pytest.skip(f"{python} not installed")
    topology_id = "real-6-1700000000" if python == sys.executable else "real39-6-1700000000"
    resources = sup.deploy(topology_id, {}, stub=False)
    proc, pid_dir = sup.start(resources, python=python)
    reply = read_message(proc, 60)
    code, err = finish(proc)
    assert reply == {"pid": proc.pid}, err
    assert (pid_dir / str(proc.pid)).exists()
    assert code == 0, err
    assert json.loads((resources / "__petrel__.json").read_text())["topology_name"] in (
        "real", "real39")
    assert "reusing" not in log_of(resources, proc.pid)
