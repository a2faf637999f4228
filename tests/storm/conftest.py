"""One real Apache Storm cluster for the whole test session, started with ``petrel storm up``.

The cluster runs Storm's own jars (fetched with Maven on the first run and cached) in a
temporary cluster directory on free ports, so it never meets a developer's own cluster.
``PETREL_TEST_STORM_VERSION`` picks the version (default: the newest 2.8.x that resolves).
Without ``java`` or ``mvn`` the tests skip and say which is missing; ``.ci/run`` installs
both, so CI always runs them.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Iterator

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from storm_helpers import RealStorm, free_port_block, petrel  # noqa: E402

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


@pytest.fixture(scope="session")
def storm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealStorm]:
    """The session's real Storm cluster."""
    reason = missing_tools()
    if reason:
        pytest.skip(reason)
    cluster = start_cluster(tmp_path_factory.mktemp("storm-cluster"), VERSION)
    yield cluster
    stop_cluster(cluster)
