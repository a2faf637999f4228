"""Helpers for the real-Storm tests: run ``petrel``, read Nimbus, wait for conditions.

Everything here talks to a real Apache Storm cluster started with ``petrel storm up``;
nothing is a stand-in.
"""

from __future__ import annotations

import os
import random
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, TypeVar

import pytest
import yaml

from petrel.cluster.address import HostPort
from petrel.cluster.nimbus import NimbusConnection, NimbusError

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
TOPOLOGIES = REPO / "topologies"
ALL_TIME = ":all-time"
T = TypeVar("T")


# PETREL_TEST_SERIALIZER=msgpack runs every submission of these tests with
# ``petrel.serializer: msgpack`` (not in CI, which runs the msgpack tests of test_msgpack.py)
TEST_SERIALIZER = os.environ.get("PETREL_TEST_SERIALIZER")


def with_test_serializer(argv: tuple[str, ...], cwd: Path) -> None:
    """Add PETREL_TEST_SERIALIZER to the config a ``petrel submit`` is given (copies only)."""
    if not TEST_SERIALIZER or not argv or argv[0] != "submit" or "--config" not in argv:
        return
    config = (cwd / argv[argv.index("--config") + 1]).resolve()
    if config.is_relative_to(REPO):
        raise AssertionError(f"PETREL_TEST_SERIALIZER would change {config} in the checkout")
    conf = yaml.safe_load(config.read_text(encoding="utf-8")) or {}
    conf.setdefault("petrel.serializer", TEST_SERIALIZER)
    config.write_text(yaml.safe_dump(conf), encoding="utf-8")


def petrel(*argv: str, cwd: Path | None = None, timeout: float = 300,
           env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the ``petrel`` command of this checkout in a subprocess."""
    with_test_serializer(argv, cwd or REPO)
    full_env = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    full_env.pop("STORM_CONF_DIR", None)
    return subprocess.run([sys.executable, "-m", "petrel.cli", *argv], cwd=cwd or REPO,
                          env=full_env, capture_output=True, text=True, timeout=timeout)


def free_port_block(count: int) -> int:
    """The first of ``count`` consecutive free TCP ports (random, below the ephemeral range)."""
    for _ in range(200):
        base = random.randrange(20000, 30000 - count)
        if all(_free(base + i) for i in range(count)):
            return base
    raise RuntimeError(f"no block of {count} free ports found")


def _free(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("", port))
        except OSError:
            return False
    return True


def wait_until(check: Callable[[], T], timeout: float, what: str, every: float = 2.0) -> T:
    """Call ``check`` until it returns something true; fail the test with ``what`` at timeout."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while True:
        try:
            last = check()
        except NimbusError as exc:
            last = exc
        else:
            if last:
                return last
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout:g} s: {what} (last: {last!r})")
        time.sleep(every)


def copy_test_topology(name: str, dest: Path, settings: dict[str, Any]) -> Path:
    """A copy of ``tests/storm/topologies/NAME`` with ``settings`` added to its topology.yaml."""
    topo = dest / name
    shutil.copytree(HERE / "topologies" / name, topo,
                    ignore=shutil.ignore_patterns("*.jar", "__pycache__"))
    conf = yaml.safe_load((topo / "topology.yaml").read_text(encoding="utf-8"))
    conf.update(settings)
    (topo / "topology.yaml").write_text(yaml.safe_dump(conf), encoding="utf-8")
    return topo


def copy_topology(name: str, dest: Path) -> Path:
    """A copy of ``topologies/NAME`` in ``dest`` (without built jars and caches), with the
    directories its manifest's ``[from DIR]`` sections name (topologies/common) copied
    beside it, so the copy builds the same jar."""
    from petrel.package.manifest import section_dirs

    ignore = shutil.ignore_patterns("*.jar", "__pycache__", "*.log", "tests")
    target = dest / name
    shutil.copytree(TOPOLOGIES / name, target,
                    ignore=shutil.ignore_patterns("*.jar", "__pycache__", "*.log"))
    for shared in section_dirs(TOPOLOGIES / name):
        rel = shared.relative_to(TOPOLOGIES)   # a directory beside the topologies, as here
        if not (dest / rel).exists():
            shutil.copytree(shared, dest / rel, ignore=ignore)
    return target


@dataclass
class ComponentStats:
    """All-time counts of one component, summed over its executors (user streams only)."""

    emitted: int = 0
    executed: int = 0
    acked: int = 0
    failed: int = 0


@dataclass
class RealStorm:
    """A running local Storm cluster, as the tests see it."""

    directory: Path
    nimbus_port: int
    version: str

    @property
    def nimbus(self) -> str:
        """``127.0.0.1:PORT`` for ``--nimbus``."""
        return f"127.0.0.1:{self.nimbus_port}"

    def connect(self) -> NimbusConnection:
        """An open Thrift connection to Nimbus (use it in a ``with``)."""
        return NimbusConnection(HostPort("127.0.0.1", self.nimbus_port), timeout=30).open()

    def topology_id(self, name: str) -> str | None:
        """The id of running topology ``name``, or None."""
        with self.connect() as conn:
            for summary in conn.call("getClusterInfo").topologies or []:
                if summary.name == name:
                    return str(summary.id)
        return None

    def info(self, name: str) -> Any:
        """Nimbus's ``getTopologyInfo`` for topology ``name``."""
        topology_id = self.topology_id(name)
        assert topology_id is not None, f"topology {name!r} is not running"
        with self.connect() as conn:
            return conn.call("getTopologyInfo", topology_id)

    def stats(self, name: str) -> dict[str, ComponentStats]:
        """Component id -> all-time counts from ``getTopologyInfo``."""
        out: dict[str, ComponentStats] = {}
        for ex in self.info(name).executors or []:
            if ex.component_id.startswith("__") or ex.stats is None:
                continue
            row = out.setdefault(ex.component_id, ComponentStats())
            row.emitted += _sum(ex.stats.emitted, user_only=True)
            specific = ex.stats.specific
            bolt = getattr(specific, "bolt", None)
            spout = getattr(specific, "spout", None)
            if bolt is not None:
                row.executed += _sum(bolt.executed)
                row.acked += _sum(bolt.acked)
                row.failed += _sum(bolt.failed)
            elif spout is not None:
                row.acked += _sum(spout.acked)
                row.failed += _sum(spout.failed)
        return out

    def wait_running(self, name: str, components: set[str], timeout: float = 180) -> None:
        """Wait until Nimbus has statistics from every one of ``components`` of ``name``.

        Fixtures call it once, so a cluster that cannot run topologies fails a test module
        after one wait instead of every test waiting out its own timeout."""
        wait_until(lambda: components <= set(self.stats(name)), timeout,
                   f"topology {name} runs (executor statistics from {sorted(components)})")

    def errors(self, name: str) -> dict[str, list[str]]:
        """Component id -> the error texts Nimbus holds for it."""
        errors = self.info(name).errors or {}
        return {cid: [e.error for e in errs] for cid, errs in errors.items() if errs}

    def submit(self, topology_dir: Path, name: str, *extra: str) -> str:
        """``petrel submit --config DIR/topology.yaml NAME --nimbus ...``; its output."""
        proc = petrel("submit", "--config", str(topology_dir / "topology.yaml"), name,
                      "--nimbus", self.nimbus, *extra, cwd=topology_dir)
        assert proc.returncode == 0, f"submit failed:\n{proc.stdout}\n{proc.stderr}"
        return proc.stdout + proc.stderr

    def kill(self, name: str, timeout: float = 90) -> None:
        """Kill topology ``name`` at once and wait until Nimbus no longer lists it."""
        if self.topology_id(name) is None:
            return
        proc = petrel("kill", name, "--wait", "0", "--nimbus", self.nimbus)
        assert proc.returncode == 0, proc.stderr
        wait_until(lambda: self.topology_id(name) is None, timeout, f"{name} is removed")

    def worker_logs(self, name: str) -> str:
        """Everything the workers of topology ``name`` logged so far."""
        topology_id = self.topology_id(name) or name
        text = []
        pattern = f"logs/workers-artifacts/{topology_id}/*/worker.log*"
        for path in sorted(self.directory.glob(pattern)):
            text.append(path.read_text(encoding="utf-8", errors="replace"))
        return "\n".join(text)


def _sum(by_window: Any, *, user_only: bool = False) -> int:
    if not by_window:
        return 0
    total = 0
    for stream, value in (by_window.get(ALL_TIME) or {}).items():
        stream_id = stream if isinstance(stream, str) else getattr(stream, "streamId", "")
        if user_only and str(stream_id).startswith("__"):
            continue
        total += int(value or 0)
    return total


# ---------------------------------------------------------------- clusters

VERSION = os.environ.get("PETREL_TEST_STORM_VERSION", "2.8")


def missing_tools() -> str | None:
    """Why a real Storm cannot run here, or None."""
    if shutil.which("mvn") is None:
        return "needs Maven ('mvn') to fetch Apache Storm's jars; .ci/run installs it"
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "needs a Java 17+ runtime ('java') to run Apache Storm; .ci/run installs it"
    return None


def start_cluster(directory: Path, version: str, slots: int = 4) -> RealStorm:
    """``petrel storm up`` in ``directory`` on free ports; fail the session when it fails."""
    base = free_port_block(4 + slots)
    proc = petrel("storm", "up", "--dir", str(directory), "--version", version, "--no-ui",
                  "--zookeeper-port", str(base), "--nimbus-port", str(base + 1),
                  "--supervisor-port", str(base + 2), "--first-slot-port", str(base + 4),
                  "--slots", str(slots), timeout=1200)
    if proc.returncode != 0:
        pytest.fail(f"petrel storm up failed:\n{proc.stdout}\n{proc.stderr}", pytrace=False)
    started = [line for line in proc.stdout.splitlines() if " is up: " in line]
    found = started[0].split()[1] if started else version
    return RealStorm(directory, base + 1, found)


def stop_cluster(storm: RealStorm) -> None:
    """``petrel storm down`` for the cluster."""
    petrel("storm", "down", "--dir", str(storm.directory), timeout=300)
