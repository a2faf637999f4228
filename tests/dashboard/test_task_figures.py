"""Per-task figures: counters, sampled process latency, CPU share, and the snapshot of them.

The runner's real router is driven with the word count's messages over stand-in tasks
(``router_floor``, from the benchmarks), so no processes run and nothing is timed.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import router_floor  # noqa: E402

from petrel.dashboard.cpu import TICKS, CpuMeter, cpu_seconds  # noqa: E402
from petrel.dashboard.snapshot import Snapshotter  # noqa: E402

COUNTERS = ("emitted", "transferred", "executed", "acked", "failed")


def wordcount(tmp_path: Path) -> Any:
    """(spout handler, bolt handler, spout, splits, counts) of the runner's router."""
    return router_floor.real_router(tmp_path)


def test_task_counters_add_up_to_their_components(tmp_path: Path) -> None:
    router = wordcount(tmp_path)
    router_floor.drive(router, 200)
    _spout_messages, _bolt_messages, spout, splits, counts = router
    stats = spout.cs, splits[0].cs, counts[0].cs
    for cs, tasks in zip(stats, ([spout], splits, counts)):
        for key in COUNTERS:
            assert sum(getattr(t, key) for t in tasks) == getattr(cs, key), (tasks[0].cid, key)
    # the work was shared: every bolt task got some, and executed is what it acked
    assert all(t.executed > 0 and t.executed == t.acked for t in splits + counts)
    assert spout.acked == 200 and spout.executed == 0


def test_process_latency_is_sampled_one_tuple_at_a_time(tmp_path: Path) -> None:
    spout_messages, bolt_messages, spout, splits, _counts = wordcount(tmp_path)
    emit = b'{"command":"emit","id":%d,"tuple":["a b"],"need_task_ids":false}'
    spout_messages(spout, [emit % 1, emit % 2, emit % 3, emit % 4], 0.0)
    split = splits[0]
    first = split.sample_tid
    assert first is not None and first in split.inputs and len(split.inputs) == 2
    later = [tid for tid in split.inputs if tid != first][0]
    # an ack of another tuple ends nothing; the sampled one's ack gives its latency
    bolt_messages(split, [b'{"command":"ack","id":"%s"}' % later], split.sample_at + 0.001)
    assert split.sample_tid == first and not split.latency
    bolt_messages(split, [b'{"command":"ack","id":"%s"}' % first], split.sample_at + 0.005)
    assert split.sample_tid is None and list(split.latency) == [pytest.approx(5.0)]
    # the next tuple delivered is the next sample
    spout_messages(spout, [emit % 5, emit % 6], 0.0)
    assert split.sample_tid is not None and split.sample_tid in split.inputs


def test_a_failed_or_dropped_sample_is_no_latency(tmp_path: Path) -> None:
    spout_messages, bolt_messages, spout, splits, _counts = wordcount(tmp_path)
    emit = b'{"command":"emit","id":%d,"tuple":["a b"],"need_task_ids":false}'
    spout_messages(spout, [emit % 1, emit % 2], 0.0)
    split = splits[0]
    sampled = split.sample_tid
    bolt_messages(split, [b'{"command":"fail","id":"%s"}' % sampled], split.sample_at + 1)
    assert split.sample_tid is None and not split.latency
    assert split.failed == 1 and split.executed == 1
    spout_messages(spout, [emit % 3, emit % 4], 0.0)
    assert split.sample_tid is not None and split.executed == 2
    # the process died: its inputs are dropped (still executed), the sample with them
    assert bolt_messages.__self__.fail_inputs(split, 2.0) == 1
    assert split.sample_tid is None and split.executed == 2 and split.dropped_inputs == 1


def write_stat(proc: Path, pid: int, utime: int, stime: int, comm: str = "python3") -> None:
    (proc / str(pid)).mkdir(parents=True, exist_ok=True)
    fields = ["S"] + ["0"] * 10 + [str(utime), str(stime)] + ["0"] * 30
    (proc / str(pid) / "stat").write_text(f"{pid} ({comm}) " + " ".join(fields) + "\n")


def test_cpu_share_from_proc_stat(tmp_path: Path) -> None:
    write_stat(tmp_path, 42, 100, 50, comm="a (weird) name")
    assert cpu_seconds(42, tmp_path) == pytest.approx(150 / TICKS)
    meter = CpuMeter(tmp_path)
    assert meter.share(42, 10.0) is None            # the first reading: no interval yet
    write_stat(tmp_path, 42, 100 + TICKS // 4, 50 + TICKS // 4)
    assert meter.share(42, 11.0) == pytest.approx(0.5, abs=0.02)
    assert meter.share(43, 11.0) is None            # no such process
    assert meter.share(None, 11.0) is None
    (tmp_path / "42" / "stat").write_text("garbage")
    assert meter.share(42, 12.0) is None
    meter.forget_others([])
    assert not meter._last


def test_the_snapshot_has_per_task_rates_busy_and_latency(tmp_path: Path) -> None:
    router = wordcount(tmp_path)
    _spout_messages, _bolt_messages, spout, splits, counts = router
    runner = router[1].__self__.runner
    proc = tmp_path / "proc"
    for task in runner.tasks.values():
        task.pid = 1000 + task.id
        write_stat(proc, task.pid, 0, 0)
    snaps = Snapshotter(CpuMeter(proc))
    first = snaps.build(runner)
    assert all(t["busy"] is None for t in first["tasks"])
    router_floor.drive(router, 100)
    for task in runner.tasks.values():
        write_stat(proc, task.pid, TICKS // 10 * (2 if task.cid == "count" else 1), 0)
    snap = snaps.build(runner)
    tasks = {t["task"]: t for t in snap["tasks"]}
    for t in splits + counts:
        assert tasks[t.id]["counts"]["executed"] == t.executed > 0
        assert tasks[t.id]["rates"]["executed"] > 0
        assert tasks[t.id]["busy"] is not None and tasks[t.id]["busy"] > 0
        assert tasks[t.id]["latency_ms"]["p50"] is not None
    assert tasks[spout.id]["latency_ms"] is None
    count_busy = max(tasks[t.id]["busy"] for t in counts)
    assert snap["busy"]["count"] == count_busy
    assert snap["stats"]["tasks"][str(spout.id)]["acked"] == 100
    assert set(snap["latency_ms"]) == {"spout", "split", "count"}
    # the run's end keeps the last busy shares measured (the processes are gone)
    ended = snaps.build(runner, ended=True)
    assert {t["task"]: t["busy"] for t in ended["tasks"]} == {
        t["task"]: t["busy"] for t in snap["tasks"]}
