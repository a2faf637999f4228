"""The directory of a ``petrel storm up`` cluster and its record (``cluster.json``).

One directory holds everything one local cluster owns (``conf/``, ``run/``, ``logs/``,
``data/``, ``zookeeper/``) and ``cluster.json``, the record of what ``up`` started: Storm
version, home, Java, ports. ``petrel.devstorm`` creates and runs the cluster; the record is
here, below it, because ``--via-storm-cli`` also reads it to use the cluster's Storm home
(``petrel.cluster.stormhome``).

The default directory is ``$PETREL_STORM_DIR``, else ``$XDG_STATE_HOME/petrel/storm-cluster``
(``~/.local/state/petrel/storm-cluster``).
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from petrel.errors import PetrelError


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
