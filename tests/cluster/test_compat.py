"""petrel's IDL decodes replies shaped like other Storm versions'.

What differs between versions: docs/internals/thrift.md#version-differences.

The stand-in encodes its replies with a variant of petrel's storm.thrift: with fields a
newer Storm might add (they must be skipped), or without fields an older Storm never sent
(they must come back as None without breaking list, status or submit).
"""

from __future__ import annotations

import re
from pathlib import Path
from types import ModuleType

import pytest
import thriftpy2
from cluster_samples import word_count
from nimbus_standin import StandInNimbus

from petrel.cli import main
from petrel.cluster.address import resolve_nimbus
from petrel.cluster.leader import connect_leader
from petrel.cluster.submission import submit_topology
from petrel.topology.thrift import IDL_PATH, to_thrift


def variant_idl(tmp_path: Path, name: str, *, add: dict[str, list[str]] | None = None,
                drop: dict[str, list[int]] | None = None) -> ModuleType:
    """petrel's IDL with fields added to or removed from the named structs."""
    text = IDL_PATH.read_text()
    for struct, fids in (drop or {}).items():
        text = _edit_struct(text, struct, lambda body, fids=fids: "\n".join(
            line for line in body.split("\n")
            if not (m := re.match(r"\s*(\d+):", line)) or int(m.group(1)) not in fids))
    for struct, lines in (add or {}).items():
        text = _edit_struct(text, struct,
                            lambda body, lines=lines: body + "\n  " + "\n  ".join(lines))
    path = tmp_path / f"{name}.thrift"
    path.write_text(text)
    return thriftpy2.load(str(path), module_name=f"{name}_thrift")


def _edit_struct(text: str, struct: str, edit) -> str:
    m = re.search(rf"\n(struct|union|exception) {struct} {{\n(.*?)\n}}", text, re.S)
    assert m, struct
    return text[:m.start(2)] + edit(m.group(2)) + text[m.end(2):]


FUTURE = {   # fields a later Storm could add, with values so they really travel
    "NimbusSummary": ['7: optional string future_note = "n"',
                      '8: optional list<string> future_list = ["a", "b"]'],
    "TopologySummary": ['600: optional map<string, i64> future_counters = {"x": 1}',
                        '601: optional set<string> future_set = ["s"]'],
    "ClusterSummary": ['5: optional list<i32> future_ids = [1, 2, 3]'],
    "TopologyInfo": ['700: optional map<string, list<i32>> future_map = {"k": [1]}'],
    "ExecutorSummary": ['8: optional string future_exec = "z"'],
    "ExecutorStats": ['9: optional double future_rate = 2.5'],
    "ErrorInfo": ['5: optional string future_trace = "t"'],
}

STORM_1_2 = {  # fields petrel knows that Storm 1.2 never sends
    "NimbusSummary": [6],
    "TopologySummary": [9, 527, 528],
    "TopologyInfo": [7, 8],
    "ExecutorStats": [4],
    "BoltStats": [4, 5],
    "ClusterSummary": [],
}


def _run_everything(capsys, server: StandInNimbus) -> None:
    server.add_running("old", errors={"count": [{"error": "boom", "error_time_secs": 5}]})
    assert main(["list", "--nimbus", server.address]) == 0
    out = capsys.readouterr().out
    assert "old" in out
    assert main(["status", "old", "--nimbus", server.address]) == 0
    out = capsys.readouterr().out
    assert "count" in out and "boom" in out
    target = resolve_nimbus(server.address, {})
    with connect_leader(target, timeout=5) as conn:
        done = submit_topology(conn, "wc", b"jar", to_thrift(word_count()), {})
    assert done.topology_id == server.topologies["wc"].id
    assert server.problems == []


def test_newer_storm_extra_fields_are_skipped(capsys, tmp_path: Path) -> None:
    idl = variant_idl(tmp_path, "future", add=FUTURE)
    with StandInNimbus(reply_idl=idl) as server:
        _run_everything(capsys, server)


def test_storm_1_2_missing_optional_fields(capsys, tmp_path: Path) -> None:
    idl = variant_idl(tmp_path, "storm12", drop=STORM_1_2)
    with StandInNimbus(reply_idl=idl, version="1.2.4") as server:
        _run_everything(capsys, server)


def test_storm_0_9_single_nimbus_without_leader_calls(capsys, tmp_path: Path) -> None:
    """No getLeader, no isTopologyNameAllowed, no ClusterSummary.nimbuses: use the seed itself."""
    idl = variant_idl(tmp_path, "storm09", drop={"ClusterSummary": [2, 4], "ExecutorStats": [4]},
                      add={"ClusterSummary": ["2: optional i32 nimbus_uptime_secs = 99"]})
    missing = ("getLeader", "isTopologyNameAllowed")
    with StandInNimbus(reply_idl=idl, version="0.9.7", methods_missing=missing) as server:
        _run_everything(capsys, server)


def test_executors_without_stats(capsys, tmp_path: Path) -> None:
    idl = variant_idl(tmp_path, "nostats", drop={"ExecutorSummary": [7]})
    with StandInNimbus(reply_idl=idl) as server:
        server.add_running("wc")
        assert main(["status", "wc", "--nimbus", server.address]) == 0
        lines = capsys.readouterr().out.splitlines()
        row = lines[3].split()
        # without stats: rates 0, capacity and latencies '-', totals 0
        assert row == ["count", "-", "2", "2", "0.0", "0.0", "0.0", "-", "-", "-", "0", "0", "0"]


@pytest.mark.parametrize("struct", sorted(FUTURE))
def test_variant_really_differs(tmp_path: Path, struct: str) -> None:
    """Guard the test helper itself: the variant has the added fields."""
    idl = variant_idl(tmp_path, "guard", add=FUTURE)
    assert len(getattr(idl, struct).thrift_spec) > len(getattr(thriftpy2.load(
        str(IDL_PATH), module_name="plain_thrift"), struct).thrift_spec)
