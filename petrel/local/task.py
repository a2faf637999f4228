"""What the runner knows about one task: its component, process, routes and protocol state."""

from __future__ import annotations

import collections
from typing import Any, Deque, Dict, List, Optional, Set, Union

from petrel.local.process import TaskProcess
from petrel.local.stats import ComponentStats
from petrel.semantics.groupings import Grouper
from petrel.topology.model import ComponentDef

LATENCY_SAMPLES = 1000        # a task's latest process latencies kept for p50/p99


class TaskFailure(Exception):
    """A fatal condition of one task (the message is what Storm would report)."""


class Route:
    """Where emits on one stream of a component go."""

    __slots__ = ("stream", "nfields", "groupers", "has_direct", "direct_targets", "grouping_of",
                 "single", "value_free", "consumer_cs", "memo", "fmt")

    def __init__(self, stream: str, nfields: int) -> None:
        self.stream = stream
        self.nfields = nfields
        self.groupers: List[Grouper] = []
        self.has_direct = False
        self.direct_targets: Dict[str, bool] = {}   # consumer id -> uses direct grouping
        self.grouping_of: Dict[str, str] = {}
        # the grouper when there is exactly one subscriber and no direct one (the fast path)
        self.single: Optional[Grouper] = None
        self.value_free = False                      # ``single`` ignores the values
        self.consumer_cs: Optional[ComponentStats] = None   # the single subscriber's stats
        # tuple JSON text already checked on the fast path -> (JSON to send, target task ids
        # or None when ``single`` ignores the values)
        self.memo: Dict[bytes, tuple] = {}
        # a whole tuple message: ``fmt % (tuple id, tuple JSON)``
        self.fmt = b""


class Task:
    """One task: its component, process, pending inputs and spout/bolt state."""

    def __init__(self, task_id: int, comp: ComponentDef, cstats: ComponentStats) -> None:
        self.id = task_id
        self.comp = comp
        self.cid = comp.id
        self.is_spout = comp.kind == "spout"
        self.cs = cstats
        # None until the task's first start (state 'new'): code reads it only in a state
        # that has a process. Typed without None so the per-tuple paths need no narrowing.
        self.proc: TaskProcess = None  # type: ignore[assignment]
        self.state = "new"          # new, starting, running, down, ended
        self.conf: Dict[str, Any] = {}
        self.context: Dict[str, Any] = {}
        self.routes: Dict[str, Route] = {}
        self.inputs: Dict[bytes, list] = {}  # bolt: id -> [roots {root: edge} or None, ack val]
        self.held: List[bytes] = []          # tuples routed while the process was not up
        self.last_read = 0.0
        self.started_at = 0.0
        self.handshaken_once = False
        self.working = False                 # answered a command since its latest start
        self.start_failures = 0              # failures in a row before getting to work
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
        self.commands: Deque[bytes] = collections.deque()  # ack/fail/(de)activate to send
        # sent, not yet synced: True for a 'next', else the command itself
        self.inflight: Deque[Union[bool, bytes]] = collections.deque()
        self.nexts_ahead = 0                 # how many of ``inflight`` are 'next'
        self.command_sent = 0.0
        self.emits_in_command = 0
        self.idle_nexts = 0
        self.next_at = 0.0
        self.pending_trees = 0
        # message ids (as JSON) whose tree failed and that the spout has not emitted again
        self.failed_ids: Set[bytes] = set()
        self.pending_peak = 0               # most reliable trees pending at once (tests)
        self.queue_peak = 0                 # most tuples queued for the process at once
        self.max_pending: Optional[int] = None
        self.active = False
        # this task's share of its component's counters (the dashboard's per-task rates);
        # a bolt's executed is derived (``executed``), costing the delivery path nothing
        self.emitted = self.transferred = self.acked = self.failed = 0
        self.dropped_inputs = 0              # inputs cleared when the process died
        # process latency, sampled: one delivered tuple timed at a time, from its delivery
        # until the chunk holding its ack is read; ``latency`` keeps the latest samples (ms)
        self.sample_tid: Optional[bytes] = None
        self.sample_at = 0.0
        self.latency: Deque[float] = collections.deque(maxlen=LATENCY_SAMPLES)

    @property
    def executed(self) -> int:
        """Tuples (and ticks) given to this bolt task: each is acked, failed, pending or
        dropped with a dead process (0 for a spout)."""
        if self.is_spout:
            return 0
        return self.acked + self.failed + len(self.inputs) + self.dropped_inputs

    def sample_done(self, now: float) -> None:
        """The sampled tuple is no longer pending (read at ``now``): keep its latency."""
        self.latency.append(max(0.0, now - self.sample_at) * 1000.0)
        self.sample_tid = None

    @property
    def label(self) -> str:
        """How reports name the task."""
        return f"{self.comp.kind} '{self.cid}' task {self.id}"

    def reset_commands(self) -> None:
        """Forget the spout commands queued or in flight (the process is new or gone)."""
        self.commands.clear()
        self.inflight.clear()
        self.nexts_ahead = 0
        self.emits_in_command = 0
