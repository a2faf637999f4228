"""Benchmark on a real Apache Storm (``make bench``): petrel's word count against pystorm and
Storm's own storm.py, and the time from ``petrel submit`` to the first ack.

One cluster is started with ``petrel storm up`` on free ports (the same way tests/storm does).
Word count (spout -> split -> count, fields grouping on 'word', one task each, one worker,
``topology.max.spout.pending: 1000``, the spout as fast as it can, acking on) runs three
times, one variant after the other: petrel's topologies/wordcount components, the same
components written with pystorm, and with Storm's multilang ``storm.py`` (fetched with Maven
at bench time from ``org.apache.storm:multilang-python``, never committed). Each variant is
measured over the same window after the same warm-up: sentences acked per second by the
spout, from Nimbus's ``getTopologyInfo`` (``topology.stats.sample.rate: 1.0``, so counts are
exact), and the CPU time the worker's JVM and its Python processes spent per sentence.
Target: petrel at least 1.5x pystorm.

Then word count with a spout that logs the time of its first ack is submitted twice: the
time from running ``petrel submit`` to that first ack, with the launcher's own account of
its environment (built or reused, and how long it took).
"""

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

_REPO = Path(__file__).resolve().parents[2]
_STORM_TESTS = _REPO / "tests" / "storm"
for _path in (_REPO, _STORM_TESTS):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from storm_helpers import (  # noqa: E402
    VERSION,
    RealStorm,
    copy_topology,
    missing_tools,
    petrel,
    start_cluster,
    stop_cluster,
    wait_until,
)

VARIANTS_DIR = Path(__file__).resolve().parent / "storm_variants"
WARMUP_SECS = 10.0      # after the first acked sentence, before the window opens
WINDOW_SECS = 30.0      # at least this long, between two statistics updates from the worker
POLL_SECS = 0.25
TARGET_VS_PYSTORM = 1.5
MAX_SPOUT_PENDING = 1000
FIRST_ACK = "bench: first ack at"
LABELS = {"petrel": "petrel", "pystorm": "pystorm", "stormpy": "storm.py"}


@dataclass
class Throughput:
    """One variant's window: sentences acked by the spout, seconds, CPU seconds by process."""

    sentences: int
    seconds: float
    failed: int
    jvm_cpu: float
    python_cpu: float

    @property
    def rate(self) -> float:
        """Sentences acked per second."""
        return self.sentences / self.seconds

    def cpu_us(self, cpu: float) -> float:
        """``cpu`` seconds as microseconds per acked sentence."""
        return cpu / self.sentences * 1e6 if self.sentences else float("nan")


@dataclass
class Startup:
    """One submit: seconds from running ``petrel submit`` to each milestone, and the launcher's
    account of the topology's Python environment."""

    milestones: Dict[str, Optional[float]]
    environment: str

    @property
    def first_ack_secs(self) -> float:
        """Seconds from running ``petrel submit`` to the spout's first ack."""
        return float(self.milestones["first ack"] or 0.0)


# Milestones of a submit in Storm's own logs: (name, log file, message after the timestamp).
MILESTONES = (
    ("Nimbus assigned", "nimbus.log", r"Assigning {id} to"),
    ("worker JVM up", "worker", r"Launching worker for {id}"),
    ("spout opening", "worker", r"Opening spout spout:"),
    ("spout opened", "worker", r"Opened spout spout:"),
)
_STAMP = r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}) .*"


def log_time(text: str, message: str) -> Optional[float]:
    """The epoch time of the first log line of ``text`` holding ``message`` (a regex)."""
    found = re.search(_STAMP + message, text, re.MULTILINE)
    if not found:
        return None
    return datetime.strptime(found.group(1), "%Y-%m-%d %H:%M:%S.%f").timestamp()


def topology_yaml(variant: str) -> str:
    """The config of one variant (the same for all but ``bench.variant``)."""
    return (f"topology.workers: 1\n"
            f"topology.message.timeout.secs: 30\n"
            f"topology.max.spout.pending: {MAX_SPOUT_PENDING}\n"
            f"topology.stats.sample.rate: 1.0\n"
            f"wordcount.sentence_interval_secs: 0\n"
            f"petrel.python: {sys.executable}\n"
            f"bench.variant: {variant}\n")


def fetch_storm_py(version: str, dest: Path) -> Optional[str]:
    """Storm's multilang ``storm.py`` of ``version`` into ``dest``; why not, or None."""
    mvn = shutil.which("mvn")
    if mvn is None:
        return "no mvn"
    with tempfile.TemporaryDirectory(prefix="petrel-bench-mvn-") as tmp:
        proc = subprocess.run(
            [mvn, "-q", "-B", "dependency:copy",
             f"-Dartifact=org.apache.storm:multilang-python:{version}",
             f"-DoutputDirectory={tmp}"],
            cwd=tmp, capture_output=True, text=True, timeout=600)
        jars = sorted(Path(tmp).glob("multilang-python-*.jar"))
        if proc.returncode != 0 or not jars:
            return f"mvn dependency:copy failed: {(proc.stdout + proc.stderr)[-500:]}"
        with zipfile.ZipFile(jars[0]) as jar:
            (dest / "storm.py").write_bytes(jar.read("resources/storm.py"))
    return None


def prepare_topology(root: Path, with_storm_py: bool) -> Path:
    """topologies/wordcount plus the variants' scripts, with a manifest that ships them."""
    topo = copy_topology("wordcount", root)
    # first_ack_spout imports randomsentence: only component modules ship unless listed.
    shipped = ["logconfig.ini", "randomsentence.py"]
    for path in sorted(VARIANTS_DIR.glob("*.py")):
        shutil.copy(path, topo / path.name)
        if path.name.startswith(("pystorm_", "stormpy_")):
            shipped.append(path.name)
    if with_storm_py:
        shipped.append("storm.py")
    (topo / "manifest.txt").write_text("\n".join(shipped) + "\n")
    for variant in ("petrel", "pystorm", "stormpy", "startup"):
        (topo / f"bench-{variant}.yaml").write_text(topology_yaml(variant))
    return topo


def submit(storm: RealStorm, topo: Path, variant: str, name: str) -> float:
    """``petrel submit`` of one variant as ``name``; the seconds the command took."""
    started = time.monotonic()
    proc = petrel("submit", "--config", str(topo / f"bench-{variant}.yaml"),
                  "--definition", "create_bench.create", name, "--nimbus", storm.nimbus,
                  cwd=topo)
    if proc.returncode != 0:
        raise RuntimeError(f"petrel submit {name} failed:\n{proc.stdout}\n{proc.stderr}")
    return time.monotonic() - started


def _proc_cpu(pid: str) -> float:
    """User + system CPU seconds of process ``pid`` (all its threads)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def topology_cpu(topology_id: str) -> Tuple[float, float]:
    """CPU seconds so far of the topology's worker JVMs and of its Python processes.

    A worker JVM names the topology id on its command line; a multilang process runs in the
    topology's extracted ``resources/`` directory, whose path holds the id.
    """
    jvm = python = 0.0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                argv = f.read().split(b"\0")
            if topology_id.encode() in b" ".join(argv) and b"java" in argv[0]:
                jvm += _proc_cpu(entry)
            elif topology_id in os.readlink(f"/proc/{entry}/cwd"):
                python += _proc_cpu(entry)
        except OSError:
            continue
    return jvm, python


def _spout_counts(storm: RealStorm, name: str) -> Tuple[int, int]:
    row = storm.stats(name).get("spout")
    return (row.acked, row.failed) if row else (0, 0)


def _next_update(read: Callable[[], Tuple[int, int]], last: int,
                 timeout: float = 60) -> Tuple[float, Tuple[int, int]]:
    """Poll until the spout's acked count differs from ``last``: (when, counts)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        counts = read()
        if counts[0] != last:
            return time.monotonic(), counts
        time.sleep(POLL_SECS)
    raise AssertionError(f"the spout's acked count stayed at {last} for {timeout:g} s")


def measure_throughput(storm: RealStorm, name: str) -> Throughput:
    """Sentences acked per second over WINDOW_SECS, from one statistics update to another.

    Statistics reach Nimbus in steps (every 5 s here); the window opens at the first step
    seen after the warm-up and closes at the first step at least WINDOW_SECS later, so both
    ends sit on an update and the error is the polling interval.
    """
    wait_until(lambda: _spout_counts(storm, name)[0] > 0, 180,
               f"{name}: the spout's first acked sentence reaches Nimbus", every=1)
    time.sleep(WARMUP_SECS)
    topology_id = storm.topology_id(name)
    assert topology_id is not None
    read = lambda: _spout_counts(storm, name)  # noqa: E731
    started, (acked0, failed0) = _next_update(read, read()[0])
    cpu0 = topology_cpu(topology_id)
    ended, (acked1, failed1) = _next_update(read, acked0)
    while ended - started < WINDOW_SECS:
        ended, (acked1, failed1) = _next_update(read, acked1)
    cpu1 = topology_cpu(topology_id)
    return Throughput(acked1 - acked0, ended - started, failed1 - failed0,
                      cpu1[0] - cpu0[0], cpu1[1] - cpu0[1])


def forget_environment(topology_id: str) -> None:
    """Remove the Python environment petrel's launcher built for ``topology_id``, if any."""
    env_dir = Path(tempfile.gettempdir()) / f"petrel-env-{topology_id}"
    shutil.rmtree(env_dir, ignore_errors=True)
    Path(f"{env_dir}.lock").unlink(missing_ok=True)


def launcher_report(storm: RealStorm, topology_id: str) -> str:
    """What petrel's launcher logged about the environment: built in N s, or reused."""
    built, reused = [], 0
    for log in storm.directory.glob(f"**/{topology_id}/**/petrel*_virtualenv.log"):
        text = log.read_text(encoding="utf-8", errors="replace")
        built += re.findall(r"environment ready in ([\d.]+) s", text)
        reused += text.count("reusing the environment")
    if not built and not reused:
        return "no launcher log found"
    what = f"built in {', '.join(built)} s" if built else "not built"
    return f"{what}; reused by {reused} task(s)"


def measure_startup(storm: RealStorm, topo: Path, name: str) -> Tuple[Startup, str]:
    """Submit the first-ack word count as ``name``; seconds to its first ack, and its id.

    The topology is killed; its environment is left for the next submit to find.
    """
    started = time.time()
    submit_secs = submit(storm, topo, "startup", name)

    def first_ack() -> Optional[float]:
        errors = storm.errors(name) if storm.topology_id(name) else {}
        if errors:
            raise RuntimeError(f"{name} reports errors: {errors}")
        found = re.search(re.escape(FIRST_ACK) + r" ([\d.]+)", storm.worker_logs(name))
        return float(found.group(1)) if found else None

    try:
        acked_at = wait_until(first_ack, 240, f"{name}: the spout's first ack", every=0.2)
    except BaseException:
        failed_id = storm.topology_id(name)
        storm.kill(name)
        if failed_id:
            forget_environment(failed_id)
        raise
    topology_id = storm.topology_id(name) or name
    environment = launcher_report(storm, topology_id)
    logs = {"nimbus.log": (storm.directory / "logs" / "nimbus.log").read_text(errors="replace"),
            "worker": storm.worker_logs(name)}
    storm.kill(name)
    milestones: Dict[str, Optional[float]] = {"petrel submit returned": submit_secs}
    for what, log, message in MILESTONES:
        at = log_time(logs[log], message.format(id=re.escape(topology_id)))
        milestones[what] = None if at is None else at - started
    milestones["first ack"] = acked_at - started
    return Startup(milestones, environment), topology_id


def run_variant(storm: RealStorm, topo: Path, variant: str) -> Throughput:
    """Submit one throughput variant, measure it, kill it and remove its environment."""
    name = f"bench-wc-{variant}"
    submit(storm, topo, variant, name)
    try:
        return measure_throughput(storm, name)
    finally:
        topology_id = storm.topology_id(name)
        storm.kill(name)
        if topology_id:
            forget_environment(topology_id)


def print_rates(rates: Dict[str, Throughput]) -> List[str]:
    """The table of rates and ratios; the targets missed."""
    missed: List[str] = []
    print(f"  word count, 1 worker, 1 task per component, max spout pending "
          f"{MAX_SPOUT_PENDING}, {WINDOW_SECS:.0f} s window after {WARMUP_SECS:.0f} s warm-up")
    print(f"  {'variant':<9} {'sentences/s':>12} {'window':>8} {'failed':>7} "
          f"{'CPU us/sentence: JVM':>21} {'Python':>7} {'total':>7}")
    for variant, row in rates.items():
        print(f"  {LABELS[variant]:<9} {row.rate:>12,.0f} {row.seconds:>7.1f}s {row.failed:>7} "
              f"{row.cpu_us(row.jvm_cpu):>21,.0f} {row.cpu_us(row.python_cpu):>7,.0f} "
              f"{row.cpu_us(row.jvm_cpu + row.python_cpu):>7,.0f}")
    if "petrel" in rates:
        for other in ("pystorm", "stormpy"):
            if other in rates:
                ratio = rates["petrel"].rate / rates[other].rate
                target = (f" (target >= {TARGET_VS_PYSTORM}x: "
                          f"{'met' if ratio >= TARGET_VS_PYSTORM else 'MISSED'})"
                          if other == "pystorm" else "")
                mine, theirs = rates["petrel"], rates[other]
                total = (theirs.cpu_us(theirs.jvm_cpu + theirs.python_cpu)
                         / mine.cpu_us(mine.jvm_cpu + mine.python_cpu))
                python = theirs.cpu_us(theirs.python_cpu) / mine.cpu_us(mine.python_cpu)
                print(f"  ratio petrel/{LABELS[other]} = {ratio:.2f}x{target}; CPU per sentence "
                      f"{LABELS[other]}/petrel = {total:.2f}x (Python processes: {python:.2f}x)")
                if other == "pystorm" and ratio < TARGET_VS_PYSTORM:
                    missed.append(f"petrel/pystorm {ratio:.2f}x < {TARGET_VS_PYSTORM}x")
    return missed


def print_startups(startups: List[Startup]) -> None:
    """The table of milestones from running ``petrel submit`` to the first ack."""
    if startups:
        print("  from running petrel submit to the first ack (s; milestones from Storm's logs):")
        print(f"  {'':<14}" + "".join(f"{what:>{max(len(what), 6) + 2}}"
                                      for what in startups[0].milestones))
    for label, row in zip(("first submit", "second submit"), startups):
        print(f"  {label:<14}" + "".join(
            f"{'?' if at is None else f'{at:.1f}':>{max(len(what), 6) + 2}}"
            for what, at in row.milestones.items()) + f"   environment {row.environment}")


def main() -> int:
    """Start a cluster, run the variants and the start-up measurements, print the table."""
    reason = missing_tools()
    if reason:
        print(f"  skipped: a real Storm {reason}")
        return 0
    variants = ["petrel"]
    if importlib.util.find_spec("pystorm") is not None:
        variants.append("pystorm")
    else:
        print(f"  pystorm is not importable by {sys.executable}: its variant is skipped")
    import pytest  # tests/storm's cluster helpers report a failed start through pytest

    with tempfile.TemporaryDirectory(prefix="petrel-bench-storm-") as tmp:
        root = Path(tmp)
        started = time.monotonic()
        try:
            storm = start_cluster(root / "cluster", VERSION)
        except pytest.fail.Exception as exc:
            raise RuntimeError(str(exc)) from None
        print(f"  Apache Storm {storm.version} up in {time.monotonic() - started:.0f} s; "
              f"python {sys.version.split()[0]} ({sys.executable})", flush=True)
        try:
            (root / "topo").mkdir()
            storm_py_problem = fetch_storm_py(storm.version, root / "topo")
            if storm_py_problem:
                print(f"  storm.py variant skipped: {storm_py_problem}")
            else:
                variants.append("stormpy")
            topo = prepare_topology(root / "topo", not storm_py_problem)
            if (root / "topo" / "storm.py").exists():
                shutil.move(str(root / "topo" / "storm.py"), topo / "storm.py")
            startups, startup_ids = [], []
            try:
                for n in (1, 2):
                    startup, topology_id = measure_startup(storm, topo, f"bench-startup-{n}")
                    startups.append(startup)
                    startup_ids.append(topology_id)
                    print(f"  submit {n}: first ack {startup.first_ack_secs:.1f} s after "
                          f"petrel submit started", flush=True)
            finally:
                for topology_id in startup_ids:
                    forget_environment(topology_id)
            rates: Dict[str, Throughput] = {}
            for variant in variants:
                rates[variant] = run_variant(storm, topo, variant)
                print(f"  {LABELS[variant]}: {rates[variant].rate:,.0f} sentences/s", flush=True)
        finally:
            stop_cluster(storm)
    missed = print_rates(rates)
    print_startups(startups)
    for line in missed:
        print(f"  MISSED: {line}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
