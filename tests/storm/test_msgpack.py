"""``petrel.serializer: msgpack`` on a real Apache Storm: the same topology, the same results.

tests/storm/topologies/multilang_all (reliable emits with task-id lists, an explicit fail
and an error, fields and direct groupings, values of every multilang type, tick tuples,
logs, heartbeats, deactivate and activate) is submitted twice at once to the session's
cluster: with Storm's JSON serializer and with petrel's MessagePack one. Each run must
be right on its own, and the two must agree task by task.
"""

from __future__ import annotations

import time
from typing import Callable, Iterator

import pytest
from multilang_checks import (
    MSGPACK,
    PETREL_SERIALIZER,
    Records,
    check_results,
    serializer_at_nimbus,
    submit_copy,
    wait_done,
)
from storm_helpers import RealStorm, petrel, wait_until

JSON_RUN = "multilang-json"
MSGPACK_RUN = "multilang-msgpack"
SUBPROCESS_TIMEOUT_SECS = 10   # topology.subprocess.timeout.secs in the topology's config


@pytest.fixture(scope="module")
def runs(storm: RealStorm, tmp_path_factory: pytest.TempPathFactory
         ) -> Iterator[dict[str, Records]]:
    """Both copies, submitted together; each waited for until it processed every line."""
    dest = tmp_path_factory.mktemp("multilang")
    submitted = {}
    try:
        for name, settings in ((JSON_RUN, {"petrel.serializer": "json"}), (MSGPACK_RUN, MSGPACK)):
            submitted[name] = submit_copy(storm, dest, name, settings)
        for run in submitted.values():
            wait_done(storm, run)
        yield submitted
    finally:
        for name in submitted:
            storm.kill(name)


def test_the_msgpack_run_uses_petrels_serializer_and_the_json_run_storms(
        storm: RealStorm, runs: dict[str, Records]) -> None:
    assert serializer_at_nimbus(storm, MSGPACK_RUN) == PETREL_SERIALIZER
    assert serializer_at_nimbus(storm, JSON_RUN) in (None, "org.apache.storm.multilang."
                                                     "JsonSerializer")


@pytest.mark.parametrize("name", [JSON_RUN, MSGPACK_RUN])
def test_every_feature_works(storm: RealStorm, runs: dict[str, Records], name: str) -> None:
    check_results(storm, runs[name])


def test_both_serializers_give_the_same_results_task_by_task(runs: dict[str, Records]) -> None:
    json_run, msgpack_run = runs[JSON_RUN], runs[MSGPACK_RUN]
    # Storm numbers tasks by component id and hashes the word for the fields grouping, so
    # each word reaches the same count task id in both runs.
    assert msgpack_run.counts_by_task() == json_run.counts_by_task()
    assert msgpack_run.word_tasks() == json_run.word_tasks()
    assert msgpack_run.sink_arrivals() == json_run.sink_arrivals()
    assert msgpack_run.starts() == json_run.starts() == {"lines": 1, "split": 2, "count": 2,
                                                         "sink": 2}


def spout_saw(run: Records, what: str, times: int) -> Callable[[], bool]:
    """A check: the spout of ``run`` recorded ``what`` at least ``times`` times."""
    return lambda: len(run.spout(what)) >= times


def test_heartbeats_are_answered_and_deactivate_and_activate_reach_the_spout(
        storm: RealStorm, runs: dict[str, Records]) -> None:
    for name in runs:
        proc = petrel("deactivate", name, "--nimbus", storm.nimbus)
        assert proc.returncode == 0, proc.stderr
    for name, run in runs.items():
        wait_until(spout_saw(run, "deactivate", 1), 60, f"{name}: the spout is deactivated")
        proc = petrel("activate", name, "--nimbus", storm.nimbus)
        assert proc.returncode == 0, proc.stderr
    for name, run in runs.items():
        # one activate when the topology started, one now
        wait_until(spout_saw(run, "activate", 2), 60,
                   f"{name}: the spout is activated again")
    # Idle bolts only hear Storm's heartbeats (and ticks): a task that did not answer them
    # within the subprocess timeout would have been killed and restarted by now.
    last_ack = max(r["time"] for run in runs.values() for r in run.spout("ack"))
    time.sleep(max(0.0, last_ack + SUBPROCESS_TIMEOUT_SECS + 3 - time.time()))
    for name, run in runs.items():
        assert run.starts() == {"lines": 1, "split": 2, "count": 2, "sink": 2}, name
        assert "Halting process" not in storm.worker_logs(name), name
