"""``petrel storm up | status | down | logs`` as a user runs them, on a cluster of its own
(one worker slot), apart from the session's cluster: a second ``up``, ``status``, ports in
use, ``down`` twice, stale pid files, and a daemon that dies while starting."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Iterator

import pytest
from storm_helpers import VERSION, free_port_block, missing_tools, petrel, wait_until

from petrel.cluster.address import HostPort
from petrel.cluster.nimbus import NimbusConnection
from petrel.devstorm.cluster import LocalStorm

pytestmark = pytest.mark.skipif(missing_tools() is not None, reason=str(missing_tools()))


def _up(directory: Path, base: int, *extra: str) -> subprocess.CompletedProcess[str]:
    return petrel("storm", "up", "--dir", str(directory), "--version", VERSION, "--no-ui",
                  "--zookeeper-port", str(base), "--nimbus-port", str(base + 1),
                  "--supervisor-port", str(base + 2), "--first-slot-port", str(base + 3),
                  "--slots", "1", *extra, timeout=900)


def _marked(directory: Path) -> list[int]:
    """Pids of live (non-zombie) processes carrying this cluster's marker."""
    marker = f"-Dpetrel.storm.cluster={directory}".encode()
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker in (entry / "cmdline").read_bytes().replace(b"\0", b" "):
                stat = (entry / "stat").read_text()
                if stat[stat.rfind(")") + 2] != "Z":
                    pids.append(int(entry.name))
        except OSError:
            continue
    return pids


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, int]]:
    directory = tmp_path_factory.mktemp("own-cluster")
    base = free_port_block(4)
    proc = _up(directory, base)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Nimbus" in proc.stdout and "ready in" in proc.stdout
    assert f"Nimbus 127.0.0.1:{base + 1}, 1 worker slots" in proc.stdout
    yield directory, base
    petrel("storm", "down", "--dir", str(directory))


def test_a_second_up_says_the_cluster_runs_and_exits_0(cluster: tuple[Path, int]) -> None:
    directory, base = cluster
    proc = _up(directory, base)
    assert proc.returncode == 0
    assert f"a local Storm cluster is already running in {directory}" in proc.stdout
    assert "ready in" not in proc.stdout


def test_status_lists_daemons_ports_version_and_the_supervisor(
        cluster: tuple[Path, int]) -> None:
    directory, base = cluster
    proc = petrel("storm", "status", "--dir", str(directory))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    table = lines[lines.index(next(ln for ln in lines if ln.startswith("daemon "))) + 1:][:3]
    rows = {line.split()[0]: line.split() for line in table}
    record = json.loads((directory / "cluster.json").read_text())
    assert proc.stdout.startswith(f"Apache Storm {record['version']} from ")
    assert rows["nimbus"][2:] == [str(base + 1), "running"]
    assert rows["zookeeper"][2:] == [str(base), "running"]
    keeper = json.loads((directory / "run" / "keeper.pid").read_text())["pid"]
    assert {int(row[1]) for row in rows.values()} | {keeper} == set(_marked(directory))
    assert f"keeper: pid {keeper}, restarts a daemon that exits; 0 restarts so far" in proc.stdout
    assert rows["supervisor"][2:] == [str(base + 2), "running"]
    assert "supervisor 127.0.0.1: 0 of 1 slots used" in proc.stdout
    assert "topologies: none" in proc.stdout


def test_logs_lists_the_files_and_tails_one_daemon(cluster: tuple[Path, int]) -> None:
    directory, _ = cluster
    listing = petrel("storm", "logs", "--dir", str(directory))
    assert listing.returncode == 0 and "nimbus.log" in listing.stdout
    tail = petrel("storm", "logs", "nimbus", "-n", "5", "--dir", str(directory))
    assert tail.returncode == 0 and len(tail.stdout.splitlines()) == 5
    bad = petrel("storm", "logs", "drpc", "--dir", str(directory))
    assert bad.returncode == 2 and "choose one of zookeeper, nimbus" in bad.stderr


def test_the_keeper_restarts_a_supervisor_that_dies_and_nimbus_sees_it_again(
        cluster: tuple[Path, int]) -> None:
    directory, base = cluster
    supervisor = LocalStorm(directory).pidfile("supervisor")
    old = supervisor.pid()
    assert old is not None
    killed_at = time.monotonic()
    os.killpg(old, signal.SIGKILL)            # as when Storm's fail-fast supervisor halts
    new = wait_until(lambda: supervisor.pid() not in (None, old) and supervisor.pid(), 60,
                     "the keeper starts the supervisor again")
    keeper_log = (directory / "logs" / "keeper.log").read_text()
    assert f"supervisor (pid {old}) exited; restarted as pid {new}" in keeper_log

    def registered_again() -> bool:
        with NimbusConnection(HostPort("127.0.0.1", base + 1), timeout=10).open() as conn:
            sups = conn.call("getClusterInfo").supervisors or []
        return any(s.uptime_secs < time.monotonic() - killed_at for s in sups)

    wait_until(registered_again, 120, "Nimbus lists the restarted supervisor")
    status = petrel("storm", "status", "--dir", str(directory))
    assert status.returncode == 0, status.stdout + status.stderr
    assert "1 restart so far" in status.stdout


def test_another_cluster_on_the_same_ports_is_refused(cluster: tuple[Path, int],
                                                      tmp_path: Path) -> None:
    _, base = cluster
    proc = _up(tmp_path / "second", base)
    assert proc.returncode == 2
    assert f"port {base} (ZooKeeper)" in proc.stderr and "in use by another program" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert _marked(tmp_path / "second") == []


def test_down_stops_exactly_its_daemons_and_removes_the_state(cluster: tuple[Path, int]) -> None:
    directory, _ = cluster
    bystander = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        # A stale pid file naming a live process that is not ours: never signalled.
        (directory / "run" / "extra.pid").write_text(json.dumps(
            {"pid": bystander.pid, "start": None, "marker": "x"}))
        assert len(_marked(directory)) >= 3
        proc = petrel("storm", "down", "--dir", str(directory))
        assert proc.returncode == 0, proc.stderr
        assert "stopping Supervisor" in proc.stdout and "stopping ZooKeeper" in proc.stdout
        assert _marked(directory) == []
        assert bystander.poll() is None
        assert sorted(p.name for p in directory.iterdir()) == ["logs"]
        again = petrel("storm", "down", "--dir", str(directory))
        assert again.returncode == 0 and "no local Storm cluster is running" in again.stdout
        status = petrel("storm", "status", "--dir", str(directory))
        assert status.returncode == 3 and "no local Storm cluster is running" in status.stdout
    finally:
        bystander.kill()
        bystander.wait()


def test_a_daemon_that_dies_while_starting_shows_its_log(tmp_path: Path) -> None:
    home = tmp_path / "apache-storm-2.8.3"
    (home / "lib").mkdir(parents=True)
    with zipfile.ZipFile(home / "lib" / "storm-client-2.8.3.jar", "w"):
        pass                                   # no classes: the JVM cannot start ZooKeeper
    (home / "log4j2").mkdir()
    (home / "log4j2" / "worker.xml").write_text("<configuration/>")
    (home / "log4j2" / "cluster.xml").write_text("<configuration/>")
    base = free_port_block(4)
    started = time.monotonic()
    proc = petrel("storm", "up", "--dir", str(tmp_path / "c"), "--home", str(home), "--no-ui",
                  "--zookeeper-port", str(base), "--nimbus-port", str(base + 1),
                  "--supervisor-port", str(base + 2), "--first-slot-port", str(base + 3),
                  "--slots", "1")
    assert proc.returncode == 2
    assert "the zookeeper daemon exited while starting" in proc.stderr
    assert "org.apache.storm.command.DevZookeeper" in proc.stderr   # the JVM's own words
    assert "Traceback" not in proc.stderr
    assert time.monotonic() - started < 60
    assert _marked(tmp_path / "c") == []
    assert not (tmp_path / "c" / "run").exists() or not any((tmp_path / "c" / "run").iterdir())


def test_bad_options_are_one_line_errors(tmp_path: Path) -> None:
    cases = [
        (["up", "--version", "latest"], "is not a Storm version"),
        (["up", "--version", "2.8.3", "--home", str(tmp_path)], "give --home or --version"),
        (["up", "--home", str(tmp_path / "none")], "no such directory"),
        (["up", "--slots", "0"], "give 1 to 64 worker slots"),
        (["up", "--nimbus-port", "70000"], "is not a TCP port"),
        (["up", "--nimbus-port", "7000", "--ui-port", "7000"], "is given to both"),
    ]
    env = {"PETREL_STORM_DIR": str(tmp_path / "dir")}
    for argv, message in cases:
        proc = petrel("storm", *argv, env=env)
        assert proc.returncode == 2, (argv, proc.stderr)
        assert message in proc.stderr, (argv, proc.stderr)
        assert "Traceback" not in proc.stderr
    assert not os.path.exists(tmp_path / "dir" / "run")


def test_a_version_maven_does_not_have_is_a_clear_error_and_leaves_nothing(
        tmp_path: Path) -> None:
    env = {"PETREL_STORM_DIR": str(tmp_path / "dir"), "PETREL_CACHE_DIR": str(tmp_path / "c")}
    proc = petrel("storm", "up", "--version", "2.8.99", "--no-ui", env=env, timeout=600)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Maven could not fetch Storm 2.8.99" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert list((tmp_path / "c" / "storm").iterdir()) == []      # no half-laid-out home
    assert not (tmp_path / "dir" / "run").exists()


def _webapp_available() -> bool:
    from petrel.devstorm.home import cached_homes
    from petrel.devstorm.versions import StormVersion

    homes = cached_homes(StormVersion.parse(VERSION))
    return bool(homes) and homes[0].lib_webapp is not None


def _up_with_ui(directory: Path) -> tuple[subprocess.CompletedProcess[str], int]:
    base = free_port_block(5)
    proc = petrel("storm", "up", "--dir", str(directory), "--version", VERSION,
                  "--zookeeper-port", str(base), "--nimbus-port", str(base + 1),
                  "--supervisor-port", str(base + 2), "--ui-port", str(base + 3),
                  "--first-slot-port", str(base + 4), "--slots", "1", timeout=900)
    return proc, base + 3


@pytest.mark.skipif(not _webapp_available(), reason="Storm's UI (org.apache.storm:storm-webapp) "
                    "is not served by the Maven repository here; the sibling test checks the "
                    "cluster starts without it and says why")
def test_the_ui_serves_the_cluster_summary(tmp_path: Path) -> None:
    import urllib.request

    proc, port = _up_with_ui(tmp_path / "ui")
    try:
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert f"UI:     http://127.0.0.1:{port}/" in proc.stdout
        url = f"http://127.0.0.1:{port}/api/v1/cluster/summary"
        with urllib.request.urlopen(url, timeout=30) as reply:
            summary = json.loads(reply.read())
        assert summary["supervisors"] == 1
    finally:
        petrel("storm", "down", "--dir", str(tmp_path / "ui"))


@pytest.mark.skipif(_webapp_available(), reason="Storm's UI is available here: the sibling test "
                    "checks it")
def test_without_storm_webapp_the_cluster_starts_without_the_ui_and_says_why(
        tmp_path: Path) -> None:
    proc, port = _up_with_ui(tmp_path / "noui")
    try:
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "no UI: " in proc.stdout and "storm-webapp" in proc.stdout
        assert "UI:     none" in proc.stdout
        assert json.loads((tmp_path / "noui" / "cluster.json").read_text())["ui"] is False
        status = petrel("storm", "status", "--dir", str(tmp_path / "noui"))
        assert status.returncode == 0 and "\nui " not in status.stdout
    finally:
        petrel("storm", "down", "--dir", str(tmp_path / "noui"))
