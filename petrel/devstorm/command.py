"""The ``petrel storm up | status | down | logs`` handlers: options in, lines out."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from petrel.cluster.devcluster import ClusterRecord, Ports
from petrel.devstorm import readiness
from petrel.devstorm.cluster import (
    KEEPER,
    NAMES,
    LocalStorm,
    UpOptions,
    display_name,
    standby_name,
)
from petrel.devstorm.settings import LOOPBACK
from petrel.errors import PetrelError

NOT_RUNNING = 3     # ``status`` exit code when no cluster runs (as systemctl does)


def _say(line: str) -> None:
    print(line, flush=True)


def run_storm(args: argparse.Namespace) -> int:
    """Dispatch ``petrel storm ACTION``."""
    storm = LocalStorm(args.dir)
    action = args.storm_action
    if action == "up":
        return _up(storm, args)
    if action == "status":
        return _status(storm)
    if action == "down":
        return _down(storm)
    return _logs(storm, args)


def _up(storm: LocalStorm, args: argparse.Namespace) -> int:
    first = args.first_slot_port
    ports = Ports(nimbus=args.nimbus_port, ui=args.ui_port, zookeeper=args.zookeeper_port,
                  supervisor=args.supervisor_port, slots=list(range(first, first + args.slots)),
                  standby_nimbus=list(args.standby_nimbus_port))
    options = UpOptions(version=args.storm_version, home=args.home, ports=ports,
                        ui=not args.no_ui, timeout=args.timeout)
    record, already = storm.up(options, progress=_say)
    if already:
        _say(f"a local Storm cluster is already running in {storm.dir.root}")
    _say(f"Storm {record.version} is up: Nimbus {LOOPBACK}:{record.ports.nimbus}, "
         f"{len(record.ports.slots)} worker slots")
    nimbus = ",".join(f"{LOOPBACK}:{p}" for p in [record.ports.nimbus,
                                                   *record.ports.standby_nimbus])
    _say(f"  submit: petrel submit --config topology.yaml NAME --nimbus {nimbus}")
    _say(f"  UI:     http://{LOOPBACK}:{record.ports.ui}/" if record.ui else "  UI:     none")
    _say(f"  logs:   {storm.dir.logs}   (petrel storm logs [DAEMON])")
    _say("  stop:   petrel storm down")
    return 0


def _status(storm: LocalStorm) -> int:
    record = storm.dir.record()
    running = storm.running()
    if record is None or not running:
        _say(f"no local Storm cluster is running (cluster directory {storm.dir.root})")
        return NOT_RUNNING
    _say(f"Apache Storm {record.version} from {record.home}, Java {record.java}")
    rows = [("daemon", "pid", "port", "state")]
    for name, port in _daemon_ports(record):
        pid = running.get(name)
        rows.append((name, str(pid or "-"), str(port), "running" if pid else "STOPPED"))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for row in rows:
        _say("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
    _say(_keeper_line(storm))
    _say(f"worker slots: {', '.join(str(p) for p in record.ports.slots)}")
    info = None
    for port in [record.ports.nimbus, *record.ports.standby_nimbus]:
        try:
            info = readiness.cluster_info(port)
            break
        except PetrelError as exc:
            _say(f"Nimbus at {LOOPBACK}:{port} does not answer: {exc.message}")
    if info is None:
        return 1
    for nimbus in getattr(info, "nimbuses", None) or []:
        role = "leader" if nimbus.isLeader else "standby"
        _say(f"nimbus {nimbus.host}:{nimbus.port}: {role}, Storm {nimbus.version}")
    for sup in info.supervisors or []:
        _say(f"supervisor {sup.host}: {sup.num_used_workers} of {sup.num_workers} slots used, "
             f"Storm {getattr(sup, 'version', '?')}")
    topologies = info.topologies or []
    if not topologies:
        _say("topologies: none")
    for topo in topologies:
        _say(f"topology {topo.name}: {topo.status}, {topo.num_workers} workers, "
             f"up {topo.uptime_secs} s (id {topo.id})")
    if record.ui:
        _say(f"UI: http://{LOOPBACK}:{record.ports.ui}/")
    _say(f"logs: {storm.dir.logs}")
    stopped = [n for n, _ in _daemon_ports(record) if n not in running]
    return 1 if stopped else 0


def _keeper_line(storm: LocalStorm) -> str:
    """Whether the keeper runs, and how many daemons it has restarted so far."""
    pid = storm.pidfile(KEEPER).pid()
    if pid is None:
        return "keeper: not running (a daemon that exits stays stopped)"
    try:
        lines = (storm.dir.logs / "keeper.log").read_text(encoding="utf-8").splitlines()
    except OSError:
        lines = []
    restarts = sum(" restarted as pid " in line for line in lines)
    return (f"keeper: pid {pid}, restarts a daemon that exits; {restarts} restart"
            f"{'' if restarts == 1 else 's'} so far (logs/keeper.log)")


def _daemon_ports(record: ClusterRecord) -> list[tuple[str, int]]:
    ports = record.ports
    pairs = [("zookeeper", ports.zookeeper), ("nimbus", ports.nimbus)]
    pairs += [(standby_name(i), p) for i, p in enumerate(ports.standby_nimbus)]
    pairs.append(("supervisor", ports.supervisor))
    return pairs + ([("ui", ports.ui)] if record.ui else [])


def _down(storm: LocalStorm) -> int:
    stopped = storm.down(progress=_say)
    if not stopped:
        _say(f"no local Storm cluster is running (cluster directory {storm.dir.root})")
        return 0
    _say(f"stopped {', '.join(display_name(n) for n in stopped)}; "
         f"the cluster's state is removed, its logs kept in {storm.dir.logs}")
    return 0


def _logs(storm: LocalStorm, args: argparse.Namespace) -> int:
    logs = storm.dir.logs
    if not logs.is_dir():
        raise PetrelError(f"no logs yet: {logs} does not exist (start a cluster with "
                          "'petrel storm up')")
    if not args.daemon:
        _say(f"logs directory: {logs}")
        for path in sorted(logs.rglob("*")):
            if path.is_file():
                _say(f"  {path.relative_to(logs)}")
        return 0
    files = _log_files(logs, args.daemon)
    for path in files:
        if len(files) > 1:
            _say(f"==> {path} <==")
        _say("\n".join(_last_lines(path, args.lines)))
    if args.follow:
        _follow(files)
    return 0


def _log_files(logs: Path, daemon: str) -> list[Path]:
    if daemon == "worker":
        found = sorted(logs.glob("workers-artifacts/*/*/worker.log"))
        if not found:
            raise PetrelError(f"no worker has logged yet (nothing in {logs / 'workers-artifacts'})")
        return found
    path = logs / f"{daemon}.log"
    if daemon.partition("-")[0] not in NAMES and not path.is_file():
        choices = ", ".join([*NAMES, "worker"])
        raise PetrelError(f"no log for {daemon!r}: choose one of {choices}")
    if not path.is_file():
        raise PetrelError(f"{path} does not exist: the {daemon} daemon has not logged yet")
    return [path]


def _last_lines(path: Path, count: int) -> list[str]:
    return path.read_text(encoding="utf-8", errors="replace").splitlines()[-count:]


def _follow(files: list[Path]) -> None:
    """Print what is appended to ``files`` until Ctrl+C."""
    offsets = {p: p.stat().st_size for p in files}
    while True:
        for path in files:
            size = path.stat().st_size if path.exists() else 0
            if size < offsets[path]:
                offsets[path] = 0       # rolled over
            if size > offsets[path]:
                with open(path, "rb") as f:
                    f.seek(offsets[path])
                    sys.stdout.write(f.read().decode("utf-8", errors="replace"))
                    sys.stdout.flush()
                offsets[path] = size
        time.sleep(0.5)
