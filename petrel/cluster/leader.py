"""Finding the leader Nimbus: ask each seed who leads, then connect to the leader.

Storm 1.1+ answers ``getLeader``; 1.0 only lists the Nimbus hosts in ``getClusterInfo``;
0.9.x has a single Nimbus. Failures of every seed are gathered into one message.
"""

from __future__ import annotations

from typing import Callable

from thriftpy2.thrift import TApplicationException

from petrel.cluster.address import HostPort, NimbusTarget
from petrel.cluster.nimbus import NimbusConnection
from petrel.cluster.nimbus_errors import (
    NimbusApplicationError,
    NimbusError,
    NimbusLeaderNotFound,
    UnknownMethod,
)


def find_leader(conn: NimbusConnection) -> HostPort | None:
    """The leader's address as ``conn``'s Nimbus sees it; None when it is the only Nimbus.

    Storm 1.1+ answers ``getLeader``; 1.0 only lists ``getClusterInfo().nimbuses``;
    0.9.x has a single Nimbus and no list at all.
    """
    try:
        leader = conn.call("getLeader")
        return HostPort(leader.host, int(leader.port))
    except UnknownMethod:
        pass
    except NimbusApplicationError as exc:
        # Real Storm answers getLeader with null while no Nimbus holds the leadership
        # (an election under way): the cluster summary below says so plainly.
        if exc.kind != TApplicationException.MISSING_RESULT:
            raise
    summary = conn.call("getClusterInfo")
    nimbuses = summary.nimbuses or []
    if not nimbuses:
        return None
    for nimbus in nimbuses:
        if nimbus.isLeader:
            return HostPort(nimbus.host, int(nimbus.port))
    listed = ", ".join(str(HostPort(n.host, int(n.port))) for n in nimbuses)
    raise NimbusLeaderNotFound(
        f"Nimbus at {conn.address} lists nimbuses {listed}, none of which is the leader; "
        "wait for the election to finish and retry"
    )


def connect_leader(
    target: NimbusTarget,
    *,
    timeout: float = 30.0,
    connection_factory: Callable[..., NimbusConnection] = NimbusConnection,
) -> NimbusConnection:
    """Try each seed in order, ask it for the leader, and return a connection to the leader."""
    failures: list[NimbusError] = []
    for seed in target.seeds:
        conn = connection_factory(seed, timeout=timeout, max_request_size=target.max_buffer_size)
        try:
            conn.open()
            leader = find_leader(conn)
        except NimbusError as exc:
            conn.close()
            failures.append(exc)
            continue
        if leader is None or leader == seed:
            return conn
        conn.close()
        leader_conn = connection_factory(
            leader, timeout=timeout, max_request_size=target.max_buffer_size
        )
        try:
            return leader_conn.open()
        except NimbusError as exc:
            failures.append(type(exc)(f"{exc.message} (the leader, named by seed {seed})"))
    raise _no_leader(target, failures)


def _no_leader(target: NimbusTarget, failures: list[NimbusError]) -> NimbusError:
    if len(failures) == 1:
        exc = failures[0]
        exc.args = (f"{exc.message}; {target.hint}",)
        return exc
    tried = "; ".join(f.message for f in failures)
    return NimbusLeaderNotFound(
        f"could not find the leader Nimbus from seeds "
        f"{', '.join(str(s) for s in target.seeds)}: {tried}; {target.hint}"
    )
