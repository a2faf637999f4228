"""``kill -9`` of the runner itself: no task process may outlive it, whatever it is doing.

One bolt blocks for ever in a C call (a read of a pipe nobody writes), one spins for ever
in a Python loop, a third is idle between tuples, and the spout keeps emitting. None of
them can notice anything from its pipes in time: the runner must take them with it.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from chaos_run import Component, Monitor, Submit, wait_for, write_topology

GONE_WITHIN = 5.0


def test_no_task_outlives_a_kill_9_of_the_runner(tmp_path: Path) -> None:
    records = tmp_path / "records"
    records.mkdir()
    config = write_topology(tmp_path / "topology", [
        Component("spout"),
        Component("block", "spout", conf={"chaos.fault": "block"}),
        Component("spin", "spout", conf={"chaos.fault": "spin"}),
        Component("sink", "spout", conf={"chaos.emits": False}),
    ], {"topology.name": "runnerdeath", "topology.max.spout.pending": 50,
        "topology.subprocess.timeout.secs": 120, "chaos.records": str(records),
        "chaos.spout.interval": 0.05})
    monitor = Monitor(records)
    monitor.start()
    submit = Submit(config, tmp_path)
    try:
        stuck = wait_for(lambda: submit.ended or (len(monitor.live()) == 4 and all(
            list(records.glob(f"once-{fault}-{fault}-*")) for fault in ("block", "spin"))), 60)
        assert stuck and not submit.ended, submit.out
        submit.kill()
        wait_for(lambda: not monitor.live(), GONE_WITHIN, every=0.1)
        monitor.stop()
        left = [f"{p.cid}[{p.task}] pid {p.pid}" for p in monitor.procs.values() if p.alive()]
        assert len(monitor.procs) == 4
        assert left == [], f"still running {GONE_WITHIN:g} s after the runner's kill -9"
    finally:
        if not submit.ended:
            submit.kill()
        for p in monitor.procs.values():
            if p.alive():  # never leave a spinning process behind, even when the test fails
                os.kill(p.pid, signal.SIGKILL)
        time.sleep(0.2)
