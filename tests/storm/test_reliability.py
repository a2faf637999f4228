"""Failures on a real Apache Storm: what happens when a Python bolt raises or dies.

Both topologies are copies of tests/storm/topologies/reliable_ids: a spout emits the ids
0..N-1 once each, with the id as message id, replays an id on fail and records every
emit, ack and fail in a file; the bolt raises or dies as its topology.yaml says and
records its starts and executed ids. Storm is the judge: its errors and statistics as
Nimbus reports them, the records the components wrote, and the workers' own logs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest
from storm_helpers import RealStorm, copy_test_topology, wait_until

HERE = Path(__file__).resolve().parent
ERRORS = "reliability-errors"
RESTART = "reliability-restart"
EXIT = "reliability-exit"
RAISING_IDS = (7, 23)
ERROR_IDS = 40
RESTART_IDS = 60
DIE_ON_TUPLE = 15
EXIT_IDS = 30
EXIT_ON_ID = 5


@dataclass
class Records:
    """What the components of one submitted topology wrote to ``directory``."""

    name: str
    directory: Path
    ids: int

    def lines(self, component: str) -> list[list[str]]:
        """The split lines of ``spout.txt`` or ``bolt.txt`` (``[time, verb, ...]``)."""
        path = self.directory / f"{component}.txt"
        if not path.exists():
            return []
        return [line.split() for line in path.read_text().splitlines() if line.strip()]

    def verbs(self, component: str, verb: str) -> list[list[str]]:
        """The lines of ``component`` whose verb is ``verb``."""
        return [line for line in self.lines(component) if line[1] == verb]

    def acked(self) -> set[int]:
        """The ids the spout was told were fully processed."""
        return {int(line[2]) for line in self.verbs("spout", "ack")}

    def all_acked(self) -> bool:
        """True once every id was acked."""
        return self.acked() == set(range(self.ids))


def worker_of(storm: RealStorm, name: str, component: str) -> set[tuple[str, int]]:
    """The (host, port) of every worker running an executor of ``component``."""
    return {(ex.host, ex.port) for ex in storm.info(name).executors or []
            if ex.component_id == component}


@pytest.fixture(scope="module")
def submitted(storm: RealStorm,
              tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Records]]:
    """Both topologies, submitted together so their start-up overlaps; killed afterwards.

    ``reliability-errors`` (one worker, Storm's and petrel's defaults otherwise): the bolt
    raises ValueError the first time it meets ids 7 and 23. ``reliability-restart`` (two
    workers, so the spout lives on while the bolt's worker restarts): the bolt's process
    ends with os._exit on its 15th tuple, once. ``reliability-exit`` (one worker,
    ``petrel.on_error: exit``): the bolt raises on id 5, once.
    """
    records = {}
    for name, ids, settings in (
            (ERRORS, ERROR_IDS, {"reliability.raise_once_on": list(RAISING_IDS)}),
            (RESTART, RESTART_IDS, {"reliability.die_on_tuple": DIE_ON_TUPLE,
                                    "topology.workers": 2}),
            (EXIT, EXIT_IDS, {"reliability.raise_once_on": [EXIT_ON_ID],
                              "petrel.on_error": "exit"})):
        base = tmp_path_factory.mktemp(name)
        record_dir = base / "records"
        record_dir.mkdir()
        topo = copy_test_topology("reliable_ids", base, {
            **settings, "reliability.ids": ids, "reliability.record_dir": str(record_dir)})
        out = storm.submit(topo, name)
        assert f"submitted topology '{name}' to Nimbus at {storm.nimbus}" in out, out
        records[name] = Records(name, record_dir, ids)
    try:
        for name in records:
            storm.wait_running(name, {"ids", "flaky"})
        yield records
    finally:
        for name in records:
            storm.kill(name)


# -- an exception in a bolt (petrel.on_error left at its default, 'continue') ---------------

def test_a_bolts_exception_reaches_nimbus_with_the_users_message(
        storm: RealStorm, submitted: dict[str, Records]) -> None:
    def both_reported() -> list[str] | None:
        texts = storm.errors(ERRORS).get("flaky", [])
        wanted = [f"ValueError: flaky bolt refuses id {i} on purpose" for i in RAISING_IDS]
        return texts if all(any(w in t for t in texts) for w in wanted) else None

    texts = wait_until(both_reported, 240, "Nimbus holds both of the bolt's errors")
    # Storm wraps the multilang 'error' command's text; petrel's report names the place.
    for text in texts:
        assert "Shell Process Exception: ValueError: flaky bolt refuses id" in text
        assert "in process() of component 'flaky'" in text
        assert "The error occurred while processing this tuple: [" in text
    assert "ids" not in storm.errors(ERRORS)


def test_by_default_the_bolt_keeps_executing_after_its_exception(
        storm: RealStorm, submitted: dict[str, Records]) -> None:
    records = submitted[ERRORS]
    wait_until(records.all_acked, 240, "the spout was told every id was acked")
    starts = records.verbs("bolt", "start")
    assert len(starts) == 1, f"the bolt's process was restarted: {starts}"
    pid = starts[0][2]
    executed = [int(line[3]) for line in records.verbs("bolt", "executed")]
    assert {line[2] for line in records.verbs("bolt", "executed")} == {pid}
    # The process that raised (its pid is in petrel's report) executed every id,
    # those after the ones it raised on and, once replayed, those too.
    raised_in = {m.group(1) for t in storm.errors(ERRORS)["flaky"]
                 for m in [re.search(r"pid (\d+)\)", t)] if m}
    assert raised_in == {pid}
    assert sorted(executed) == list(range(ERROR_IDS))


def test_the_exception_fails_the_tuple_at_once_and_the_spout_replays_it(
        storm: RealStorm, submitted: dict[str, Records]) -> None:
    records = submitted[ERRORS]
    wait_until(records.all_acked, 240, "the spout was told every id was acked")
    fails = {int(line[2]): float(line[0]) for line in records.verbs("spout", "fail")}
    assert sorted(fails) == list(RAISING_IDS)
    assert len(records.verbs("spout", "fail")) == len(RAISING_IDS)
    emits = {}
    for line in records.verbs("spout", "emit"):
        emits.setdefault(int(line[2]), float(line[0]))
    for i in RAISING_IDS:
        # An explicit fail, not topology.message.timeout.secs (10 s) running out.
        assert fails[i] - emits[i] < 5, f"id {i} failed {fails[i] - emits[i]:.1f} s after emit"
    stats = wait_until(
        lambda: (s := storm.stats(ERRORS)) and s.get("ids") and s["ids"].acked == ERROR_IDS
        and s, 60, "Nimbus counts every id acked")
    assert stats["ids"].failed == len(RAISING_IDS)
    assert stats["flaky"].failed == len(RAISING_IDS)
    assert stats["flaky"].executed == ERROR_IDS + len(RAISING_IDS)


# -- a Python task that dies ------------------------------------------------------------------

def test_storm_restarts_a_task_that_died(storm: RealStorm,
                                         submitted: dict[str, Records]) -> None:
    records = submitted[RESTART]
    marker = records.directory / "died"
    died = wait_until(lambda: marker.exists() and marker.read_text().split(), 240,
                      "the bolt dies on its 15th tuple")
    died_at, dead_pid = float(died[0]), died[2]
    starts = wait_until(lambda: (s := records.verbs("bolt", "start")) and len(s) >= 2 and s,
                        180, "the bolt is started again")
    assert starts[0][2] == dead_pid
    restarted_at = float(starts[1][0])
    assert restarted_at > died_at
    print(f"\nthe bolt's task was running again {restarted_at - died_at:.1f} s after it died")
    # Storm's ShellBolt halts the whole worker when its subprocess dies; the supervisor
    # starts the worker again.
    assert "Halting process: ShellBolt died" in storm.worker_logs(RESTART)


def test_every_id_is_acked_after_the_dead_tasks_tuples_are_replayed(
        storm: RealStorm, submitted: dict[str, Records]) -> None:
    records = submitted[RESTART]
    spout_workers = worker_of(storm, RESTART, "ids")
    assert spout_workers.isdisjoint(worker_of(storm, RESTART, "flaky")), \
        "Storm placed the spout in the bolt's worker: the test needs them apart"
    wait_until(records.all_acked, 300, "the spout was told every id was acked")
    # The spout itself lived on: one start, and the ids lost with the dead worker failed
    # (timed out) and were emitted again.
    assert len(records.verbs("spout", "start")) == 1
    failed = {int(line[2]) for line in records.verbs("spout", "fail")}
    assert failed, "no id failed: nothing was replayed"
    emitted = [int(line[2]) for line in records.verbs("spout", "emit")]
    assert all(emitted.count(i) >= 2 for i in failed)


# -- petrel.on_error: exit ----------------------------------------------------------------------

def test_with_on_error_exit_storm_logs_the_error_and_restarts_the_whole_worker(
        storm: RealStorm, submitted: dict[str, Records]) -> None:
    records = submitted[EXIT]
    wait_until(lambda: len(records.verbs("bolt", "start")) >= 2, 240, "the bolt is restarted")
    wait_until(records.all_acked, 240, "the spout was told every id was acked")
    logs = storm.worker_logs(EXIT)
    # Storm's ShellBolt received petrel's 'error' command (its ReportError logged it) ...
    assert f"Shell Process Exception: ValueError: flaky bolt refuses id {EXIT_ON_ID} on " \
           "purpose" in logs
    assert "exiting because petrel.on_error is 'exit'" in logs
    # ... then the process exited, so Storm halted the worker and started it again: every
    # task in it restarted, the spout too (which began again at id 0). Whether the error
    # also reached Nimbus is a race: the worker halts ~0.1 s after the error command,
    # often before Storm's ZooKeeper write of the error completes (not asserted here).
    assert "Halting process: ShellBolt died" in logs
    assert "exitCode:1" in logs
    assert len(records.verbs("bolt", "start")) == 2
    assert len(records.verbs("spout", "start")) == 2
    raised = (records.directory / f"raised-{EXIT_ON_ID}").read_text().split()
    assert raised[2] == records.verbs("bolt", "start")[0][2]
    nimbus_has_it = any("flaky bolt refuses id" in t for t in storm.errors(EXIT).get("flaky", []))
    print(f"\nwith petrel.on_error: exit, Nimbus holds the user's error: {nimbus_has_it}")
