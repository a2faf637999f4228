"""``petrel status``'s per-component table, from Nimbus's TopologyInfo thrift structures."""

from __future__ import annotations

from typing import Any, Dict, List

from petrel.cluster.tables import component_table
from petrel.topology.thrift import load_idl

t = load_idl()
NOW = 1_000_000


def bolt_executor(cid: str, task: int, executed: int, execute_ms: float, uptime: int = 300,
                  acked: int = 0, failed: int = 0, host: str = "w1", port: int = 6700,
                  process_ms: float = 1.0) -> Any:
    gsid = t.GlobalStreamId(componentId="spout", streamId="default")
    bolt = t.BoltStats(acked={"600": {gsid: acked}, ":all-time": {gsid: acked * 2}},
                       failed={"600": {gsid: failed}, ":all-time": {gsid: failed}},
                       process_ms_avg={"600": {gsid: process_ms}},
                       executed={"600": {gsid: executed}, ":all-time": {gsid: executed * 2}},
                       execute_ms_avg={"600": {gsid: execute_ms}})
    return _executor(cid, task, t.ExecutorSpecificStats(bolt=bolt), uptime, host, port,
                     emitted=executed * 3)


def spout_executor(cid: str, task: int, acked: int, complete_ms: float, uptime: int = 300
                   ) -> Any:
    spout = t.SpoutStats(acked={"600": {"default": acked}, ":all-time": {"default": acked}},
                         failed={"600": {"default": 6}, ":all-time": {"default": 6}},
                         complete_ms_avg={"600": {"default": complete_ms}})
    return _executor(cid, task, t.ExecutorSpecificStats(spout=spout), uptime, "w1", 6700,
                     emitted=acked)


def _executor(cid: str, task: int, specific: Any, uptime: int, host: str, port: int,
              emitted: int) -> Any:
    emitted_map: Dict[str, Dict[str, int]] = {
        "600": {"default": emitted, "__ack_init": 99},
        ":all-time": {"default": emitted * 2, "__ack_ack": 99}}
    stats = t.ExecutorStats(emitted=emitted_map, transferred=emitted_map, specific=specific,
                            rate=1.0)
    return t.ExecutorSummary(executor_info=t.ExecutorInfo(task_start=task, task_end=task),
                             component_id=cid, host=host, port=port, uptime_secs=uptime,
                             stats=stats)


def info(executors: List[Any], errors: Dict[str, List[Any]], uptime: int = 300) -> Any:
    return t.TopologyInfo(id="wc-1-2", name="wc", uptime_secs=uptime, executors=executors,
                          status="ACTIVE", errors=errors)


def rows(table: str) -> Dict[str, List[str]]:
    lines = table.splitlines()
    return {line.split()[0]: line.split(None, 13) for line in lines[2:]}


def test_rates_capacity_latency_and_the_latest_error() -> None:
    err = [t.ErrorInfo(error="ValueError: boom\nTraceback ...", error_time_secs=NOW - 65,
                       host="w1", port=6700),
           t.ErrorInfo(error="older", error_time_secs=NOW - 500)]
    table = component_table(info([
        spout_executor("spout", 1, acked=3000, complete_ms=12.0),
        spout_executor("spout", 2, acked=1000, complete_ms=4.0),
        # 30,000 tuples x 2 ms in 300 s: 20% busy; the other executor 6,000 x 1 ms: 2%
        # process latency weighted by acked: (30,000 x 5 ms + 6,000 x 11 ms) / 36,000 = 6 ms
        bolt_executor("split", 3, executed=30_000, execute_ms=2.0, acked=30_000, failed=300,
                      process_ms=5.0),
        bolt_executor("split", 4, executed=6_000, execute_ms=1.0, acked=6_000, process_ms=11.0),
        bolt_executor("__acker", 5, executed=1, execute_ms=1.0),
    ], {"split": err}), now=NOW)
    assert table is not None
    header = table.splitlines()[0].split()
    assert header[:11] == ["component", "type", "executors", "tasks", "emitted/s", "acked/s",
                           "failed/s", "capacity", "latency", "ms", "process"]
    got = rows(table)
    assert set(got) == {"spout", "split"}       # system components are left out
    spout = got["spout"]
    # rates over the 10-minute window, which is the 300 s the topology has been up
    assert spout[1:10] == ["spout", "2", "2", "13.3", "13.3", "0.0", "-", "10.00", "-"]
    assert spout[10:13] == ["8000", "4000", "12"]     # all-time emitted (user streams), acked
    split = got["split"]
    assert split[1:10] == ["bolt", "2", "2", "360", "120", "1.0", "0.200", "1.83", "6.00"]
    assert split[13] == "1m 5s ago (w1:6700): ValueError: boom"


def test_only_the_executors_kept_and_none_without_any() -> None:
    topology = info([bolt_executor("split", 1, 10, 1.0, host="w1"),
                     bolt_executor("split", 2, 10, 1.0, host="w2")], {})
    table = component_table(topology, keep=lambda ex: ex.host == "w2")
    assert table is not None and rows(table)["split"][2] == "1"
    assert component_table(topology, keep=lambda ex: False) is None
    assert component_table(info([], {})) is None


def test_executors_without_stats_yet() -> None:
    bare = t.ExecutorSummary(executor_info=t.ExecutorInfo(task_start=1, task_end=2),
                             component_id="count", host="w1", port=6700, uptime_secs=0)
    table = component_table(info([bare], {}, uptime=0))
    assert table is not None
    assert rows(table)["count"][1:10] == ["-", "1", "2", "0.0", "0.0", "0.0", "-", "-", "-"]
