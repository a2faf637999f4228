"""The local runner: one event loop over every task's pipes, playing Storm's worker.

It starts one subprocess per task, performs the handshake, sends heartbeats, ticks and spout
commands, enforces timeouts and ``max.pending`` limits, handles Storm's fatal rules by
reporting the task, failing its pending tuples and restarting it, and stops cleanly.

``LocalRunner`` is built in layers, one responsibility per module, each on the one before:
``run_state`` (options, shared state, console), ``progress`` (progress line, final
statistics), ``flow`` (back-pressure, pipe registration, batched output, spout pacing),
``shutdown`` (drain and close), ``supervision`` (processes, handshake, failures, restarts),
``timers`` (heartbeats, ticks, timeouts) and this module's event loop. What each message
does (routing with Storm's groupings, the acker, spout command pipelining) lives in
``petrel.local.routing``; Storm's semantics themselves in ``petrel.semantics``.

Output to a task is batched: while more input is ready the loop keeps reading, and queued
messages go out before it would block, at the latest ``FLUSH_DELAY`` after they were queued.
Fewer, bigger writes mean fewer process wake-ups, which is what a busy topology pays most for.
"""

from __future__ import annotations

import signal
import time
from typing import Any, Dict, List, Optional

from petrel.local.flow import STDERR, STDOUT
from petrel.local.msgpack_router import router_for
from petrel.local.profile import read_profiles
from petrel.local.run_state import RunOptions
from petrel.local.task import Task, TaskFailure
from petrel.local.timers import Timers
from petrel.local.wire import ProtocolError, loads
from petrel.semantics.layout import TaskLayout
from petrel.topology.model import TopologyDef

__all__ = ["FLUSH_DELAY", "LocalRunner", "RunOptions"]

FLUSH_DELAY = 0.002           # longest queued output waits while more input is ready


def answers_a_command(raws: List[bytes]) -> bool:
    """True when a bolt's messages show it working: anything but log, error or metrics."""
    for raw in raws:
        if type(raw) is not bytes and type(raw) is not dict:
            return True  # MessagePack's quick path: an ack's id or an emit, never a log
        try:
            msg = raw if type(raw) is dict else loads(raw)  # MessagePack's come decoded
        except ValueError:
            continue
        if type(msg) is dict and msg.get("command") not in ("log", "error", "metrics"):
            return True
    return False


class LocalRunner(Timers):
    """Runs a topology's tasks as subprocesses until stopped."""

    def __init__(self, topology: TopologyDef, layout: TaskLayout, user_conf: Dict[str, Any],
                 name: str, storm_id: str, options: RunOptions) -> None:
        super().__init__(topology, layout, user_conf, name, storm_id, options)
        self.router = router_for(self, self.conf)    # JSON or MessagePack (petrel.serializer)
        self._build_tasks()

    # ------------------------------------------------------------------ main loop
    def run(self) -> int:
        """Start every task, loop until stopped, end the processes; returns the exit code."""
        old_handlers = {}
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                old_handlers[sig] = signal.signal(sig, self._on_signal)
            except ValueError:  # not the main thread (tests): no signal handling
                pass
        self.watchdog.start()
        if self.watchdog.problem:
            self.warn(f"petrel: {self.watchdog.problem}")
        try:
            return self._run()
        finally:
            for sig, handler in old_handlers.items():
                signal.signal(sig, handler)
            for t in self.tasks.values():
                if t.proc is not None and t.proc.poll() is None:
                    t.proc.kill()
                    t.proc.wait(1.0)
                if t.proc is not None:
                    t.proc.close()
            self.watchdog.stop()
            self.poller.close()
            self.stats.duration_s = time.monotonic() - self.started
            for cid, summary in read_profiles(self.profile_files, self.log).items():
                self.stats.components[cid].profile = summary
            self.runner_log.close()

    def _run(self) -> int:
        start = time.monotonic()
        self.started = start
        deadline = start + self.opts.duration if self.opts.duration else None
        for t in sorted(self.tasks.values(), key=lambda x: x.id):
            if not self._start_task(t):
                self.request_stop("a component could not start", exit_code=1, drain=False)
                break
        next_timer = start + 0.1
        next_rotate = start + self.message_timeout
        next_progress = start + self.opts.progress_secs
        status_phase = self.phase
        last_acked = 0
        last_progress = start
        poll = self.poller.poll
        dirty = self.dirty
        dirty_since: Optional[float] = None
        while self.phase != "done":
            now = time.monotonic()
            wake = self._schedule_spouts(now) if self.phase != "closing" else None
            events = None
            if dirty:
                # Output waits while more input is ready, so each process gets fewer,
                # bigger writes (fewer wake-ups); it goes out before the loop would block,
                # and at the latest FLUSH_DELAY after it was queued.
                if dirty_since is None:
                    dirty_since = now
                if now - dirty_since < FLUSH_DELAY:
                    events = poll(0)
                if not events:
                    self._flush(dirty)
                    dirty_since = None
            if not events:
                timeout = next_timer - now
                if wake is not None and wake - now < timeout:
                    timeout = wake - now
                events = poll(max(0.0, timeout))
            for fd, (task, kind) in events:
                proc = task.proc
                if kind == STDOUT:
                    if proc is None or fd != proc.stdout_fd:
                        continue  # the task ended while handling an earlier event
                    data = proc.read_stdout()
                    if data:
                        self._on_stdout(task, data)
                    elif data is not None:
                        self._stdout_closed(task)
                elif kind == STDERR:
                    if proc is not None and fd == proc.stderr_fd and not proc.read_stderr():
                        self.poller.unregister(fd)
                elif proc is not None and fd == proc.stdin_fd:
                    # the pipe has room again: write now (waiting for more output to batch
                    # would spin, as poll reports the same writable pipe until it is written)
                    self._flush({task})
            now = time.monotonic()
            if now >= next_timer:
                next_timer = now + 0.1
                self._timers(now)
                self._restart_due(now)
                if self.timeouts_on and now >= next_rotate and self.acking:
                    next_rotate += self.message_timeout
                    self._rotate(now)
                if deadline is not None and now >= deadline and self.phase in (
                        "running", "starting"):
                    self.request_stop(f"--duration {self.opts.duration:g} s reached",
                                      drain=self.phase == "running")
                if self.phase == "draining" and (
                        now >= self.drain_deadline
                        or (not self.acker.pending and not any(
                            s.commands or s.inflight for s in self.spouts
                            if s.state == "running"))):
                    self._begin_close()
                if self.phase == "closing":
                    self._closing_step(now)
                if self.phase != status_phase:
                    status_phase = self.phase
                    if status_phase == "draining":
                        next_progress = now   # Ctrl+C: say at once what it started
                if now >= next_progress:
                    acked = self.stats.spout_acked
                    rate = (acked - last_acked) / max(1e-9, now - last_progress)
                    self.say(self._progress_line(now - start, rate))
                    last_acked, last_progress = acked, now
                    next_progress = now + self.opts.progress_secs
        self._report_unfinished()
        return self.exit_code

    def _on_stdout(self, task: Task, data: bytes) -> None:
        try:
            raws = task.proc.reader.feed(data)
        except ProtocolError as exc:  # MessagePack: bytes that are not a message
            self.task_failed(task, str(exc))
            return
        if not raws:
            return
        now = task.last_read = time.monotonic()
        handshake = task.state == "starting"
        try:
            if task.is_spout:
                self.router.spout_messages(task, raws, now)
            else:
                self.router.bolt_messages(task, raws, now)
                if not task.working and task.state == "running":
                    task.working = answers_a_command(raws[1:] if handshake else raws)
        except (TaskFailure, ProtocolError) as exc:
            self.task_failed(task, str(exc))
