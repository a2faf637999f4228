"""A Nimbus Thrift client: framed transport, strict binary protocol, timeouts, leader discovery.

Each call is encoded in memory first, so a request frame larger than Nimbus's
``nimbus.thrift.max_buffer_size`` is refused locally instead of stalling the connection
(STORM-PROTOCOL.md B.7). Replies are checked for the Thrift header before decoding, so a
server that is not Nimbus gives a clear message rather than a decoding traceback.
"""

from __future__ import annotations

import errno
import socket
import struct
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Callable

from thriftpy2.protocol.binary import TBinaryProtocol
from thriftpy2.thrift import TApplicationException, TMessageType, args_to_kwargs
from thriftpy2.transport import TMemoryBuffer

from petrel.cluster.address import HostPort, NimbusTarget
from petrel.errors import PetrelError
from petrel.topology.thrift import load_idl

# A reply bigger than this is not Nimbus talking (an HTTP server's "HTTP" reads as 1.2 GB).
MAX_RESPONSE_FRAME = 128 * 1024 * 1024
_STRICT_VERSION = 0x80010000


# ---------------------------------------------------------------- errors


class NimbusError(PetrelError):
    """Any failure talking to Nimbus; the message is ready to show the user."""


class NimbusUnreachable(NimbusError):
    """The TCP connection could not be made (refused, unknown host, no route)."""


class NimbusTimeout(NimbusError):
    """Nimbus accepted the connection but did not answer in time."""


class NotANimbus(NimbusError):
    """Something answered that does not speak Storm's framed binary Thrift."""


class NimbusConnectionLost(NimbusError):
    """Nimbus closed the connection in the middle of a call."""


class RequestTooLarge(NimbusError):
    """A request frame would exceed nimbus.thrift.max_buffer_size; nothing was sent."""


class NimbusLeaderNotFound(NimbusError):
    """No seed led to a reachable leader Nimbus."""


class NimbusApplicationError(NimbusError):
    """Nimbus answered with a TApplicationException (an undeclared server-side error)."""

    def __init__(self, message: str, *, server_message: str, kind: int) -> None:
        super().__init__(message)
        self.server_message = server_message
        self.kind = kind


class UnknownMethod(NimbusApplicationError):
    """The Nimbus is older than the method (for example getLeader before Storm 1.1)."""


class NotLeader(NimbusApplicationError):
    """A write call reached a Nimbus that is not the leader."""


class DeclaredNimbusError(NimbusError):
    """One of the exceptions Nimbus declares in its IDL; ``server_message`` is its ``msg``."""

    def __init__(self, message: str, *, server_message: str) -> None:
        super().__init__(message)
        self.server_message = server_message


class AlreadyAlive(DeclaredNimbusError):
    """AlreadyAliveException: a topology of that name is running."""


class NotAlive(DeclaredNimbusError):
    """NotAliveException: no running topology has that name (or id)."""


class InvalidTopology(DeclaredNimbusError):
    """InvalidTopologyException: Nimbus rejected the topology or the options."""


class NotAuthorized(DeclaredNimbusError):
    """AuthorizationException: the cluster's authorizer refused the call."""


_DECLARED: dict[str, type[DeclaredNimbusError]] = {
    "AlreadyAliveException": AlreadyAlive,
    "NotAliveException": NotAlive,
    "InvalidTopologyException": InvalidTopology,
    "AuthorizationException": NotAuthorized,
}


# ---------------------------------------------------------------- one connection


@dataclass(frozen=True)
class EncodedCall:
    """A request encoded ahead of sending, so its size is known before anything is sent."""

    method: str
    seqid: int
    frame: bytes          # 4-byte length + strict binary message

    @property
    def size(self) -> int:
        """Size of the frame payload, the number Nimbus compares with its buffer limit."""
        return len(self.frame) - 4


class NimbusConnection:
    """One framed binary Thrift connection to one Nimbus; ``call`` sends and waits."""

    def __init__(
        self,
        address: HostPort,
        *,
        timeout: float = 30.0,
        max_request_size: int = 1_048_576,
        service: ModuleType | None = None,
    ) -> None:
        self.address = address
        self.timeout = timeout
        self.max_request_size = max_request_size
        self._idl = service or load_idl()
        self._service = self._idl.Nimbus
        self._sock: socket.socket | None = None
        self._seqid = 0

    @property
    def idl(self) -> ModuleType:
        """The thriftpy2 module of petrel's storm.thrift (for building argument structs)."""
        return self._idl

    def open(self) -> NimbusConnection:
        """Connect; raise NimbusUnreachable or NimbusTimeout with a plain reason."""
        try:
            self._sock = socket.create_connection(
                (self.address.host, self.address.port), timeout=self.timeout
            )
        except socket.timeout:
            raise NimbusTimeout(
                f"cannot connect to Nimbus at {self.address} "
                f"(no answer within {self.timeout:g} s)"
            ) from None
        except socket.gaierror as exc:
            raise NimbusUnreachable(
                f"cannot connect to Nimbus at {self.address} "
                f"(unknown host: {exc.strerror or exc})"
            ) from None
        except OSError as exc:
            raise NimbusUnreachable(
                f"cannot connect to Nimbus at {self.address} ({_reason(exc)})"
            ) from None
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return self

    def close(self) -> None:
        """Close the socket (idempotent)."""
        if self._sock is not None:
            try:
                self._sock.close()
            finally:
                self._sock = None

    def __enter__(self) -> NimbusConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- encoding

    def encode(self, method: str, *args: Any, **kwargs: Any) -> EncodedCall:
        """The framed request for ``method`` (raises RequestTooLarge over the limit)."""
        args_cls = getattr(self._service, method + "_args")
        values = args_to_kwargs(args_cls.thrift_spec, *args, **kwargs)
        buf = TMemoryBuffer()
        proto = TBinaryProtocol(buf, strict_write=True)
        self._seqid += 1
        proto.write_message_begin(method, TMessageType.CALL, self._seqid)
        request = args_cls()
        for name, value in values.items():
            setattr(request, name, value)
        request.write(proto)
        payload = buf.getvalue()
        if len(payload) > self.max_request_size:
            raise RequestTooLarge(
                f"the {method} request is {len(payload):,} bytes, over Nimbus's limit of "
                f"{self.max_request_size:,} bytes (nimbus.thrift.max_buffer_size); nothing was "
                "sent. Nimbus would drop or stall the connection: make the topology smaller "
                "(fewer or shorter component configs) or raise nimbus.thrift.max_buffer_size on "
                "the cluster and in topology.yaml"
            )
        return EncodedCall(method, self._seqid, struct.pack("!i", len(payload)) + payload)

    # -- calls

    def call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        """Call ``method`` with IDL arguments; return its result or raise a NimbusError."""
        return self.send(self.encode(method, *args, **kwargs))

    def send(self, request: EncodedCall) -> Any:
        """Send a request made by ``encode`` and decode the reply."""
        if self._sock is None:
            self.open()
        assert self._sock is not None
        method, seqid = request.method, request.seqid
        try:
            self._sock.sendall(request.frame)
            size = struct.unpack("!i", self._recv_exact(4, method))[0]
            if size <= 0 or size > MAX_RESPONSE_FRAME:
                raise self._not_nimbus(method, struct.pack("!i", size) + self._read_some(60))
            payload = self._recv_exact(size, method)
        except socket.timeout:
            self.close()
            raise NimbusTimeout(
                f"Nimbus at {self.address} did not answer {method} within {self.timeout:g} s "
                "(is this Nimbus's Thrift port, nimbus.thrift.port? use --timeout to wait longer)"
            ) from None
        except OSError as exc:
            self.close()
            raise NimbusConnectionLost(
                f"connection to Nimbus at {self.address} failed during {method} ({_reason(exc)})"
            ) from None
        return self._decode_reply(method, seqid, payload)

    def _recv_exact(self, n: int, method: str) -> bytes:
        assert self._sock is not None
        chunks: list[bytes] = []
        remaining = n
        while remaining:
            chunk = self._sock.recv(min(remaining, 1 << 20))
            if not chunk:
                got = b"".join(chunks)
                self.close()
                if got:
                    raise self._not_nimbus(method, got)
                raise NimbusConnectionLost(
                    f"Nimbus at {self.address} closed the connection during {method} "
                    "(is this a Storm Nimbus Thrift port with the default transport?)"
                )
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)

    def _read_some(self, limit: int) -> bytes:
        """Whatever the peer has already sent, up to ``limit`` bytes (to show it in errors)."""
        assert self._sock is not None
        try:
            self._sock.settimeout(min(self.timeout, 0.2))
            return self._sock.recv(limit)
        except OSError:
            return b""

    def _not_nimbus(self, method: str, first_bytes: bytes) -> NotANimbus:
        self.close()
        shown = first_bytes[:40].decode("latin-1")
        printable = "".join(c if c.isprintable() else "." for c in shown)
        return NotANimbus(
            f"{self.address} is not a Storm Nimbus Thrift port: it answered {method} with "
            f"{printable!r}, not a framed Thrift reply"
        )

    def _decode_reply(self, method: str, seqid: int, payload: bytes) -> Any:
        if len(payload) < 4 or struct.unpack("!I", payload[:4])[0] & 0xFFFF0000 != _STRICT_VERSION:
            raise self._not_nimbus(method, payload)
        proto = TBinaryProtocol(TMemoryBuffer(payload), strict_read=True)
        try:
            name, mtype, rseqid = proto.read_message_begin()
            if name != method or rseqid != seqid:
                raise ValueError(f"reply to {name!r} #{rseqid}")
            if mtype == TMessageType.EXCEPTION:
                app = TApplicationException()
                app.read(proto)
            else:
                app = None
                result = getattr(self._service, method + "_result")()
                result.read(proto)
        except Exception as exc:  # any decoding failure means the peer is not Nimbus
            self.close()
            raise NotANimbus(
                f"{self.address} sent a reply to {method} that is not a valid Nimbus "
                f"answer ({exc}); check that it is a Storm Nimbus Thrift port"
            ) from None
        if app is not None:
            raise self._application_error(method, app)
        for _fid, spec in sorted(result.thrift_spec.items()):
            fname = spec[1]
            if fname == "success":
                continue
            exc = getattr(result, fname, None)
            if exc is not None:
                cls = _DECLARED.get(type(exc).__name__, DeclaredNimbusError)
                msg = getattr(exc, "msg", None) or type(exc).__name__
                raise cls(f"Nimbus at {self.address}: {msg}", server_message=msg)
        if "success" not in {spec[1] for spec in result.thrift_spec.values()}:
            return None
        if result.success is None:
            raise NimbusApplicationError(
                f"Nimbus at {self.address} returned no result for {method}",
                server_message="", kind=TApplicationException.MISSING_RESULT,
            )
        return result.success

    def _application_error(self, method: str, app: TApplicationException) -> NimbusError:
        text = app.message or str(app)
        kind = app.type if isinstance(app.type, int) else 0
        if kind == TApplicationException.UNKNOWN_METHOD:
            return UnknownMethod(
                f"Nimbus at {self.address} does not know {method} (an older Storm): {text}",
                server_message=text, kind=kind,
            )
        if "not a leader" in text.lower():
            return NotLeader(
                f"Nimbus at {self.address} is not the leader ({text}); leadership may have "
                "just moved: retry, or list every Nimbus in nimbus.seeds",
                server_message=text, kind=kind,
            )
        return NimbusApplicationError(
            f"Nimbus at {self.address} failed on {method}: {text}",
            server_message=text, kind=kind,
        )


def _reason(exc: OSError) -> str:
    if exc.errno == errno.ECONNREFUSED:
        return "connection refused"
    if exc.errno == errno.ECONNRESET:
        return "connection reset by the server"
    if exc.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH):
        return "no route to host"
    return exc.strerror or str(exc) or type(exc).__name__


# ---------------------------------------------------------------- leader discovery


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

