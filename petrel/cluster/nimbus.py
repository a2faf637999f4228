"""A Nimbus Thrift client: framed transport, strict binary protocol, timeouts.

Each call is encoded in memory first, so a request frame larger than Nimbus's
``nimbus.thrift.max_buffer_size`` is refused locally instead of stalling the connection
(Nimbus would drop such a frame without an answer). Replies are checked for the Thrift
header before decoding, so a server that is not Nimbus gives a clear message rather than a
decoding traceback. The errors are in ``petrel.cluster.nimbus_errors`` (also importable from
here); finding the leader among several Nimbus hosts is ``petrel.cluster.leader``.
"""

from __future__ import annotations

import errno
import socket
import struct
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from thriftpy2.protocol.binary import TBinaryProtocol
from thriftpy2.thrift import TApplicationException, TMessageType, args_to_kwargs
from thriftpy2.transport import TMemoryBuffer

from petrel.cluster.address import HostPort
from petrel.cluster.nimbus_errors import (
    DECLARED,
    AlreadyAlive,
    DeclaredNimbusError,
    InvalidTopology,
    NimbusApplicationError,
    NimbusConnectionLost,
    NimbusError,
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
from petrel.topology.thrift import load_idl

__all__ = [
    "AlreadyAlive", "DeclaredNimbusError", "EncodedCall", "InvalidTopology",
    "NimbusApplicationError", "NimbusConnection", "NimbusConnectionLost", "NimbusError",
    "NimbusLeaderNotFound", "NimbusTimeout", "NimbusUnreachable", "NotANimbus",
    "NotAlive", "NotAuthorized", "NotLeader", "RequestTooLarge", "UnknownMethod",
]

# A reply bigger than this is not Nimbus talking (an HTTP server's "HTTP" reads as 1.2 GB).
MAX_RESPONSE_FRAME = 128 * 1024 * 1024
_STRICT_VERSION = 0x80010000


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
            declared = getattr(result, fname, None)
            if declared is not None:
                cls = DECLARED.get(type(declared).__name__, DeclaredNimbusError)
                msg = getattr(declared, "msg", None) or type(declared).__name__
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
