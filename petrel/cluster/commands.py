"""Handlers of ``petrel kill|list|status|activate|deactivate|rebalance`` and the cluster half
of ``petrel submit NAME`` (``submit_to_cluster``)."""

from __future__ import annotations

import argparse
import sys
import zipfile
from pathlib import Path
from typing import Any, Iterator, Optional

from petrel.cluster.address import NimbusTarget, resolve_nimbus
from petrel.cluster.jsonsmart import conf_for_direct_emits, unset_option_warning
from petrel.cluster.leader import connect_leader
from petrel.cluster.nimbus import NimbusConnection
from petrel.cluster.nimbus_errors import InvalidTopology, NotAlive
from petrel.cluster.submission import submit_topology
from petrel.cluster.tables import component_table, format_table, format_uptime
from petrel.cluster.upload import ProgressLine
from petrel.config import load_config
from petrel.errors import PetrelError
from petrel.topology.validate import INT32_MAX, validate_topology_name

ALL_TIME = ":all-time"
TOPOLOGY_SER = "resources/topology.ser"


# ---------------------------------------------------------------- shared plumbing


def _target(args: argparse.Namespace) -> NimbusTarget:
    """Resolve Nimbus from --nimbus, --config (or ./topology.yaml when present), storm.yaml."""
    config = getattr(args, "config", None)
    if config is None and Path("topology.yaml").is_file():
        config = "topology.yaml"
    conf = load_config(config) if config else {}
    return resolve_nimbus(getattr(args, "nimbus", None), conf,
                          topology_conf_name=str(config or "topology.yaml"))


def _connect(args: argparse.Namespace) -> NimbusConnection:
    return connect_leader(_target(args), timeout=float(getattr(args, "timeout", 30.0)))


def _not_running(name: str, conn: NimbusConnection) -> PetrelError:
    return PetrelError(
        f"topology {name!r} is not running on Nimbus at {conn.address}; "
        "'petrel list' shows the running topologies"
    )


def _non_negative(value: Optional[int], flag: str) -> Optional[int]:
    if value is not None and value < 0:
        raise PetrelError(f"{flag} must be 0 or more seconds, got {value}")
    return value


# ---------------------------------------------------------------- submit NAME


def submit_to_cluster(args: argparse.Namespace, built: Any) -> int:
    """Upload ``built.jar`` and submit it as topology ``args.name``; print its id."""
    if getattr(args, "via_storm_cli", False):
        from petrel.cluster.stormcli import submit_via_storm_cli

        warning = unset_option_warning(built.conf, getattr(built, "topology", None))
        if warning:
            print(f"petrel submit: warning: {warning}", file=sys.stderr)
        return submit_via_storm_cli(args, built, local=False)
    conf_name = str(getattr(args, "config", None) or "topology.yaml")
    target = resolve_nimbus(args.nimbus, built.conf, topology_conf_name=conf_name)
    jar = Path(built.jar)
    conf, note = conf_for_direct_emits(built.conf, getattr(built, "topology", None))
    if note:
        print(f"petrel submit: {note}")
    with connect_leader(target, timeout=float(args.timeout)) as conn:
        topology = storm_topology_for(built, conn)
        done = submit_topology(
            conn, args.name, jar, topology, conf,
            inactive=bool(args.inactive), force=bool(args.force),
            progress=ProgressLine(jar.name), conf_source=conf_name,
        )
    if done.replaced:
        print(f"killed the running topology {args.name!r} ({done.replaced}) first (--force)")
    print(f"submitted topology {args.name!r} to Nimbus at {conn.address}: "
          f"id {done.topology_id or '(not listed yet)'}, status {done.status}")
    return 0


def storm_topology_for(built: Any, conn: NimbusConnection) -> Any:
    """The StormTopology to submit: the jar's own ``resources/topology.ser`` when it has one.

    Submitting exactly what the jar holds keeps ``petrel submit`` and ``--via-storm-cli``
    identical; a jar without it (hand-made) falls back to encoding the model.
    """
    from petrel.topology.thrift import deserialize_topology, to_thrift

    try:
        with zipfile.ZipFile(built.jar) as zf:
            data = zf.read(TOPOLOGY_SER)
    except (zipfile.BadZipFile, KeyError, OSError):
        data = None
    if data is not None:
        return deserialize_topology(data)
    return to_thrift(built.topology)


# ---------------------------------------------------------------- kill / activate / deactivate


def run_kill(args: argparse.Namespace) -> int:
    """``petrel kill NAME [--wait S]``."""
    wait = _non_negative(args.wait, "--wait")
    with _connect(args) as conn:
        options = conn.idl.KillOptions(wait_secs=wait)
        try:
            conn.call("killTopologyWithOpts", args.name, options)
        except NotAlive:
            raise _not_running(args.name, conn) from None
    when = f"after {wait} s" if wait is not None else "after its message timeout"
    print(f"killed topology {args.name!r}: its spouts are deactivated now and Storm removes it "
          f"{when}")
    return 0


def _set_active(args: argparse.Namespace, method: str, done: str) -> int:
    with _connect(args) as conn:
        try:
            conn.call(method, args.name)
        except NotAlive:
            raise _not_running(args.name, conn) from None
    print(f"{done} topology {args.name!r}")
    return 0


def run_activate(args: argparse.Namespace) -> int:
    """``petrel activate NAME``."""
    return _set_active(args, "activate", "activated")


def run_deactivate(args: argparse.Namespace) -> int:
    """``petrel deactivate NAME``."""
    return _set_active(args, "deactivate", "deactivated")


# ---------------------------------------------------------------- rebalance


def parse_executors(items: list[str]) -> dict[str, int]:
    """``["split=4", "count=2"]`` as ``{"split": 4, "count": 2}``; a clear error otherwise."""
    out: dict[str, int] = {}
    for item in items:
        comp, sep, count = item.rpartition("=")
        if not sep or not comp:
            raise PetrelError(f"--executors {item!r}: write COMPONENT=N, e.g. --executors split=4")
        try:
            n = int(count)
        except ValueError:
            raise PetrelError(f"--executors {item!r}: {count!r} is not a whole number") from None
        if n <= 0 or n > INT32_MAX:
            raise PetrelError(f"--executors {item!r}: the executor count must be between 1 "
                              f"and {INT32_MAX}")
        out[comp] = n
    return out


def run_rebalance(args: argparse.Namespace) -> int:
    """``petrel rebalance NAME [--workers N] [--executors COMP=N ...] [--wait S]``."""
    executors = parse_executors(args.executors or [])
    if args.workers is not None and args.workers <= 0:
        raise PetrelError(f"--workers must be at least 1, got {args.workers}")
    wait = _non_negative(args.wait, "--wait")
    with _connect(args) as conn:
        options = conn.idl.RebalanceOptions(
            wait_secs=wait, num_workers=args.workers, num_executors=executors or None
        )
        try:
            conn.call("rebalance", args.name, options)
        except NotAlive:
            raise _not_running(args.name, conn) from None
        except InvalidTopology as exc:
            raise PetrelError(
                f"Nimbus refused to rebalance {args.name!r}: {exc.server_message}"
            ) from None
    changes = [f"workers -> {args.workers}"] if args.workers is not None else []
    changes += [f"{comp} -> {n} executors" for comp, n in executors.items()]
    when = f"in {wait} s" if wait is not None else "after its message timeout"
    print(f"rebalancing topology {args.name!r} {when}"
          + (f" ({', '.join(changes)})" if changes else ""))
    return 0


# ---------------------------------------------------------------- list


def run_list(args: argparse.Namespace) -> int:
    """``petrel list``: one row per topology on the cluster."""
    with _connect(args) as conn:
        summaries = sorted(conn.call("getClusterInfo").topologies or [], key=lambda s: s.name)
    if not summaries:
        print(f"no topologies are running on Nimbus at {conn.address}")
        return 0
    rows = [
        [s.name, s.id, s.status, format_uptime(s.uptime_secs), s.num_workers, s.num_executors,
         s.num_tasks]
        for s in summaries
    ]
    print(format_table(["name", "id", "status", "uptime", "workers", "executors", "tasks"], rows))
    return 0


# ---------------------------------------------------------------- status


def on_worker(ex: Any, worker: Optional[str], port: Optional[int]) -> bool:
    """True when executor summary ``ex`` runs on host ``worker`` (full or short name) and
    ``port``; None matches any."""
    host = str(getattr(ex, "host", "") or "")
    if worker is not None and worker not in (host, host.split(".")[0]):
        return False
    return port is None or getattr(ex, "port", None) == port


def _topology_header(info: Any, summary: Any) -> str:
    return (f"topology {info.name!r} ({info.id}): {info.status}, "
            f"up {format_uptime(info.uptime_secs)}, {summary.num_workers} workers, "
            f"{summary.num_executors} executors, {summary.num_tasks} tasks")


def status_report(conn: NimbusConnection, name: Optional[str], worker: Optional[str] = None,
                  port: Optional[int] = None) -> Iterator[str]:
    """The text of ``petrel status``, one block per topology (``worker``/``port``: only the
    executors there)."""
    summaries = sorted(conn.call("getClusterInfo").topologies or [], key=lambda s: s.name)
    if name is not None:
        summaries = [s for s in summaries if s.name == name]
        if not summaries:
            raise _not_running(name, conn)
    if not summaries:
        yield f"no topologies are running on Nimbus at {conn.address}"
        return
    for i, summary in enumerate(summaries):
        try:
            info = conn.call("getTopologyInfo", summary.id)
        except NotAlive:
            if name is not None:
                raise _not_running(name, conn) from None
            continue  # killed while we were looking
        if i:
            yield ""
        yield _topology_header(info, summary)
        table = component_table(info, lambda ex: on_worker(ex, worker, port))
        if table is not None:
            yield table
        elif worker is not None or port is not None:
            yield "(no executors on that worker)"
        else:
            yield "(no executors assigned yet)"


def looks_like_host(text: str) -> bool:
    """True for ``localhost`` and for text with '.' or ':', which no topology name contains."""
    return text == "localhost" or "." in text or ":" in text


def status_topology(args: argparse.Namespace) -> Optional[str]:
    """The topology ``petrel status`` reports on; reads the original Petrel's form
    ``petrel status NIMBUS_HOST [--topology NAME]`` into ``args.nimbus`` (with a note)."""
    name, topology = args.name, getattr(args, "topology", None)
    if name is not None and getattr(args, "nimbus", None) is None \
            and (topology is not None or looks_like_host(name)):
        print(f"petrel status: note: {name!r} is read as the Nimbus host (the original Petrel's "
              f"form); write 'petrel status --nimbus {name}"
              f"{' ' + topology if topology else ''}'", file=sys.stderr)
        args.nimbus, name = name, None
    if topology is not None:
        return str(topology)
    if name is not None:
        validate_topology_name(name)   # 'a.b' with --nimbus: say what a name may hold
    return name


def run_status(args: argparse.Namespace) -> int:
    """``petrel status [NAME]``: per-component executors, counts and latest errors."""
    name = status_topology(args)
    with _connect(args) as conn:
        for block in status_report(conn, name, getattr(args, "worker", None),
                                   getattr(args, "port", None)):
            print(block)
    return 0
