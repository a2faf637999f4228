"""``python -m tests.soak`` (``make soak``): word count under random ``kill -9`` for a long time.

The word-count topology (a spout with message ids, ``SplitSentenceBolt`` x2 and
``WordCountBolt`` x2 from topologies/wordcount, fields grouping on 'word') runs with the
local runner (``petrel submit``) for ``--minutes`` (30 by default), while a random task
process, the spout included, is killed with ``kill -9`` every few seconds. The spout is the
chaos suite's recording spout (tests/chaos/components): it writes down every id it emits
and every ack, and a restarted spout emits again what its dead predecessors left unacked.
The bolts are word count's own, each with a start record so the soak finds its processes.

Every minute it prints the resident memory (RSS) of the runner and of the task processes,
the kills so far and the ids emitted, acked and still pending. At the end the spout stops
emitting new ids, the pending ones drain, and the run stops with Ctrl+C. The summary gives
the duration, kills, ids, lost ids and memory at start (after the first minute, once the
caches are warm) and at the end. The exit status is 1 when an id was lost, when the
runner's RSS grew by more than ``--max-growth`` (50% by default) in all or by more than
``--max-late-growth`` (5%) over the second half of the run, when a task process
outlived the runner, or when the runner did not stop; else 0.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional, Tuple

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tests.chaos.chaos_run import (  # noqa: E402
    Component,
    Monitor,
    Submit,
    spout_records,
    wait_for,
    write_topology,
)

WORDCOUNT = REPO / "topologies" / "wordcount"
MB = 1024 * 1024


def parse_args(argv: Optional[List[str]]) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m tests.soak", description=__doc__.split(
        "\n\n")[0])
    parser.add_argument("--minutes", type=float, default=30.0,
                        help="how long to run with kills (default 30)")
    parser.add_argument("--kill-every", type=float, nargs=2, default=(3.0, 8.0),
                        metavar=("MIN", "MAX"),
                        help="seconds between two kills, drawn at random (default 3 8)")
    parser.add_argument("--rate", type=float, default=100.0,
                        help="new sentences per second from the spout (default 100)")
    parser.add_argument("--max-growth", type=float, default=0.5,
                        help="largest allowed growth of the runner's RSS (default 0.5: +50%%)")
    parser.add_argument("--max-late-growth", type=float, default=0.05,
                        help="largest allowed growth of the runner's RSS over the second half "
                             "of the run, once caches and the latency sample are full "
                             "(default 0.05: +5%%)")
    parser.add_argument("--seed", type=int, default=19, help="random seed of the kills")
    parser.add_argument("--keep", action="store_true",
                        help="keep the work directory (records, logs) at the end")
    args = parser.parse_args(argv)
    if args.minutes <= 0 or args.rate <= 0 or not 0 < args.kill_every[0] <= args.kill_every[1]:
        parser.error("--minutes and --rate must be positive, and 0 < MIN <= MAX for "
                     "--kill-every")
    return args


def rss(pid: int) -> Optional[int]:
    """The resident memory of ``pid`` in bytes, None once it is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


class Soak:
    """One soak run: the topology, the runner, the monitor and the figures."""

    def __init__(self, args: argparse.Namespace, work: Path) -> None:
        self.args = args
        self.work = work
        self.records = work / "records"
        self.records.mkdir()
        self.stop_file = work / "stop-emitting"
        config = write_topology(work / "topology", [
            Component("spout", cls="soakspout.SoakSpout"),
            Component("split", "spout", tasks=2, cls="soaksplit.SoakSplitBolt"),
            Component("count", "split", tasks=2, fields=["word"], cls="soakcount.SoakCountBolt"),
        ], {
            "topology.name": "soakwc",
            "topology.max.spout.pending": 500,
            "topology.message.timeout.secs": 30,
            "chaos.records": str(self.records),
            "chaos.spout.interval": 1.0 / args.rate,
            "chaos.stop_file": str(self.stop_file),
        }, files=(WORDCOUNT / "splitsentence.py", WORDCOUNT / "wordcount.py",
                  *Path(__file__).parent.glob("soak*.py")))
        self.monitor = Monitor(self.records, seed=args.seed, kill_every=tuple(args.kill_every))
        self.submit = Submit(config, work)
        self.started = time.monotonic()
        # (minutes, runner RSS, RSS of the largest task, tasks running)
        self.samples: List[Tuple[float, int, int, int]] = []
        # per sample: the largest live task's RSS of each component
        self.by_component: List[Dict[str, int]] = []

    def ids(self) -> Tuple[int, int, int]:
        """(distinct ids emitted, distinct ids acked, fails received) so far."""
        spout = spout_records(self.records)
        return len(set(spout.ids("emit"))), len(set(spout.ids("ack"))), len(spout.ids("fail"))

    def drained(self) -> bool:
        """True once every id emitted was acked (or the runner ended)."""
        emitted, acked, _fails = self.ids()
        return self.submit.ended or emitted == acked

    def sample(self) -> str:
        """Measure memory now; the progress line."""
        minutes = (time.monotonic() - self.started) / 60
        runner = rss(self.submit.proc.pid) or 0
        tasks: List[int] = []
        largest: Dict[str, int] = {}
        for proc in self.monitor.live():
            size = rss(proc.pid)
            if size:
                tasks.append(size)
                largest[proc.cid] = max(size, largest.get(proc.cid, 0))
        self.samples.append((minutes, runner, max(tasks, default=0), len(tasks)))
        self.by_component.append(largest)
        emitted, acked, fails = self.ids()
        each = ", ".join(f"{cid} {size / MB:.1f}" for cid, size in sorted(largest.items()))
        return (f"[{minutes:5.1f} min] runner {runner / MB:6.1f} MB | tasks {len(tasks)}: "
                f"{sum(tasks) / MB:6.1f} MB (largest: {each}) | "
                f"kills {len(self.monitor.kills)} | ids emitted {emitted:,}, acked {acked:,}, "
                f"pending {emitted - acked:,}, fails received {fails:,}")

    def run(self) -> int:
        """The whole soak; returns the exit status."""
        args = self.args
        self.monitor.start()
        if not wait_for(lambda: self.submit.ended or len(self.monitor.live()) >= 5, 90) \
                or self.submit.ended:
            print("the topology did not start:\n" + self.submit.out, file=sys.stderr)
            return 1
        print(f"soak: word count with a kill -9 every {args.kill_every[0]:g}-"
              f"{args.kill_every[1]:g} s for {args.minutes:g} min; work directory {self.work}",
              flush=True)
        self.started = time.monotonic()
        self.monitor.start_killing()
        end = self.started + args.minutes * 60
        next_sample = self.started + min(60.0, args.minutes * 60)
        while time.monotonic() < end and not self.submit.ended:
            time.sleep(min(1.0, max(0.0, next_sample - time.monotonic())))
            if time.monotonic() >= next_sample:
                print(self.sample(), flush=True)
                next_sample += 60.0
        self.monitor.stop_killing()
        kill_minutes = (time.monotonic() - self.started) / 60
        self.stop_file.touch()
        print("soak: no more kills or new ids; draining the pending ids", flush=True)
        drained = wait_for(self.drained, 90, every=2.0)
        print(self.sample(), flush=True)
        code = self.submit.interrupt()
        time.sleep(0.5)
        self.monitor.stop()
        return self.summary(kill_minutes, drained, code)

    def summary(self, minutes: float, drained: bool, code: Optional[int]) -> int:
        """Print the summary; the exit status."""
        spout = spout_records(self.records)
        emitted, acked = set(spout.ids("emit")), set(spout.ids("ack"))
        lost = sorted(emitted - acked)
        left = [p for p in self.monitor.procs.values() if p.alive()]
        base = self.samples[0]   # after the first minute (or at the end of a shorter run)
        last = self.samples[-1]
        growth = last[1] / base[1] - 1 if base[1] else 0.0
        print(f"soak summary: {minutes:.1f} min, {len(self.monitor.kills)} kills "
              f"({len(self.monitor.procs)} task processes in all), ids emitted {len(emitted):,}, "
              f"acked {len(acked):,}, lost {len(lost):,}"
              + (f" (first: {lost[:10]})" if lost else ""))
        middle = self.samples[len(self.samples) // 2]
        late = last[1] / middle[1] - 1 if middle[1] else 0.0
        print(f"  runner RSS {base[1] / MB:.1f} MB at {base[0]:.0f} min -> {middle[1] / MB:.1f} MB "
              f"at {middle[0]:.0f} min -> {last[1] / MB:.1f} MB at the end ({growth:+.1%} in all, "
              f"{late:+.1%} over the second half); largest task {base[2] / MB:.1f} MB -> "
              f"{last[2] / MB:.1f} MB")
        first, final = self.by_component[0], self.by_component[-1]
        print("  largest task of each component (a restarted task starts afresh): " + ", ".join(
            f"{cid} {first.get(cid, 0) / MB:.1f} -> {final.get(cid, 0) / MB:.1f} MB"
            for cid in sorted(set(first) | set(final))))
        print(f"  acks received twice: {len(spout.ids('ack')) - len(acked)}; acks or fails for "
              f"ids the process never emitted: "
              f"{len(spout.ids('stray-ack')) + len(spout.ids('stray-fail'))}; runner exit "
              f"status {code}")
        problems = []
        if lost:
            problems.append(f"{len(lost)} id(s) lost" + ("" if drained else
                                                          " (the drain did not finish in 90 s)"))
        if growth > self.args.max_growth:
            problems.append(f"the runner's RSS grew {growth:.0%} (more than "
                            f"{self.args.max_growth:.0%})")
        if late > self.args.max_late_growth:
            problems.append(f"the runner's RSS grew {late:.1%} over the second half of the run "
                            f"(more than {self.args.max_late_growth:.0%}): memory is not flat")
        if left:
            problems.append(f"{len(left)} task process(es) outlived the runner: "
                            + ", ".join(str(p.pid) for p in left))
        if code is None:
            problems.append("the runner did not stop within 90 s of Ctrl+C")
        for problem in problems:
            print(f"soak: FAILED: {problem}")
        if not problems:
            print("soak: passed")
        return 1 if problems else 0


def main(argv: Optional[List[str]] = None) -> int:
    """Run the soak; its exit status."""
    args = parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="petrel-soak-"))
    soak = Soak(args, work)
    try:
        return soak.run()
    except KeyboardInterrupt:
        print("soak: interrupted", file=sys.stderr)
        return 130
    finally:
        if not soak.submit.ended:
            soak.submit.kill()
        for p in soak.monitor.procs.values():
            if p.alive():  # never leave a task behind, even when the runner failed to
                os.kill(p.pid, signal.SIGKILL)
        if args.keep:
            print(f"soak: records and logs kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
