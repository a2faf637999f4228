"""Progress reporting: the periodic progress line and the statistics at the end of a run."""

from __future__ import annotations

from petrel.local.run_state import RunState
from petrel.local.stats import RunStats


class ProgressReporting(RunState):
    """The runner's progress line and final statistics."""

    def _progress_line(self, elapsed: float, rate: float) -> str:
        pending = len(self.acker.pending)
        down = sum(1 for t in self.tasks.values() if t.state == "down")
        extra = f", {down} task(s) down" if down else ""
        return (f"petrel: [{elapsed:6.1f}s] {rate:,.0f} tuples/s acked, "
                f"acked {self.stats.spout_acked:,}, failed {self.stats.spout_failed:,}, "
                f"pending {pending:,}, restarts {self.stats.restarts}{extra}")

    def finish_stats(self) -> RunStats:
        """Fill the topology-wide latency sample and return the statistics."""
        self.stats.merge_latency()
        return self.stats
