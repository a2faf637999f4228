"""Benchmark of the local runner: word count end to end against the spout's own bound.

Word count with one spout task emitting sentences from memory with message ids, split x2,
count x2, acking on, max spout pending 1000. Reported: acked sentences/s, words/s, complete
latency p50/p99, the runner's share of CPU, the time from the command to the first ack,
and the same spout's ``next``/``sync`` rate measured standalone in the same run (the bound one
spout task can reach). Next to the runner's CPU share: its routing cost per sentence against a
minimal Python router fed the same messages (``router_floor``), and the share the runner
would have with routing that cheap, and with routing free (its event loop alone).
Targets: >= 70% of that bound, p99 < 100 ms, runner < 25% of CPU, first ack < 1.5 s.
Each round also runs the same topology with ``petrel.serializer: msgpack`` right after the
JSON one: its end-to-end rate and the runner's CPU share are shown next to JSON's, and the
runner's CPU per acked sentence (its own and its tasks'); after the rounds, the runner's
reading and routing cost per sentence in each format, paired round by round, next to each
format's minimal reader and router (``format_floor.measure_formats``).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import format_floor  # noqa: E402
import router_floor  # noqa: E402

SPOUT = '''
from petrel import storm
from petrel.emitter import Spout

SENTENCES = ["the cow jumped over the moon", "an apple a day keeps the doctor away",
             "four score and seven years ago", "snow white and the seven dwarfs"]


class SentenceSpout(Spout):
    def __init__(self):
        super().__init__(script=__file__)
        self.n = 0

    @classmethod
    def declareOutputFields(cls):
        return ["sentence"]

    def nextTuple(self):
        self.n += 1
        storm.emit([SENTENCES[self.n % 4]], id=self.n)


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

COUNT = '''
from petrel.emitter import BasicBolt


class CountBolt(BasicBolt):
    def __init__(self):
        super().__init__(script=__file__)
        self.counts = {}

    @classmethod
    def declareOutputFields(cls):
        return ["word", "count"]

    def process(self, tup):
        word = tup.values[0]
        self.counts[word] = self.counts.get(word, 0) + 1


def run():
    CountBolt().run()
'''

CREATE = '''
from benchspout import SentenceSpout
from benchsplit import SplitBolt
from benchcount import CountBolt


def create(builder):
    builder.setSpout("spout", SentenceSpout(), 1)
    builder.setBolt("split", SplitBolt(), 2).shuffleGrouping("spout")
    builder.setBolt("count", CountBolt(), 2).fieldsGrouping("split", ["word"])
'''

WORDS_PER_SENTENCE = (6 + 8 + 6 + 5) / 4


def write_topology(root: Path, serializer: str = "json") -> Path:
    """The benchmark topology directory (its multilang serializer: json or msgpack)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "benchspout.py").write_text(SPOUT)
    (root / "benchsplit.py").write_text(SPLIT)
    (root / "benchcount.py").write_text(COUNT)
    (root / "create.py").write_text(CREATE)
    (root / "topology.yaml").write_text("topology.name: benchwc\n"
                                        "topology.max.spout.pending: 1000\n"
                                        "topology.message.timeout.secs: 30\n"
                                        f"petrel.serializer: {serializer}\n")
    if serializer == "msgpack":   # as a MessagePack topology ships it (the build checks)
        (root / "requirements.txt").write_text("msgpack\n")
        (root / "manifest.txt").write_text("requirements.txt\n")
    return root / "topology.yaml"


def _read_message(stream) -> bytes:
    lines = []
    while True:
        line = stream.readline()
        if not line:
            raise RuntimeError("the spout closed its stdout")
        if line == b"end\n":
            return b"".join(lines)
        lines.append(line)


def spout_bound(config: Path, seconds: float = 3.0) -> float:
    """``next``/``sync`` round trips per second of the spout alone, started as Storm would."""
    from petrel.local.command import extract_resources
    from petrel.package.command import build_topology_jar
    from petrel.topology.model import launcher_script

    with tempfile.TemporaryDirectory() as tmp:
        built = build_topology_jar(str(config), "create.create", destjar=Path(tmp) / "b.jar")
        res = Path(tmp) / "stormdist" / "bench-1-1" / "resources"
        extract_resources(built.jar, res)
        env = dict(os.environ, PETREL_PYTHON=sys.executable, PETREL_LOGDIR=tmp)
        proc = subprocess.Popen(["python3", launcher_script("benchspout")], cwd=res, env=env,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
        ctx = {"task->component": {"1": "spout", "2": "split"}, "taskid": 1,
               "componentid": "spout", "streams": ["default"],
               "stream->outputfields": {"default": ["sentence"]},
               "stream->target->grouping": {"default": {"split": {"type": "SHUFFLE"}}},
               "source->stream->grouping": {}, "source->stream->fields": {}}
        setup = {"conf": {"storm.cluster.mode": "local"}, "pidDir": tmp, "context": ctx}
        proc.stdin.write(json.dumps(setup).encode() + b"\nend\n")
        _read_message(proc.stdout)  # pid
        proc.stdin.write(b'{"command":"activate","id":""}\nend\n')
        while b"sync" not in _read_message(proc.stdout):
            pass
        n = 0
        start = time.perf_counter()
        end = start + seconds
        while True:
            proc.stdin.write(b'{"command":"next","id":""}\nend\n')
            while b'"sync"' not in _read_message(proc.stdout):
                pass
            n += 1
            if n % 256 == 0 and time.perf_counter() >= end:
                break
        rate = n / (time.perf_counter() - start)
        proc.stdin.close()
        proc.wait(5)
        return rate


def run_topology(config: Path, seconds: float = 8.0) -> dict:
    """Run the topology with ``petrel submit``'s local path; returns the stats JSON."""
    from petrel.local.command import run_local
    from petrel.package.command import build_topology_jar

    with tempfile.TemporaryDirectory() as tmp:
        stats_path = Path(tmp) / "stats.json"
        args = argparse.Namespace(logdir=str(Path(tmp) / "logs"), venv="self",
                                  duration=seconds, stats_json=str(stats_path), fail_fast=True,
                                  quiet=True, profile=False, debug=False)
        t0 = time.monotonic()
        built = build_topology_jar(str(config), "create.create", destjar=Path(tmp) / "t.jar")
        build_s = time.monotonic() - t0
        # CPU from here on: the runner (this process) against every task process it reaps
        before_self = resource.getrusage(resource.RUSAGE_SELF)
        before_children = resource.getrusage(resource.RUSAGE_CHILDREN)
        code = run_local(args, built)
        after_self = resource.getrusage(resource.RUSAGE_SELF)
        after_children = resource.getrusage(resource.RUSAGE_CHILDREN)
        stats = json.loads(stats_path.read_text())
        own = (after_self.ru_utime + after_self.ru_stime
               - before_self.ru_utime - before_self.ru_stime)
        children = (after_children.ru_utime + after_children.ru_stime
                    - before_children.ru_utime - before_children.ru_stime)
        stats["exit"] = code
        stats["runner_cpu_share"] = own / max(1e-9, own + children)
        stats["runner_cpu_s"], stats["children_cpu_s"] = own, children
        stats["build_s"] = build_s
        return stats


def _figures(stats: dict, bound: float) -> dict:
    first = stats.get("first_ack_s") or 0.0
    rate = stats["spout_acked"] / max(1e-9, stats["duration_s"] - first)
    return {"bound": bound, "rate": rate, "ratio": rate / bound,
            "p50": stats["complete_latency_ms"]["p50"], "p99": stats["complete_latency_ms"]["p99"],
            "cpu": stats["runner_cpu_share"], "first": first + stats["build_s"],
            "own_s": stats["runner_cpu_s"], "children_s": stats["children_cpu_s"],
            "acked": stats["spout_acked"],
            "own_us": stats["runner_cpu_s"] / max(1, stats["spout_acked"]) * 1e6,
            "tasks_us": stats["children_cpu_s"] / max(1, stats["spout_acked"]) * 1e6,
            "failed": stats["spout_failed"], "restarts": stats["restarts"], "exit": stats["exit"]}


def _span(values: list, fmt: str) -> str:
    values = sorted(values)
    mid = values[len(values) // 2]
    if len(values) == 1:
        return fmt.format(mid)
    return f"{fmt.format(mid)} (range {fmt.format(values[0])} .. {fmt.format(values[-1])})"


def main(rounds: int = 3) -> int:
    """Run the benchmark ``rounds`` times and print medians and ranges against the targets.

    Each round measures the spout's standalone bound and then the topology, one right after
    the other, so both see the same machine load; the ratio is taken within a round.
    """
    results = []
    msgpack_results = []
    with tempfile.TemporaryDirectory() as tmp:
        config = write_topology(Path(tmp) / "benchwc")
        msgpack_config = write_topology(Path(tmp) / "benchwc-msgpack", "msgpack")
        for n in range(rounds):
            bound = spout_bound(config)
            fig = _figures(run_topology(config), bound)
            results.append(fig)
            print(f"  round {n + 1}: bound {fig['bound']:,.0f}/s, end to end {fig['rate']:,.0f}/s "
                  f"({fig['ratio']:.0%}), p99 {fig['p99']} ms, runner CPU {fig['cpu']:.0%}, "
                  f"first ack {fig['first']:.2f} s", flush=True)
            mp = _figures(run_topology(msgpack_config), bound)
            mp["vs_json"] = mp["rate"] / max(1e-9, fig["rate"])
            msgpack_results.append(mp)
            print(f"    msgpack: end to end {mp['rate']:,.0f}/s ({mp['vs_json']:.2f}x JSON), "
                  f"p99 {mp['p99']} ms, runner CPU {mp['cpu']:.0%}", flush=True)
    routing = router_floor.measure()
    formats = format_floor.measure_formats()
    for fig in results:
        # the runner's CPU less its routing (as timed on the same messages without processes):
        # its share with free routing, and with routing as cheap as the minimal router's
        rest = max(0.0, fig["own_s"] - fig["acked"] * routing["real"] * 1e-6)
        fig["no_routing_cpu"] = rest / max(1e-9, rest + fig["children_s"])
        own = rest + fig["acked"] * routing["floor"] * 1e-6
        fig["floor_cpu"] = own / max(1e-9, own + fig["children_s"])
    col = {k: [r[k] for r in results] for k in results[0]}
    rate = sorted(col["rate"])[len(col["rate"]) // 2]
    print(f"local runner: word count, 1 spout (message ids), split x2, count x2, "
          f"max spout pending 1000; median of {rounds} rounds")
    print(f"  spout bound (standalone next/sync):  {_span(col['bound'], '{:,.0f}')} /s")
    print(f"  end to end: {_span(col['rate'], '{:,.0f}')} sentences/s acked, "
          f"{rate * WORDS_PER_SENTENCE:,.0f} words/s")
    print(f"  share of the bound: {_span(col['ratio'], '{:.0%}')} (target >= 70%)")
    print(f"  complete latency: p50 {_span(col['p50'], '{:.1f}')} ms, "
          f"p99 {_span(col['p99'], '{:.1f}')} ms (target p99 < 100 ms)")
    print(f"  runner CPU: {_span(col['cpu'], '{:.0%}')} of the total (target < 25%)")
    print(f"  routing per sentence (same messages, no processes): runner {routing['real']:.1f} us, "
          f"minimal Python router {routing['floor']:.1f} us; the runner's CPU share with that "
          f"routing: {_span(col['floor_cpu'], '{:.0%}')}, with free routing: "
          f"{_span(col['no_routing_cpu'], '{:.0%}')}")
    ratios = [m / j for j, m in zip(formats["json"], formats["msgpack"])]
    floor_ratios = [m / j for j, m in zip(formats["floor_json"], formats["floor_msgpack"])]
    print(f"  reading and routing per sentence (same stream, no processes; "
          f"{len(ratios)} paired rounds): runner JSON {_span(formats['json'], '{:.1f}')} us, "
          f"MessagePack {_span(formats['msgpack'], '{:.1f}')} us, ratio "
          f"{_span(ratios, '{:.2f}')}; minimal reader and router JSON "
          f"{_span(formats['floor_json'], '{:.1f}')} us, MessagePack "
          f"{_span(formats['floor_msgpack'], '{:.1f}')} us, ratio "
          f"{_span(floor_ratios, '{:.2f}')}")
    print(f"  command to first ack: {_span(col['first'], '{:.2f}')} s incl. the jar build "
          f"(target < 1.5 s)")
    print(f"  failed {sum(col['failed'])}, restarts {sum(col['restarts'])}, "
          f"exit codes {sorted(set(col['exit']))}")
    mcol = {k: [r[k] for r in msgpack_results] for k in msgpack_results[0]}
    print(f"  msgpack (petrel.serializer: msgpack), same rounds: end to end "
          f"{_span(mcol['rate'], '{:,.0f}')} sentences/s, {_span(mcol['vs_json'], '{:.2f}')}x "
          f"JSON's; runner CPU {_span(mcol['cpu'], '{:.0%}')} (JSON {_span(col['cpu'], '{:.0%}')})"
          f", {_span(mcol['own_us'], '{:.1f}')} us a sentence (JSON "
          f"{_span(col['own_us'], '{:.1f}')}), tasks {_span(mcol['tasks_us'], '{:.1f}')} us "
          f"(JSON {_span(col['tasks_us'], '{:.1f}')})"
          f"; p99 {_span(mcol['p99'], '{:.1f}')} ms; failed {sum(mcol['failed'])}, "
          f"exit codes {sorted(set(mcol['exit']))}")
    med = {k: sorted(v)[len(v) // 2] for k, v in col.items()}
    missed = [name for name, ok in (
        ("70% of the bound", med["ratio"] >= 0.70), ("p99 < 100 ms", med["p99"] < 100),
        ("runner CPU < 25%", med["cpu"] < 0.25), ("first ack < 1.5 s", med["first"] < 1.5),
        ("no failures", not any(col["failed"]) and not any(col["exit"]))) if not ok]
    if missed:
        print(f"  missed: {', '.join(missed)}")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
