"""Submitting a topology to the leader Nimbus, in StormSubmitter's order.

The calls and their order: docs/internals/thrift.md#submission.

Everything that can be checked locally (name, config, request size, a running topology of
the same name) is checked before the jar is uploaded, so a refusal leaves nothing behind.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

from petrel.cluster.nimbus import NimbusConnection
from petrel.cluster.nimbus_errors import (
    AlreadyAlive,
    InvalidTopology,
    NimbusConnectionLost,
    NimbusTimeout,
    NotAlive,
    UnknownMethod,
)
from petrel.cluster.upload import Progress, upload_jar
from petrel.errors import PetrelError
from petrel.topology.validate import validate_conf_types, validate_topology_name

# A generous stand-in for the upload location when the submit request is sized in advance.
_LOCATION_PLACEHOLDER = "/" + "x" * 1023


@dataclass
class Submitted:
    """What ``submit_topology`` achieved."""

    name: str
    topology_id: Optional[str]
    status: str
    location: str
    replaced: Optional[str] = None      # id of the topology killed by --force


def check_conf(conf: dict[str, Any], source: str = "topology.yaml") -> str:
    """The jsonConf string for Nimbus, after the type checks Nimbus itself would make."""
    validate_conf_types(conf, source)
    return json.dumps(conf, allow_nan=False, separators=(",", ":"))


def find_topology(conn: NimbusConnection, name: str) -> Any | None:
    """The TopologySummary of the topology called ``name``, or None."""
    for summary in conn.call("getClusterInfo").topologies or []:
        if summary.name == name:
            return summary
    return None


def wait_until_gone(
    conn: NimbusConnection,
    name: str,
    *,
    timeout: float,
    poll_interval: float = 1.0,
    clock: Callable[[], float] = time.monotonic,
) -> bool:
    """Poll Nimbus until no topology is called ``name``; False if ``timeout`` passes first."""
    deadline = clock() + timeout
    while True:
        if find_topology(conn, name) is None:
            return True
        if clock() >= deadline:
            return False
        time.sleep(poll_interval)


def submit_topology(
    conn: NimbusConnection,
    name: str,
    jar: Path | bytes,
    topology: Any,
    conf: dict[str, Any],
    *,
    inactive: bool = False,
    force: bool = False,
    force_wait: float = 120.0,
    poll_interval: float = 1.0,
    progress: Optional[Progress] = None,
    conf_source: str = "topology.yaml",
) -> Submitted:
    """Check, upload and submit; ``topology`` is a StormTopology of ``conn.idl``."""
    idl = conn.idl
    validate_topology_name(name)
    json_conf = check_conf(conf, conf_source)
    status = idl.TopologyInitialStatus.INACTIVE if inactive else idl.TopologyInitialStatus.ACTIVE
    options = idl.SubmitOptions(initial_status=status)
    # Size the submit request now (the location is not known yet), before anything is sent.
    conn.encode("submitTopologyWithOpts", name, _LOCATION_PLACEHOLDER, json_conf, topology, options)

    replaced = None
    running = find_topology(conn, name)
    if running is not None:
        if not force:
            raise PetrelError(
                f"topology {name!r} is already running (id {running.id}, status "
                f"{running.status}); use --force to replace it or 'petrel kill {name}'",
            )
        replaced = running.id
        try:
            kill = idl.KillOptions(wait_secs=0)
            conn.call("killTopologyWithOpts", name, kill)
        except NotAlive:
            pass  # it went away by itself in the meantime
        if not wait_until_gone(conn, name, timeout=force_wait, poll_interval=poll_interval):
            raise PetrelError(
                f"--force: killed topology {name!r} ({replaced}) but Nimbus still lists it after "
                f"{force_wait:g} s; the new topology was NOT submitted. Retry when "
                "'petrel list' no longer shows it"
            )

    try:
        allowed = conn.call("isTopologyNameAllowed", name)
    except UnknownMethod:
        allowed = True  # Storm < 1.1 has no such call; submit reports conflicts itself
    if not allowed:
        raise PetrelError(
            f"Nimbus does not allow the topology name {name!r} (it is in use, still being "
            "removed, or refused by the cluster's policy); nothing was uploaded"
        )

    location = upload_jar(conn, jar, progress=progress)
    request = conn.encode("submitTopologyWithOpts", name, location, json_conf, topology, options)
    try:
        conn.send(request)
    except AlreadyAlive:
        raise PetrelError(
            f"topology {name!r} is already running (it was started while petrel uploaded the "
            f"jar); use --force to replace it or 'petrel kill {name}'"
        ) from None
    except InvalidTopology as exc:
        raise PetrelError(
            f"Nimbus rejected topology {name!r}: {exc.server_message}; nothing was started "
            "(the uploaded jar stays in Nimbus's inbox until it cleans up)"
        ) from None
    except (NimbusTimeout, NimbusConnectionLost) as exc:
        raise PetrelError(
            f"{exc.message}. The jar was uploaded, so the topology MAY have been submitted: "
            f"check with 'petrel list' before retrying"
        ) from None
    summary = find_topology(conn, name)
    return Submitted(
        name=name,
        topology_id=summary.id if summary is not None else None,
        status=summary.status if summary is not None else ("INACTIVE" if inactive else "ACTIVE"),
        location=location,
        replaced=replaced,
    )
