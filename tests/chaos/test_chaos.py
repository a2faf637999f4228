"""One run of the local runner under faults, checked from the outside.

The topology: a reliable spout (``components/chaosspout.py``) emitting ids 0..IDS-1 to
bolts that crash, exit, hang, emit invalid values and spam stdout/stderr, the spam bolts
feeding a sink; ``chaosbolt.py`` describes each fault. The spout ``kill -9``s itself twice
(between commands), and the test ``kill -9``s a random bolt process every 1.5 to 3 s, KILLS
times. The run lasts until every id is acked (at most DEADLINE seconds), then ends with
Ctrl+C.

The tests below share that one run (about a minute) and check: every id acked exactly
once; each restart within 2 s of the death; no task process left after the runner; the
``--stats-json`` figures equal to the spout's own records; stray output harmless.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Any, Dict, List

import pytest
from chaos_run import (
    Component,
    Monitor,
    Proc,
    Submit,
    boottime,
    spout_records,
    wait_for,
    write_topology,
)

IDS = 1200
SEED = 19
KILLS = 8
DEADLINE = 150.0
RESTART_WITHIN = 2.0
BUDGETS = {"spout": 2, "crash": 2, "exit": 2, "hang": 1, "invalid": 2}


def chaos_topology() -> List[Component]:
    """The spout, one bolt per fault, and spam bolts feeding a sink."""
    def fault(name: str, offset: float, **extra: Any) -> Component:
        conf = {"chaos.fault": name, "chaos.budget": BUDGETS[name], "chaos.offset": offset}
        conf.update(extra)
        return Component(name, "spout", conf=conf)
    return [
        Component("spout", conf={"chaos.budget": BUDGETS["spout"], "chaos.offset": -0.03}),
        fault("crash", 0.0, **{"petrel.on_error": "exit"}),
        fault("exit", 0.03),
        fault("hang", 0.06),
        fault("invalid", 0.09),
        Component("spam", "spout", tasks=2, conf={"chaos.fault": "spam"}),
        Component("sink", "spam", fields=["id"], conf={"chaos.emits": False}),
    ]


class ChaosRun:
    """The outcome of the run every test here checks."""

    def __init__(self, submit: Submit, monitor: Monitor, records: Path, code: Any,
                 acked_in_time: bool, stopped_at: float) -> None:
        self.submit = submit
        self.stopped_at = stopped_at    # when the test pressed Ctrl+C
        self.monitor = monitor
        self.records = records
        self.code = code
        self.acked_in_time = acked_in_time
        self.procs: List[Proc] = sorted(monitor.procs.values(), key=lambda p: p.spawn)
        self.spout = spout_records(records)

    def context(self) -> str:
        """What to read when an assertion fails: the command's output and the kills."""
        kills = ", ".join(f"{p.cid}[{p.task}] pid {p.pid}" for p in self.monitor.kills)
        return f"kills: {kills}\n--- petrel submit output ---\n{self.submit.out[-3000:]}"


@pytest.fixture(scope="module")
def chaos(tmp_path_factory: pytest.TempPathFactory) -> ChaosRun:
    """Run the chaos topology once until every id is acked (DEADLINE at most)."""
    work = tmp_path_factory.mktemp("chaos")
    records = work / "records"
    records.mkdir()
    config = write_topology(work / "topology", chaos_topology(), {
        "topology.name": "chaos",
        "topology.max.spout.pending": 100,
        "topology.message.timeout.secs": 10,
        "topology.subprocess.timeout.secs": 4,
        "chaos.records": str(records),
        "chaos.ids": IDS,
        "chaos.spout.interval": 0.02,
    })
    monitor = Monitor(records, seed=SEED, kill_every=(1.5, 3.0), max_kills=KILLS,
                      killable=lambda p: p.cid != "spout")
    monitor.start()
    submit = Submit(config, work)

    def all_acked() -> bool:
        return submit.ended or len(set(spout_records(records).ids("ack"))) >= IDS

    deadline = time.monotonic() + DEADLINE
    stopped_at = float("inf")
    try:
        wait_for(lambda: submit.ended or len(monitor.live()) >= 8, 60)
        monitor.start_killing()
        wait_for(lambda: submit.ended or len(monitor.kills) >= KILLS,
                 deadline - time.monotonic())
        monitor.stop_killing()
        acked_in_time = wait_for(all_acked, deadline - time.monotonic()) \
            and not submit.ended
        # let the last restarts happen, so each task ends with one process running
        wait_for(lambda: submit.ended or len(monitor.live()) >= 8, 10)
        stopped_at = boottime()
        code = submit.interrupt()
    finally:
        if submit.proc.poll() is None:
            submit.kill()
        time.sleep(0.5)
        monitor.stop()
    return ChaosRun(submit, monitor, records, code, acked_in_time, stopped_at)


def test_every_id_is_acked_exactly_once(chaos: ChaosRun) -> None:
    acks = Counter(chaos.spout.ids("ack"))
    assert chaos.acked_in_time, chaos.context()
    assert sorted(acks) == list(range(IDS)), chaos.context()
    assert [i for i, n in acks.items() if n > 1] == [], "an id acked twice"
    assert chaos.spout.ids("stray-ack") == [] and chaos.spout.ids("stray-fail") == [], (
        "acks or fails reached a spout process that never emitted those ids")


def test_the_faults_and_kills_happened(chaos: ChaosRun) -> None:
    taken = sorted(p.name for p in chaos.records.glob("fault-*"))
    expected = sorted(f"fault-{cid}-{n}" for cid, b in BUDGETS.items() for n in range(b))
    assert taken == expected
    assert len(chaos.monitor.kills) == KILLS
    assert chaos.spout.processes == 1 + BUDGETS["spout"]


def test_restarts_follow_deaths_within_two_seconds(chaos: ChaosRun) -> None:
    by_task: Dict[int, List[Proc]] = {}
    for p in chaos.procs:
        by_task.setdefault(p.task, []).append(p)
    slow = []
    restarts = 0
    for task, procs in sorted(by_task.items()):
        for before, after in zip(procs, procs[1:]):
            restarts += 1
            assert before.death is not None
            delay = after.spawn - before.death
            if delay > RESTART_WITHIN:
                slow.append(f"{before.cid}[{task}]: pid {before.pid} died, pid {after.pid} "
                            f"started {delay:.2f} s later")
        last = procs[-1]
        if last.death is not None and last.death < chaos.stopped_at:
            slow.append(f"{last.cid}[{task}]: pid {last.pid} died and was not started again "
                        f"before the end of the run")
    assert restarts >= 10
    assert slow == [], "\n".join(slow) + "\n" + chaos.context()


def test_no_task_process_outlives_the_runner(chaos: ChaosRun) -> None:
    assert chaos.code is not None, "the runner did not stop within 90 s of Ctrl+C"
    left = [f"{p.cid}[{p.task}] pid {p.pid}" for p in chaos.procs if p.alive()]
    assert left == []
    assert all(p.death is not None and p.death <= boottime() for p in chaos.procs)


def test_the_run_ends_cleanly(chaos: ChaosRun) -> None:
    stats = chaos.submit.stats()
    assert chaos.code == 0, chaos.context()
    assert stats["stop_reason"] == "SIGINT received"
    assert stats["pending_at_stop"] == 0


def test_statistics_equal_the_spouts_records(chaos: ChaosRun) -> None:
    stats = chaos.submit.stats()
    spout = chaos.spout
    emits, acks, fails = spout.ids("emit"), spout.ids("ack"), spout.ids("fail")
    comps = stats["components"]
    assert stats["spout_acked"] == len(acks), chaos.context()
    assert comps["spout"]["acked"] == len(acks)
    assert comps["spout"]["emitted"] == len(emits)
    # a fail counts when a live spout process received it, as Storm's spout executor counts
    assert stats["spout_failed"] == len(fails), chaos.context()
    assert comps["spout"]["failed"] == len(fails)
    # every other tree ended with the spout process that emitted it
    dropped = len(emits) - len(acks) - len(fails) - stats["pending_at_stop"]
    if "spout_dropped" in stats:
        assert stats["spout_dropped"] == dropped
    processes = Counter(p.cid for p in chaos.procs)
    for cid, comp in comps.items():
        if cid == "__acker":
            continue
        assert comp["restarts"] == processes[cid] - comp["tasks"], cid
    assert stats["restarts"] == sum(c["restarts"] for c in comps.values())


def test_stray_output_never_reaches_the_protocol_channel(chaos: ChaosRun) -> None:
    spam_kills = sum(1 for p in chaos.monitor.kills if p.cid == "spam")
    spam = chaos.submit.stats()["components"]["spam"]
    assert spam["errors"] == spam_kills, "a spam task failed other than by the test's kill -9"
    assert spam["restarts"] == spam_kills
    logs = list(chaos.submit.logdir.glob("petrel*_chaosbolt.log"))
    assert any("stray fd1" in p.read_text(errors="replace") for p in logs)
