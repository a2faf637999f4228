"""Nimbus HA on a real Storm: two Nimbus daemons (``petrel storm up --standby-nimbus-port``),
``nimbus.seeds`` naming both; petrel finds the leader, and once the leader is stopped it
submits to the Nimbus that took over."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

import pytest
from storm_helpers import VERSION, copy_topology, free_port_block, missing_tools, petrel, wait_until

from petrel.cluster.address import HostPort
from petrel.cluster.nimbus import NimbusConnection
from petrel.devstorm.cluster import LocalStorm

pytestmark = pytest.mark.skipif(missing_tools() is not None, reason=str(missing_tools()))
NAME = "wordcount-ha"


def _leader_port(port: int) -> int:
    """The port of the leader, as the Nimbus at ``port`` names it."""
    with NimbusConnection(HostPort("127.0.0.1", port), timeout=10).open() as conn:
        return int(conn.call("getLeader").port)


@pytest.fixture(scope="module")
def ha(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, int, int]]:
    directory = tmp_path_factory.mktemp("ha-cluster")
    base = free_port_block(5)
    proc = petrel("storm", "up", "--dir", str(directory), "--version", VERSION, "--no-ui",
                  "--zookeeper-port", str(base), "--nimbus-port", str(base + 1),
                  "--standby-nimbus-port", str(base + 2), "--supervisor-port", str(base + 3),
                  "--first-slot-port", str(base + 4), "--slots", "1", timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert re.search(r"Nimbus 2\s+pid \d+\s+ready in", proc.stdout)
    yield directory, base + 1, base + 2
    petrel("storm", "down", "--dir", str(directory), timeout=300)


def test_status_shows_one_leader_and_one_standby(ha: tuple[Path, int, int]) -> None:
    directory, first, second = ha
    proc = petrel("storm", "status", "--dir", str(directory))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    roles = re.findall(r"^nimbus [\w.]+:(\d+): (leader|standby)", proc.stdout, re.M)
    leader = _leader_port(first)
    standby = second if leader == first else first
    assert sorted(roles) == sorted([(str(leader), "leader"), (str(standby), "standby")])


def test_petrel_finds_the_leader_and_submits_to_the_new_one_after_it_stops(
        ha: tuple[Path, int, int], tmp_path: Path) -> None:
    directory, first, second = ha
    topo = copy_topology("wordcount", tmp_path)
    conf = topo / "topology.yaml"
    conf.write_text(conf.read_text() + f'\nnimbus.seeds: ["127.0.0.1:{first}", '
                                       f'"127.0.0.1:{second}"]\n')
    leader = _leader_port(first)
    assert _leader_port(second) == leader
    listing = petrel("list", "--config", str(conf))
    assert listing.returncode == 0, listing.stderr

    storm = LocalStorm(directory)
    stopped = "nimbus" if leader == first else "nimbus-2"
    assert storm.pidfile(stopped).stop() is True
    survivor = second if leader == first else first
    wait_until(lambda: _leader_port(survivor) == survivor, 120,
               f"the Nimbus on port {survivor} becomes the leader")

    proc = petrel("submit", "--config", str(conf), NAME, cwd=topo)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # The standby registers as 'localhost' (Storm keys Nimbus registrations by host name).
    assert re.search(rf"submitted topology '{NAME}' to Nimbus at (127\.0\.0\.1|localhost):"
                     rf"{survivor}: id ", proc.stdout), proc.stdout
    listing = petrel("list", "--config", str(conf))
    assert listing.returncode == 0 and NAME in listing.stdout
    killed = petrel("kill", NAME, "--wait", "0", "--config", str(conf))
    assert killed.returncode == 0, killed.stderr
