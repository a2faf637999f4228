"""A component that can never start stops the run; unfinished trees make the exit status 1."""

from __future__ import annotations

from pathlib import Path

import pytest
from fault_topology import run_submit, write_topology
from local_helpers import run_topology, wordcount

from petrel.errors import PetrelError


def test_a_bolt_failing_in_initialize_at_every_start_stops_the_run(tmp_path: Path) -> None:
    config = write_topology(tmp_path / "topo", ["badinit"])
    proc = run_submit(config, "--duration", "60", "--logdir", str(tmp_path / "logs"))
    assert proc.returncode == 1, proc.stderr
    err = proc.stderr
    assert "bolt 'badinit' task" in err and "cannot connect to the database" in err
    assert err.count("restarting in") == 4        # the default: 5 failed starts in a row
    assert "it failed 5 times in a row before answering its first command " \
           "(petrel.max.start.failures: 5); stopping the run" in err
    assert "keeps failing at start" in proc.stdout


def test_max_start_failures_is_read_from_the_topology_conf(tmp_path: Path) -> None:
    topo = wordcount(1, 1)
    topo.components["count"].script = "fails_in_prepare.py"
    run = run_topology(topo, tmp_path, {"petrel.max.start.failures": 2}, duration=30)
    assert run.code == 1
    assert run.err.count("restarting in 0.5 s") == 1 and run.stats.restarts == 1
    assert "it failed 2 times in a row" in run.err
    assert "cannot connect to the database" in run.err


def test_a_task_that_got_to_work_comes_back_at_once_every_time(tmp_path: Path) -> None:
    # killed after its first tuple three times: three restarts, each after the shortest delay
    run = run_topology(wordcount(1, 1, split_mode="suicide_thrice"), tmp_path,
                       {"test.count": 50, "test.record": str(tmp_path / "rec"),
                        "test.marker": str(tmp_path / "marker"),
                        "petrel.max.start.failures": 2}, duration=6)
    assert run.stats.restarts == 3, run.err
    assert run.err.count("restarting in 0.5 s") == 3


def test_an_unanchored_spout_with_a_working_bolt_exits_0(tmp_path: Path) -> None:
    # the book's spouts emit without message ids: no tree, nothing pending, nothing lost
    config = write_topology(tmp_path / "topo", ["ok"])
    proc = run_submit(config, "--duration", "2", "--logdir", str(tmp_path / "logs"))
    assert proc.returncode == 0, proc.stderr
    assert "lost" not in proc.stderr and "pending" not in proc.stderr


def test_trees_pending_at_the_end_are_shown_and_exit_1(tmp_path: Path) -> None:
    # a reliable spout whose bolt hangs: its trees are still pending when the drain ends
    config = write_topology(tmp_path / "topo", ["sleep"],
                            {"test.reliable": "true", "topology.message.timeout.secs": 1})
    proc = run_submit(config, "--duration", "1.5", "--logdir", str(tmp_path / "logs"))
    assert proc.returncode == 1, proc.stderr
    assert "tuple tree(s) still pending at the end" in proc.stderr \
        or "tuple tree(s) lost" in proc.stderr


def test_a_wrong_max_start_failures_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(PetrelError, match="petrel.max.start.failures must be a whole number "
                                          ">= 0, got 'many'"):
        run_topology(wordcount(1, 1), tmp_path, {"petrel.max.start.failures": "many"})
