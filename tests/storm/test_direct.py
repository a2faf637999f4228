"""Direct groupings from Python components on a real Apache Storm, 2.8 and 2.5.0.

tests/storm/topologies/direct_emits sends numbers 0..59 from a spout, directly, to one of
two relay tasks, and each relay sends them on, directly, to one of two sink tasks. Every
task writes ``number target-task own-task`` for each tuple it gets. Storm 2.6+ workers die
on a multilang direct emit unless the JVM runs with -DJSON_SMART_SIMPLE=true, which
``petrel submit NAME`` adds by itself; with ``petrel.json_smart_simple: false`` the crash
it prevents is shown too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import pytest
from storm_helpers import (
    TEST_SERIALIZER,
    RealStorm,
    copy_test_topology,
    missing_tools,
    start_cluster,
    stop_cluster,
    wait_until,
)

COUNT = 60
ADDED = "petrel submit: added -DJSON_SMART_SIMPLE=true to topology.worker.childopts"


@dataclass
class Run:
    """One submitted copy of the topology: its name, where its tasks write, submit output."""

    name: str
    out_dir: Path
    output: str


def submit_copy(storm: RealStorm, dest: Path, name: str, settings: dict[str, Any]) -> Run:
    """A copy of tests/storm/topologies/direct_emits with ``settings``, submitted as ``name``."""
    out_dir = dest / f"{name}-out"
    out_dir.mkdir()
    # petrel.workdir: the worker builds the Python environment in the test's own tmp dir
    topo = copy_test_topology("direct_emits", dest / name, {
        "direct.out_dir": str(out_dir), "petrel.workdir": str(dest / f"{name}-envs"),
        **settings})
    return Run(name, out_dir, storm.submit(topo, name))


def json_smart_storm(version: str) -> bool:
    """True for Storm 2.6 and newer, which parse multilang messages with json-smart."""
    major, minor = (int(x) for x in version.split(".")[:2])
    return (major, minor) >= (2, 6)


def arrivals(out_dir: Path, component: str) -> list[tuple[int, int, int]]:
    """``(number, target task, own task)`` for every tuple ``component``'s tasks recorded."""
    rows = []
    for path in sorted(out_dir.glob(f"{component}-*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            number, target, task = (int(x) for x in line.split())
            rows.append((number, target, task))
    return rows


def all_numbers_arrived(out_dir: Path) -> bool:
    """True once both the relay and the sink have recorded every number."""
    return all({row[0] for row in arrivals(out_dir, comp)} == set(range(COUNT))
               for comp in ("relay", "sink"))


def check_every_tuple_reached_its_target(run: Run) -> None:
    """The direct tuples all arrived, each at the very task it was sent to."""
    wait_until(lambda: all_numbers_arrived(run.out_dir), 120,
               f"{run.name}: relay and sink receive all {COUNT} numbers")
    for component in ("relay", "sink"):
        rows = arrivals(run.out_dir, component)
        strays = [row for row in rows if row[1] != row[2]]
        assert strays == [], f"{component}: tuples at another task than sent to: {strays[:5]}"
        tasks = sorted({row[2] for row in rows})
        assert len(tasks) == 2, f"{component}: expected both tasks to get tuples, got {tasks}"
        # each number went to the task the sender chose by number % 2
        by_task = {task: {row[0] % 2 for row in rows if row[2] == task} for task in tasks}
        assert sorted(map(sorted, by_task.values())) == [[0], [1]], by_task


@pytest.fixture(scope="module")
def on_storm_2_8(storm: RealStorm, tmp_path_factory: pytest.TempPathFactory
                 ) -> Iterator[dict[str, Run]]:
    """The topology on the session's Storm 2.8, with the option (default) and without it."""
    dest = tmp_path_factory.mktemp("direct28")
    runs = {
        "on": submit_copy(storm, dest, "direct-on", {}),
        "off": submit_copy(storm, dest, "direct-off", {"petrel.json_smart_simple": False}),
    }
    yield runs
    for run in runs.values():
        storm.kill(run.name)


def childopts_at_nimbus(storm: RealStorm, name: str) -> Any:
    """``topology.worker.childopts`` as Nimbus holds it for running topology ``name``."""
    topology_id = storm.topology_id(name)
    assert topology_id is not None, f"{name} is not running"
    with storm.connect() as conn:
        return json.loads(conn.call("getTopologyConf", topology_id)).get(
            "topology.worker.childopts")


def test_submit_adds_the_option_for_the_direct_streams_and_says_so(
        storm: RealStorm, on_storm_2_8: dict[str, Run]) -> None:
    out = on_storm_2_8["on"].output
    assert ADDED in out
    assert "numbers/to_relay, relay/to_sink" in out
    assert "JSON_SMART_SIMPLE" not in on_storm_2_8["off"].output
    assert childopts_at_nimbus(storm, "direct-on") == "-DJSON_SMART_SIMPLE=true"
    assert childopts_at_nimbus(storm, "direct-off") is None


def test_every_direct_tuple_reaches_the_task_it_was_sent_to_on_storm_2_8(
        storm: RealStorm, on_storm_2_8: dict[str, Run]) -> None:
    run = on_storm_2_8["on"]
    try:
        check_every_tuple_reached_its_target(run)
        assert storm.errors(run.name) == {}
    finally:
        storm.kill(run.name)   # done with it: free the machine for the next tests


@pytest.mark.skipif(TEST_SERIALIZER == "msgpack", reason=(
    "PETREL_TEST_SERIALIZER=msgpack: MessagePack sends task ids as Long, so Storm's Integer/Long "
    "bug this test shows cannot happen; the test runs with Storm's JSON serializer in CI"))
def test_without_the_option_the_first_direct_emit_kills_the_storm_2_8_worker(
        storm: RealStorm, on_storm_2_8: dict[str, Run]) -> None:
    if not json_smart_storm(storm.version):
        pytest.skip(f"Storm {storm.version} reads multilang JSON with json-simple: no crash")
    run = on_storm_2_8["off"]

    def crash() -> str:
        texts = storm.errors(run.name).get("numbers", [])
        return next((t for t in texts if "ClassCastException" in t), "")

    try:
        text = wait_until(crash, 120, f"{run.name}: Nimbus holds the spout's ClassCastException")
        assert "java.lang.Integer cannot be cast to" in text and "java.lang.Long" in text, text
        assert "JsonSerializer.readShellMsg" in text, text
        # the spout's executor thread dies, and takes its worker (and every task in it) along
        assert "Halting process: Worker died" in storm.worker_logs(run.name)
        assert arrivals(run.out_dir, "relay") == []
    finally:
        storm.kill(run.name)   # Storm restarts the worker, which dies again: stop the loop


@pytest.fixture(scope="module")
def storm_2_5(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealStorm]:
    """A second cluster running Apache Storm 2.5.0 (json-simple, before json-smart)."""
    reason = missing_tools()
    if reason:
        pytest.skip(reason)
    cluster = start_cluster(tmp_path_factory.mktemp("storm-2.5.0"), "2.5.0", slots=2)
    yield cluster
    stop_cluster(cluster)


def test_direct_tuples_reach_their_tasks_on_storm_2_5_where_the_option_is_harmless(
        storm_2_5: RealStorm, tmp_path_factory: pytest.TempPathFactory) -> None:
    assert not json_smart_storm(storm_2_5.version), storm_2_5.version
    run = submit_copy(storm_2_5, tmp_path_factory.mktemp("direct25"), "direct-on", {})
    try:
        assert ADDED in run.output
        check_every_tuple_reached_its_target(run)
        assert storm_2_5.errors(run.name) == {}
    finally:
        storm_2_5.kill(run.name)
