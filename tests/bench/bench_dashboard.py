"""Benchmark of the live dashboard: the local runner's throughput with ``--ui`` against without.

The local benchmark's word count (``bench_local``: one spout with message ids, split x2,
count x2) runs three ways in each round, one right after the other so all see the same
machine load: without the dashboard, with it, and with it and five open pages (five client
processes reading ``/api/events``, as browsers would). Reported: acked sentences/s of each,
and the ratios to the run without the dashboard (median of the rounds), the runner's CPU per
sentence, and what the dashboard costs the runner's thread directly: the time spent building
and handing over snapshots, per second of run.
Targets: with the dashboard and five pages, >= 95% of the throughput without it, and the
snapshots <= 1% of the runner thread's time. On a loaded machine the runs without the
dashboard alone may vary by more than 5%; the throughput target is then reported as
inconclusive (the direct cost still decides).
"""

from __future__ import annotations

import argparse
import json
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, List, Optional, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_local  # noqa: E402

PAGES = 5
SECONDS = 8.0
PUBLISH_TIME = [0.0, 0]       # seconds spent in Dashboard.publish, calls


def _timed_publish() -> None:
    """Count the time the runner's thread spends in ``Dashboard.publish``."""
    from petrel.dashboard.session import Dashboard

    publish = Dashboard.publish

    def timed(self: Dashboard, *args: Any, **kwargs: Any) -> None:
        started = time.perf_counter()
        publish(self, *args, **kwargs)
        PUBLISH_TIME[0] += time.perf_counter() - started
        PUBLISH_TIME[1] += 1

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


def run_once(config: Path, ui: bool, pages: int,
             seconds: float = SECONDS) -> Tuple[float, float]:
    """One run with ``petrel submit``'s local path: acked sentences per second, and the
    runner process's CPU microseconds per acked sentence (its dashboard threads included)."""
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
        before = resource.getrusage(resource.RUSAGE_SELF)
        try:
            code = run_local(args, built)
        finally:
            for client in clients:
                try:
                    client.wait(10)
                except subprocess.TimeoutExpired:
                    client.kill()
                    client.wait()
        after = resource.getrusage(resource.RUSAGE_SELF)
        cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        stats = json.loads(stats_path.read_text())
        if code:
            raise RuntimeError(f"the benchmark topology failed (exit code {code})")
        first = stats.get("first_ack_s") or 0.0
        acked = max(1, int(stats["spout_acked"]))
        return acked / max(1e-9, stats["duration_s"] - first), cpu / acked * 1e6


def _median(values: List[float]) -> float:
    return sorted(values)[len(values) // 2]


def main(rounds: int = 5) -> int:
    """Run the three variants ``rounds`` times (in a rotating order, so none always runs
    first); print rates, CPU per sentence and their ratios against the target."""
    ways = [("without --ui", False, 0), ("with --ui", True, 0),
            (f"with --ui and {PAGES} open pages", True, PAGES)]
    rates: List[List[float]] = [[] for _ in ways]
    cpus: List[List[float]] = [[] for _ in ways]
    started = time.monotonic()
    _timed_publish()
    ui_seconds = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        config = bench_local.write_topology(Path(tmp) / "benchwc")
        for n in range(rounds):
            order = [(n + k) % len(ways) for k in range(len(ways))]
            for i in order:
                rate, cpu = run_once(config, ways[i][1], ways[i][2])
                ui_seconds += SECONDS if ways[i][1] else 0.0
                rates[i].append(rate)
                cpus[i].append(cpu)
            print(f"  round {n + 1}: " + ", ".join(
                f"{name} {rates[i][-1]:,.0f}/s ({cpus[i][-1]:.0f} us CPU each)"
                for i, (name, _u, _p) in enumerate(ways)), flush=True)
    print(f"dashboard: word count (bench_local's), {SECONDS:g} s per run, median of {rounds} "
          f"rounds ({time.monotonic() - started:.0f} s); ratios within each round")
    rate_ratios, cpu_ratios = [], []
    for i, (name, _ui, _pages) in enumerate(ways):
        rate_ratios.append(_median([v / b for v, b in zip(rates[i], rates[0])]))
        cpu_ratios.append(_median([v / b for v, b in zip(cpus[i], cpus[0])]))
        print(f"  {name}: {_median(rates[i]):,.0f} sentences/s acked ({rate_ratios[i]:.0%} of "
              f"without); runner CPU {_median(cpus[i]):.0f} us per sentence "
              f"({cpu_ratios[i]:.0%} of without)")
    spent, calls = PUBLISH_TIME
    share = spent / max(1e-9, ui_seconds)
    print(f"  snapshots: {calls} built, {spent / max(1, calls) * 1000:.2f} ms each, "
          f"{share:.2%} of the runner thread's time (target <= 1%)")
    base = sorted(rates[0])
    spread = (base[-1] - base[0]) / base[len(base) // 2]
    met = rate_ratios[-1] >= 0.95
    noisy = spread > 0.10
    verdict = "met" if met else (f"inconclusive: the runs without --ui alone vary by "
                                 f"{spread:.0%}" if noisy else "missed")
    print(f"  target: with --ui and {PAGES} pages >= 95% of the throughput without: {verdict}")
    return 0 if share <= 0.01 and (met or noisy) else 1


if __name__ == "__main__":
    raise SystemExit(main())
