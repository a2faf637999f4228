"""``up``, ``status`` and ``down`` of one local Storm cluster (one cluster directory).

``up`` finds a Java and a Storm home, checks every port, writes ``conf/storm.yaml``, then
starts Storm's development ZooKeeper, Nimbus, one Supervisor and the UI in that order,
waiting for each to answer before the next: a daemon that exits or hangs stops the start,
stops what was started, and shows the end of its log. Once all answer, it starts the keeper
(``petrel.devstorm.keeper``), which restarts a daemon that exits on its own, as Storm's
documentation asks of every deployment: Storm's daemons are fail-fast. ``down`` stops the
keeper, then exactly the daemons the pid files name (with the workers and Python tasks in
their process groups), last started first, and removes the cluster's state, keeping its logs.
"""

from __future__ import annotations

import shutil
import subprocess
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from petrel.cluster.devcluster import ClusterDir, ClusterRecord, Ports, default_directory
from petrel.devstorm import readiness
from petrel.devstorm.daemons import DaemonSpec, PidFile, start_keeper, stop_started
from petrel.devstorm.home import StormHome, maven_home, user_home
from petrel.devstorm.java import Java, find_java, find_mvn
from petrel.devstorm.settings import LOOPBACK, prepare
from petrel.devstorm.versions import DEFAULT_SERIES, StormVersion
from petrel.errors import PetrelError

Progress = Callable[[str], None]
DAEMONS = ("zookeeper", "nimbus", "supervisor", "ui")
KEEPER = "keeper"
NAMES = {"zookeeper": "ZooKeeper", "nimbus": "Nimbus", "supervisor": "Supervisor", "ui": "UI"}


def display_name(name: str) -> str:
    """``Nimbus`` for ``nimbus``, ``Nimbus 2`` for the standby ``nimbus-2``."""
    base, _, number = name.partition("-")
    return f"{NAMES.get(base, base)} {number}".strip()


def standby_name(index: int) -> str:
    """The daemon name of the ``index``-th standby Nimbus (0-based): ``nimbus-2``, ..."""
    return f"nimbus-{index + 2}"


@dataclass
class UpOptions:
    """What ``petrel storm up`` was asked for."""

    version: str | None = None        # "2.8.3", or a series such as "2.8"; None: DEFAULT_SERIES
    home: str | None = None           # an unpacked Storm distribution instead of Maven's jars
    ports: Ports = field(default_factory=Ports)
    ui: bool = True
    timeout: float = 180.0            # seconds each daemon may take to answer


class LocalStorm:
    """One local Storm cluster, found by its directory."""

    def __init__(self, directory: Path | str | None = None) -> None:
        self.dir = ClusterDir(Path(directory).expanduser().resolve() if directory
                              else default_directory())

    def pidfile(self, name: str) -> PidFile:
        """The pid file of daemon ``name``."""
        return PidFile(self.dir, name)

    def running(self) -> dict[str, int]:
        """Daemon name -> pid of each daemon of this cluster that is alive."""
        alive = {}
        for name in self._names():
            pid = self.pidfile(name).pid()
            if pid is not None:
                alive[name] = pid
        return alive

    def _names(self) -> list[str]:
        extra = sorted(p.stem for p in self.dir.run.glob("*.pid")
                       if p.stem not in DAEMONS and p.stem != KEEPER)
        return [*DAEMONS, *extra]

    @property
    def nimbus(self) -> str:
        """``127.0.0.1:PORT`` of this cluster's Nimbus (from its record)."""
        record = self.dir.record()
        return f"{LOOPBACK}:{record.ports.nimbus if record else Ports().nimbus}"

    # ------------------------------------------------------------------ up

    def up(self, options: UpOptions, progress: Progress = print) -> tuple[ClusterRecord, bool]:
        """Start the cluster; return its record and whether it was already running."""
        running = self.running()
        record = self.dir.record()
        if running and record is not None:
            missing = [n for n in self._expected(record) if n not in running]
            if not missing:
                if self.pidfile(KEEPER).pid() is None:
                    start_keeper(self.pidfile(KEEPER))
                return record, True
            raise PetrelError(f"the local Storm cluster in {self.dir.root} is only partly running "
                              f"({', '.join(missing)} stopped); run 'petrel storm down', then "
                              "'petrel storm up'")
        options.ports.check()
        home, java = self._home_and_java(options, progress)
        ui = options.ui and self._ui_available(home, progress)
        busy = [f"{port} ({what})" for what, port in options.ports.named(ui)
                if not readiness.port_free(port)]
        if busy:
            raise PetrelError(f"port {', '.join(busy)} is in use by another program; stop it or "
                              "choose other ports (petrel storm up --help lists the options)")
        self._clear()
        prepare(self.dir, options.ports, ui=ui, storm_1=home.version.single_jar)
        record = ClusterRecord(str(home.version), str(home.path), java.path, options.ports, ui,
                               time.time())
        record.save(self.dir.record_path)
        started: list[subprocess.Popen[bytes]] = []
        try:
            self._start_all(home, java, record, options.timeout, progress, started)
            started.append(start_keeper(self.pidfile(KEEPER)))
        except BaseException:
            for proc in reversed(started):      # ours for sure: no pid file needed
                stop_started(proc)
            self._stop_all(progress=lambda line: None)
            raise
        return record, False

    def _home_and_java(self, options: UpOptions, progress: Progress) -> tuple[StormHome, Java]:
        if options.home:
            if options.version:
                raise PetrelError("give --home or --version, not both: a Storm home has its own "
                                  "version")
            home = user_home(options.home)
        else:
            wanted = StormVersion.parse(options.version or DEFAULT_SERIES)
            find_java(wanted.java_needed, str(wanted), wanted.java_newest)   # before a download
            home = maven_home(find_mvn(), wanted, progress)
        version = home.version
        return home, find_java(version.java_needed, str(version), version.java_newest)

    @staticmethod
    def _ui_available(home: StormHome, progress: Progress) -> bool:
        if home.lib_webapp is None:
            progress(f"no UI: {home.no_ui_reason}")
            return False
        return True

    def _expected(self, record: ClusterRecord) -> list[str]:
        standbys = [standby_name(i) for i in range(len(record.ports.standby_nimbus))]
        return ["zookeeper", "nimbus", *standbys, "supervisor", *(["ui"] if record.ui else [])]

    def specs(self, record: ClusterRecord) -> dict[str, DaemonSpec]:
        """Daemon name -> how to start it, for every daemon ``record`` names."""
        specs = {name: DaemonSpec(name, name) for name in DAEMONS}
        for i, port in enumerate(record.ports.standby_nimbus):
            name = standby_name(i)
            specs[name] = DaemonSpec(name, "nimbus", (self._standby_options(name, port),))
        return {name: specs[name] for name in self._expected(record)}

    def _start_all(self, home: StormHome, java: Java, record: ClusterRecord, timeout: float,
                   progress: Progress, started: list[subprocess.Popen[bytes]]) -> None:
        ports = record.ports
        checks = {
            "zookeeper": ("port open", lambda: readiness.port_open(ports.zookeeper)),
            "nimbus": ("answers over Thrift", lambda: readiness.cluster_info(ports.nimbus)),
            "supervisor": ("registered with Nimbus", lambda: readiness.supervisors(ports.nimbus)),
            "ui": ("serves HTTP", lambda: readiness.ui_answers(ports.ui)),
        }
        specs = self.specs(record)
        for i, port in enumerate(ports.standby_nimbus):
            checks[standby_name(i)] = ("answers over Thrift",
                                       lambda port=port: readiness.leader(port))  # type: ignore[misc]
        progress(f"starting Apache Storm {home.version} from {home.path} with Java {java.major}")
        for name in self._expected(record):
            began = time.monotonic()
            daemon = self.pidfile(name)
            proc = daemon.start(specs[name], home, java)
            started.append(proc)
            what, check = checks[name]
            readiness.wait_for(what, daemon, proc, check, timeout)
            progress(f"  {display_name(name):<10} pid {proc.pid:<7} ready in "
                     f"{time.monotonic() - began:4.1f} s")

    def _standby_options(self, name: str, port: int) -> str:
        """``-Dstorm.options`` giving a standby Nimbus its own port, local directory and host
        name: Storm registers each Nimbus in ZooKeeper under its host name, so a second
        Nimbus calling itself 127.0.0.1 would replace the first one's registration and
        ``getLeader`` would find no leader. ``localhost`` (then 127.0.0.3, ...) is this
        machine's loopback too."""
        index = int(name.rsplit("-", 1)[1])
        host = "localhost" if index == 2 else f"127.0.0.{index}"
        options = [f"nimbus.thrift.port={port}", f"storm.local.dir={self.dir.data / name}",
                   f"storm.local.hostname={host}"]
        return "-Dstorm.options=" + ",".join(urllib.parse.quote_plus(o) for o in options)

    # ------------------------------------------------------------------ down

    def down(self, progress: Progress = print) -> list[str]:
        """Stop every daemon this cluster's pid files name; return the names stopped."""
        stopped = self._stop_all(progress)
        self._clear(keep_logs=True)
        return stopped

    def _stop_all(self, progress: Progress) -> list[str]:
        self.pidfile(KEEPER).stop()         # first, or it would restart what is stopped next
        stopped = []
        for name in reversed(self._names()):
            daemon = self.pidfile(name)
            pid = daemon.pid()
            if pid is None:
                daemon.path.unlink(missing_ok=True)     # stale: never signalled
                continue
            progress(f"stopping {display_name(name)} (pid {pid})")
            daemon.stop()
            stopped.append(name)
        return stopped

    def _clear(self, keep_logs: bool = False) -> None:
        """Remove the cluster's state (and its logs unless ``keep_logs``)."""
        doomed = [self.dir.data, self.dir.zookeeper, self.dir.run, self.dir.conf]
        if not keep_logs:
            doomed.append(self.dir.logs)
        for path in doomed:
            shutil.rmtree(path, ignore_errors=True)
        if keep_logs:
            self.dir.record_path.unlink(missing_ok=True)
