"""Large messages through the local runner: reading them takes linear time, and a task still
sending one is alive.

A spout emits one tuple of many megabytes to a bolt over real pipes. Its own write time into
a pipe that a plain reader drains is the reference: the runner must take the tuple in within
twice that. A spout that writes its tuple slowly, over several heartbeat timeouts, must not
be declared silent while its bytes keep arriving.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, Tuple

from local_helpers import COMPONENTS, Run, shell, topology

from petrel.local.runner import LocalRunner, RunOptions
from petrel.local.task import Task
from petrel.semantics.layout import assign_tasks
from petrel.topology.model import GroupingDef

# The spout emits one tuple of ``test.big.size`` bytes on its first ``next``, written in
# ``test.big.pieces`` parts ``test.big.pause`` seconds apart; it records the monotonic times
# before and after writing, and when the ack arrives.
BIG_SPOUT = '''
import sys
import time

from rawproto import handshake, read_message, send

conf, context = handshake()
size = conf["test.big.size"]
pieces = conf.get("test.big.pieces", 1)
pause = conf.get("test.big.pause", 0)
record = conf["test.big.record"]
out = sys.stdout.buffer
sent = False
while True:
    msg = read_message()
    if msg is None:
        break
    if msg["command"] == "next" and not sent:
        sent = True
        start = time.monotonic()
        data = (b'{"command":"emit","id":1,"tuple":["' + b"x" * size
                + b'"],"need_task_ids":false}\\nend\\n')
        step = -(-len(data) // pieces)
        for i in range(0, len(data), step):
            out.write(data[i:i + step])
            out.flush()
            if pause:
                time.sleep(pause)
        with open(record + ".write", "w") as f:
            f.write(f"{start} {time.monotonic()}")
    elif msg["command"] == "ack":
        with open(record + ".ack", "w") as f:
            f.write(f"{time.monotonic()}")
    send({"command": "sync"})
'''

# A bolt that records when the big tuple's first and last bytes arrived, then acks it. Its
# own reading is linear (chunks joined once), unlike line-by-line reading.
BIG_SINK = r'''
import json
import os
import time

from rawproto import handshake, send

conf, context = handshake()
record = conf["test.big.record"]
pending = []
first = None
while True:
    chunk = os.read(0, 1 << 20)
    if not chunk:
        break
    if first is None:
        first = time.monotonic()
    pending.append(chunk)
    if b"\nend\n" not in (pending[-2][-4:] if len(pending) > 1 else b"") + chunk:
        continue
    data = b"".join(pending)
    raws = data.split(b"\nend\n")
    pending = [raws.pop()]
    for raw in raws:
        msg = json.loads(raw)
        if msg["stream"] == "__heartbeat":
            send({"command": "sync"})
            continue
        with open(record + ".sink", "w") as f:
            f.write(f"{first} {time.monotonic()}")
        send({"command": "ack", "id": msg["id"]})
    first = None
'''


# The reference reader: keeps every chunk, as any reader of a whole message must, and
# joins them at the end.
DRAIN = '''
import os
chunks = []
while True:
    chunk = os.read(0, 1 << 20)
    if not chunk:
        break
    chunks.append(chunk)
data = b"".join(chunks)
'''


def _resources(tmp_path: Path) -> Path:
    res = tmp_path / "resources"
    shutil.copytree(COMPONENTS, res)
    (res / "big_spout.py").write_text(BIG_SPOUT)
    (res / "big_sink.py").write_text(BIG_SINK)
    return res


def _times(path: Path) -> Tuple[float, ...]:
    return tuple(float(x) for x in path.read_text().split())


def write_alone(res: Path, size: int, record: Path) -> float:
    """Seconds the spout needs to write its tuple into a pipe that a plain reader drains."""
    setup = (b'{"conf":{"test.big.size":%d,"test.big.record":"%s"},"pidDir":"%s","context":{}}'
             b"\nend\n" % (size, str(record).encode(), str(res).encode()))
    drain = subprocess.Popen([sys.executable, "-c", DRAIN], stdin=subprocess.PIPE)
    spout = subprocess.Popen([sys.executable, "big_spout.py"], cwd=res,
                             stdin=subprocess.PIPE, stdout=drain.stdin)
    assert spout.stdin is not None and drain.stdin is not None
    drain.stdin.close()
    spout.stdin.write(setup + b'{"command":"next"}\nend\n')
    spout.stdin.close()
    assert spout.wait(60) == 0 and drain.wait(60) == 0
    start, end = _times(record.with_name(record.name + ".write"))
    return end - start


class Runner(LocalRunner):
    """Notes when the first tuple was routed; stops then (``stop_when_routed``) or once a
    tuple tree completed."""

    routed_at = 0.0
    routed_bytes = 0
    stop_when_routed = False

    def _on_stdout(self, task: Task, data: bytes) -> None:
        super()._on_stdout(task, data)
        if not self.routed_at and task.cs.emitted:
            self.routed_at = time.monotonic()
            self.routed_bytes = sum(len(b.proc.tuples[-1]) for b in self.bolts if b.proc.tuples)
            if self.stop_when_routed:
                self.request_stop("tuple routed", drain=False)

    def _timers(self, now: float) -> None:
        super()._timers(now)
        if self.stats.spout_acked and self.phase == "running":
            self.request_stop("one tuple tree acked")


def big_tuple_run(tmp_path: Path, size: int, conf: Dict[str, object],
                  stop_when_routed: bool = False) -> Run:
    """Run spout -> sink bolt where the spout emits one tuple of ``size`` bytes."""
    topo = topology(
        shell("spout", "spout", "big_spout.py", {"default": ["blob"]}),
        shell("sink", "bolt", "big_sink.py", {"default": ["blob"]},
              inputs={("spout", "default"): GroupingDef("shuffle")}),
        conf={"test.big.size": size, "test.big.record": str(tmp_path / "big"),
              "topology.max.spout.pending": 1, **conf})
    logdir = tmp_path / "logs"
    logdir.mkdir()
    out, err = io.StringIO(), io.StringIO()
    opts = RunOptions(resources=tmp_path / "resources", logdir=logdir,
                      piddir=tmp_path / "pids", env={"PATH": "/usr/bin:/bin"},
                      duration=30.0, out=out, err=err, start_timeout=20.0)
    runner = Runner(topo, assign_tasks(topo, topo.conf), topo.conf, "big", "big-1-1", opts)
    runner.stop_when_routed = stop_when_routed
    code = runner.run()
    return Run(code, runner, out.getvalue(), err.getvalue(), logdir)


def test_a_100_mb_tuple_crosses_the_runner_within_twice_the_time_to_write_it(tmp_path):
    size = 100_000_000
    res = _resources(tmp_path)
    alone = write_alone(res, size, tmp_path / "alone")
    run = big_tuple_run(tmp_path, size, {}, stop_when_routed=True)
    start, end = _times(tmp_path / "big.write")
    runner = run.runner
    print(f"100 MB: written alone in {alone:.2f} s, into the runner in {end - start:.2f} s, "
          f"routed {runner.routed_at - start:.2f} s after the write began")
    assert runner.routed_at, run.out + run.err
    assert runner.routed_bytes > size  # queued for the bolt, whole
    assert not runner.stats.spout_failed and "failed:" not in run.out + run.err
    assert end - start <= 2 * alone + 0.3


def test_a_task_still_writing_a_message_is_not_silent(tmp_path):
    # 2 MB written in 20 parts over about 3 s, with a 1.5 s heartbeat timeout: only the
    # bytes arriving show that the spout is alive.
    _resources(tmp_path)
    run = big_tuple_run(tmp_path, 2_000_000, {"topology.subprocess.timeout.secs": 1.5,
                                              "test.big.pieces": 20, "test.big.pause": 0.15})
    assert "heartbeat timeout" not in run.out + run.err
    assert run.stats.spout_acked == 1, run.out + run.err
    start, end = _times(tmp_path / "big.write")
    assert end - start > 2.5
