"""Progress reporting: the console's status line while a run goes on, and the final statistics.

The event loop asks for a status line every ``opts.progress_secs`` seconds. While the
topology runs, the line shows how many tuples per second were emitted, executed and acked
since the previous one; while tasks start, which of them the run is still waiting for (and
the environment build's log); while it drains, how many tuple trees are still pending. The
status of a slow step is wanted sooner than the next progress line, so while a run starts,
drains or closes, the next call is asked for within ``STEP_STATUS_SECS``.
"""

from __future__ import annotations

import os
import time
from typing import List, Optional, Tuple

from petrel.local.run_state import RunState
from petrel.local.stats import RunStats

PUBLISH_SECS = 1.0            # how often the dashboard (opts.publish) gets the run's state
STEP_STATUS_SECS = 2.0        # how often a slow step (start, drain, close) reports itself
MAX_NAMED_TASKS = 6           # tasks named in a "waiting for" line before "and N more"


class ProgressReporting(RunState):
    """The runner's status lines and final statistics."""

    _progress_every: Optional[float] = None                  # the user's progress cadence
    _last_counts: Optional[Tuple[float, int, int, int]] = None  # time, emitted, executed, acked

    def pace_status(self, progress_secs: float, first_secs: float = STEP_STATUS_SECS) -> None:
        """Progress lines every ``progress_secs``, the first one (maybe a slow start) sooner."""
        self._progress_every = progress_secs
        self.opts.progress_secs = min(progress_secs, first_secs)

    def _progress_line(self, elapsed: float, rate: float) -> str:
        """The status line for the run's current phase (``rate`` is the acked trees' rate)."""
        now = time.monotonic()
        every = self._progress_every
        if every is None:
            every = self._progress_every = self.opts.progress_secs
        head = f"petrel: [{elapsed:6.1f}s]"
        if self.phase == "starting":
            line = f"{head} {self._waiting_text()}"
        elif self.phase == "draining":
            line = f"{head} {self._draining_text()}"
        elif self.phase == "closing":
            line = f"{head} {self._closing_text()}"
        else:
            line = f"{head} {self._rates_text(now)}"
        # The event loop schedules the next call from opts.progress_secs: a slow step reports
        # itself more often than the running topology.
        self.opts.progress_secs = every if self.phase == "running" else min(every,
                                                                             STEP_STATUS_SECS)
        return line

    def _counts(self) -> Tuple[int, int, int]:
        """Tuples emitted (all components), executed and acked (by bolts) so far."""
        emitted = executed = acked = 0
        for cs in self.stats.components.values():
            emitted += cs.emitted
            if cs.kind != "spout":
                executed += cs.executed
                acked += cs.acked
        return emitted, executed, acked

    def _rates_text(self, now: float) -> str:
        emitted, executed, acked = self._counts()
        last = self._last_counts or (self.started, 0, 0, 0)
        span = max(1e-9, now - last[0])
        self._last_counts = (now, emitted, executed, acked)
        rates = (f"tuples/s: {(emitted - last[1]) / span:,.0f} emitted, "
                 f"{(executed - last[2]) / span:,.0f} executed, "
                 f"{(acked - last[3]) / span:,.0f} acked")
        stats = self.stats
        trees = (f"trees acked {stats.spout_acked:,}, failed {stats.spout_failed:,}, "
                 f"pending {len(self.acker.pending):,}")
        down = sum(1 for t in self.tasks.values() if t.state == "down")
        extra = f", {down} task(s) down" if down else ""
        return f"{rates}; {trees}; restarts {stats.restarts}{extra}"

    def _waiting_text(self) -> str:
        waiting = sorted((t for t in self.tasks.values() if t.state != "running"),
                         key=lambda t: t.id)
        names = [f"{t.cid}[{t.id}]" for t in waiting[:MAX_NAMED_TASKS]]
        if len(waiting) > MAX_NAMED_TASKS:
            names.append(f"and {len(waiting) - MAX_NAMED_TASKS} more")
        text = f"waiting for {len(waiting)} task(s) to start: {', '.join(names)}"
        building = self._environment_logs(waiting)
        if building:
            text += f"; building the Python environment (log: {building[0]})"
        return text

    def _environment_logs(self, waiting: List) -> List[str]:
        """The environment build logs of the tasks still starting (``--venv new``)."""
        if self.opts.env.get("PETREL_PYTHON"):
            return []
        found = []
        for t in waiting:
            if t.pid is None:
                continue
            path = os.path.join(str(self.opts.logdir), f"petrel{t.pid}_virtualenv.log")
            if os.path.exists(path):
                found.append(path)
        return found

    def _draining_text(self) -> str:
        pending = len(self.acker.pending)
        again = "again " if self.signals else ""
        left = max(0.0, self.drain_deadline - time.monotonic())
        return (f"draining: {pending:,} tuple(s) pending (at most {left:.0f} s more); "
                f"Ctrl+C {again}to stop now")

    def _closing_text(self) -> str:
        alive = sum(1 for t in self.tasks.values() if t.state in ("running", "starting"))
        return f"stopping: waiting for {alive} task(s) to exit"

    _next_publish = 0.0

    def _publish_due(self, now: float) -> None:
        """Hand the runner to ``opts.publish`` (the dashboard) at most once a second."""
        publish = self.opts.publish
        if publish is not None and now >= self._next_publish:
            self._next_publish = now + PUBLISH_SECS
            publish(self)

    def finish_stats(self) -> RunStats:
        """Fill the topology-wide latency sample and return the statistics."""
        self.stats.merge_latency()
        return self.stats
