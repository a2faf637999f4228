"""Submitting to the stand-in Nimbus: the call sequence, the bytes, and every refusal."""

from __future__ import annotations

import json
import os
import time

import pytest
from cluster_samples import word_count
from nimbus_standin import StandInNimbus, topology_problem

from petrel.cluster.address import resolve_nimbus
from petrel.cluster.leader import connect_leader
from petrel.cluster.submission import submit_topology
from petrel.cluster.upload import CHUNK_SIZE, ProgressLine
from petrel.errors import PetrelError
from petrel.topology.model import GroupingDef, TopologyDef
from petrel.topology.thrift import from_thrift, to_thrift

CONF = {"topology.workers": 2, "topology.message.timeout.secs": 30, "wc.greeting": "héllo"}


def _submit(nimbus: StandInNimbus, name: str = "wc", jar: bytes = b"PK-not-really-a-jar",
            topo: TopologyDef | None = None, conf: dict | None = None, **kw):
    target = resolve_nimbus(nimbus.address, {})
    with connect_leader(target, timeout=kw.pop("timeout", 5)) as conn:
        thrift_topo = to_thrift(topo or word_count())
        return submit_topology(conn, name, jar, thrift_topo, dict(conf or CONF),
                               poll_interval=0.05, **kw)


def _methods(nimbus: StandInNimbus) -> list[str]:
    return [c[0] for c in nimbus.calls]


def test_submit_sequence_and_arguments(nimbus: StandInNimbus) -> None:
    jar = os.urandom(2 * CHUNK_SIZE + 12345)
    done = _submit(nimbus, jar=jar)
    calls = _methods(nimbus)
    assert calls == ["getLeader", "getClusterInfo", "isTopologyNameAllowed", "beginFileUpload",
                     "uploadChunk", "uploadChunk", "uploadChunk", "finishFileUpload",
                     "submitTopologyWithOpts", "getClusterInfo"]
    assert nimbus.chunk_sizes == [CHUNK_SIZE, CHUNK_SIZE, 12345]
    running = nimbus.topologies["wc"]
    assert running.jar == jar
    assert running.status == "ACTIVE"
    assert running.conf == CONF
    assert done.topology_id == running.id and done.topology_id.startswith("wc-")
    name, location, json_conf, topology, options = nimbus.calls[8][1]
    assert location == done.location and location.startswith("/var/storm/nimbus/inbox/")
    assert isinstance(json.loads(json_conf), dict)
    assert options.initial_status == 1
    assert topology_problem(topology) is None
    assert topology.storm_version is None  # left unset
    assert set(from_thrift(topology).components) == {"spout", "split", "count"}
    assert nimbus.problems == []


def test_submit_inactive(nimbus: StandInNimbus) -> None:
    _submit(nimbus, inactive=True)
    assert nimbus.topologies["wc"].status == "INACTIVE"
    assert nimbus.calls[-2][1][4].initial_status == 2


def test_empty_jar_still_finishes_upload(nimbus: StandInNimbus) -> None:
    _submit(nimbus, jar=b"")
    assert "uploadChunk" not in _methods(nimbus)
    assert nimbus.topologies["wc"].jar == b""


@pytest.mark.parametrize("name", ["a.b", "a/b", "a:b", "a\\b", ""])
def test_bad_names_refused_before_contacting_nimbus(nimbus: StandInNimbus, name: str) -> None:
    """Invalid topology names are refused before contacting Nimbus."""
    with pytest.raises(PetrelError, match="topology name"):
        _submit(nimbus, name=name)
    assert _methods(nimbus) == ["getLeader"]


def test_good_name_with_dash_and_underscore(nimbus: StandInNimbus) -> None:
    _submit(nimbus, name="my-topo_1")
    assert "my-topo_1" in nimbus.topologies


def test_bad_conf_types_refused_locally(nimbus: StandInNimbus) -> None:
    with pytest.raises(PetrelError, match="topology.workers"):
        _submit(nimbus, conf={"topology.workers": "2"})
    with pytest.raises(PetrelError, match="topology.max.spout.pending"):
        _submit(nimbus, conf={"topology.max.spout.pending": 2**31})
    assert "beginFileUpload" not in _methods(nimbus)


def test_already_running_without_force(nimbus: StandInNimbus) -> None:
    old = nimbus.add_running("wc")
    with pytest.raises(PetrelError) as info:
        _submit(nimbus)
    assert info.value.message == (
        f"topology 'wc' is already running (id {old.id}, status ACTIVE); use --force to replace "
        "it or 'petrel kill wc'")
    assert "beginFileUpload" not in _methods(nimbus)


def test_force_kills_waits_and_resubmits(nimbus: StandInNimbus) -> None:
    old = nimbus.add_running("wc")
    started = time.monotonic()
    done = _submit(nimbus, force=True)
    assert time.monotonic() - started >= nimbus.kill_delay
    assert done.replaced == old.id
    assert nimbus.topologies["wc"].id == done.topology_id != old.id
    kill = [c for c in nimbus.calls if c[0] == "killTopologyWithOpts"]
    assert kill[0][1][0] == "wc" and kill[0][1][1].wait_secs == 0
    calls = _methods(nimbus)
    assert calls.index("killTopologyWithOpts") < calls.index("beginFileUpload")


def test_force_gives_up_when_the_old_one_never_goes(nimbus: StandInNimbus) -> None:
    nimbus.kill_delay = 60
    nimbus.add_running("wc")
    with pytest.raises(PetrelError, match="the new topology was NOT submitted"):
        _submit(nimbus, force=True, force_wait=0.3)
    assert "beginFileUpload" not in _methods(nimbus)


def test_nimbus_rejection_carries_its_message(nimbus: StandInNimbus) -> None:
    nimbus.reject_submit_with = "Topology is too large: 9999 executors > 1000"
    with pytest.raises(PetrelError) as info:
        _submit(nimbus)
    assert info.value.message.startswith(
        "Nimbus rejected topology 'wc': Topology is too large: 9999 executors > 1000; "
        "nothing was started")
    assert "wc" not in nimbus.topologies


def test_structural_problem_found_by_nimbus(nimbus: StandInNimbus) -> None:
    topo = word_count()
    topo.components["count"].inputs = {("nobody", "default"): GroupingDef("shuffle")}
    with pytest.raises(PetrelError, match=r"subscribes from non-existent component \[nobody\]"):
        _submit(nimbus, topo=topo)


def test_name_not_allowed(nimbus: StandInNimbus) -> None:
    nimbus.h_isTopologyNameAllowed = lambda name: False  # e.g. a cluster naming policy
    with pytest.raises(PetrelError, match="does not allow the topology name 'wc'.*nothing was"):
        _submit(nimbus)
    assert "beginFileUpload" not in _methods(nimbus)


def test_storm_1_0_without_name_check(nimbus: StandInNimbus) -> None:
    nimbus.methods_missing.update({"isTopologyNameAllowed", "getLeader"})
    _submit(nimbus)
    assert "wc" in nimbus.topologies


def test_topology_over_one_mib_refused_before_upload(nimbus: StandInNimbus) -> None:
    """Nothing is uploaded when the submit frame would be too big."""
    topo = word_count()
    topo.components["split"].conf = {"big": "x" * 1_100_000}
    with pytest.raises(PetrelError, match="over Nimbus's limit of 1,048,576 bytes"):
        _submit(nimbus, topo=topo)
    assert "beginFileUpload" not in _methods(nimbus)
    assert nimbus.oversize_frames == 0


def test_timeout_during_submit_says_it_may_have_happened(nimbus: StandInNimbus) -> None:
    real = nimbus.h_submitTopologyWithOpts

    def slow(*args):
        time.sleep(1.0)
        return real(*args)

    nimbus.h_submitTopologyWithOpts = slow
    with pytest.raises(PetrelError, match="MAY have been submitted: check with 'petrel list'"):
        _submit(nimbus, timeout=0.4)


def test_progress_line_on_a_pipe(capsys: pytest.CaptureFixture[str], nimbus: StandInNimbus) -> None:
    import sys

    _submit(nimbus, jar=b"x" * 700_000, progress=ProgressLine("topology.jar", sys.stderr))
    err = capsys.readouterr().err.splitlines()
    assert err == ["uploading topology.jar:   0% (0 bytes of 0.7 MB)",
                   "uploading topology.jar: 100% (0.7 MB of 0.7 MB)"]
