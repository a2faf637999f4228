"""Calling spouts in the mock: ``nextTuple`` round robin until no spout produces.

A spout stops producing when a call emits nothing (it starts again after an ack or fail
reaches it; with ``spout_timeout`` it is polled until its limit or the time passes) or when
it reaches its emit limit. A spout with no limit must stop on its own within
``SPOUT_EMIT_LIMIT`` tuples and ``SPOUT_TIME_LIMIT_S`` seconds.
"""

from __future__ import annotations

import time

from petrel.mock.delivery import Delivery
from petrel.mock.errors import MockError
from petrel.mock.spout import MockSpout
from petrel.mock.taskstate import Task
from petrel.runtime.failures import FatalComponentError

SPOUT_EMIT_LIMIT = 10_000
SPOUT_TIME_LIMIT_S = 10.0
# With spout_timeout: the pause after a round of nextTuple calls that emitted nothing.
SPOUT_POLL_S = 0.001


class SpoutScheduling(Delivery):
    """Running the spouts and draining after each call."""

    def run_spouts(self) -> None:
        """Call ``nextTuple`` round robin until no spout produces, draining after each call.

        With ``spout_timeout``, a spout (other than a MockSpout) whose call emits nothing
        keeps being called, with a short sleep after each round in which no spout emitted,
        until it reaches its emit limit or the timeout passes.
        """
        spouts = self.spouts
        queue = self.queue
        deadline = self.spout_deadline
        if len(spouts) == 1 and deadline is None:
            return self._run_one_spout(spouts[0])
        while True:
            producing = [t for t in spouts if t.producing]
            if not producing:
                return
            emitted = False
            for task in producing:
                limit = task.max_emits
                before = task.spout_emits
                if limit is not None and before >= limit:
                    task.producing = False
                    continue
                try:
                    task.next_tuple()
                except FatalComponentError as exc:
                    raise self._failure(task, exc) from (exc.__context__ or exc)
                if task.spout_emits != before:
                    emitted = True
                    if not task.bounded:
                        self._check_unbounded(task)
                elif deadline is None or isinstance(task.component, MockSpout):
                    task.producing = False
                if queue or task.commands:
                    self.drain()
            if deadline is not None:
                if time.monotonic() >= deadline:
                    self._spout_timeout_passed()
                    return
                if not emitted:
                    time.sleep(SPOUT_POLL_S)

    def _run_one_spout(self, task: Task) -> None:
        """``run_spouts`` for the one spout of a topology, without ``spout_timeout``."""
        queue = self.queue
        commands = task.commands
        next_tuple = task.next_tuple
        limit = task.max_emits
        while task.producing:
            before = task.spout_emits
            if limit is not None and before >= limit:
                task.producing = False
                return
            try:
                next_tuple()
            except FatalComponentError as exc:
                raise self._failure(task, exc) from (exc.__context__ or exc)
            if task.spout_emits == before:
                task.producing = False
            elif not task.bounded:
                self._check_unbounded(task)
            if queue or commands:
                self.drain()

    def _spout_timeout_passed(self) -> None:
        """Stop every spout; MockError naming those short of their ``max_spout_emits``."""
        short = []
        for task in self.spouts:
            task.producing = False
            if task.max_emits is not None and task.spout_emits < task.max_emits:
                short.append(f"{task.label} ({type(task.component).__name__}) emitted "
                             f"{task.spout_emits} of max_spout_emits={task.max_emits}")
        if short:
            raise MockError("; ".join(short) + f" before spout_timeout={self.spout_timeout} s "
                            f"passed: give it more time (a larger spout_timeout), fewer "
                            f"tuples to wait for, or check what feeds the spout")

    def _check_unbounded(self, task: Task) -> None:
        elapsed = time.monotonic() - self.started_at
        if task.spout_emits >= SPOUT_EMIT_LIMIT or elapsed > SPOUT_TIME_LIMIT_S:
            raise MockError(
                f"{task.label} ({type(task.component).__name__}) was still emitting after "
                f"{task.spout_emits} tuples and {elapsed:.1f} s: petrel.mock calls nextTuple "
                f"until a call emits nothing, and this spout never stops; pass "
                f"max_spout_emits=N (or give its tuples with a MockSpout / spout_data)")
