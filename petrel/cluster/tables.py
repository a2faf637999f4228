"""Plain-text tables and durations for ``petrel list`` and ``petrel status``.

``component_table`` is ``petrel status``'s per-component table, read from Nimbus's
``getTopologyInfo`` as Storm's UI reads it: rates over the 10-minute window, a bolt's
capacity (its busiest executor's share of the window spent executing), average latencies
(Storm keeps averages, not percentiles; a bolt's execute and process latency: for a shell
bolt, execute covers only the hand-over to its subprocess, process lasts until its ack),
all-time counts and the latest error.
"""

from __future__ import annotations

import time
from typing import Any, Callable, Dict, Optional, Sequence


def format_uptime(seconds: int | None) -> str:
    """``3d 4h 5m 6s`` like the Storm UI, without leading zero units; ``-`` when unknown."""
    if seconds is None or seconds < 0:
        return "-"
    days, rest = divmod(int(seconds), 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    parts = [(days, "d"), (hours, "h"), (minutes, "m")]
    out = [f"{v}{u}" for i, (v, u) in enumerate(parts) if v or any(p[0] for p in parts[:i])]
    out.append(f"{secs}s")
    return " ".join(out)


def format_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Columns padded to their widest cell; numbers right-aligned, text left-aligned."""
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        for i, text in enumerate(row):
            widths[i] = max(widths[i], len(text))
    numeric = [
        bool(rows) and all(isinstance(r[i], (int, float)) or r[i] is None for r in rows)
        for i in range(len(headers))
    ]

    def line(values: Sequence[str]) -> str:
        padded = [
            v.rjust(widths[i]) if numeric[i] else v.ljust(widths[i])
            for i, v in enumerate(values)
        ]
        return "  ".join(padded).rstrip()

    out = [line(list(headers)), line(["-" * w for w in widths])]
    out.extend(line(row) for row in cells)
    return "\n".join(out)


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


# ---------------------------------------------------------------- per-component figures
WINDOW = "600"                 # Storm's 10-minute window, the one its UI shows first
ALL_TIME = ":all-time"
COMPONENT_HEADERS = ["component", "type", "executors", "tasks", "emitted/s", "acked/s",
                     "failed/s", "capacity", "latency ms", "process ms", "emitted", "acked",
                     "failed", "last error"]


class _Figures:
    """One component's sums over its executors (weighted sums for the averages)."""

    def __init__(self) -> None:
        self.kind = "-"
        self.executors = self.tasks = 0
        self.counts = {key: 0 for key in ("emitted", "acked", "failed", "emitted_10m",
                                          "acked_10m", "failed_10m")}
        self.latency_sum = 0.0       # average x count, over executors (10-minute window)
        self.latency_count = 0
        self.process_sum = 0.0       # bolts' process latency, average x acked
        self.process_count = 0
        self.capacity = 0.0          # the busiest executor's, as Storm's UI shows it


def _by_window(stats: Any, window: str, *, user_streams_only: bool = False) -> Dict[Any, Any]:
    streams = (stats or {}).get(window) or {}
    if not user_streams_only:
        return dict(streams)
    return {s: v for s, v in streams.items()
            if not str(s if isinstance(s, str) else getattr(s, "streamId", "")).startswith("__")}


def _total(stats: Any, window: str, *, user_streams_only: bool = False) -> int:
    values = _by_window(stats, window, user_streams_only=user_streams_only).values()
    return sum(int(v or 0) for v in values)


def _weighted(avgs: Any, counts: Any, window: str) -> tuple[float, int]:
    """Sum of average x count over the streams of one executor, and the count."""
    averages, weights = _by_window(avgs, window), _by_window(counts, window)
    total = sum(float(averages.get(s) or 0.0) * int(n or 0) for s, n in weights.items())
    return total, sum(int(n or 0) for n in weights.values())


def _add_executor(fig: _Figures, ex: Any) -> None:
    fig.executors += 1
    ei = ex.executor_info
    if ei is not None:
        fig.tasks += ei.task_end - ei.task_start + 1
    stats = ex.stats
    if stats is None:
        return
    c = fig.counts
    c["emitted"] += _total(stats.emitted, ALL_TIME, user_streams_only=True)
    c["emitted_10m"] += _total(stats.emitted, WINDOW, user_streams_only=True)
    specific = stats.specific
    spout = getattr(specific, "spout", None) if specific is not None else None
    bolt = getattr(specific, "bolt", None) if specific is not None else None
    part = spout if spout is not None else bolt
    if part is None:
        return
    fig.kind = "spout" if spout is not None else "bolt"
    for key in ("acked", "failed"):
        c[key] += _total(getattr(part, key), ALL_TIME)
        c[f"{key}_10m"] += _total(getattr(part, key), WINDOW)
    if spout is not None:
        total, n = _weighted(spout.complete_ms_avg, spout.acked, WINDOW)
    else:
        executed = getattr(bolt, "executed", None)
        total, n = _weighted(getattr(bolt, "execute_ms_avg", None), executed, WINDOW)
        # capacity: the share of the window this executor spent executing tuples
        seconds = min(int(WINDOW), max(1, int(getattr(ex, "uptime_secs", 0) or 0)))
        fig.capacity = max(fig.capacity, total / (seconds * 1000.0))
        process, acked = _weighted(getattr(bolt, "process_ms_avg", None),
                                   getattr(bolt, "acked", None), WINDOW)
        fig.process_sum += process
        fig.process_count += acked
    fig.latency_sum += total
    fig.latency_count += n


def component_table(info: Any, keep: Callable[[Any], bool] = lambda ex: True,
                    now: Optional[float] = None) -> Optional[str]:
    """``petrel status``'s per-component table from a TopologyInfo: rates over Storm's
    10-minute window, capacity (bolts), average latency (spouts: complete, bolts: execute),
    bolts' average process latency, all-time counts and the latest error; only executors
    ``keep`` accepts; None without any.
    """
    figures: Dict[str, _Figures] = {}
    for ex in info.executors or []:
        if not ex.component_id.startswith("__") and keep(ex):
            _add_executor(figures.setdefault(ex.component_id, _Figures()), ex)
    if not figures:
        return None
    uptime = min(int(WINDOW), max(1, int(getattr(info, "uptime_secs", 0) or 0)))
    errors = getattr(info, "errors", None) or {}
    rows: list[list[object]] = []
    for cid in sorted(figures):
        f, c = figures[cid], figures[cid].counts
        latency = f.latency_sum / f.latency_count if f.latency_count else None
        process = f.process_sum / f.process_count if f.process_count else None
        rows.append([cid, f.kind, f.executors, f.tasks,
                     _rate(c["emitted_10m"], uptime), _rate(c["acked_10m"], uptime),
                     _rate(c["failed_10m"], uptime),
                     f"{f.capacity:.3f}" if f.kind == "bolt" else "-",
                     "-" if latency is None else f"{latency:.2f}",
                     "-" if process is None else f"{process:.2f}",
                     c["emitted"], c["acked"], c["failed"],
                     latest_error(errors.get(cid), now)])
    return format_table(COMPONENT_HEADERS, rows)


def _rate(count: int, seconds: int) -> str:
    rate = count / seconds
    return f"{rate:,.1f}" if rate < 100 else f"{rate:,.0f}"


def latest_error(errors: Any, now: Optional[float] = None) -> str:
    """``5m 2s ago: first line`` of the newest ErrorInfo, '' without any."""
    if not errors:
        return ""
    newest = max(errors, key=lambda e: e.error_time_secs or 0)
    lines = (newest.error or "").strip().splitlines()
    text = lines[0] if lines else "(empty error)"
    if len(text) > 120:
        text = text[:117] + "..."
    when = int(time.time() if now is None else now) - int(newest.error_time_secs or 0)
    where = f" ({newest.host}:{newest.port})" if getattr(newest, "host", None) else ""
    return f"{format_uptime(max(0, when))} ago{where}: {text}"
