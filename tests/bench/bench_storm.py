"""Benchmark on a real Apache Storm (``make bench``): petrel against pystorm and Storm's own
storm.py, with Storm's JSON and petrel's MessagePack serializer, and the time from
``petrel submit`` to the first ack.

One cluster is started with ``petrel storm up`` on free ports (the same way tests/storm does).
Two topologies run, one worker, one task per component, ``topology.max.spout.pending:
1000``, the spout as fast as it can, acking on: word count (spout -> split -> count, fields
grouping on 'word'; sentences acked per second by the spout, whose tuples are reliable)
and a pass-through bolt (a spout emitting sentences in batches without message ids -> a bolt
that emits each sentence on, the lightest bolt there is, so the multilang protocol's cost
shows most; sentences acked per second by that bolt, which bounds the rate). Each runs with
petrel's components (the topologies/wordcount ones), the same components written with
pystorm, and for word count with Storm's multilang ``storm.py`` (fetched with Maven at bench
time from ``org.apache.storm:multilang-python``, never committed); petrel and pystorm run
once with Storm's JSON serializer and once with ``petrel.serializer: msgpack`` (pystorm
speaks MessagePack with its own msgpack serializer on the pass-through bolt, when the msgpack
package is installed).
The floor is the pass-through bolt with no framework at all (storm_variants/floor_pass.py)
behind petrel's spout, in MessagePack. petrel's tasks get orjson and msgpack from the
topology's requirements.txt (their environment does not see the system's site-packages);
pystorm, storm.py and the floor run with ``petrel.python`` and its site-packages. One after
the other, each is measured over the same window after the same warm-up: sentences acked per
second, from Nimbus's ``getTopologyInfo`` (``topology.stats.sample.rate: 1.0``, so counts
are exact), and the CPU time the worker's JVM and its Python processes spent per sentence.
Targets: petrel at least 1.5x pystorm on word count (JSON), and petrel/msgpack at least 1.4x
petrel/JSON on the pass-through bolt.

Then (storm_startup.py) word count with a spout that logs the time of its first ack is
submitted twice: the time from running ``petrel submit`` to that first ack, with the
launcher's own account of its environment (built or reused, and how long it took).

PETREL_BENCH_STORM_CASES picks some of the cases (e.g. ``pass-petrel-json
pass-petrel-msgpack startup``); unset, all run.
"""

import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

_REPO = Path(__file__).resolve().parents[2]
_STORM_TESTS = _REPO / "tests" / "storm"
for _path in (_REPO, _STORM_TESTS, Path(__file__).resolve().parent):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from storm_helpers import (  # noqa: E402
    VERSION,
    RealStorm,
    copy_topology,
    missing_tools,
    start_cluster,
    stop_cluster,
    wait_until,
)
from storm_startup import (  # noqa: E402
    forget_environment,
    measure_startups,
    print_startups,
    submit,
)

VARIANTS_DIR = Path(__file__).resolve().parent / "storm_variants"
WARMUP_SECS = 5.0       # after the first acked sentence, before the window opens
WINDOW_SECS = 20.0      # at least this long, between two statistics updates from the worker
POLL_SECS = 0.25
TARGET_VS_PYSTORM = 1.5         # petrel/json over pystorm/json, word count
TARGET_MSGPACK_VS_JSON = 1.4    # petrel/msgpack over petrel/json, pass-through bolt
MAX_SPOUT_PENDING = 1000
LABELS = {"petrel": "petrel", "pystorm": "pystorm", "stormpy": "storm.py", "floor": "floor"}
SHAPES = {"wordcount": "word count", "pass": "pass-through bolt"}
# Installed into the tasks' environment for every throughput case.
FAST_CODECS = ("orjson", "msgpack")
# Shell components not written with petrel that speak MessagePack, by (variant, shape).
MSGPACK_SHELL_COMPONENTS = {("pystorm_msgpack", "wordcount"): ["spout", "split", "count"],
                            ("pystorm_msgpack", "pass"): ["spout", "pass"],
                            ("floor", "pass"): ["pass"]}


@dataclass(frozen=True)
class Case:
    """One measured topology: its shape, the runtime of its components, the serializer."""

    shape: str
    runtime: str
    serializer: str

    @property
    def variant(self) -> str:
        """``bench.variant`` for create_bench.py."""
        if self.runtime == "pystorm" and self.serializer == "msgpack":
            return "pystorm_msgpack"
        return self.runtime

    @property
    def key(self) -> str:
        """A name for its config file and topology: ``<shape>-<runtime>-<serializer>``."""
        return f"{self.shape}-{self.runtime}-{self.serializer}"

    @property
    def label(self) -> str:
        """``runtime/serializer`` as the tables show it."""
        return f"{LABELS[self.runtime]}/{self.serializer}"


def all_cases(pystorm: bool, msgpack: bool, storm_py: bool) -> List[Case]:
    """The cases to measure, given which of pystorm, its msgpack serializer and storm.py
    are there."""
    cases = []
    for shape in SHAPES:
        cases += [Case(shape, "petrel", "json"), Case(shape, "petrel", "msgpack")]
        if pystorm:
            cases.append(Case(shape, "pystorm", "json"))
            if msgpack and shape == "pass":   # word count would add a minute for little
                cases.append(Case(shape, "pystorm", "msgpack"))
        if storm_py and shape == "wordcount":
            cases.append(Case(shape, "stormpy", "json"))
        if shape == "pass":
            cases.append(Case(shape, "floor", "msgpack"))
    return cases


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


def topology_yaml(variant: str, shape: str = "wordcount", serializer: str = "json") -> str:
    """The config of one case (the same for all but ``bench.*`` and the serializer)."""
    return (f"topology.workers: 1\n"
            f"topology.message.timeout.secs: 30\n"
            f"topology.max.spout.pending: {MAX_SPOUT_PENDING}\n"
            f"topology.stats.sample.rate: 1.0\n"
            f"wordcount.sentence_interval_secs: 0\n"
            f"petrel.python: {sys.executable}\n"
            f"bench.variant: {variant}\n"
            f"bench.shape: {shape}\n" + msgpack_settings(variant, shape, serializer))


def msgpack_settings(variant: str, shape: str, serializer: str) -> str:
    """What a MessagePack case adds to its config: the serializer, and which shell components
    not written with petrel speak it too."""
    if serializer != "msgpack":
        return ""
    shell = MSGPACK_SHELL_COMPONENTS.get((variant, shape))
    return "petrel.serializer: msgpack\n" + (
        f"petrel.serializer.shell_components: [{', '.join(shell)}]\n" if shell else "")


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


def prepare_topology(root: Path, with_storm_py: bool, cases: List[Case],
                     fast_codecs: bool = True) -> Path:
    """topologies/wordcount plus the variants' scripts, with a manifest that ships them.

    With ``fast_codecs`` a requirements.txt installs orjson and msgpack into the tasks'
    environment (which does not see the system's site-packages), so petrel's tasks use the
    C codecs with either serializer, as pystorm does from the system's site-packages.
    """
    topo = copy_topology("wordcount", root)
    # first_ack_spout imports randomsentence: only component modules ship unless listed.
    shipped = ["logconfig.ini", "randomsentence.py"]
    for path in sorted(VARIANTS_DIR.glob("*.py")):
        shutil.copy(path, topo / path.name)
        if path.name.startswith(("pystorm_", "stormpy_", "floor_")):
            shipped.append(path.name)
    if with_storm_py:
        shipped.append("storm.py")
    if fast_codecs:
        (topo / "requirements.txt").write_text("\n".join(FAST_CODECS) + "\n")
        shipped.append("requirements.txt")
    (topo / "manifest.txt").write_text("\n".join(shipped) + "\n")
    (topo / "bench-startup.yaml").write_text(topology_yaml("startup"))
    for case in cases:
        (topo / f"bench-{case.key}.yaml").write_text(
            topology_yaml(case.variant, case.shape, case.serializer))
    return topo


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


def _acked_failed(storm: RealStorm, name: str, component: str) -> Tuple[int, int]:
    row = storm.stats(name).get(component)
    return (row.acked, row.failed) if row else (0, 0)


def _next_update(read: Callable[[], Tuple[int, int]], last: int,
                 timeout: float = 60) -> Tuple[float, Tuple[int, int]]:
    """Poll until the acked count differs from ``last``: (when, counts)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        counts = read()
        if counts[0] != last:
            return time.monotonic(), counts
        time.sleep(POLL_SECS)
    raise AssertionError(f"the acked count stayed at {last} for {timeout:g} s")


def measure_throughput(storm: RealStorm, name: str, component: str) -> Throughput:
    """Sentences ``component`` acked per second over WINDOW_SECS, from one statistics update
    to another.

    Statistics reach Nimbus in steps (every 5 s here); the window opens at the first step
    seen after the warm-up and closes at the first step at least WINDOW_SECS later, so both
    ends sit on an update and the error is the polling interval.
    """
    wait_until(lambda: _acked_failed(storm, name, component)[0] > 0, 180,
               f"{name}: the first sentence acked by {component} reaches Nimbus", every=1)
    time.sleep(WARMUP_SECS)
    topology_id = storm.topology_id(name)
    assert topology_id is not None
    read = lambda: _acked_failed(storm, name, component)  # noqa: E731
    started, (acked0, failed0) = _next_update(read, read()[0])
    cpu0 = topology_cpu(topology_id)
    ended, (acked1, failed1) = _next_update(read, acked0)
    while ended - started < WINDOW_SECS:
        ended, (acked1, failed1) = _next_update(read, acked1)
    cpu1 = topology_cpu(topology_id)
    return Throughput(acked1 - acked0, ended - started, failed1 - failed0,
                      cpu1[0] - cpu0[0], cpu1[1] - cpu0[1])


def run_case(storm: RealStorm, topo: Path, case: Case) -> Throughput:
    """Submit one throughput case, measure it, kill it and remove its environment."""
    name = f"bench-{case.key}"
    submit(storm, topo, case.key, name)
    try:
        return measure_throughput(storm, name, "pass" if case.shape == "pass" else "spout")
    finally:
        topology_id = storm.topology_id(name)
        storm.kill(name)
        if topology_id:
            forget_environment(topology_id)


def print_table(rates: Dict[Case, Throughput]) -> None:
    """Rate, window, failures and CPU per sentence of every case, by shape."""
    print(f"  1 worker, 1 task per component, max spout pending {MAX_SPOUT_PENDING}, "
          f"{WINDOW_SECS:.0f} s window after {WARMUP_SECS:.0f} s warm-up")
    print(f"  {'case':<31} {'sentences/s':>12} {'window':>8} {'failed':>7} "
          f"{'CPU us/sentence: JVM':>21} {'Python':>7} {'total':>7}")
    for case, row in rates.items():
        print(f"  {SHAPES[case.shape] + ', ' + case.label:<31} {row.rate:>12,.0f} "
              f"{row.seconds:>7.1f}s {row.failed:>7} {row.cpu_us(row.jvm_cpu):>21,.0f} "
              f"{row.cpu_us(row.python_cpu):>7,.0f} "
              f"{row.cpu_us(row.jvm_cpu + row.python_cpu):>7,.0f}")


# (shape, numerator, denominator, target): the ratios printed, and the targets among them.
RATIOS = (
    ("pass", ("petrel", "msgpack"), ("petrel", "json"), TARGET_MSGPACK_VS_JSON),
    ("wordcount", ("petrel", "msgpack"), ("petrel", "json"), None),
    ("pass", ("pystorm", "msgpack"), ("pystorm", "json"), None),
    ("wordcount", ("pystorm", "msgpack"), ("pystorm", "json"), None),
    ("wordcount", ("petrel", "json"), ("pystorm", "json"), TARGET_VS_PYSTORM),
    ("pass", ("petrel", "json"), ("pystorm", "json"), None),
    ("wordcount", ("petrel", "msgpack"), ("pystorm", "msgpack"), None),
    ("pass", ("petrel", "msgpack"), ("pystorm", "msgpack"), None),
    ("wordcount", ("petrel", "json"), ("stormpy", "json"), None),
    ("pass", ("petrel", "msgpack"), ("floor", "msgpack"), None),
)


def print_rates(rates: Dict[Case, Throughput]) -> List[str]:
    """The table of rates, then the ratios (rate, and CPU per sentence the other way round);
    the targets missed."""
    print_table(rates)
    missed: List[str] = []
    for shape, top, bottom, target in RATIOS:
        mine, theirs = rates.get(Case(shape, *top)), rates.get(Case(shape, *bottom))
        if mine is None or theirs is None:
            continue
        ratio = mine.rate / theirs.rate
        a, b = Case(shape, *top).label, Case(shape, *bottom).label
        verdict = ""
        if target is not None:
            verdict = f" (target >= {target}x: {'met' if ratio >= target else 'MISSED'})"
            if ratio < target:
                missed.append(f"{SHAPES[shape]}: {a} over {b} {ratio:.2f}x < {target}x")
        total = (theirs.cpu_us(theirs.jvm_cpu + theirs.python_cpu)
                 / mine.cpu_us(mine.jvm_cpu + mine.python_cpu))
        jvm = theirs.cpu_us(theirs.jvm_cpu) / mine.cpu_us(mine.jvm_cpu)
        python = theirs.cpu_us(theirs.python_cpu) / mine.cpu_us(mine.python_cpu)
        print(f"  {SHAPES[shape]}: {a} / {b} = {ratio:.2f}x{verdict}; CPU per sentence "
              f"{b} / {a} = {total:.2f}x (JVM {jvm:.2f}x, Python {python:.2f}x)")
    return missed


def chosen(cases: List[Case]) -> Tuple[List[Case], bool]:
    """The cases PETREL_BENCH_STORM_CASES names (keys such as ``pass-petrel-msgpack``, and
    ``startup`` for the start-up measurements), all when it is unset; and whether start-up
    is measured."""
    wanted = os.environ.get("PETREL_BENCH_STORM_CASES", "").replace(",", " ").split()
    if not wanted:
        return cases, True
    known = {case.key for case in cases} | {"startup"}
    unknown = sorted(set(wanted) - known)
    if unknown:
        raise SystemExit(f"PETREL_BENCH_STORM_CASES: unknown {', '.join(unknown)}; known here: "
                         f"{', '.join(sorted(known))}")
    return [case for case in cases if case.key in wanted], "startup" in wanted


def main() -> int:
    """Start a cluster, run the cases and the start-up measurements, print the tables."""
    reason = missing_tools()
    if reason:
        print(f"  skipped: a real Storm {reason}")
        return 0
    have_pystorm = importlib.util.find_spec("pystorm") is not None
    have_msgpack = importlib.util.find_spec("msgpack") is not None
    if not have_pystorm:
        print(f"  pystorm is not importable by {sys.executable}: its cases are skipped")
    if not have_msgpack:
        print(f"  the msgpack package is not importable by {sys.executable}: pystorm/msgpack "
              f"is skipped (pystorm's msgpack serializer needs it) and the floor uses petrel's "
              f"pure-Python codec")
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
                print(f"  storm.py cases skipped: {storm_py_problem}")
            cases, with_startup = chosen(all_cases(have_pystorm, have_msgpack,
                                                   not storm_py_problem))
            topo = prepare_topology(root / "topo", not storm_py_problem, cases)
            if (root / "topo" / "storm.py").exists():
                shutil.move(str(root / "topo" / "storm.py"), topo / "storm.py")
            (root / "startup").mkdir()
            startups = measure_startups(storm, prepare_topology(
                root / "startup", False, [], fast_codecs=False)) if with_startup else []
            rates: Dict[Case, Throughput] = {}
            for case in cases:
                rates[case] = run_case(storm, topo, case)
                print(f"  {SHAPES[case.shape]}, {case.label}: {rates[case].rate:,.0f} "
                      f"sentences/s", flush=True)
        finally:
            stop_cluster(storm)
    missed = print_rates(rates)
    print_startups(startups)
    for line in missed:
        print(f"  MISSED: {line}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
