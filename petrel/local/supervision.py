"""Process supervision: starting task processes, the handshake, failures and restarts.

A task that dies or breaks one of Storm's fatal rules is reported, its pending tuples
fail, and it is restarted (Storm's local mode would halt; ``--fail-fast`` does that). A start
fails when the task dies or breaks a rule before answering its first command (its open or
prepare never finished): such a task comes back after a growing back-off, and after
``petrel.max.start.failures`` of them in a row (default 5, 0: never) the run stops. A task
that had got to work comes back after the shortest back-off.
"""

from __future__ import annotations

import glob
import os
import time
from typing import List, Optional

from petrel.local.flow import STDERR, STDOUT
from petrel.local.poller import READ
from petrel.local.process import TaskProcess
from petrel.local.profile import PROFILE_ENV
from petrel.local.run_state import MAX_START_FAILURES_KEY
from petrel.local.shutdown import Shutdown
from petrel.local.spout_messages import message_id_json
from petrel.local.task import Task
from petrel.runtime.launcher import RUNNER_PID_ENV
from petrel.runtime.logs import BACKUPS_ENV, MAX_BYTES_ENV

HEARTBEAT_SECS = 1.0
RESTART_BACKOFF = (0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0)


class Supervision(Shutdown):
    """Task processes from start to end."""

    def _start_task(self, task: Task) -> bool:
        comp = task.comp
        argv = [comp.execution_command or "", comp.script or ""]
        stderr_log = self.opts.logdir / f"{task.cid}-{task.id}.stderr.log"
        env = dict(self.opts.env, **{RUNNER_PID_ENV: str(os.getpid()),
                                     MAX_BYTES_ENV: str(self.log_max_bytes),
                                     BACKUPS_ENV: str(self.log_backups)})
        try:
            self.profile_dir.mkdir(parents=True, exist_ok=True)
            # one summary file per process, so a restarted task keeps its earlier figures
            path = str(self.profile_dir / f"task{task.id}-{task.restarts}.json")
            env[PROFILE_ENV] = path
            self.profile_files.append((task.cid, path))
        except OSError as exc:
            self.log(f"no profile summary for {task.label}: {exc}")
        try:
            proc = TaskProcess(argv, self.opts.resources, env, stderr_log, self.log_max_bytes,
                               self.log_backups)
        except OSError as exc:
            self._report(task, f"cannot start {argv}: {exc.strerror or exc}", None, [])
            return False
        proc.reader = self.router.new_reader()
        task.proc = proc
        task.pid = proc.pid
        self.watchdog.watch(proc.pid)
        task.state = "starting"
        task.working = False
        task.started_at = task.last_read = time.monotonic()
        piddir = self.opts.piddir / str(task.id)
        piddir.mkdir(parents=True, exist_ok=True)
        setup = {"conf": task.conf, "pidDir": str(piddir), "context": task.context}
        proc.ctl.append(self.router.handshake_message(setup))
        assert proc.stdout_fd is not None and proc.stderr_fd is not None  # just opened
        self.poller.register(proc.stdout_fd, READ, (task, STDOUT))
        self.poller.register(proc.stderr_fd, READ, (task, STDERR))
        task.read_registered = True
        task.write_registered = False
        self.dirty.add(task)
        return True

    def handshake_done(self, task: Task, msg: dict) -> None:
        """The task answered its handshake: it runs now (spouts get activated)."""
        now = time.monotonic()
        pid = msg.get("pid")
        if "pid" not in msg:
            self.log(f"{task.label}: first message was not a pid reply (Storm logs pid null): "
                     f"{msg!r}")
        else:
            self.log(f"{task.label}: launched subprocess with pid {pid}")
        task.state = "running"
        task.handshaken_once = True
        task.last_read = now
        # Storm's first heartbeat comes after a second; here it goes at once, so the answer
        # soon shows the bolt's prepare done (a start that fails before that is counted)
        task.next_heartbeat = now
        if task.tick_secs:
            task.next_tick = now + task.tick_secs
        if task.held:
            task.proc.tuples.extend(task.held)
            task.held = []
            self.dirty.add(task)
        if task.is_spout:
            task.reset_commands()
            if self.phase == "running":
                task.active = True
                task.commands.append(self.router.activate_cmd)
        elif task.blockers:
            self._set_reading(task, False)   # its handshake was read despite back-pressure
        self._update_overload(task)
        if self.phase == "starting" and all(t.state == "running" for t in self.tasks.values()):
            self._activate()

    def _activate(self) -> None:
        self.phase = "running"
        for s in self.spouts:
            s.active = True
            s.commands.append(self.router.activate_cmd)
        self.log("topology activated")

    def _report(self, task: Task, reason: str, exit_code: Optional[int], stderr: List[str],
                tail: str = "") -> None:
        # the component's own headline (petrel's worker or launcher) says more than the pipe
        headline = next((s.split(": ", 1)[1] for s in reversed(stderr)
                         if s.startswith(("petrel: component module ", "petrel launcher: "))), "")
        lines = [f"petrel: {task.label} failed: {headline or reason}"]
        if headline:
            lines.append(f"  the runner saw: {reason}")
        if exit_code is not None:
            lines.append(f"  exit code: {exit_code}" + (f" (signal {-exit_code})"
                                                        if exit_code < 0 else ""))
        if stderr:
            lines.append("  last stderr lines:")
            lines += [f"    {s}" for s in stderr[-10:]]
        logs = []
        if task.pid:
            logs = sorted(glob.glob(str(self.opts.logdir / f"petrel{task.pid}_*.log")))
        if task.proc is not None:
            logs.append(str(task.proc.stderr_log_path))
        for path in logs:
            lines.append(f"  log: {path}")
        if tail:
            lines.append(f"  {tail}")
        self.warn("\n".join(lines))

    def task_failed(self, task: Task, reason: str) -> None:
        """A task died or broke a fatal rule: report, fail its tuples, restart or stop."""
        if task.state in ("down", "ended"):
            return
        proc = task.proc
        exit_code: Optional[int] = None
        stderr: List[str] = []
        was_starting = task.state == "starting"
        if proc is not None:
            self._unregister(task)
            exit_code = proc.poll()
            if exit_code is None:
                exit_code = proc.wait(0.3)
            if exit_code is None:
                proc.kill()
                exit_code = proc.wait(2.0)
            if exit_code is not None:
                self.watchdog.forget(proc.pid)
            proc.drain_stderr(0.2)
            proc.read_stderr_tail()
            stderr = list(proc.stderr_ring)
        task.cs.errors += 1
        failed = self.router.fail_inputs(task, time.monotonic())
        if task.is_spout:
            failed += self._drop_spout_trees(task)
        task.state = "down"
        self.dirty.discard(task)
        if proc is not None:
            proc.close()
        stopping = self.phase in ("draining", "closing", "done")
        if was_starting and not task.handshaken_once and self.phase == "starting":
            tail = "the component did not complete its handshake; stopping the run"
            self._report(task, reason, exit_code, stderr, tail)
            self.request_stop("a component could not start", exit_code=1, drain=False)
            return
        task.start_failures = 0 if task.working else task.start_failures + 1
        what = f"{failed} pending tuple(s) failed" if failed else "no pending tuples"
        if self.opts.fail_fast:
            self._report(task, reason, exit_code, stderr, f"{what}; --fail-fast: stopping the run")
            self.request_stop(f"{task.label} failed (--fail-fast)", exit_code=1, drain=False)
            return
        if stopping:
            self._report(task, reason, exit_code, stderr, f"{what}; not restarted (stopping)")
            task.state = "ended"
            return
        limit = self.max_start_failures
        if limit and task.start_failures >= limit:
            self._report(task, reason, exit_code, stderr,
                         f"{what}; it failed {task.start_failures} times in a row before "
                         f"answering its first command ({MAX_START_FAILURES_KEY}: {limit}); "
                         f"stopping the run")
            self.request_stop(f"{task.label} keeps failing at start", exit_code=1, drain=False)
            return
        # a task that had got to work comes back at once, one that fails at start ever slower
        delay = RESTART_BACKOFF[min(max(task.start_failures - 1, 0), len(RESTART_BACKOFF) - 1)]
        task.restart_at = time.monotonic() + delay
        self._report(task, reason, exit_code, stderr,
                     f"{what}; restarting in {delay:g} s (Storm's local mode would halt; "
                     f"use --fail-fast for that)")
        self._update_overload(task)

    def _drop_spout_trees(self, task: Task) -> int:
        """The spout process died: its trees end with it; returns how many were pending.

        Acks and fails it never received (queued, or written but not synced) are taken back
        from the acked and failed counts, which so count only what a live spout process got;
        every tree that ended with the process counts as dropped, and its message id as
        failed until the spout emits it again.
        """
        trees = self.acker.drop_spout(task)
        task.pending_trees = 0
        self._drop_undelivered(task)
        self.stats.spout_dropped += len(trees)
        task.failed_ids.update(message_id_json(t.msg_id) for t in trees)
        return len(trees)

    def _restart_due(self, now: float) -> None:
        for task in self.tasks.values():
            if task.state == "down" and now >= task.restart_at and self.phase in (
                    "running", "starting"):
                task.restarts += 1
                task.cs.restarts += 1
                self.stats.restarts += 1
                self.log(f"{task.label}: restart {task.restarts}")
                if not self._start_task(task):
                    task.start_failures += 1
                    task.state = "down"
                    task.restart_at = now + RESTART_BACKOFF[-1]
                    if task.start_failures >= (self.max_start_failures or 1 << 62):
                        self.request_stop(f"{task.label} cannot be restarted", 1, drain=False)

    def _stdout_closed(self, task: Task) -> None:
        if self.phase == "closing":
            self._unregister(task)
            return
        buffered = task.proc.reader.buf
        detail = "No output read." if not buffered else (
            f"Currently read output: {buffered[:300].decode('utf-8', 'replace')!r}")
        self.task_failed(task, f"Pipe to subprocess seems to be broken! {detail}")
