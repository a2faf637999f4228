"""One dashboard for one local run: start the server, publish from the runner, linger, stop.

``start_dashboard`` binds the address before the runner is built (a port in use stops the
run before anything starts); ``Dashboard.attach`` hands the runner its two callbacks (the
once-a-second ``publish`` and the log tap that collects errors) and, when the run watches
emitted tuples (``topology.debug``), takes a sample of them too. After the run,
``finish`` publishes the final state and ``linger`` keeps serving it for a while.
"""

from __future__ import annotations

import sys
import time
from typing import Any, Callable, Dict, Optional, TextIO

from petrel.dashboard.events import ErrorLog, TupleSamples
from petrel.dashboard.hub import Hub, encode
from petrel.dashboard.server import DashboardServer, listen
from petrel.dashboard.snapshot import Snapshotter, topology_doc
from petrel.local.runner import LocalRunner

DEFAULT_HOST = "127.0.0.1"
INTERACTIVE_LINGER_SECS = 60.0   # --ui-linger's default when a person runs petrel


class Dashboard:
    """The hub, the server and the collectors of one run."""

    def __init__(self, server: DashboardServer, hub: Hub) -> None:
        self.runner: Optional[LocalRunner] = None
        self.server = server
        self.hub = hub
        self.errors = ErrorLog()
        self.samples: Optional[TupleSamples] = None
        self.snapshots = Snapshotter()
        self.failed = False

    @property
    def url(self) -> str:
        """Where the page is."""
        host = self.server.host
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{self.server.port}/"

    def attach(self, runner: LocalRunner) -> None:
        """Give ``runner`` the publish callback and the log tap; sample the emits it shows."""
        self.runner = runner
        self.hub.topology = encode(topology_doc(runner.topology, runner.layout, runner.name,
                                                runner.storm_id))
        runner.opts.publish = self.publish
        runner.opts.log_tap = self.errors.tap
        router = runner.router
        shown: Optional[Callable[[Any, str, list], None]] = router.show_emit
        if shown is not None:
            samples = self.samples = TupleSamples()

            def show_and_sample(task: Any, stream: str, values: list) -> None:
                shown(task, stream, values)
                samples.emitted(task, stream, values)

            router.show_emit = show_and_sample
        self.publish(runner)

    def publish(self, runner: Any, ended: bool = False,
                extra: Optional[Dict[str, Any]] = None) -> None:
        """Build the run's snapshot and swap it in (the runner's timer calls this).

        A failure here must not stop the run: it is written to the runner's log once and
        the page keeps the previous snapshot.
        """
        try:
            doc = self.snapshots.build(runner, ended, extra)
            doc["errors"] = self.errors.latest()
            doc["error_count"] = self.errors.count
            doc["debug"] = self.samples is not None
            doc["samples"] = self.samples.latest() if self.samples is not None else []
            self.hub.publish(doc)
        except Exception as exc:  # a dashboard bug: the run goes on without new snapshots
            if not self.failed:
                self.failed = True
                runner.runner_log.write(f"dashboard: cannot build the run's snapshot: "
                                        f"{type(exc).__name__}: {exc}\n")

    def finish(self, exit_code: int) -> None:
        """Publish the final state: the run has ended (the ``--stats-json`` extras too)."""
        runner = self.runner
        if runner is None:
            return
        self.publish(runner, ended=True, extra={
            "exit_code": exit_code, "stop_reason": runner.stop_reason,
            "pending_at_stop": len(runner.acker.pending),
            "timed_out": runner.stats.spout_timed_out, "logdir": str(runner.opts.logdir)})

    def linger(self, seconds: Optional[float], out: TextIO) -> None:
        """Keep serving the final state for ``seconds`` (None: ``default_linger()``);
        Ctrl+C ends it sooner."""
        if seconds is None:
            seconds = default_linger()
        if seconds <= 0:
            return
        print(f"petrel submit: the dashboard shows the final state at {self.url} for "
              f"{seconds:g} s more (Ctrl+C ends it now; --ui-linger S changes it)",
              file=out, flush=True)
        try:
            time.sleep(seconds)
        except KeyboardInterrupt:
            pass

    def close(self) -> None:
        """Stop the server and detach from the runner."""
        if self.runner is not None:
            self.runner.opts.publish = None
            self.runner.opts.log_tap = None
        self.server.stop()


def default_linger() -> float:
    """``--ui-linger``'s default: a minute for a person at a terminal, none for a script."""
    return INTERACTIVE_LINGER_SECS if sys.stdin.isatty() and sys.stdout.isatty() else 0.0


def start_dashboard(port: Optional[int], host: Optional[str] = None) -> Dashboard:
    """Listen on ``host`` (127.0.0.1 by default) and ``port`` (a free one when None or 0);
    ``attach`` then connects it to the run."""
    hub = Hub({})
    return Dashboard(listen(host or DEFAULT_HOST, port or 0, hub, asked=bool(port)), hub)
