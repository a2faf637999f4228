"""The local runner: one event loop over every task's pipes, playing Storm's worker.

It starts one subprocess per task (A.1/A.2), performs the handshake (A.5), sends heartbeats,
ticks and spout commands (A.6/A.7), enforces timeouts and ``max.pending`` limits (A.9, D.5,
check 31), handles the fatal rules of part A by reporting the task, failing its pending
tuples and restarting it, and stops cleanly. What each message does (routing with Storm's
groupings, the acker, spout command pipelining) lives in ``petrel.local.routing``.

Output to a task is batched: while more input is ready the loop keeps reading, and queued
messages go out before it would block, at the latest ``FLUSH_DELAY`` after they were queued.
Fewer, bigger writes mean fewer process wake-ups, which is what a busy topology pays most for.
"""

from __future__ import annotations

import glob
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, TextIO, Tuple

from petrel.local.acker import Acker
from petrel.local.poller import READ, WRITE, Poller
from petrel.local.process import TaskProcess
from petrel.local.profile import PROFILE_ENV, read_profiles
from petrel.local.routing import Router
from petrel.local.stats import LatencySample, RunStats
from petrel.local.task import Task, TaskFailure
from petrel.local.tasks import TaskLayout, build_context, component_conf, topology_conf
from petrel.local.wire import ProtocolError, encode
from petrel.topology.model import TopologyDef

HEARTBEAT_SECS = 1.0
RESTART_BACKOFF = (0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0)
MAX_START_FAILURES = 5        # consecutive failed restarts before the run stops
FLUSH_DELAY = 0.002           # longest queued output waits while more input is ready
ACTIVATE_CMD = b'{"command":"activate","id":""}\nend\n'
DEACTIVATE_CMD = b'{"command":"deactivate","id":""}\nend\n'
# what poll() reports for each registered descriptor of a task
STDOUT, STDERR, STDIN = 0, 1, 2


@dataclass
class RunOptions:
    """How the runner behaves (from the ``petrel submit`` options)."""

    resources: Path
    logdir: Path
    piddir: Path
    env: Dict[str, str]
    duration: Optional[float] = None
    fail_fast: bool = False
    quiet: bool = False
    progress_secs: float = 5.0
    start_timeout: float = 60.0
    profile_dir: Optional[Path] = None   # where tasks write their profile summaries
    out: TextIO = field(default_factory=lambda: sys.stdout)
    err: TextIO = field(default_factory=lambda: sys.stderr)


class LocalRunner:
    """Runs a topology's tasks as subprocesses until stopped."""

    def __init__(self, topology: TopologyDef, layout: TaskLayout, user_conf: Dict[str, Any],
                 name: str, storm_id: str, options: RunOptions) -> None:
        self.topology = topology
        self.layout = layout
        self.name = name
        self.storm_id = storm_id
        self.opts = options
        self.conf = topology_conf(user_conf, name, storm_id)
        self.stats = RunStats(name)
        self.acker = Acker()
        self.acking = any(c == "__acker" for c in layout.component_tasks)
        self.timeouts_on = bool(self.conf.get("topology.enable.message.timeouts", True))
        self.message_timeout = float(self.conf.get("topology.message.timeout.secs") or 30)
        sub_timeout = self.conf.get("topology.subprocess.timeout.secs")
        if sub_timeout is None:
            sub_timeout = self.conf.get("supervisor.worker.timeout.secs") or 30
        self.subprocess_timeout = float(sub_timeout)
        self.max_pending = int(self.conf.get("topology.shellbolt.max.pending") or 100)
        self.low_water = max(1, self.max_pending // 2)
        self.poller = Poller()
        self.tasks: Dict[int, Task] = {}
        self.spouts: List[Task] = []
        self.bolts: List[Task] = []
        self.dirty: set = set()
        self.stop_reason: Optional[str] = None
        self.exit_code = 0
        self.phase = "starting"     # starting, running, draining, closing, done
        self.drain_deadline = 0.0
        self.signals = 0
        self.started = time.monotonic()
        self.profile_dir = options.profile_dir or options.piddir.parent / "profile"
        self.profile_files: List[Tuple[str, str]] = []   # (component, summary path)
        self.router = Router(self)
        self.runner_log = open(options.logdir / "petrel-local.log", "a", encoding="utf-8")  # noqa: SIM115
        self._build_tasks()

    # ------------------------------------------------------------------ set-up
    def _build_tasks(self) -> None:
        topo = self.topology
        for cid, comp in topo.components.items():
            cs = self.stats.add_component(cid, comp.kind, len(self.layout.component_tasks[cid]))
            cconf = component_conf(self.conf, comp.conf)
            tick = cconf.get("topology.tick.tuple.freq.secs")
            spout_pending = cconf.get("topology.max.spout.pending")
            for t in self.layout.component_tasks[cid]:
                task = Task(t, comp, cs)
                task.conf = cconf
                task.context = build_context(topo, self.layout, t)
                if comp.kind == "bolt" and tick:
                    task.tick_secs = int(tick)
                if comp.kind == "spout" and spout_pending:
                    task.max_pending = int(spout_pending)
                self.tasks[t] = task
                (self.spouts if task.is_spout else self.bolts).append(task)
        for task in self.tasks.values():
            self.router.build_routes(task)
        for task in self.tasks.values():
            sources = {src for (src, _s) in task.comp.inputs}
            task.upstream = [u for u in self.tasks.values() if u.cid in sources]

    @property
    def first_ack_at(self) -> Optional[float]:
        """When the first tuple tree was acked (monotonic seconds), None before."""
        return self.router.first_ack_at

    # ------------------------------------------------------------------ output helpers
    def say(self, text: str) -> None:
        """A console line (not in quiet mode)."""
        if not self.opts.quiet:
            print(text, file=self.opts.out, flush=True)

    def warn(self, text: str) -> None:
        """A console line on stderr, always shown."""
        print(text, file=self.opts.err, flush=True)
        self.log(text)

    def log(self, text: str) -> None:
        """A line in the runner's own log file."""
        self.runner_log.write(f"{time.strftime('%Y-%m-%d %H:%M:%S')} {text}\n")

    # ------------------------------------------------------------------ processes
    def _start_task(self, task: Task) -> bool:
        comp = task.comp
        argv = [comp.execution_command or "", comp.script or ""]
        stderr_log = self.opts.logdir / f"{task.cid}-{task.id}.stderr.log"
        env = self.opts.env
        try:
            self.profile_dir.mkdir(parents=True, exist_ok=True)
            # one summary file per process, so a restarted task keeps its earlier figures
            path = str(self.profile_dir / f"task{task.id}-{task.restarts}.json")
            env = dict(env, **{PROFILE_ENV: path})
            self.profile_files.append((task.cid, path))
        except OSError as exc:
            self.log(f"no profile summary for {task.label}: {exc}")
        try:
            proc = TaskProcess(argv, self.opts.resources, env, stderr_log)
        except OSError as exc:
            self._report(task, f"cannot start {argv}: {exc.strerror or exc}", None, [])
            return False
        task.proc = proc
        task.pid = proc.pid
        task.state = "starting"
        task.started_at = task.last_read = time.monotonic()
        piddir = self.opts.piddir / str(task.id)
        piddir.mkdir(parents=True, exist_ok=True)
        setup = {"conf": task.conf, "pidDir": str(piddir), "context": task.context}
        proc.ctl.append(encode(setup))
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
        task.start_failures = 0
        task.last_read = now
        task.next_heartbeat = now + HEARTBEAT_SECS
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
                task.commands.append(ACTIVATE_CMD)
        elif task.blockers:
            self._set_reading(task, False)   # its handshake was read despite back-pressure
        self._update_overload(task)
        if self.phase == "starting" and all(t.state == "running" for t in self.tasks.values()):
            self._activate()

    def _activate(self) -> None:
        self.phase = "running"
        for s in self.spouts:
            s.active = True
            s.commands.append(ACTIVATE_CMD)
        self.log("topology activated")

    # ------------------------------------------------------------------ failures
    def _report(self, task: Task, reason: str, exit_code: Optional[int], stderr: List[str],
                tail: str = "") -> None:
        lines = [f"petrel: {task.label} failed: {reason}"]
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
            proc.drain_stderr(0.2)
            proc.read_stderr_tail()
            stderr = list(proc.stderr_ring)
        task.cs.errors += 1
        failed = self.router.fail_inputs(task, time.monotonic())
        if task.is_spout:
            lost = self.acker.drop_spout(task)
            task.pending_trees = 0
            self.stats.spout_failed += len(lost)
            task.cs.failed += len(lost)
            failed += len(lost)
            task.reset_commands()
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
        if was_starting:
            task.start_failures += 1
        what = f"{failed} pending tuple(s) failed" if failed else "no pending tuples"
        if self.opts.fail_fast:
            self._report(task, reason, exit_code, stderr, f"{what}; --fail-fast: stopping the run")
            self.request_stop(f"{task.label} failed (--fail-fast)", exit_code=1, drain=False)
            return
        if stopping:
            self._report(task, reason, exit_code, stderr, f"{what}; not restarted (stopping)")
            task.state = "ended"
            return
        if task.start_failures >= MAX_START_FAILURES:
            self._report(task, reason, exit_code, stderr,
                         f"{task.start_failures} restarts in a row failed; stopping the run")
            self.request_stop(f"{task.label} cannot be restarted", exit_code=1, drain=False)
            return
        delay = RESTART_BACKOFF[min(task.restarts, len(RESTART_BACKOFF) - 1)]
        task.restart_at = time.monotonic() + delay
        self._report(task, reason, exit_code, stderr,
                     f"{what}; restarting in {delay:g} s (Storm's local mode would halt; "
                     f"use --fail-fast for that)")
        self._update_overload(task)

    def _unregister(self, task: Task) -> None:
        proc = task.proc
        if proc is None:
            return
        for fd in (proc.stdout_fd, proc.stderr_fd, proc.stdin_fd):
            if fd is not None:
                self.poller.unregister(fd)
        task.read_registered = False
        task.write_registered = False

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
                    if task.start_failures >= MAX_START_FAILURES:
                        self.request_stop(f"{task.label} cannot be restarted", 1, drain=False)

    # ------------------------------------------------------------------ flow control
    def _update_overload(self, task: Task) -> None:
        if task.state in ("down", "starting", "new"):
            over = not task.is_spout
        elif task.is_spout:
            over = False
        else:
            queued = len(task.proc.tuples) if task.proc else 0
            if queued > task.queue_peak:
                task.queue_peak = queued
            if task.overloaded:
                over = queued > self.low_water
            else:
                over = queued >= self.max_pending
        if over == task.overloaded:
            return
        task.overloaded = over
        for up in task.upstream:
            if over:
                up.blockers += 1
                if up.blockers == 1 and not up.is_spout:
                    self._set_reading(up, False)
            else:
                up.blockers -= 1
                if up.blockers == 0 and not up.is_spout:
                    self._set_reading(up, True)

    def _set_reading(self, task: Task, on: bool) -> None:
        proc = task.proc
        if proc is None or task.state not in ("running", "starting"):
            return
        if not on and task.state == "starting":
            # Its handshake reply must be read even when a downstream task is not ready yet
            # (in a cycle that task may be itself); handshake_done applies the block.
            return
        if on and not task.read_registered:
            self.poller.register(proc.stdout_fd, READ, (task, STDOUT))
            task.read_registered = True
            task.last_read = time.monotonic()  # time blocked by back-pressure is not silence
        elif not on and task.read_registered:
            self.poller.unregister(proc.stdout_fd)
            task.read_registered = False

    # ------------------------------------------------------------------ spout scheduling
    def _schedule_spouts(self, now: float) -> Optional[float]:
        """Send each idle spout its next command; returns the earliest back-off deadline."""
        wake = None
        for s in self.spouts:
            if s.inflight and s.nexts_ahead >= 1:
                continue  # its next sync brings the next commands
            at = self.router.spout_command(s, now)
            if at is not None and (wake is None or at < wake):
                wake = at
            if s.state == "running" and s.proc.ctl and s.proc.flush():
                self.dirty.discard(s)  # spouts do not wait for the batching of bolt output
        return wake

    # ------------------------------------------------------------------ timers
    def _timers(self, now: float) -> None:
        timeout = self.subprocess_timeout
        for b in self.bolts:
            if b.state != "running":
                continue
            if b.read_registered and now - b.last_read > timeout:
                self.task_failed(b, "subprocess heartbeat timeout")
                continue
            if now >= b.next_heartbeat:
                hid = self.router.new_tid()
                b.proc.ctl.append(b'{"id":"' + hid
                                  + b'","comp":null,"stream":"__heartbeat","task":-1,'
                                  b'"tuple":[]}\nend\n')
                b.next_heartbeat = now + HEARTBEAT_SECS
                self.dirty.add(b)
            if b.tick_secs and now >= b.next_tick and self.phase in ("running", "draining"):
                b.next_tick += b.tick_secs
                if b.next_tick < now:
                    b.next_tick = now + b.tick_secs
                tid = self.router.new_tid()
                b.inputs[tid] = [None, 0]
                b.proc.tuples.append(b'{"id":"' + tid
                                     + b'","comp":"__system","stream":"__tick","task":-1,'
                                     b'"tuple":[' + str(b.tick_secs).encode() + b"]}\nend\n")
                b.cs.executed += 1
                self.dirty.add(b)
        for s in self.spouts:
            if s.state == "running" and s.inflight:
                if now - max(s.last_read, s.command_sent) > timeout:
                    self.task_failed(s, "subprocess heartbeat timeout")
        for t in self.tasks.values():
            if t.state == "starting" and now - t.started_at > self.opts.start_timeout:
                self.task_failed(t, f"no handshake reply within {self.opts.start_timeout:g} s")

    def _rotate(self, now: float) -> None:
        for tree in self.acker.rotate():
            self.stats.spout_timed_out += 1
            self.router.tree_done(tree, False, now)

    # ------------------------------------------------------------------ stopping
    def request_stop(self, reason: str, exit_code: int = 0, drain: bool = True) -> None:
        """Begin a clean stop: deactivate spouts, drain trees, close stdin, end processes."""
        if exit_code and not self.exit_code:
            self.exit_code = exit_code
        if self.stop_reason is None:
            self.stop_reason = reason
        if self.phase in ("closing", "done"):
            return
        if drain and self.phase == "running":
            self.phase = "draining"
            self.drain_deadline = time.monotonic() + self.message_timeout
            for s in self.spouts:
                if s.active:
                    s.active = False
                    if s.state == "running":
                        s.commands.append(DEACTIVATE_CMD)
            self.log(f"stopping ({reason}): spouts deactivated, draining pending tuples")
        else:
            self._begin_close()

    def _begin_close(self) -> None:
        self.phase = "closing"
        self.close_deadline = time.monotonic() + 3.0
        self.term_sent = False
        for t in self.tasks.values():
            if t.proc is not None and t.state in ("running", "starting"):
                t.proc.flush()
                if t.write_registered:
                    self.poller.unregister(t.proc.stdin_fd)
                    t.write_registered = False
                t.proc.close_stdin()
            if t.state in ("down", "new"):
                t.state = "ended"

    def _on_signal(self, signum: int, frame: Any) -> None:
        self.signals += 1
        name = signal.Signals(signum).name
        if self.signals == 1:
            self.request_stop(f"{name} received")
        else:
            self.request_stop(f"{name} received again", drain=False)

    # ------------------------------------------------------------------ main loop
    def run(self) -> int:
        """Start every task, loop until stopped, end the processes; returns the exit code."""
        old_handlers = {}
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                old_handlers[sig] = signal.signal(sig, self._on_signal)
            except ValueError:  # not the main thread (tests): no signal handling
                pass
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
                    dirty.add(task)
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
                    if self.acker.pending:
                        self.log(f"{len(self.acker.pending)} tuple trees still pending after "
                                 f"the drain period")
                    self._begin_close()
                if self.phase == "closing":
                    self._closing_step(now)
                if now >= next_progress:
                    acked = self.stats.spout_acked
                    rate = (acked - last_acked) / max(1e-9, now - last_progress)
                    self.say(self._progress_line(now - start, rate))
                    last_acked, last_progress = acked, now
                    next_progress = now + self.opts.progress_secs
        return self.exit_code

    def _stdout_closed(self, task: Task) -> None:
        if self.phase == "closing":
            self._unregister(task)
            return
        buffered = task.proc.reader.buf
        detail = "No output read." if not buffered else (
            f"Currently read output: {buffered[:300].decode('utf-8', 'replace')!r}")
        self.task_failed(task, f"Pipe to subprocess seems to be broken! {detail}")

    def _closing_step(self, now: float) -> None:
        alive = [t for t in self.tasks.values()
                 if t.proc is not None and t.state in ("running", "starting")
                 and t.proc.poll() is None]
        if not alive:
            for t in self.tasks.values():
                if t.proc is not None and t.state in ("running", "starting"):
                    code = t.proc.poll()
                    if code not in (0, None) and code != -signal.SIGTERM:
                        t.proc.drain_stderr(0.1)
                        self.log(f"{t.label} exited with code {code} at stop")
                    self._unregister(t)
                    t.state = "ended"
            self.phase = "done"
            return
        if now >= self.close_deadline:
            if not self.term_sent:
                self.term_sent = True
                for t in alive:
                    t.proc.signal(signal.SIGTERM)
                self.close_deadline = now + 1.0
                self.log(f"{len(alive)} task(s) still running after stdin closed: SIGTERM")
            else:
                for t in alive:
                    t.proc.kill()
                    t.proc.wait(1.0)

    def _on_stdout(self, task: Task, data: bytes) -> None:
        raws = task.proc.reader.feed(data)
        if not raws:
            return
        now = task.last_read = time.monotonic()
        try:
            if task.is_spout:
                self.router.spout_messages(task, raws, now)
            else:
                self.router.bolt_messages(task, raws, now)
        except (TaskFailure, ProtocolError) as exc:
            self.task_failed(task, str(exc))

    def _flush(self, dirty: set) -> None:
        poller = self.poller
        for task in list(dirty):
            proc = task.proc
            if proc is None or task.state not in ("running", "starting"):
                continue
            done = proc.flush()
            if proc.write_broken:
                continue
            if done:
                if task.write_registered:
                    poller.unregister(proc.stdin_fd)
                    task.write_registered = False
            elif not task.write_registered and proc.stdin_fd is not None:
                poller.register(proc.stdin_fd, WRITE, (task, STDIN))
                task.write_registered = True
            if not task.is_spout:
                self._update_overload(task)
        dirty.clear()

    def _progress_line(self, elapsed: float, rate: float) -> str:
        pending = len(self.acker.pending)
        down = sum(1 for t in self.tasks.values() if t.state == "down")
        extra = f", {down} task(s) down" if down else ""
        return (f"petrel: [{elapsed:6.1f}s] {rate:,.0f} tuples/s acked, "
                f"acked {self.stats.spout_acked:,}, failed {self.stats.spout_failed:,}, "
                f"pending {pending:,}, restarts {self.stats.restarts}{extra}")

    def finish_stats(self) -> RunStats:
        """Fill the topology-wide latency sample and return the statistics."""
        merged = LatencySample()
        for cs in self.stats.components.values():
            if cs.kind == "spout":
                merged.values.extend(cs.latency.values)
        self.stats.latency = merged
        return self.stats
