"""The start-up half of bench_storm: seconds from running ``petrel submit`` to the first ack.

Word count with a spout that logs the time of its first ack (storm_variants/first_ack_spout.py)
is submitted twice to a running cluster; the milestones in between come from Storm's own
logs, and the launcher's log says whether the topology's Python environment was built or
reused (and how long building it took).
"""

import re
import shutil
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from storm_helpers import RealStorm, petrel, wait_until

FIRST_ACK = "bench: first ack at"


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


def submit(storm: RealStorm, topo: Path, key: str, name: str) -> float:
    """``petrel submit`` of config ``bench-KEY.yaml`` as ``name``; the seconds it took."""
    started = time.monotonic()
    proc = petrel("submit", "--config", str(topo / f"bench-{key}.yaml"),
                  "--definition", "create_bench.create", name, "--nimbus", storm.nimbus,
                  cwd=topo)
    if proc.returncode != 0:
        raise RuntimeError(f"petrel submit {name} failed:\n{proc.stdout}\n{proc.stderr}")
    return time.monotonic() - started


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


def measure_startups(storm: RealStorm, topo: Path) -> List[Startup]:
    """Two submits of the first-ack word count, the second finding the first's environment."""
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
    return startups
