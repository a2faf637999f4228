"""Running a chaos topology with ``petrel submit`` and watching it from the outside.

``write_topology`` makes a topology directory of the chaos components (``components/``):
a recording spout and bolts configured to misbehave. ``Submit`` runs it with the local
runner in a subprocess, as a user does. ``Monitor`` is a thread that learns every task
process from the record files, notes when each one dies (``/proc``, every 20 ms) and, when
asked, ``kill -9``s a random one every few seconds, with a seeded random generator.
``spout_records`` reads back what the spout processes wrote down.

Times are ``CLOCK_BOOTTIME`` seconds, the clock of a process's start time in ``/proc``.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

COMPONENTS = Path(__file__).resolve().parent / "components"
REPO = Path(__file__).resolve().parents[2]

CREATE = '''"""A topology of the chaos suite: the components SPEC lists."""

import json

%s

SPEC = json.loads(%r)


def create(builder):
    for comp in SPEC:
        cls = globals()[comp["cls"]]
        if comp["source"] is None:
            declarer = builder.setSpout(comp["id"], cls(), comp["tasks"])
        else:
            declarer = builder.setBolt(comp["id"], cls(), comp["tasks"])
            if comp["fields"]:
                declarer.fieldsGrouping(comp["source"], comp["fields"])
            else:
                declarer.shuffleGrouping(comp["source"])
        declarer.addConfigurations(comp["conf"])
'''


@dataclass
class Component:
    """One component of a chaos topology."""

    id: str
    source: Optional[str] = None       # None: a spout
    tasks: int = 1
    fields: Optional[List[str]] = None  # a fields grouping on these, else shuffle
    conf: Dict[str, Any] = field(default_factory=dict)
    cls: str = ""                      # module.Class; default: the chaos spout or bolt

    @property
    def class_ref(self) -> str:
        """``module.Class`` of the component."""
        if self.cls:
            return self.cls
        return "chaosspout.ChaosSpout" if self.source is None else "chaosbolt.ChaosBolt"


def write_topology(root: Path, components: List[Component], conf: Dict[str, Any],
                   files: Tuple[Path, ...] = ()) -> Path:
    """A topology directory under ``root`` (the chaos components and ``files``)."""
    root.mkdir(parents=True, exist_ok=True)
    copied = []
    for path in (*COMPONENTS.glob("*.py"), *files):
        shutil.copy(path, root / path.name)
        copied.append(path.name)
    refs = sorted({c.class_ref for c in components})
    # the components' own modules ship anyway; the modules they import must be listed
    shipped = {ref.rsplit(".", 1)[0] + ".py" for ref in refs}
    imports = "\n".join("from {} import {}".format(*ref.rsplit(".", 1)) for ref in refs)
    spec = [{"id": c.id, "source": c.source, "tasks": c.tasks, "fields": c.fields,
             "conf": c.conf, "cls": c.class_ref.rsplit(".", 1)[1]} for c in components]
    (root / "create.py").write_text(CREATE % (imports, json.dumps(spec)))
    (root / "manifest.txt").write_text("".join(f"{name}\n" for name in sorted(copied)
                                               if name not in shipped))
    (root / "topology.yaml").write_text(json.dumps(conf, indent=1) + "\n")
    return root / "topology.yaml"


def boottime() -> float:
    """Now, on the clock of process start times."""
    return time.clock_gettime(time.CLOCK_BOOTTIME)


def running_since(pid: int) -> Optional[float]:
    """The start time of ``pid`` while it runs (not a zombie), else None."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None
    if fields[0] in ("Z", "X", "x"):
        return None
    return int(fields[19]) / os.sysconf("SC_CLK_TCK")


@dataclass
class Proc:
    """One task process, as its record file and the monitor saw it."""

    cid: str
    task: int
    pid: int
    spawn: float
    path: Path
    death: Optional[float] = None
    killed_at: Optional[float] = None

    def alive(self) -> bool:
        """True while this very process runs (a reused pid is not it)."""
        since = running_since(self.pid)
        return since is not None and abs(since - self.spawn) < 0.05


class Monitor(threading.Thread):
    """Learns the task processes, notes their deaths, and kills some when told to."""

    def __init__(self, records: Path, seed: int = 19,
                 kill_every: Tuple[float, float] = (2.0, 4.0),
                 killable: Callable[[Proc], bool] = lambda p: True,
                 min_age: float = 2.0, max_kills: Optional[int] = None) -> None:
        super().__init__(daemon=True, name="chaos-monitor")
        self.records = records
        self.rng = random.Random(seed)
        self.kill_every = kill_every
        self.killable = killable
        self.min_age = min_age
        self.max_kills = max_kills
        self.procs: Dict[str, Proc] = {}
        self.kills: List[Proc] = []
        self.killing = False
        self.next_kill = 0.0
        self.lock = threading.Lock()
        self._stop_event = threading.Event()

    def run(self) -> None:
        """Watch until stopped."""
        while not self._stop_event.wait(0.02):
            self.step()

    def stop(self) -> None:
        """Stop watching, after one last look."""
        self._stop_event.set()
        self.join(5.0)
        self.step()

    def start_killing(self) -> None:
        """Kill a random task process every few seconds from now on."""
        with self.lock:
            self.killing = True
            self.next_kill = boottime() + self.rng.uniform(*self.kill_every)

    def stop_killing(self) -> None:
        """No more kills."""
        with self.lock:
            self.killing = False

    def live(self) -> List[Proc]:
        """The task processes running now."""
        with self.lock:
            return [p for p in self.procs.values() if p.death is None]

    def step(self) -> None:
        """Learn new processes, note deaths, kill one if it is time."""
        with self.lock:
            self._learn()
            now = boottime()
            for p in self.procs.values():
                if p.death is None and not p.alive():
                    p.death = now
            if self.killing and now >= self.next_kill and (
                    self.max_kills is None or len(self.kills) < self.max_kills):
                self._kill_one(now)

    def _learn(self) -> None:
        for name in os.listdir(self.records):
            if not name.endswith(".log") or name in self.procs:
                continue
            path = self.records / name
            with open(path) as f:
                first = f.readline()
            if not first.startswith("start ") or not first.endswith("\n"):
                continue  # not written yet
            task, pid, spawn = first.split()[1:4]
            self.procs[name] = Proc(name.split(".")[0], int(task), int(pid), float(spawn), path)

    def _kill_one(self, now: float) -> None:
        candidates = sorted((p for p in self.procs.values()
                             if p.death is None and now - p.spawn >= self.min_age
                             and self.killable(p)), key=lambda p: p.pid)
        if not candidates:
            return
        victim = self.rng.choice(candidates)
        victim.killed_at = now
        try:
            os.kill(victim.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.kills.append(victim)
        self.next_kill = now + self.rng.uniform(*self.kill_every)


class Submit:
    """``petrel submit`` of a topology directory, in a subprocess, local mode."""

    def __init__(self, config: Path, work: Path, extra: Tuple[str, ...] = ()) -> None:
        self.work = work
        self.stats_path = work / "stats.json"
        self.logdir = work / "logs"
        self.out_path, self.err_path = work / "submit.out", work / "submit.err"
        tmp = work / "tmp"
        tmp.mkdir(exist_ok=True)
        env = {"PATH": os.pathsep.join(["/usr/bin", "/bin", str(Path(sys.executable).parent)]),
               "PYTHONPATH": str(REPO), "TMPDIR": str(tmp), "HOME": str(work)}
        with open(self.out_path, "wb") as out, open(self.err_path, "wb") as err:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "petrel.cli", "submit", "--config", str(config),
                 "--stats-json", str(self.stats_path), "--logdir", str(self.logdir), *extra],
                cwd=config.parent, stdout=out, stderr=err, env=env)

    @property
    def ended(self) -> bool:
        """True once the command has exited."""
        return self.proc.poll() is not None

    def interrupt(self, wait: float = 90.0) -> Optional[int]:
        """Ctrl+C, then wait for the exit status (None if it did not end)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        try:
            return self.proc.wait(wait)
        except subprocess.TimeoutExpired:
            return None

    def kill(self) -> None:
        """``kill -9`` the runner (and reap it)."""
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(10)

    @property
    def out(self) -> str:
        """Everything the command printed, stdout then stderr."""
        return self.out_path.read_text(errors="replace") + self.err_path.read_text(
            errors="replace")

    def stats(self) -> Dict[str, Any]:
        """The ``--stats-json`` document."""
        return json.loads(self.stats_path.read_text())


@dataclass
class SpoutRecords:
    """What the spout processes wrote down, per verb, over the whole run."""

    lines: Dict[str, List[int]] = field(default_factory=dict)
    processes: int = 0

    def ids(self, verb: str) -> List[int]:
        """The ids recorded with ``verb``, in record order, repeats kept."""
        return self.lines.get(verb, [])


def spout_records(records: Path, cid: str = "spout") -> SpoutRecords:
    """Every record of the spout component's processes."""
    result = SpoutRecords()
    for path in sorted(records.glob(f"{cid}.*.log")):
        result.processes += 1
        with open(path) as f:
            for line in f:
                verb, _, rest = line.strip().partition(" ")
                if rest.isdigit():
                    result.lines.setdefault(verb, []).append(int(rest))
    return result


def wait_for(condition: Callable[[], bool], timeout: float, every: float = 0.25) -> bool:
    """Poll ``condition`` until it holds or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return condition()
