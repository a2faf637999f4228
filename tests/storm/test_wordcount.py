"""Word count on a real Apache Storm: submit, tuples flow, list, status, deactivate,
activate, rebalance and kill, each checked against what Nimbus itself reports."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Iterator

import pytest
from storm_helpers import ComponentStats, RealStorm, copy_topology, petrel, wait_until

NAME = "wordcount-lifecycle"


@pytest.fixture(scope="module")
def wordcount(storm: RealStorm, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Word count submitted to the real cluster (sentences every 20 ms); killed afterwards."""
    topo = copy_topology("wordcount", tmp_path_factory.mktemp("wc"))
    conf = topo / "topology.yaml"
    conf.write_text(conf.read_text().replace("sentence_interval_secs: 0.25",
                                             "sentence_interval_secs: 0.02"))
    out = storm.submit(topo, NAME)
    assert f"submitted topology '{NAME}' to Nimbus at {storm.nimbus}" in out
    try:
        storm.wait_running(NAME, {"spout", "split", "count"})
        yield topo
    finally:
        storm.kill(NAME)


def test_tuples_flow_within_a_minute_of_submit(storm: RealStorm, wordcount: Path) -> None:
    flowing = wait_until(
        lambda: (s := storm.stats(NAME)) and s.get("count") and s["count"].acked > 0 and s,
        90, "the count bolt acks tuples")
    assert flowing["split"].executed > 0
    assert flowing["spout"].emitted > 0
    later = wait_until(
        lambda: (s := storm.stats(NAME))["count"].acked > flowing["count"].acked and s,
        60, "the count bolt's acked count grows")
    assert later["split"].executed >= flowing["split"].executed
    assert storm.errors(NAME) == {}


def test_list_and_status_show_the_topology(storm: RealStorm, wordcount: Path) -> None:
    listing = petrel("list", "--nimbus", storm.nimbus)
    assert listing.returncode == 0, listing.stderr
    row = [line.split() for line in listing.stdout.splitlines() if line.startswith(NAME)]
    assert row and row[0][2] == "ACTIVE"
    status = petrel("status", NAME, "--nimbus", storm.nimbus)
    assert status.returncode == 0, status.stderr
    assert f"topology '{NAME}'" in status.stdout
    components = {line.split()[0] for line in status.stdout.splitlines()[2:]}
    assert {"spout", "split", "count"} <= components


def _spout_emitted(storm: RealStorm) -> int:
    return storm.stats(NAME)["spout"].emitted


def test_deactivate_stops_the_spout_and_activate_resumes_it(storm: RealStorm,
                                                            wordcount: Path) -> None:
    proc = petrel("deactivate", NAME, "--nimbus", storm.nimbus)
    assert proc.returncode == 0, proc.stderr
    wait_until(lambda: storm.info(NAME).status == "INACTIVE", 30, "Nimbus reports INACTIVE")
    # Statistics reach Nimbus with the workers' heartbeats: wait until they settle.
    settled = wait_until(lambda: _stable(storm), 120, "the spout's emitted count stops growing")
    time.sleep(15)
    assert _spout_emitted(storm) == settled
    proc = petrel("activate", NAME, "--nimbus", storm.nimbus)
    assert proc.returncode == 0, proc.stderr
    wait_until(lambda: storm.info(NAME).status == "ACTIVE", 30, "Nimbus reports ACTIVE")
    wait_until(lambda: _spout_emitted(storm) > settled, 90, "the spout emits again")


def _stable(storm: RealStorm) -> int | None:
    first = _spout_emitted(storm)
    time.sleep(12)
    return first if _spout_emitted(storm) == first and first > 0 else None


def test_rebalance_to_two_workers_takes_effect(storm: RealStorm, wordcount: Path) -> None:
    proc = petrel("rebalance", NAME, "--workers", "2", "--wait", "0", "--nimbus", storm.nimbus)
    assert proc.returncode == 0, proc.stderr

    def workers() -> int:
        with storm.connect() as conn:
            for summary in conn.call("getClusterInfo").topologies or []:
                if summary.name == NAME and summary.status == "ACTIVE":
                    return int(summary.num_workers)
        return 0

    wait_until(lambda: workers() == 2, 120, "the topology runs in 2 workers")
    before = storm.stats(NAME).get("count", ComponentStats()).acked
    wait_until(lambda: storm.stats(NAME).get("count", ComponentStats()).acked > before, 120,
               "tuples flow again after the rebalance")


def test_kill_removes_the_topology(storm: RealStorm, wordcount: Path) -> None:
    proc = petrel("kill", NAME, "--wait", "0", "--nimbus", storm.nimbus)
    assert proc.returncode == 0, proc.stderr
    wait_until(lambda: storm.topology_id(NAME) is None, 90, "Nimbus no longer lists it")
    listing = petrel("list", "--nimbus", storm.nimbus)
    assert NAME not in listing.stdout
