"""The local runner's state: its options, tasks, statistics and acker, and its console.

``RunState`` holds what every part of the runner shares (``petrel.local.runner`` lists the
parts); the methods here only write to the console and the runner's log.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, TextIO, Tuple

from petrel.errors import PetrelError
from petrel.local.poller import Poller
from petrel.local.routing import Router
from petrel.local.stats import RunStats
from petrel.local.task import Task
from petrel.local.watchdog import Watchdog
from petrel.runtime.logs import DEFAULT_BACKUPS, DEFAULT_MAX_BYTES
from petrel.semantics.acker import Acker
from petrel.semantics.layout import TaskLayout, build_context, component_conf, topology_conf
from petrel.semantics.ticks import tick_secs
from petrel.topology.model import TopologyDef

MAX_START_FAILURES = 5
MAX_START_FAILURES_KEY = "petrel.max.start.failures"
LOG_MAX_BYTES_KEY = "petrel.log.max.bytes"
LOG_BACKUPS_KEY = "petrel.log.backups"


def whole_number(conf: Dict[str, Any], key: str, default: int) -> int:
    """A topology.yaml setting that must be a whole number >= 0 (PetrelError otherwise)."""
    value = conf.get(key, default)
    if value is None:
        return default
    if type(value) is not int or value < 0:
        raise PetrelError(f"topology.yaml: {key} must be a whole number >= 0, got {value!r}; "
                          f"fix it or remove it (default {default})")
    return value


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
    # The dashboard's hooks (petrel submit --ui): ``publish`` is called with the runner about
    # once a second from its timer, ``log_tap`` with every line of the runner's log.
    publish: Optional[Callable[[Any], None]] = None
    log_tap: Optional[Callable[[str], None]] = None



class RunState:
    """What the parts of the runner share; ``LocalRunner`` adds the behaviour."""

    router: Router

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
        self.max_start_failures = whole_number(self.conf, MAX_START_FAILURES_KEY,
                                               MAX_START_FAILURES)
        self.log_max_bytes = whole_number(self.conf, LOG_MAX_BYTES_KEY, DEFAULT_MAX_BYTES)
        self.log_backups = whole_number(self.conf, LOG_BACKUPS_KEY, DEFAULT_BACKUPS)
        self.low_water = max(1, self.max_pending // 2)
        self.poller = Poller()
        self.watchdog = Watchdog()
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
        self.runner_log = open(options.logdir / "petrel-local.log", "a", encoding="utf-8")  # noqa: SIM115

    # ------------------------------------------------------------------ set-up
    def _build_tasks(self) -> None:
        topo = self.topology
        for cid, comp in topo.components.items():
            cs = self.stats.add_component(cid, comp.kind, len(self.layout.component_tasks[cid]))
            cconf = component_conf(self.conf, comp.conf)
            tick = tick_secs(comp.kind, cconf)
            spout_pending = cconf.get("topology.max.spout.pending")
            for t in self.layout.component_tasks[cid]:
                task = Task(t, comp, cs)
                task.conf = cconf
                task.context = build_context(topo, self.layout, t)
                task.tick_secs = tick
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

    @property
    def err(self) -> TextIO:
        """Where console errors go."""
        return self.opts.err

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
        tap = self.opts.log_tap
        if tap is not None:
            tap(text)
