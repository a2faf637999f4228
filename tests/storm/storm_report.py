"""What a failed real-Storm test prints about the cluster: Nimbus's view and the logs' tails.

A test that waits for tuples to flow only says "not within N s"; this report says why:
no supervisor, no free slot, a worker that keeps dying, or a Python task's error.
"""

from __future__ import annotations

from pathlib import Path

from storm_helpers import RealStorm

TAIL_LINES = 25


def _tail(path: Path, lines: int = TAIL_LINES) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError as exc:
        return f"--- {path}: {exc}"
    return f"--- {path} (last {min(lines, len(text))} of {len(text)} lines)\n" + \
        "\n".join(text[-lines:])


def _nimbus_view(storm: RealStorm) -> list[str]:
    out = []
    try:
        with storm.connect() as conn:
            info = conn.call("getClusterInfo")
        for sup in info.supervisors or []:
            out.append(f"supervisor {sup.host}: {sup.num_used_workers} of {sup.num_workers} "
                       f"slots used, up {sup.uptime_secs} s")
        if not info.supervisors:
            out.append("Nimbus knows no supervisor")
        for topo in info.topologies or []:
            out.append(f"topology {topo.name} ({topo.id}): {topo.status}, "
                       f"{topo.num_workers} workers, {topo.num_executors} executors, "
                       f"up {topo.uptime_secs} s")
            try:
                with storm.connect() as conn:
                    detail = conn.call("getTopologyInfo", topo.id)
                places = sorted({(ex.component_id, ex.host, ex.port)
                                 for ex in detail.executors or []})
                out.append("  executors: " + ", ".join(f"{c}@{h}:{p}" for c, h, p in places))
                for cid, errors in (detail.errors or {}).items():
                    for err in (errors or [])[-2:]:
                        out.append(f"  error in {cid}: {err.error.splitlines()[0]}")
            except Exception as exc:  # noqa: BLE001 - a report must never hide the failure
                out.append(f"  getTopologyInfo failed: {exc}")
    except Exception as exc:  # noqa: BLE001
        out.append(f"Nimbus does not answer: {exc}")
    return out


def cluster_report(storm: RealStorm) -> str:
    """Nimbus's view of the cluster, then the tails of the daemon and worker logs."""
    parts = _nimbus_view(storm)
    logs = storm.directory / "logs"
    for name in ("nimbus.log", "supervisor.log"):
        parts.append(_tail(logs / name))
    workers = sorted(logs.glob("workers-artifacts/*/*/worker.log"),
                     key=lambda p: p.stat().st_mtime)
    for path in workers[-3:]:
        parts.append(_tail(path, 15))
    return "\n".join(parts)
