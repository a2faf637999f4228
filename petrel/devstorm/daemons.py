"""One Storm daemon: its command line, its pid file, and how it is recognised and stopped.

A daemon runs in a session of its own (so its process group holds it, and the workers and
Python tasks a supervisor starts), with ``-Dpetrel.storm.cluster=<cluster dir>`` on its
command line. Its pid file records the pid, the process's start time and that marker; a pid
is signalled only when a live process has all three, so a stale pid file whose pid is now
another program is never touched. Stopping removes the pid file first (under the cluster's
lock, so the keeper never mistakes a daemon stopped on purpose for one that died), then sends
SIGTERM to the whole group, waits, and sends SIGKILL to whatever is left.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from petrel.cluster.devcluster import ClusterDir
from petrel.devstorm.home import StormHome
from petrel.devstorm.java import Java

MARKER = "-Dpetrel.storm.cluster="

# Main classes of Storm's own daemons, Storm 2.x and 1.x.
MAIN_CLASSES: dict[str, tuple[str, str]] = {
    "zookeeper": ("org.apache.storm.command.DevZookeeper",
                  "org.apache.storm.command.dev_zookeeper"),
    "nimbus": ("org.apache.storm.daemon.nimbus.Nimbus", "org.apache.storm.daemon.nimbus"),
    "supervisor": ("org.apache.storm.daemon.supervisor.Supervisor",
                   "org.apache.storm.daemon.supervisor.Supervisor"),
    "ui": ("org.apache.storm.daemon.ui.UIServer", "org.apache.storm.ui.core"),
}

# Storm's defaults.yaml heap sizes (nimbus.childopts, supervisor.childopts, ui.childopts), which
# Storm's bin/storm passes to each daemon. Without them every JVM may grow to a quarter of the
# machine's memory. DevZookeeper gets no option from bin/storm either.
HEAP_OPTIONS: dict[str, tuple[str, ...]] = {
    "nimbus": ("-Xmx1024m",),
    "supervisor": ("-Xmx256m",),
    "ui": ("-Xmx768m",),
}


@contextlib.contextmanager
def cluster_lock(cluster: ClusterDir) -> Iterator[None]:
    """Hold the cluster's lock (``run/.lock``): starting and stopping daemons never interleave."""
    cluster.run.mkdir(parents=True, exist_ok=True)
    with open(cluster.run / ".lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@dataclass(frozen=True)
class DaemonSpec:
    """How to start one daemon: ``kind`` picks the main class, ``name`` its files."""

    name: str                       # "nimbus", "supervisor", ..., "nimbus2"
    kind: str                       # a key of MAIN_CLASSES
    options: tuple[str, ...] = ()   # extra -D options, e.g. a second Nimbus's port

    def command(self, home: StormHome, java: Java, cluster: ClusterDir) -> list[str]:
        """Storm's own launch line for this daemon (as Storm's ``bin/storm`` builds it)."""
        main = MAIN_CLASSES[self.kind][1 if home.version.single_jar else 0]
        extra = [home.lib_webapp / "*"] if self.kind == "ui" and home.lib_webapp else []
        classpath = home.classpath(*extra, cluster.conf)
        return [
            java.path, "-server", *HEAP_OPTIONS.get(self.kind, ()),
            f"-Ddaemon.name={self.name}", f"-Dstorm.home={home.path}",
            f"-Dstorm.log.dir={cluster.logs}", "-Dstorm.conf.file=",
            "-Djava.deserialization.disabled=true", f"-Dlogfile.name={self.name}.log",
            f"-Dlog4j.configurationFile={home.log4j2 / 'cluster.xml'}",
            f"{MARKER}{cluster.root}", *self.options, "-cp", os.pathsep.join(classpath), main,
        ]


@dataclass(frozen=True)
class PidFile:
    """A daemon's pid file: ``run/<name>.pid`` holding pid, start time and marker."""

    cluster: ClusterDir
    name: str

    @property
    def path(self) -> Path:
        """The file itself."""
        return self.cluster.run / f"{self.name}.pid"

    @property
    def log(self) -> Path:
        """The daemon's log4j log file."""
        return self.cluster.logs / f"{self.name}.log"

    @property
    def console(self) -> Path:
        """The daemon's standard output and error (JVM errors before logging starts)."""
        return self.cluster.logs / f"{self.name}.out"

    def start(self, spec: DaemonSpec, home: StormHome, java: Java) -> subprocess.Popen[bytes]:
        """Start the daemon in its own session; write its pid file; return the process."""
        env = dict(os.environ, STORM_CONF_DIR=str(self.cluster.conf), JAVA_HOME=java.home)
        env["PATH"] = os.pathsep.join([str(Path(java.home) / "bin"),
                                       str(Path(sys.executable).parent), env.get("PATH", "")])
        return self.start_command(spec.command(home, java, self.cluster), env)

    def start_command(self, argv: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        """Run ``argv`` (which must carry the marker) in its own session; write the pid file."""
        with open(self.console, "ab") as out:
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out,
                                    stderr=subprocess.STDOUT, cwd=self.cluster.root, env=env,
                                    start_new_session=True)
        record = {"pid": proc.pid, "start": _start_time(proc.pid), "marker": self.marker}
        self.path.write_text(json.dumps(record) + "\n", encoding="utf-8")
        return proc

    @property
    def marker(self) -> str:
        """The command-line argument that marks this cluster's daemons."""
        return f"{MARKER}{self.cluster.root}"

    def pid(self) -> int | None:
        """The live pid this file names, or None (no file, process gone, or not ours)."""
        try:
            record = json.loads(self.path.read_text(encoding="utf-8"))
            pid, start = int(record["pid"]), record.get("start")
        except (OSError, ValueError, TypeError, KeyError):
            return None
        _reap(pid)
        if pid <= 1 or not _alive(pid) or _start_time(pid) != start:
            return None
        return pid if self.marker in _cmdline(pid) else None

    def stop(self, timeout: float = 30.0) -> bool:
        """Stop the daemon and its process group; True when something was running."""
        if not self.path.is_file():
            return False
        with cluster_lock(self.cluster):
            pid = self.pid()
            self.path.unlink(missing_ok=True)
        if pid is not None:
            _signal_group(pid, signal.SIGTERM)
            if not _wait_gone(pid, timeout):
                _signal_group(pid, signal.SIGKILL)
                _wait_gone(pid, 10.0)
        return pid is not None

    def recorded_pid(self) -> int | None:
        """The pid the file names, alive or not (None without a readable file)."""
        try:
            return int(json.loads(self.path.read_text(encoding="utf-8"))["pid"])
        except (OSError, ValueError, TypeError, KeyError):
            return None

    def tail(self, lines: int = 20) -> str:
        """The last lines of the daemon's console and log, for error messages."""
        parts = []
        for path in (self.console, self.log):
            try:
                text = path.read_text(encoding="utf-8", errors="replace").splitlines()
            except OSError:
                continue
            if text:
                parts.append(f"--- {path} (last {min(lines, len(text))} lines)\n"
                             + "\n".join(text[-lines:]))
        return "\n".join(parts) if parts else "(the daemon wrote no log)"


def stop_started(proc: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    """Stop a daemon this process started (and its process group), and reap it."""
    if proc.poll() is None:
        _signal_group(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            _signal_group(proc.pid, signal.SIGKILL)
            proc.wait()
    _wait_gone(proc.pid, 10.0)


def _signal_group(pid: int, sig: int) -> None:
    try:
        if os.getpgid(pid) == pid:      # started by us in its own session
            os.killpg(pid, sig)
        else:
            os.kill(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _wait_gone(pid: int, timeout: float) -> bool:
    """Wait until the group ``pid`` leads has no process left (or the pid is gone)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _reap(pid)
        try:
            os.killpg(pid, 0)
        except (ProcessLookupError, PermissionError):
            return True
        if not _alive(pid) and _group_gone(pid):
            return True
        time.sleep(0.2)
    return False


def _group_gone(pgid: int) -> bool:
    """No process other than zombies is left in the group (Linux; elsewhere: unknown)."""
    proc = Path("/proc")
    if not proc.is_dir():
        return False
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()
        if len(fields) > 2 and int(fields[2]) == pgid and fields[0] != "Z":
            return False
    return True


def _reap(pid: int) -> None:
    """Collect ``pid`` if it is our own exited child (``up`` run inside this process)."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except (ChildProcessError, OSError):
        pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    if stat.is_file():
        try:
            text = stat.read_text()
            return text[text.rfind(")") + 2:].split()[0] != "Z"
        except OSError:
            return False
    return True


def _start_time(pid: int) -> str | None:
    """When ``pid`` started (clock ticks since boot on Linux, ``ps``'s lstart elsewhere)."""
    stat = Path(f"/proc/{pid}/stat")
    if stat.is_file():
        try:
            text = stat.read_text()
            return text[text.rfind(")") + 2:].split()[19]
        except (OSError, IndexError):
            return None
    return _ps(pid, "lstart=")


def _cmdline(pid: int) -> str:
    cmdline = Path(f"/proc/{pid}/cmdline")
    if cmdline.is_file():
        try:
            return cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            return ""
    return _ps(pid, "command=") or ""


def _ps(pid: int, column: str) -> str | None:
    try:
        out = subprocess.run(["ps", "-p", str(pid), "-o", column], capture_output=True,
                             text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out or None


def start_keeper(pidfile: PidFile) -> subprocess.Popen[bytes]:
    """Start ``petrel.devstorm.keeper`` for the cluster, with the cluster's marker as argument."""
    argv = [sys.executable, "-m", "petrel.devstorm.keeper", pidfile.marker]
    return pidfile.start_command(argv, dict(os.environ))
