"""Watching a local run: the status line, slow steps that say what they wait for, tuple debug."""

from __future__ import annotations

import io
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import List

from local_helpers import COMPONENTS, run_topology, shell, wordcount

from petrel.local.debug_tuples import TupleDebug
from petrel.local.task import Task

REPO = Path(__file__).parents[2]

# The book's word count: the spout emits without a message id, so no tuple tree is tracked.
SPOUT = '''
from petrel import storm
from petrel.emitter import Spout


class SentenceSpout(Spout):
    def __init__(self):
        super().__init__(script=__file__)
        self.n = 0

    @classmethod
    def declareOutputFields(cls):
        return ["sentence"]

    def nextTuple(self):
        self.n += 1
        storm.emit(["the cow jumped over the moon %d" % (self.n % 3)])


def run():
    SentenceSpout().run()
'''

SPLIT = '''
from petrel import storm
from petrel.emitter import BasicBolt


class SplitBolt(BasicBolt):
    def __init__(self):
        super().__init__(script=__file__)

    @classmethod
    def declareOutputFields(cls):
        return ["word"]

    def process(self, tup):
        for word in tup.values[0].split(" "):
            storm.emit([word])


def run():
    SplitBolt().run()
'''

CREATE = '''
from bookspout import SentenceSpout
from booksplit import SplitBolt


def create(builder):
    builder.setSpout("spout", SentenceSpout(), 1)
    builder.setBolt("split", SplitBolt(), 1).shuffleGrouping("spout")
'''


def book_topology(root: Path, yaml: str = "") -> Path:
    """The book's unanchored word count (spout and split) in ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "bookspout.py").write_text(SPOUT)
    (root / "booksplit.py").write_text(SPLIT)
    (root / "create.py").write_text(CREATE)
    (root / "topology.yaml").write_text("topology.name: book\n" + yaml)
    return root / "topology.yaml"


def submit(config: Path, *args: str) -> subprocess.Popen:
    """``petrel submit`` of ``config`` as a user runs it, output captured."""
    return subprocess.Popen(
        [sys.executable, "-m", "petrel.cli", "submit", "--config", str(config), *args],
        cwd=config.parent, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={"PATH": "/usr/bin:/bin:" + str(Path(sys.executable).parent),
             "PYTHONPATH": str(REPO)})


def test_the_status_line_shows_the_flow_of_unanchored_tuples(tmp_path):
    config = book_topology(tmp_path / "book")
    proc = submit(config, "--duration", "8", "--logdir", str(tmp_path / "logs"))
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    # the first status line after 2 s (the start may still be going on), then every 5 s
    stamps = [float(m) for m in re.findall(r"^petrel: \[\s*([\d.]+)s\]", out, re.M)]
    assert len(stamps) >= 2 and 2 <= stamps[0] < 3.5 and stamps[1] - stamps[0] >= 4.5, out
    line = [ln for ln in out.splitlines() if "tuples/s:" in ln][-1]
    rates = re.search(r"tuples/s: ([\d,]+) emitted, ([\d,]+) executed, ([\d,]+) acked; "
                      r"trees acked 0, failed 0, pending 0; restarts 0", line)
    assert rates, line
    emitted, executed, acked = (int(g.replace(",", "")) for g in rates.groups())
    assert emitted > 100 and executed > 10 and acked > 10, line
    assert "Emitting:" not in out   # no tuple debug unless asked for


def test_debug_tuples_prints_emits_rate_limited(tmp_path):
    config = book_topology(tmp_path / "book")
    proc = submit(config, "--duration", "2", "--debug-tuples", "--logdir", str(tmp_path / "l"))
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    spout = [ln for ln in out.splitlines() if ln.startswith("petrel: Emitting: spout[")]
    split = [ln for ln in out.splitlines() if ln.startswith("petrel: Emitting: split[")]
    assert spout and split, out
    assert re.fullmatch(r'petrel: Emitting: spout\[\d+\] stream=default '
                        r'values=\["the cow jumped over the moon \d"\]', spout[0])
    assert re.fullmatch(r'petrel: Emitting: split\[\d+\] stream=default values=\["\w+"\]',
                        split[0])
    # thousands of emits, a few lines: the rest is summed up per component and second
    assert len(spout) <= 10 * 4, len(spout)
    assert re.search(r"petrel: Emitting: spout \.\.\. [\d,]+ more in that second", out), out


def test_topology_debug_in_the_config_prints_emits(tmp_path):
    config = book_topology(tmp_path / "book", "topology.debug: true\n")
    proc = submit(config, "--duration", "3", "--logdir", str(tmp_path / "logs"))
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "petrel: Emitting: spout[" in out and "petrel: Emitting: split[" in out


def test_ctrl_c_says_it_drains_and_how_to_stop_at_once(tmp_path):
    # a sink that never acks keeps every tree pending until the message timeout
    res = tmp_path / "resources"
    shutil.copytree(COMPONENTS, res)
    proc = subprocess.Popen(
        [sys.executable, "-c", DRAIN_RUN, str(tmp_path)], stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, env={"PYTHONPATH": f"{REPO}:{REPO}/tests/local",
                                                  "PATH": "/usr/bin:/bin"})
    try:
        lines = _read_until(proc, "tuples/s:")
    except BaseException:
        proc.kill()
        raise
    signalled = time.monotonic()
    proc.send_signal(signal.SIGINT)
    lines += _read_until(proc, "draining:")
    # at once, not at the next progress line (every 5 s here)
    assert time.monotonic() - signalled < 2.5, lines
    assert re.search(r"draining: [\d,]+ tuple\(s\) pending \(at most \d+ s more\); "
                     r"Ctrl\+C again to stop now", lines[-1]), lines
    started = time.monotonic()
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=30)
    assert time.monotonic() - started < 10


DRAIN_RUN = '''
import shutil, sys
from pathlib import Path
from local_helpers import COMPONENTS, wordcount
from petrel.local.runner import LocalRunner, RunOptions
from petrel.semantics.layout import assign_tasks
tmp = Path(sys.argv[1])
topo = wordcount(1, 1, count_mode="noack")
conf = dict(topo.conf, **{"test.count": 10**6, "topology.message.timeout.secs": 60})
(tmp / "logs").mkdir()
opts = RunOptions(resources=tmp / "resources", logdir=tmp / "logs", piddir=tmp / "pids",
                  env={"PATH": "/usr/bin:/bin"}, progress_secs=5.0, duration=40.0)
sys.exit(LocalRunner(topo, assign_tasks(topo, conf), conf, "t", "t-1-1", opts).run())
'''


def _read_until(proc: subprocess.Popen, text: str) -> List[str]:
    lines = []
    deadline = time.monotonic() + 30
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line.rstrip("\n"))
        if text in line:
            return lines
    raise AssertionError(f"no {text!r} in {lines}")


def test_a_slow_start_says_which_tasks_it_waits_for(tmp_path):
    res = tmp_path / "resources"
    shutil.copytree(COMPONENTS, res)
    (res / "slow_start.py").write_text("import time\ntime.sleep(2.5)\n"
                                       "exec(open('raw_bolt.py').read())\n")
    topo = wordcount(1, 1, count_mode="sink")
    topo.components["count"] = replace(topo.components["count"], script="slow_start.py")
    run = run_topology(topo, tmp_path, {"test.count": 5}, duration=4.0, resources=res)
    assert run.code == 0, run.err
    waiting = [ln for ln in run.out.splitlines() if "waiting for" in ln]
    assert waiting and re.search(r"waiting for 1 task\(s\) to start: count\[\d+\]$",
                                 waiting[0]), run.out


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_tuple_debug_shows_at_most_n_lines_per_component_and_second():
    out, clock = io.StringIO(), _Clock()
    debug = TupleDebug(out, per_second=2, clock=clock)
    spout = Task(3, shell("spout", "spout", "s.py", {"default": ["w"]}), None)  # type: ignore
    for i in range(5):
        debug.emitted(spout, "default", [f"w{i}"])
    clock.now += 1.0
    debug.emitted(spout, "default", ["late"])
    debug.flush()
    assert out.getvalue().splitlines() == [
        'petrel: Emitting: spout[3] stream=default values=["w0"]',
        'petrel: Emitting: spout[3] stream=default values=["w1"]',
        "petrel: Emitting: spout ... 3 more in that second (at most 2 shown per component "
        "and second)",
        'petrel: Emitting: spout[3] stream=default values=["late"]',
    ]

