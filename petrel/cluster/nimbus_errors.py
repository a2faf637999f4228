"""What can go wrong talking to Nimbus, one exception class each (all ``NimbusError``).

Transport failures (unreachable, timeout, connection lost, not a Nimbus at all, a request
too large for Nimbus's buffer), Thrift application errors (an unknown method, a follower
that is not the leader) and the exceptions Nimbus's service declares
(``AlreadyAliveException`` and friends, mapped by name in ``DECLARED``).
"""

from __future__ import annotations

from petrel.errors import PetrelError


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


DECLARED: dict[str, type[DeclaredNimbusError]] = {
    "AlreadyAliveException": AlreadyAlive,
    "NotAliveException": NotAlive,
    "InvalidTopologyException": InvalidTopology,
    "AuthorizationException": NotAuthorized,
}
