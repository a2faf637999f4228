"""Waiting until a starting daemon answers: ZooKeeper's port, Nimbus over Thrift, the
supervisor registered with Nimbus, the UI over HTTP. Each wait fails early, with the end of
the daemon's log, when the daemon's process exits."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.error
import urllib.request
from typing import Any, Callable

from petrel.cluster.address import HostPort
from petrel.cluster.nimbus import NimbusConnection
from petrel.cluster.nimbus_errors import NimbusError
from petrel.devstorm.daemons import PidFile
from petrel.devstorm.settings import LOOPBACK
from petrel.errors import PetrelError


class DaemonFailed(PetrelError):
    """A daemon exited, or did not answer in time, while the cluster was starting."""


def port_free(port: int) -> bool:
    """Whether nothing listens on ``port`` (Storm's servers bind every interface)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        # As Storm's servers do, so that connections closing in TIME_WAIT do not count.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("", port))
        except OSError:
            return False
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex((LOOPBACK, port)) != 0


def wait_for(what: str, daemon: PidFile, proc: subprocess.Popen[bytes],
             check: Callable[[], Any], timeout: float) -> Any:
    """Call ``check`` until it returns something true; fail when ``proc`` (the daemon just
    started) exits, or when time is up."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = check()
            if result:
                return result
        except (OSError, NimbusError):
            pass
        if proc.poll() is not None:
            raise DaemonFailed(f"the {daemon.name} daemon exited while starting ({what}); the end "
                               f"of its log:\n{daemon.tail()}")
        if time.monotonic() > deadline:
            raise DaemonFailed(f"the {daemon.name} daemon did not answer within {timeout:g} s "
                               f"({what}); the end of its log:\n{daemon.tail()}")
        time.sleep(0.5)


def port_open(port: int) -> bool:
    """Whether something accepts TCP connections on ``127.0.0.1:port``."""
    with socket.create_connection((LOOPBACK, port), timeout=2):
        return True


def cluster_info(port: int, timeout: float = 5.0) -> Any:
    """Nimbus's ``getClusterInfo`` (a ClusterSummary) from ``127.0.0.1:port``."""
    with NimbusConnection(HostPort(LOOPBACK, port), timeout=timeout) as conn:
        conn.open()
        return conn.call("getClusterInfo")


def leader(port: int) -> Any:
    """The leader Nimbus as the Nimbus at ``127.0.0.1:port`` names it (a NimbusSummary)."""
    with NimbusConnection(HostPort(LOOPBACK, port), timeout=5.0) as conn:
        conn.open()
        return conn.call("getLeader")


def supervisors(port: int) -> list[Any]:
    """The supervisors registered with the Nimbus at ``127.0.0.1:port``."""
    return list(cluster_info(port).supervisors or [])


def ui_answers(port: int) -> bool:
    """Whether Storm's UI serves its cluster summary on ``127.0.0.1:port``."""
    url = f"http://{LOOPBACK}:{port}/api/v1/cluster/summary"
    try:
        with urllib.request.urlopen(url, timeout=5) as reply:
            return bool(reply.status == 200)
    except urllib.error.HTTPError:
        return False
