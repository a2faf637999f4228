"""Benchmark of the live dashboard: the local runner's throughput with ``--ui`` against without.

The local benchmark's word count (``bench_local``: one spout with message ids, split x2,
count x2) runs three ways in each round, one right after the other so all see the same
machine load, in a rotating order: without the dashboard, with it, and with it and five
open pages (five client processes reading ``/api/events``, as browsers would). Each round
gives paired ratios against the run without the dashboard of that round: of the acked
sentences per second, and of the CPU time the whole run (runner and task processes) spent
per acked sentence. On a machine whose cores are all busy the throughput is one over that
CPU time, and the CPU time per sentence barely moves with the machine's load, so it decides
when the throughput ratios are too noisy to; so does the dashboard's own CPU time (its
server threads and the snapshots on the runner's thread) as a share of the whole run's:
with every core busy, the throughput cannot lose more than that share. Reported: the
median paired ratio with a 90%+ confidence interval (order statistics of the rounds, no
assumption about the noise), and the snapshots' CPU time on the runner's thread.
Targets: with the dashboard and five pages, >= 95% of the throughput without it (decided by
the throughput's interval, else by the dashboard's own CPU share being at most 5%, else by
the run's CPU per sentence), and the snapshots <= 1% of the runner thread's time.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_local  # noqa: E402

PAGES = 5
SECONDS = 6.0
PUBLISH_TIME = [0.0, 0, 0.0]  # seconds spent in Dashboard.publish, calls, its thread CPU s


def _timed_publish() -> None:
    """Count the time the runner's thread spends in ``Dashboard.publish``."""
    from petrel.dashboard.session import Dashboard

    publish = Dashboard.publish

    def timed(self: Dashboard, *args: Any, **kwargs: Any) -> None:
        started, cpu = time.perf_counter(), time.thread_time()
        publish(self, *args, **kwargs)
        PUBLISH_TIME[0] += time.perf_counter() - started
        PUBLISH_TIME[1] += 1
        PUBLISH_TIME[2] += time.thread_time() - cpu

    Dashboard.publish = timed  # type: ignore[method-assign]

# One open page: reads the event stream until the server ends it (connects when it is up).
CLIENT = r'''
import sys, time, urllib.request
url = sys.argv[1]
deadline = time.monotonic() + 60
while time.monotonic() < deadline:
    try:
        with urllib.request.urlopen(url, timeout=30) as resp:
            for _ in resp:
                pass
        break
    except OSError:
        time.sleep(0.05)
'''


def free_port() -> int:
    """A port nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_once(config: Path, ui: bool, pages: int, seconds: float = SECONDS) -> Dict[str, float]:
    """One run with ``petrel submit``'s local path: acked sentences per second (``rate``),
    and CPU microseconds per acked sentence: the runner process's (``runner``, its dashboard
    threads included), the whole run's (``total``: runner and task processes) and the
    dashboard's own (``own``: the snapshots on the runner's thread plus every thread of the
    runner process but its main one, where the runner's loop runs)."""
    from petrel.local.command import run_local
    from petrel.package.command import build_topology_jar

    with tempfile.TemporaryDirectory() as tmp:
        stats_path = Path(tmp) / "stats.json"
        port: Optional[int] = free_port() if ui else None
        args = argparse.Namespace(logdir=str(Path(tmp) / "logs"), venv="self",
                                  duration=seconds, stats_json=str(stats_path), fail_fast=True,
                                  quiet=True, profile=False, debug=False, ui=port,
                                  ui_host=None, ui_linger=0.0)
        built = build_topology_jar(str(config), "create.create", destjar=Path(tmp) / "t.jar")
        clients: List[subprocess.Popen] = [
            subprocess.Popen([sys.executable, "-c", CLIENT,
                              f"http://127.0.0.1:{port}/api/events"])
            for _ in range(pages)]
        before = _cpu(resource.RUSAGE_SELF)
        before_tasks = _cpu(resource.RUSAGE_CHILDREN)
        before_main, before_publish = time.thread_time(), PUBLISH_TIME[2]
        try:
            code = run_local(args, built)
            tasks_cpu = _cpu(resource.RUSAGE_CHILDREN) - before_tasks  # before the pages end
            main_cpu = time.thread_time() - before_main
            publish_cpu = PUBLISH_TIME[2] - before_publish
        finally:
            for client in clients:
                try:
                    client.wait(10)
                except subprocess.TimeoutExpired:
                    client.kill()
                    client.wait()
        cpu = _cpu(resource.RUSAGE_SELF) - before
        stats = json.loads(stats_path.read_text())
        if code:
            raise RuntimeError(f"the benchmark topology failed (exit code {code})")
        first = stats.get("first_ack_s") or 0.0
        acked = max(1, int(stats["spout_acked"]))
        per = 1e6 / acked
        return {"rate": acked / max(1e-9, stats["duration_s"] - first), "runner": cpu * per,
                "total": (cpu + tasks_cpu) * per,
                "own": (max(0.0, cpu - main_cpu) + publish_cpu) * per}


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def _median(values: List[float]) -> float:
    data = sorted(values)
    mid = len(data) // 2
    return data[mid] if len(data) % 2 else (data[mid - 1] + data[mid]) / 2


def median_interval(values: List[float]) -> Tuple[float, float, float]:
    """The median and a distribution-free confidence interval for it (order statistics:
    the k-th lowest and highest values, k the largest with coverage >= 90%); with fewer
    than 5 values the interval is the whole range."""
    data = sorted(values)
    n = len(data)
    k = 1
    while k + 1 <= n // 2 and 1 - 2 * _binom_cdf(k + 1, n) >= 0.90:
        k += 1
    return _median(data), data[k - 1], data[n - k]


def _binom_cdf(k: int, n: int) -> float:
    """P(X < k) for X ~ Binomial(n, 1/2)."""
    return sum(math.comb(n, i) for i in range(k)) / 2 ** n


def main(rounds: int = 8) -> int:
    """Run the three variants ``rounds`` times (in a rotating order, so none always runs
    first); print rates, CPU per sentence, their paired ratios and the verdict."""
    ways = [("without --ui", False, 0), ("with --ui", True, 0),
            (f"with --ui and {PAGES} open pages", True, PAGES)]
    runs: List[List[Dict[str, float]]] = [[] for _ in ways]
    started = time.monotonic()
    load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    _timed_publish()
    ui_seconds = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        config = bench_local.write_topology(Path(tmp) / "benchwc")
        for n in range(rounds):
            order = [(n + k) % len(ways) for k in range(len(ways))]
            for i in order:
                runs[i].append(run_once(config, ways[i][1], ways[i][2]))
                ui_seconds += SECONDS if ways[i][1] else 0.0
            print(f"  round {n + 1}: " + ", ".join(
                f"{name} {runs[i][-1]['rate']:,.0f}/s ({runs[i][-1]['total']:.0f} us CPU in "
                f"all each, the dashboard's {runs[i][-1]['own']:.1f} us)"
                for i, (name, _u, _p) in enumerate(ways)), flush=True)
    loads = "" if load_before is None else (f"; load average {load_before:.1f} at the start, "
                                            f"{os.getloadavg()[0]:.1f} at the end")
    print(f"dashboard: word count (bench_local's), {SECONDS:g} s per run, {rounds} rounds "
          f"({time.monotonic() - started:.0f} s){loads}; ratios paired within each round, "
          f"median [90% interval]")
    base = runs[0]
    for i, (name, _ui, _pages) in enumerate(ways):
        rate = median_interval([r["rate"] / b["rate"] for r, b in zip(runs[i], base)])
        total = median_interval([r["total"] / b["total"] for r, b in zip(runs[i], base)])
        # what the dashboard adds: its threads' and snapshots' CPU beyond the run without it
        # (other threads the runner has anyway), as a share of the whole run's CPU
        own = median_interval([(r["own"] - b["own"]) / r["total"]
                               for r, b in zip(runs[i], base)])
        print(f"  {name}: {_median([r['rate'] for r in runs[i]]):,.0f} sentences/s acked "
              f"({_ratio(rate)} of without); CPU per sentence "
              f"{_median([r['total'] for r in runs[i]]):.0f} us in all ({_ratio(total)}); "
              f"the dashboard's own CPU {_ratio(own)} of the run's")
    spent, calls, cpu_s = PUBLISH_TIME
    share = cpu_s / max(1e-9, ui_seconds)
    print(f"  snapshots: {calls} built, {cpu_s / max(1, calls) * 1000:.2f} ms of CPU each "
          f"({spent / max(1, calls) * 1000:.2f} ms of wall time), {share:.2%} of the runner "
          f"thread's time (target <= 1%)")
    _m, rate_low, rate_high = rate
    _o, _ol, own_high = own
    if rate_low >= 0.95:
        verdict = "met (the throughput's interval is above 95%)"
    elif rate_high < 0.95:
        verdict = "missed (the throughput's interval is below 95%)"
    elif own_high <= 0.05:
        verdict = (f"met: the dashboard's own CPU is at most {own_high:.1%} of the run's, so "
                   f"even with every core busy it cannot take more than that from the "
                   f"throughput (the throughput ratios alone are too noisy here to decide)")
    elif total[2] <= 1 / 0.95:
        verdict = "met by the whole run's CPU per sentence (its interval is below 1/0.95)"
    else:
        verdict = "inconclusive: neither the throughput nor the CPU time decides"
    print(f"  target: with --ui and {PAGES} pages >= 95% of the throughput without: {verdict}")
    return 0 if share <= 0.01 and verdict.startswith("met") else 1


def _ratio(figure: Tuple[float, float, float]) -> str:
    mid, low, high = figure
    return f"{mid:.1%} [{low:.1%} .. {high:.1%}]"


if __name__ == "__main__":
    raise SystemExit(main())
