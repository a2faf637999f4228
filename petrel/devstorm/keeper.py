"""The keeper: restarts a local cluster's daemon that exits on its own.

Storm's daemons are fail-fast: on an error they cannot recover from (a lost ZooKeeper
session, a Nimbus call timing out under load) they halt, and Storm's documentation asks
every deployment to run them under a process supervisor. ``petrel storm up`` starts this
keeper as that supervisor. Every two seconds it looks at each daemon's pid file: a file
naming a process that is gone means the daemon exited by itself (``down`` and
``PidFile.stop`` remove the file first, under the cluster's lock), so the keeper starts it
again and writes one line to ``logs/keeper.log`` with the end of the daemon's log. A daemon
that exits five times within ten minutes is left stopped, and the log says so.

Run as ``python -m petrel.devstorm.keeper -Dpetrel.storm.cluster=DIR`` (the argument is the
marker that lets ``down`` recognise the keeper like the daemons).
"""

from __future__ import annotations

import signal
import sys
import time
from collections import deque
from pathlib import Path
from typing import Any

from petrel.devstorm.cluster import LocalStorm
from petrel.devstorm.daemons import MARKER, cluster_lock
from petrel.devstorm.home import StormHome
from petrel.devstorm.java import Java
from petrel.devstorm.versions import StormVersion

EVERY_SECS = 2.0
MAX_RESTARTS = 5
WINDOW_SECS = 600.0


class Keeper:
    """Watches one cluster's daemons and restarts those that exit."""

    def __init__(self, storm: LocalStorm) -> None:
        self.storm = storm
        self.record = storm.dir.record()
        self.restarts: dict[str, deque[float]] = {}
        self.stopping = False

    def log(self, text: str) -> None:
        """Append one time-stamped line to ``logs/keeper.log``."""
        stamp = time.strftime("%Y-%m-%d %H:%M:%S")
        with open(self.storm.dir.logs / "keeper.log", "a", encoding="utf-8") as out:
            out.write(f"{stamp} {text}\n")

    def run(self) -> int:
        """Check every ``EVERY_SECS`` until stopped or the cluster's record is gone."""
        if self.record is None:
            return 1
        home = StormHome(Path(self.record.home), StormVersion.parse(self.record.version))
        java = Java(self.record.java, 0)    # its version was checked by 'up'
        specs = self.storm.specs(self.record)
        self.log(f"watching {', '.join(specs)}")
        while not self.stopping and self.storm.dir.record_path.is_file():
            for name, spec in specs.items():
                if self.stopping:
                    break
                with cluster_lock(self.storm.dir):
                    pidfile = self.storm.pidfile(name)
                    old = pidfile.recorded_pid()
                    if old is None or pidfile.pid() is not None:
                        continue                  # stopped on purpose, or alive
                    if not self._may_restart(name):
                        pidfile.path.unlink(missing_ok=True)
                        self.log(f"{name} (pid {old}) exited {MAX_RESTARTS} times within "
                                 f"{WINDOW_SECS:.0f} s: left stopped. {self._tail(pidfile)}")
                        continue
                    proc = pidfile.start(spec, home, java)
                self.log(f"{name} (pid {old}) exited; restarted as pid {proc.pid}. "
                         f"{self._tail(pidfile)}")
            time.sleep(EVERY_SECS)
        self.log("stopped")
        return 0

    def _may_restart(self, name: str) -> bool:
        now = time.monotonic()
        times = self.restarts.setdefault(name, deque())
        while times and now - times[0] > WINDOW_SECS:
            times.popleft()
        if len(times) >= MAX_RESTARTS:
            return False
        times.append(now)
        return True

    @staticmethod
    def _tail(pidfile: Any) -> str:
        try:
            lines = pidfile.log.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return "(no log)"
        return "Its log ended: " + " | ".join(line.strip() for line in lines[-3:])

    def stop(self, signum: int, frame: Any) -> None:
        """Signal handler: finish the current check, then exit."""
        self.stopping = True


def main(argv: list[str]) -> int:
    """Entry point: ``python -m petrel.devstorm.keeper -Dpetrel.storm.cluster=DIR``."""
    if len(argv) != 1 or not argv[0].startswith(MARKER):
        print(f"usage: python -m petrel.devstorm.keeper {MARKER}DIR", file=sys.stderr)
        return 2
    keeper = Keeper(LocalStorm(argv[0][len(MARKER):]))
    signal.signal(signal.SIGTERM, keeper.stop)
    signal.signal(signal.SIGINT, keeper.stop)
    return keeper.run()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
