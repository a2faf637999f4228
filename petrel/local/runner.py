"""The local runner: one event loop over every task's pipes, playing Storm's worker.

It starts one subprocess per task (A.1/A.2), performs the handshake (A.5), routes emits with
Storm's groupings (D.3), emulates the acker (D.4), sends heartbeats, ticks and spout commands
(A.6/A.7), enforces timeouts and ``max.pending`` limits (A.9, D.5, check 31), and handles the
fatal rules of part A by reporting the task, failing its pending tuples and restarting it.
"""

from __future__ import annotations

import collections
import glob
import selectors
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Deque, Dict, List, Optional, TextIO

from petrel.local import acker as acker_mod
from petrel.local.acker import Acker, Tree
from petrel.local.groupings import make_grouper
from petrel.local.process import TaskProcess
from petrel.local.stats import ComponentStats, LatencySample, RunStats
from petrel.local.tasks import TaskLayout, build_context, component_conf, topology_conf
from petrel.local.wire import END, ProtocolError, dumps, encode, loads
from petrel.topology.model import ComponentDef, TopologyDef

_rand64 = acker_mod.rand64
_ID_OFFSET = 1 << 63
HEARTBEAT_SECS = 1.0
SPOUT_MAX_IDLE_WAIT = 0.016   # longest back-off between 'next' calls of an idle spout
RESTART_BACKOFF = (0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0)
MAX_START_FAILURES = 5        # consecutive failed restarts before the run stops
LOG_LEVELS = {0: "TRACE", 1: "DEBUG", 2: "INFO", 3: "WARN", 4: "ERROR"}
NEXT_CMD = b'{"command":"next","id":""}\nend\n'
ACTIVATE_CMD = b'{"command":"activate","id":""}\nend\n'
DEACTIVATE_CMD = b'{"command":"deactivate","id":""}\nend\n'


class TaskFailure(Exception):
    """A fatal condition of one task (the message is what Storm would report)."""


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
    out: TextIO = field(default_factory=lambda: sys.stdout)
    err: TextIO = field(default_factory=lambda: sys.stderr)


class Route:
    """Where emits on one stream of a component go."""

    __slots__ = ("stream", "nfields", "groupers", "has_direct", "direct_targets", "grouping_of")

    def __init__(self, stream: str, nfields: int) -> None:
        self.stream = stream
        self.nfields = nfields
        self.groupers: List[Callable[[list], List[int]]] = []
        self.has_direct = False
        self.direct_targets: Dict[str, bool] = {}   # consumer id -> uses direct grouping
        self.grouping_of: Dict[str, str] = {}


class Task:
    """One task: its component, process, pending inputs and spout/bolt state."""

    def __init__(self, task_id: int, comp: ComponentDef, cstats: ComponentStats) -> None:
        self.id = task_id
        self.comp = comp
        self.cid = comp.id
        self.is_spout = comp.kind == "spout"
        self.cs = cstats
        self.proc: Optional[TaskProcess] = None
        self.state = "new"          # new, starting, running, down, ended
        self.conf: Dict[str, Any] = {}
        self.context: Dict[str, Any] = {}
        self.routes: Dict[str, Route] = {}
        self.prefix: Dict[str, bytes] = {}   # stream -> bytes after the id in a tuple message
        self.inputs: Dict[str, list] = {}    # bolt: id -> [roots {root: edge} or None, ack val]
        self.held: List[bytes] = []          # tuples routed while the process was not up
        self.last_read = 0.0
        self.started_at = 0.0
        self.handshaken_once = False
        self.start_failures = 0
        self.restarts = 0
        self.restart_at = 0.0
        self.pid: Optional[int] = None
        # flow control
        self.overloaded = False
        self.blockers = 0                    # overloaded downstream tasks
        self.upstream: List[Task] = []
        self.read_registered = False
        self.write_registered = False
        # bolt
        self.tick_secs: Optional[int] = None
        self.next_tick = 0.0
        self.next_heartbeat = 0.0
        # spout
        self.commands: Deque[bytes] = collections.deque()
        self.waiting_sync = False
        self.command_sent = 0.0
        self.command_was_next = False
        self.emits_in_command = 0
        self.idle_nexts = 0
        self.next_at = 0.0
        self.pending_trees = 0
        self.pending_peak = 0               # most reliable trees pending at once (tests)
        self.queue_peak = 0                 # most tuples queued for the process at once
        self.max_pending: Optional[int] = None
        self.active = False

    @property
    def label(self) -> str:
        """How reports name the task."""
        return f"{self.comp.kind} '{self.cid}' task {self.id}"


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
        self.sel = selectors.DefaultSelector()
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
        self.first_ack_at: Optional[float] = None
        self.error_times: Dict[str, Deque[float]] = collections.defaultdict(collections.deque)
        self.warned_direct: set = set()
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
            self._build_routes(task)
        for task in self.tasks.values():
            sources = {src for (src, _s) in task.comp.inputs}
            task.upstream = [u for u in self.tasks.values() if u.cid in sources]

    def _build_routes(self, task: Task) -> None:
        comp = task.comp
        for stream_id, sdef in comp.streams.items():
            route = Route(stream_id, len(sdef.fields))
            for consumer, grouping in self.topology.subscribers(comp.id, stream_id).items():
                targets = self.layout.component_tasks[consumer]
                route.grouping_of[consumer] = grouping.kind
                if grouping.kind == "direct":
                    route.has_direct = True
                    route.direct_targets[consumer] = True
                    continue
                route.direct_targets[consumer] = False
                route.groupers.append(make_grouper(grouping.kind, targets, sdef.fields,
                                                   grouping.fields))
            task.routes[stream_id] = route
            task.prefix[stream_id] = (
                b'","comp":' + dumps(comp.id) + b',"stream":' + dumps(stream_id)
                + b',"task":' + str(task.id).encode() + b',"tuple":')

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
        try:
            proc = TaskProcess(argv, self.opts.resources, self.opts.env, stderr_log)
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
        self.sel.register(proc.stdout_fd, selectors.EVENT_READ, (task, 0))
        self.sel.register(proc.stderr_fd, selectors.EVENT_READ, (task, 1))
        task.read_registered = True
        task.write_registered = False
        self.dirty.add(task)
        return True

    def _handshake_done(self, task: Task, msg: dict) -> None:
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
            task.waiting_sync = False
            task.commands.clear()
            if self.phase == "running":
                task.active = True
                task.commands.append(ACTIVATE_CMD)
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
        failed = self._fail_inputs(task)
        if task.is_spout:
            lost = self.acker.drop_spout(task)
            task.pending_trees = 0
            self.stats.spout_failed += len(lost)
            task.cs.failed += len(lost)
            if lost:
                failed += len(lost)
            task.waiting_sync = False
            task.commands.clear()
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

    def _fail_inputs(self, task: Task) -> int:
        """Fail the trees of every tuple a dead bolt task held."""
        n = 0
        if task.inputs:
            now = time.monotonic()
            for entry in task.inputs.values():
                roots = entry[0]
                if roots:
                    for r in roots:
                        tree = self.acker.fail(r)
                        if tree is not None:
                            self._tree_done(tree, False, now)
                n += 1
            task.inputs.clear()
        task.held = []
        return n

    def _unregister(self, task: Task) -> None:
        proc = task.proc
        if proc is None:
            return
        for fd in (proc.stdout_fd, proc.stderr_fd, proc.stdin_fd):
            if fd is not None:
                try:
                    self.sel.unregister(fd)
                except (KeyError, ValueError):
                    pass
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
        if on and not task.read_registered:
            self.sel.register(proc.stdout_fd, selectors.EVENT_READ, (task, 0))
            task.read_registered = True
            task.last_read = time.monotonic()  # time blocked by back-pressure is not silence
        elif not on and task.read_registered:
            self.sel.unregister(proc.stdout_fd)
            task.read_registered = False

    # ------------------------------------------------------------------ delivery
    def _deliver(self, target: Task, src: Task, stream: str, values_json: bytes,
                 roots: Optional[Dict[int, int]]) -> None:
        tid = str(_rand64(64) - _ID_OFFSET)
        target.inputs[tid] = [roots, 0]
        msg = b'{"id":"' + tid.encode() + src.prefix[stream] + values_json + b"}\nend\n"
        if target.state == "running":
            target.proc.tuples.append(msg)
            self.dirty.add(target)
        else:
            target.held.append(msg)
        target.cs.executed += 1

    def _targets_for_direct(self, task: Task, route: Route, stream: str, direct: Any) -> List[int]:
        if not isinstance(direct, int) or isinstance(direct, bool):
            raise TaskFailure(f"emit 'task' must be an integer task id, got {direct!r}")
        target_cid = self.layout.task_component.get(direct)
        if target_cid is None or target_cid not in route.direct_targets:
            return []  # not subscribed: dropped silently, as Storm does
        if not route.direct_targets[target_cid]:
            raise TaskFailure("Cannot emitDirect to a task expecting a regular grouping")
        if task.cid not in self.warned_direct:
            self.warned_direct.add(task.cid)
            self.warn(f"petrel: note: '{task.cid}' emits direct tuples; this works locally but "
                      f"Storm 2.6+ workers crash on multilang direct emits unless "
                      f"topology.worker.childopts has -DJSON_SMART_SIMPLE=true")
        return [direct]

    def _emit(self, task: Task, msg: dict) -> None:
        stream = msg.get("stream")
        if stream is None:
            stream = "default"
        elif not isinstance(stream, str):
            raise TaskFailure(f"emit 'stream' must be a string, got {stream!r}")
        values = msg.get("tuple")
        if not isinstance(values, list):
            raise TaskFailure(f"emit without a 'tuple' list: {msg!r}")
        route = task.routes.get(stream)
        if route is None:
            raise TaskFailure(f"Unknown stream ID: {stream}")
        if len(values) != route.nfields:
            raise TaskFailure(f"Tuple created with wrong number of fields. Expected "
                              f"{route.nfields} fields but got {len(values)} fields "
                              f"(stream '{stream}')")
        direct = msg.get("task")
        need_ids = msg.get("need_task_ids", True)
        if need_ids is not True and need_ids is not False and need_ids is not None:
            raise TaskFailure(f"'need_task_ids' must be a boolean, got {need_ids!r}")
        if direct:
            targets = self._targets_for_direct(task, route, stream, direct)
            need_ids = False
        else:
            if route.has_direct:
                raise TaskFailure("Cannot do regular emit to direct stream")
            groupers = route.groupers
            if len(groupers) == 1:
                targets = groupers[0](values)
            else:
                targets = []
                for g in groupers:
                    targets += g(values)
        cs = task.cs
        cs.emitted += 1
        if task.is_spout:
            self._spout_emit(task, msg, stream, values, targets)
        else:
            self._bolt_emit(task, msg, stream, values, targets)
        if need_ids is not False:
            task.proc.ctl.append(dumps(targets) + END)
            self.dirty.add(task)

    def _bolt_emit(self, task: Task, msg: dict, stream: str, values: list,
                   targets: List[int]) -> None:
        anchors = msg.get("anchors")
        anchor_entries = None
        if anchors:
            if isinstance(anchors, str):
                anchors = [anchors]
            inputs = task.inputs
            anchor_entries = []
            for a in anchors:
                if not isinstance(a, str):
                    raise TaskFailure(f"anchor ids must be strings, got {a!r}")
                entry = inputs.get(a)
                if entry is None:
                    raise TaskFailure(f"Anchored onto {a} after ack/fail")
                if entry[0]:
                    anchor_entries.append(entry)
        if not targets:
            return
        task.cs.transferred += len(targets)
        values_json = dumps(values)
        tasks = self.tasks
        for t in targets:
            roots = None
            if anchor_entries:
                roots = {}
                for entry in anchor_entries:
                    edge = _rand64(64)
                    entry[1] ^= edge
                    for r in entry[0]:
                        roots[r] = roots.get(r, 0) ^ edge
            self._deliver(tasks[t], task, stream, values_json, roots)

    def _spout_emit(self, task: Task, msg: dict, stream: str, values: list,
                    targets: List[int]) -> None:
        task.emits_in_command += 1
        msg_id = msg.get("id")
        tasks = self.tasks
        if targets:
            task.cs.transferred += len(targets)
            values_json = dumps(values)
        if msg_id is None:
            for t in targets:
                self._deliver(tasks[t], task, stream, values_json, None)
            return
        now = time.monotonic()
        if not self.acking:
            for t in targets:
                self._deliver(tasks[t], task, stream, values_json, None)
            self._tree_done(Tree(0, task, msg_id, now, 0), True, now, count_pending=False)
            return
        root = self.acker.new_root()
        xor = 0
        for t in targets:
            edge = _rand64(64)
            xor ^= edge
            self._deliver(tasks[t], task, stream, values_json, {root: edge})
        task.pending_trees += 1
        if task.pending_trees > task.pending_peak:
            task.pending_peak = task.pending_trees
        done = self.acker.init(root, xor, task, msg_id, now)
        if done is not None:
            self._tree_done(done, True, now)

    def _tree_done(self, tree: Tree, ok: bool, now: float, count_pending: bool = True) -> None:
        spout: Task = tree.spout
        if count_pending:
            spout.pending_trees -= 1
        cs = spout.cs
        if ok:
            cs.acked += 1
            self.stats.spout_acked += 1
            ms = (now - tree.start) * 1000.0
            cs.latency.add(ms)
            if self.first_ack_at is None:
                self.first_ack_at = now
            cmd = b'{"command":"ack","id":' + dumps(tree.msg_id) + b"}\nend\n"
        else:
            cs.failed += 1
            self.stats.spout_failed += 1
            cmd = b'{"command":"fail","id":' + dumps(tree.msg_id) + b"}\nend\n"
        if spout.state == "running":
            spout.commands.append(cmd)

    def _bolt_ack(self, task: Task, msg: dict, ok: bool) -> None:
        tid = msg.get("id")
        entry = task.inputs.pop(tid, None) if isinstance(tid, str) else None
        if entry is None:
            what = "Acked" if ok else "Failed"
            raise TaskFailure(f"{what} a non-existent or already acked/failed id: {tid}")
        cs = task.cs
        roots = entry[0]
        if ok:
            cs.acked += 1
            if roots:
                val = entry[1]
                xor = self.acker.xor
                for r, edge in roots.items():
                    tree = xor(r, edge ^ val)
                    if tree is not None:
                        self._tree_done(tree, True, time.monotonic())
        else:
            cs.failed += 1
            if roots:
                for r in roots:
                    tree = self.acker.fail(r)
                    if tree is not None:
                        self._tree_done(tree, False, time.monotonic())

    # ------------------------------------------------------------------ messages
    def _on_stdout(self, task: Task, data: bytes) -> None:
        raws = task.proc.reader.feed(data)
        if not raws:
            return
        task.last_read = time.monotonic()
        try:
            if task.is_spout:
                self._spout_messages(task, raws)
            else:
                self._bolt_messages(task, raws)
        except (TaskFailure, ProtocolError) as exc:
            self.task_failed(task, str(exc))

    def _parse(self, raw: bytes) -> dict:
        try:
            msg = loads(raw)
        except ValueError as exc:
            text = raw[:300].decode("utf-8", "replace")
            raise TaskFailure(f"cannot parse the component's output as JSON ({exc}); "
                              f"read: {text!r}") from None
        if type(msg) is not dict:
            if not raw.strip():
                raise TaskFailure("empty message (a line 'end' with no JSON before it)")
            raise TaskFailure(f"a message must be a JSON object, got "
                              f"{raw[:300].decode('utf-8', 'replace')!r}")
        return msg

    def _bolt_messages(self, task: Task, raws: List[bytes]) -> None:
        parse = self._parse
        for raw in raws:
            if task.state != "running":
                if task.state == "starting":
                    self._handshake_done(task, parse(raw))
                    continue
                return
            msg = parse(raw)
            cmd = msg.get("command")
            if cmd == "emit":
                self._emit(task, msg)
            elif cmd == "ack":
                self._bolt_ack(task, msg, True)
            elif cmd == "sync":
                pass
            elif cmd == "fail":
                self._bolt_ack(task, msg, False)
            else:
                self._other_command(task, msg, cmd)

    def _spout_messages(self, task: Task, raws: List[bytes]) -> None:
        parse = self._parse
        for raw in raws:
            if task.state != "running":
                if task.state == "starting":
                    self._handshake_done(task, parse(raw))
                    continue
                return
            msg = parse(raw)
            cmd = msg.get("command")
            if cmd == "emit":
                self._emit(task, msg)
            elif cmd == "sync":
                if task.waiting_sync:
                    task.waiting_sync = False
                    if task.command_was_next:
                        if task.emits_in_command:
                            task.idle_nexts = 0
                        else:
                            task.idle_nexts += 1
                            wait = min(0.001 * (1 << min(task.idle_nexts - 1, 10)),
                                       SPOUT_MAX_IDLE_WAIT)
                            task.next_at = time.monotonic() + wait
                    # answer at once: the spout's round trip bounds the whole topology
                    self._spout_command(task, time.monotonic())
                    if task.waiting_sync and task.proc.flush():
                        self.dirty.discard(task)
                # a sync nobody asked for is ignored
            elif cmd in ("log", "error", "metrics"):
                self._other_command(task, msg, cmd)
            else:
                raise TaskFailure(f"Unknown command received: {cmd}")

    def _other_command(self, task: Task, msg: dict, cmd: Any) -> None:
        if cmd == "log":
            text = msg.get("msg")
            if not isinstance(text, str):
                raise TaskFailure(f"log 'msg' must be a string, got {text!r}")
            level = msg.get("level")
            name = LOG_LEVELS.get(level, "INFO") if type(level) is int else "INFO"
            line = f"ShellLog pid:{task.pid}, name:{task.cid} {text}"
            self.log(f"{name} {line}")
            if level in (3, 4) and type(level) is int:
                print(f"petrel: {name} from {task.cid}[{task.id}]: {text}",
                      file=self.opts.err, flush=True)
        elif cmd == "error":
            text = msg.get("msg")
            if not isinstance(text, str):
                raise TaskFailure(f"error 'msg' must be a string, got {text!r}")
            task.cs.errors += 1
            self._show_error(task, f"Shell Process Exception: {text}")
        elif cmd == "metrics":
            name = msg.get("name")
            raise TaskFailure(f"Could not find metric by name[{name}] (multilang metrics need a "
                              f"Java-registered IShellMetric; a Thrift shell component has none)")
        elif cmd is None:
            if "pid" in msg:
                raise TaskFailure("a pid reply arrived after the handshake (its first message "
                                  "was something else)")
            raise TaskFailure(f"a message without 'command': {msg!r}")
        elif not isinstance(cmd, str):
            raise TaskFailure(f"'command' must be a string, got {cmd!r}")
        # any other bolt command (reset_timeout, ...) is ignored, as Storm does

    def _show_error(self, task: Task, text: str) -> None:
        self.log(f"ERROR reported by {task.cid}[{task.id}]: {text}")
        times = self.error_times[task.cid]
        now = time.monotonic()
        while times and now - times[0] > 10.0:
            times.popleft()
        if len(times) < 5:  # Storm throttles error reports to 5 per 10 s as well
            times.append(now)
            first = text.strip().splitlines() or [""]
            more = "" if len(first) == 1 else f" (+{len(first) - 1} lines in the log)"
            print(f"petrel: error reported by {task.cid}[{task.id}]: {first[0][:500]}{more}",
                  file=self.opts.err, flush=True)

    # ------------------------------------------------------------------ spout scheduling
    def _schedule_spouts(self, now: float) -> Optional[float]:
        """Send each idle spout its next command; returns the earliest back-off deadline."""
        wake = None
        for s in self.spouts:
            at = self._spout_command(s, now)
            if at is not None and (wake is None or at < wake):
                wake = at
        return wake

    def _spout_command(self, s: Task, now: float) -> Optional[float]:
        """Queue the spout's next command if it may have one; returns a back-off deadline."""
        if s.state != "running" or s.waiting_sync:
            return None
        if s.commands:
            cmd = s.commands.popleft()
            s.command_was_next = False
        elif self.phase != "running" or not s.active:
            return None
        elif s.blockers or (s.max_pending is not None and s.pending_trees >= s.max_pending):
            return None
        elif now < s.next_at:
            return s.next_at
        else:
            cmd = NEXT_CMD
            s.command_was_next = True
            s.emits_in_command = 0
        s.proc.ctl.append(cmd)
        s.waiting_sync = True
        s.command_sent = now
        self.dirty.add(s)
        return None

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
                hid = str(_rand64(64) - _ID_OFFSET)
                b.proc.ctl.append(b'{"id":"' + hid.encode()
                                  + b'","comp":null,"stream":"__heartbeat","task":-1,'
                                  b'"tuple":[]}\nend\n')
                b.next_heartbeat = now + HEARTBEAT_SECS
                self.dirty.add(b)
            if b.tick_secs and now >= b.next_tick and self.phase in ("running", "draining"):
                b.next_tick += b.tick_secs
                if b.next_tick < now:
                    b.next_tick = now + b.tick_secs
                tid = str(_rand64(64) - _ID_OFFSET)
                b.inputs[tid] = [None, 0]
                b.proc.tuples.append(b'{"id":"' + tid.encode()
                                     + b'","comp":"__system","stream":"__tick","task":-1,'
                                     b'"tuple":[' + str(b.tick_secs).encode() + b"]}\nend\n")
                b.cs.executed += 1
                self.dirty.add(b)
        for s in self.spouts:
            if s.state == "running" and s.waiting_sync:
                if now - max(s.last_read, s.command_sent) > timeout:
                    self.task_failed(s, "subprocess heartbeat timeout")
        for t in self.tasks.values():
            if t.state == "starting" and now - t.started_at > self.opts.start_timeout:
                self.task_failed(t, f"no handshake reply within {self.opts.start_timeout:g} s")

    def _rotate(self, now: float) -> None:
        for tree in self.acker.rotate():
            self.stats.spout_timed_out += 1
            self._tree_done(tree, False, now)

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
                    self.sel.unregister(t.proc.stdin_fd)
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
            self.sel.close()
            self.stats.duration_s = time.monotonic() - self.started
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
        sel = self.sel
        dirty = self.dirty
        while self.phase != "done":
            now = time.monotonic()
            wake = self._schedule_spouts(now) if self.phase != "closing" else None
            if dirty:
                self._flush(dirty)
            timeout = next_timer - now
            if wake is not None and wake - now < timeout:
                timeout = wake - now
            events = sel.select(max(0.0, timeout))
            for key, _mask in events:
                task, kind = key.data
                proc = task.proc
                if proc is None or key.fd not in (proc.stdout_fd, proc.stderr_fd, proc.stdin_fd):
                    continue
                if kind == 0:
                    data = proc.read_stdout()
                    if data is None:
                        continue
                    if data:
                        self._on_stdout(task, data)
                    else:
                        self._stdout_closed(task)
                elif kind == 1:
                    if not proc.read_stderr():
                        try:
                            sel.unregister(key.fd)
                        except (KeyError, ValueError):
                            pass
                else:
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
                            s.commands or s.waiting_sync for s in self.spouts
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

    def _flush(self, dirty: set) -> None:
        sel = self.sel
        for task in list(dirty):
            proc = task.proc
            if proc is None or task.state not in ("running", "starting"):
                continue
            done = proc.flush()
            if proc.write_broken:
                continue
            if done:
                if task.write_registered:
                    sel.unregister(proc.stdin_fd)
                    task.write_registered = False
            elif not task.write_registered and proc.stdin_fd is not None:
                sel.register(proc.stdin_fd, selectors.EVENT_WRITE, (task, 2))
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
