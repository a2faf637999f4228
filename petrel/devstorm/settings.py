"""The cluster directory of ``petrel storm up``: its ports, ``conf/storm.yaml`` and record.

One directory holds everything one local cluster owns::

    conf/storm.yaml    the cluster's Storm configuration (daemons and workers read it)
    run/*.pid          one pid file per daemon petrel started
    logs/              daemon logs, and workers-artifacts/ with each worker's logs
    data/              storm.local.dir (Nimbus's blobs, the supervisor's worker dirs)
    zookeeper/         the development ZooKeeper's data
    cluster.json       what ``up`` started: Storm version, home, Java, ports

The default directory is ``$PETREL_STORM_DIR``, else ``$XDG_STATE_HOME/petrel/storm-cluster``
(``~/.local/state/petrel/storm-cluster``). Every host name written is ``127.0.0.1``: workers,
supervisor and Nimbus find each other over loopback. Storm's own Thrift and ZooKeeper servers
have no bind-address setting and listen on every interface; the UI is bound to loopback.
One setting differs from Storm's defaults: workers report executor statistics every 5 s
instead of every 60 s, so ``petrel status`` shows a new topology's counts at once; and on
Storm 1.x, whose workers need Java 8 to 13, ``worker.childopts`` drops the Java 8-only
GC-logging flags of Storm 1.x's defaults so that a worker starts on Java 9 to 13.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from petrel.errors import PetrelError

LOOPBACK = "127.0.0.1"
STATS_EVERY_SECS = 5
STORM_1_WORKER_CHILDOPTS = ("-Xmx%HEAP-MEM%m -XX:+HeapDumpOnOutOfMemoryError "
                            "-XX:HeapDumpPath=artifacts/heapdump")


def default_directory() -> Path:
    """Where the cluster lives when ``--dir`` is not given."""
    if os.environ.get("PETREL_STORM_DIR"):
        return Path(os.environ["PETREL_STORM_DIR"]).expanduser()
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local",
                                                            "state")
    return Path(base) / "petrel" / "storm-cluster"


@dataclass
class Ports:
    """Every TCP port the cluster listens on."""

    nimbus: int = 6627
    ui: int = 8080
    zookeeper: int = 2181
    supervisor: int = 6628
    slots: list[int] = field(default_factory=lambda: [6700, 6701, 6702, 6703])
    standby_nimbus: list[int] = field(default_factory=list)   # Nimbus HA: more Nimbus daemons

    def named(self, ui: bool = True) -> list[tuple[str, int]]:
        """``(what, port)`` for each port, the UI's only when it runs."""
        named = [("ZooKeeper", self.zookeeper), ("Nimbus", self.nimbus),
                 ("supervisor", self.supervisor)]
        named += [("standby Nimbus", p) for p in self.standby_nimbus]
        named += [("worker slot", p) for p in self.slots]
        return named + ([("UI", self.ui)] if ui else [])

    def check(self) -> None:
        """Every port in 1..65535 and no port used twice."""
        seen: dict[int, str] = {}
        for what, port in self.named():
            if not 0 < port < 65536:
                raise PetrelError(f"the {what} port {port} is not in 1..65535")
            if port in seen:
                raise PetrelError(f"port {port} is given to both the {seen[port]} and the {what}; "
                                  "choose different ports")
            seen[port] = what


@dataclass
class ClusterRecord:
    """What ``up`` started, saved as ``cluster.json`` for ``status``, ``logs`` and ``down``."""

    version: str
    home: str
    java: str
    ports: Ports
    ui: bool
    started: float

    def save(self, path: Path) -> None:
        """Write the record as JSON."""
        path.write_text(json.dumps(asdict(self), indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> ClusterRecord | None:
        """The saved record, or None when there is none (or it is unreadable)."""
        try:
            data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
            data["ports"] = Ports(**data["ports"])
            return cls(**data)
        except (OSError, ValueError, TypeError, KeyError):
            return None


@dataclass(frozen=True)
class ClusterDir:
    """The paths inside one cluster directory."""

    root: Path

    @property
    def conf(self) -> Path:
        """``STORM_CONF_DIR`` of the daemons and workers."""
        return self.root / "conf"

    @property
    def run(self) -> Path:
        """Pid files."""
        return self.root / "run"

    @property
    def logs(self) -> Path:
        """``storm.log.dir``."""
        return self.root / "logs"

    @property
    def data(self) -> Path:
        """``storm.local.dir``."""
        return self.root / "data"

    @property
    def zookeeper(self) -> Path:
        """``dev.zookeeper.path``."""
        return self.root / "zookeeper"

    @property
    def record_path(self) -> Path:
        """``cluster.json``."""
        return self.root / "cluster.json"

    def record(self) -> ClusterRecord | None:
        """What the last ``up`` started, if anything."""
        return ClusterRecord.load(self.record_path)

    def prepare(self, ports: Ports, *, ui: bool, storm_1: bool = False) -> None:
        """Fresh conf, logs, data and ZooKeeper directories, and ``conf/storm.yaml``."""
        for d in (self.conf, self.run, self.logs, self.data, self.zookeeper):
            d.mkdir(parents=True, exist_ok=True)
        text = storm_yaml(self, ports, ui=ui, storm_1=storm_1)
        (self.conf / "storm.yaml").write_text(text, encoding="utf-8")


def storm_yaml(cluster: ClusterDir, ports: Ports, *, ui: bool, storm_1: bool = False) -> str:
    """The cluster's ``storm.yaml``: loopback everywhere, this directory's paths and ports."""
    conf: dict[str, Any] = {
        "storm.zookeeper.servers": [LOOPBACK],
        "storm.zookeeper.port": ports.zookeeper,
        "storm.local.hostname": LOOPBACK,
        "storm.local.dir": str(cluster.data),
        "dev.zookeeper.path": str(cluster.zookeeper),
        "nimbus.seeds": [LOOPBACK],
        "nimbus.thrift.port": ports.nimbus,
        "supervisor.thrift.port": ports.supervisor,
        "supervisor.slots.ports": list(ports.slots),
        # Workers send executor statistics to Nimbus every 60 s by default; a development
        # cluster shows them sooner (petrel status, getTopologyInfo).
        "executor.metrics.frequency.secs": STATS_EVERY_SECS,
    }
    if ui:
        conf.update({"ui.host": LOOPBACK, "ui.port": ports.ui})
    if storm_1:
        # Storm 1.x's default worker.childopts hold Java 8 GC-logging flags that Java 9 and
        # newer refuse ("Unrecognized VM option"), so no worker could start.
        conf["worker.childopts"] = STORM_1_WORKER_CHILDOPTS
    head = "# Written by 'petrel storm up'; rewritten at every start.\n"
    return head + yaml.safe_dump(conf, default_flow_style=False, sort_keys=False)
