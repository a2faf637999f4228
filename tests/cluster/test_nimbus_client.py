"""The Nimbus client on the wire: framing, strict header, errors for every bad peer, leaders."""

from __future__ import annotations

import socket
import struct
import threading
from typing import Callable, Iterator

import pytest
from nimbus_standin import StandInNimbus

from petrel.cluster.address import HostPort, NimbusTarget, resolve_nimbus
from petrel.cluster.leader import connect_leader
from petrel.cluster.nimbus import NimbusConnection
from petrel.cluster.nimbus_errors import (
    NimbusConnectionLost,
    NimbusLeaderNotFound,
    NimbusTimeout,
    NimbusUnreachable,
    NotAlive,
    NotANimbus,
    NotAuthorized,
    NotLeader,
    RequestTooLarge,
    UnknownMethod,
)

# ---------------------------------------------------------------- misbehaving peers


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def silent_server() -> Iterator[int]:
    """Accepts connections (kernel backlog) and never answers."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(8)
    yield s.getsockname()[1]
    s.close()


def _one_shot_server(answer: Callable[[socket.socket], None]) -> tuple[int, socket.socket]:
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)

    def loop() -> None:
        while True:
            try:
                conn, _ = srv.accept()
            except OSError:
                return
            with conn:
                conn.recv(65536)
                answer(conn)

    threading.Thread(target=loop, daemon=True).start()
    return srv.getsockname()[1], srv


@pytest.fixture
def http_server() -> Iterator[int]:
    """Answers anything with an HTTP 400, as a web server does to Thrift bytes."""
    port, srv = _one_shot_server(lambda c: c.sendall(
        b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"))
    yield port
    srv.close()


@pytest.fixture
def closing_server() -> Iterator[int]:
    """Reads the request and hangs up without a word."""
    port, srv = _one_shot_server(lambda c: None)
    yield port
    srv.close()


@pytest.fixture
def garbage_frame_server() -> Iterator[int]:
    """Answers with a well-sized frame that is not a Thrift message."""
    port, srv = _one_shot_server(lambda c: c.sendall(struct.pack("!i", 5) + b"hello"))
    yield port
    srv.close()


def _conn(port: int, timeout: float = 2.0) -> NimbusConnection:
    return NimbusConnection(HostPort("127.0.0.1", port), timeout=timeout)


# ---------------------------------------------------------------- wire format


def test_call_frame_is_framed_strict_binary() -> None:
    """Frame length, 80 01 00 01, name, seqid, args struct ending in 00."""
    conn = _conn(1)
    frame = conn.encode("getClusterInfo").frame
    seqid = struct.pack("!i", 1)
    header = bytes.fromhex("0000001B 80010001 0000000E")
    assert frame == header + b"getClusterInfo" + seqid + b"\x00"


def test_empty_kill_options_is_a_stop_byte(nimbus: StandInNimbus) -> None:
    """KillOptions{} travels as the empty struct 00."""
    nimbus.add_running("wc")
    with _conn(nimbus.port).open() as conn:
        conn.call("killTopologyWithOpts", "wc", conn.idl.KillOptions())
    assert nimbus.frames[-1].endswith(b"\x0c\x00\x02\x00\x00")


def test_submit_options_initial_status_is_i32() -> None:
    """SubmitOptions.initial_status is i32 1 or 2."""
    conn = _conn(1)
    t = conn.idl
    topo = t.StormTopology(spouts={}, bolts={}, state_spouts={})
    frame = conn.encode("submitTopologyWithOpts", "wc", "/loc", "{}", topo,
                        t.SubmitOptions(initial_status=t.TopologyInitialStatus.INACTIVE)).frame
    assert frame.endswith(bytes.fromhex("0C0005 080001 00000002 00 00"))


def test_request_over_buffer_size_is_refused_before_sending(nimbus: StandInNimbus) -> None:
    """A request over nimbus.thrift.max_buffer_size is refused before sending."""
    conn = NimbusConnection(HostPort("127.0.0.1", nimbus.port), max_request_size=1_048_576)
    with pytest.raises(RequestTooLarge, match="nimbus.thrift.max_buffer_size"):
        conn.call("uploadChunk", "/loc", b"x" * 1_048_600)
    assert nimbus.frames == [] and nimbus.oversize_frames == 0


# ---------------------------------------------------------------- bad peers


def test_refused_port() -> None:
    port = _free_port()
    with pytest.raises(NimbusUnreachable, match=rf"127.0.0.1:{port} \(connection refused\)"):
        _conn(port).open()


def test_unknown_host() -> None:
    with pytest.raises(NimbusUnreachable, match="unknown host"):
        NimbusConnection(HostPort("no-such-host.invalid", 6627), timeout=2).open()


def test_silent_server_times_out(silent_server: int) -> None:
    with pytest.raises(NimbusTimeout, match=r"did not answer getLeader within 0.3 s"):
        _conn(silent_server, timeout=0.3).call("getLeader")


def test_http_server_is_not_nimbus(http_server: int) -> None:
    with pytest.raises(NotANimbus, match=r"not a Storm Nimbus Thrift port.*HTTP/1.1 400"):
        _conn(http_server).call("getLeader")


def test_garbage_frame_is_not_nimbus(garbage_frame_server: int) -> None:
    with pytest.raises(NotANimbus, match="hello"):
        _conn(garbage_frame_server).call("getLeader")


def test_server_hanging_up(closing_server: int) -> None:
    with pytest.raises(NimbusConnectionLost, match="closed the connection during getLeader"):
        _conn(closing_server).call("getLeader")


# ---------------------------------------------------------------- exceptions


def test_unknown_method_is_an_application_exception(nimbus: StandInNimbus) -> None:
    nimbus.methods_missing.add("getLeader")
    with _conn(nimbus.port).open() as conn, pytest.raises(UnknownMethod) as info:
        conn.call("getLeader")
    assert "Invalid method name: 'getLeader'" in info.value.server_message
    assert info.value.kind == 1


def test_internal_error_carries_nimbus_message(nimbus: StandInNimbus) -> None:
    with _conn(nimbus.port).open() as conn, pytest.raises(Exception) as info:
        conn.call("uploadChunk", "/nowhere", b"abc")
    assert "File for that location does not exist" in str(info.value)
    assert info.value.kind == 6


def test_declared_exceptions(nimbus: StandInNimbus) -> None:
    with _conn(nimbus.port).open() as conn:
        with pytest.raises(NotAlive, match="ghost is not alive"):
            conn.call("activate", "ghost")
        nimbus.deny.add("deactivate")
        with pytest.raises(NotAuthorized, match="not authorized to deactivate"):
            conn.call("deactivate", "ghost")
        # the connection is still usable after declared exceptions
        assert conn.call("isTopologyNameAllowed", "fine") is True


def test_non_leader_write_is_reported(nimbus: StandInNimbus) -> None:
    nimbus.leader = ("10.9.9.9", 6627)
    with _conn(nimbus.port).open() as conn, pytest.raises(NotLeader, match="10.9.9.9"):
        conn.call("beginFileUpload")


# ---------------------------------------------------------------- leader discovery


def _target(*ports: int) -> NimbusTarget:
    return resolve_nimbus(",".join(f"127.0.0.1:{p}" for p in ports), {})


def test_seed_redirects_to_leader() -> None:
    with StandInNimbus() as leader:
        with StandInNimbus(leader=("127.0.0.1", leader.port)) as seed:
            conn = connect_leader(_target(seed.port), timeout=2)
            with conn:
                assert conn.address == HostPort("127.0.0.1", leader.port)
                conn.call("beginFileUpload")
            assert [c[0] for c in seed.calls] == ["getLeader"]
            assert [c[0] for c in leader.calls] == ["beginFileUpload"]


def test_storm_1_0_leader_from_cluster_info() -> None:
    with StandInNimbus() as leader:
        old = StandInNimbus(leader=("127.0.0.1", leader.port), methods_missing=("getLeader",))
        with old as seed:
            with connect_leader(_target(seed.port), timeout=2) as conn:
                assert conn.address.port == leader.port
            # getLeader was refused as an unknown method (not recorded), then the fallback
            assert [c[0] for c in seed.calls] == ["getClusterInfo"]
            assert leader.calls == []


def test_dead_seed_then_good_seed(nimbus: StandInNimbus) -> None:
    dead = _free_port()
    with connect_leader(_target(dead, nimbus.port), timeout=2) as conn:
        assert conn.address.port == nimbus.port


def test_one_seed_failure_message_has_hint() -> None:
    port = _free_port()
    with pytest.raises(NimbusUnreachable) as info:
        connect_leader(_target(port), timeout=2)
    assert info.value.message == (
        f"cannot connect to Nimbus at 127.0.0.1:{port} (connection refused); check --nimbus")


def test_all_seeds_failing_lists_each(silent_server: int) -> None:
    port = _free_port()
    with pytest.raises(NimbusLeaderNotFound) as info:
        connect_leader(_target(port, silent_server), timeout=0.3)
    text = info.value.message
    assert f"127.0.0.1:{port} (connection refused)" in text
    assert f"127.0.0.1:{silent_server} did not answer getLeader" in text
    assert text.endswith("check --nimbus")


def test_unreachable_leader_named_by_seed() -> None:
    dead = _free_port()
    with StandInNimbus(leader=("127.0.0.1", dead)) as seed:
        with pytest.raises(NimbusUnreachable, match=r"the leader, named by seed"):
            connect_leader(_target(seed.port), timeout=2)


class _ElectingNimbus(StandInNimbus):
    """A Nimbus during an election: getLeader answers null, no listed Nimbus leads."""

    def h_getLeader(self) -> None:
        return None

    def h_getClusterInfo(self) -> object:
        info = super().h_getClusterInfo()
        for nimbus in info.nimbuses:
            nimbus.isLeader = False
        return info


def test_a_null_leader_during_an_election_says_to_wait() -> None:
    with _ElectingNimbus() as seed:
        with pytest.raises(NimbusLeaderNotFound, match="none of which is the leader; wait for "
                                                       "the election to finish"):
            connect_leader(_target(seed.port), timeout=2)
        assert [c[0] for c in seed.calls] == ["getLeader", "getClusterInfo"]
