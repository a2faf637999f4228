"""A spout task killed with SIGKILL: the statistics count what its processes received."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

from local_helpers import acked_ids, run_topology, wordcount

COUNT = 600


def _kill_spout_after(tmp_path: Path, acks: int, spout_task: int, done: threading.Event) -> None:
    """SIGKILL the spout's first process once its record shows ``acks`` acks."""
    record = tmp_path / f"rec.{spout_task}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not done.is_set():
        lines = record.read_text().splitlines() if record.exists() else []
        if sum(1 for x in lines if x.startswith("ack ")) >= acks:
            for pid_file in (tmp_path / "pids" / str(spout_task)).iterdir():
                os.kill(int(pid_file.name), signal.SIGKILL)
            return
        time.sleep(0.02)


def test_stats_equal_the_spouts_records_after_a_kill_9(tmp_path: Path) -> None:
    # task 4 is the spout; it sleeps after each emit, so acks wait in its pipe when it is killed
    conf = {"test.count": COUNT, "test.record": str(tmp_path / "rec"),
            "test.spout.sleep": 0.002}
    done = threading.Event()
    killer = threading.Thread(target=_kill_spout_after, args=(tmp_path, 150, 4, done))
    killer.start()
    try:
        run = run_topology(wordcount(1, 1), tmp_path, conf, duration=6.0)
    finally:
        done.set()
        killer.join()
    assert "exit code: -9" in run.err and run.stats.restarts == 1
    acks, fails = acked_ids(tmp_path / "rec")
    # the restarted spout emits every id again: all are acked in the end, none is lost
    assert sorted(acks) == list(range(COUNT)), "some ids were never acked"
    assert run.stats.spout_acked == sum(acks.values())
    assert run.stats.spout_failed == sum(fails.values())
    assert run.stats.components["spout"].acked == run.stats.spout_acked
    assert run.stats.spout_dropped >= 1       # the trees pending when the process died
    assert run.stats.spout_lost == 0 and run.code == 0, run.err


def test_an_acked_tree_whose_spout_died_before_confirming_is_not_lost(tmp_path: Path) -> None:
    """The spout records an ack, then dies before its sync: the runner cannot know it got the
    ack, but the tree was fully processed, so it is dropped from the counts, not lost."""
    conf = {"test.count": 200, "test.record": str(tmp_path / "rec"),
            "test.spout.die_after_acks": 50, "test.spout.skip_acked": True}
    run = run_topology(wordcount(1, 1), tmp_path, conf, duration=5.0)
    assert "exit code: -9" in run.err and run.stats.restarts == 1
    acks, _ = acked_ids(tmp_path / "rec")
    assert sorted(acks) == list(range(200)), "some ids were never acked"
    assert run.stats.spout_dropped >= 1       # at least the ack the spout died with
    assert run.stats.spout_lost == 0 and run.code == 0, run.err
