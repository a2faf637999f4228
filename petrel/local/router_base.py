"""The message handlers' common ground: the runner they serve, routes, parsing, tree ends.

The handlers (``petrel.local.bolt_messages``, ``petrel.local.spout_messages``) reach the
runner only through ``RunnerHooks``, so this package's router never imports the runner.
"""

from __future__ import annotations

import collections
import itertools
from typing import Any, Callable, Deque, Dict, Optional, Protocol, TextIO

from petrel.local.stats import RunStats
from petrel.local.task import Route, Task, TaskFailure
from petrel.local.wire import END, MessageReader, StdoutReader, dumps, encode, is_empty, loads
from petrel.semantics.acker import Acker, Tree, rand64
from petrel.semantics.layout import TaskLayout
from petrel.semantics.routes import plan_stream
from petrel.topology.model import TopologyDef

_TUPLE_END = b"}" + END
ACTIVATE_CMD = b'{"command":"activate","id":""}\nend\n'
DEACTIVATE_CMD = b'{"command":"deactivate","id":""}\nend\n'


class RunnerHooks(Protocol):
    """What the message handlers use of the runner (``LocalRunner`` provides it)."""

    topology: TopologyDef
    layout: TaskLayout
    tasks: Dict[int, Task]
    acker: Acker
    stats: RunStats
    dirty: set
    acking: bool
    phase: str

    @property
    def err(self) -> TextIO:
        """Where console errors go."""

    def handshake_done(self, task: Task, msg: dict) -> None:
        """The task answered its handshake."""

    def warn(self, text: str) -> None:
        """A console line on stderr, also logged."""

    def log(self, text: str) -> None:
        """A line in the runner's log file."""


def tuple_ids(start: int) -> Callable[[], bytes]:
    """A function giving the next tuple id as ASCII digits, made 1024 at a time."""
    blocks = itertools.count(start, 1024)
    return itertools.chain.from_iterable(
        " ".join(map(str, range(b, b + 1024))).encode().split() for b in blocks).__next__


class RouterBase:
    """The state every handler shares, the routes of each task, parsing and tree ends."""

    def __init__(self, runner: RunnerHooks) -> None:
        self.runner = runner
        self.tasks: Dict[int, Task] = runner.tasks
        self.acker: Acker = runner.acker
        self.stats: RunStats = runner.stats
        self.dirty: set = runner.dirty
        self.acking = runner.acking
        self.first_ack_at: Optional[float] = None
        self.warned_direct: set = set()
        self.error_times: Dict[str, Deque[float]] = collections.defaultdict(collections.deque)
        # Tuple ids only need to be unique among a task's pending inputs: a counter is
        # enough and much cheaper than Storm's random longs (edge values stay random).
        self.new_tid = tuple_ids(rand64(40))

    # ------------------------------------------------------------------ set-up
    def build_routes(self, task: Task) -> None:
        """The routes and tuple-message formats of each stream of ``task``."""
        comp = task.comp
        runner = self.runner
        for stream_id, sdef in comp.streams.items():
            plan = plan_stream(runner.topology, runner.layout, comp.id, stream_id)
            route = Route(stream_id, len(sdef.fields))
            route.grouping_of = plan.grouping_of
            route.direct_targets = plan.direct_of
            route.has_direct = plan.has_direct
            route.groupers = plan.groupers
            if plan.grouped:
                last = plan.grouped[-1]
                route.value_free = plan.grouping_of[last] != "fields"
                route.consumer_cs = self.stats.components.get(last)
            if len(route.groupers) == 1 and not route.has_direct:
                route.single = route.groupers[0]
            head = (b'{"id":"%s","comp":' + dumps(comp.id) + b',"stream":' + dumps(stream_id)
                    + b',"task":' + str(task.id).encode() + b',"tuple":')
            route.fmt = head.replace(b"%", b"%%").replace(b'"id":"%%s"', b'"id":"%s"') \
                + b"%s" + _TUPLE_END
            task.routes[stream_id] = route

    # ------------------------------------------------------------------ the wire
    # The runner's own messages to tasks, in JSON (``MsgpackRouter``: in MessagePack).
    activate_cmd = ACTIVATE_CMD
    deactivate_cmd = DEACTIVATE_CMD
    pack_values = staticmethod(dumps)   # a tuple's values as they go into a tuple message

    @staticmethod
    def new_reader() -> StdoutReader:
        """What splits a task's stdout into messages."""
        return MessageReader()

    @staticmethod
    def handshake_message(setup: dict) -> bytes:
        """The first message to a task: its conf, pid directory and topology context."""
        return encode(setup)

    @staticmethod
    def task_ids_message(targets: list) -> bytes:
        """The answer to an emit that wants the task ids it went to."""
        return dumps(targets) + END

    @staticmethod
    def heartbeat_message(tid: bytes) -> bytes:
        """Storm's heartbeat tuple for a bolt (it answers with a sync)."""
        return (b'{"id":"' + tid + b'","comp":null,"stream":"__heartbeat","task":-1,'
                b'"tuple":[]}\nend\n')

    @staticmethod
    def tick_message(tid: bytes, secs: int) -> bytes:
        """A tick tuple, its one value the tick interval."""
        return (b'{"id":"' + tid + b'","comp":"__system","stream":"__tick","task":-1,'
                b'"tuple":[' + str(secs).encode() + b"]}\nend\n")

    @staticmethod
    def spout_ack_fail(ok: bool, mid: Any) -> bytes:
        """The ack (``ok``) or fail command for a spout's message id."""
        mid_json = str(mid).encode() if type(mid) is int else dumps(mid)
        return (b'{"command":"ack","id":' if ok else b'{"command":"fail","id":') + mid_json \
            + _TUPLE_END

    # ------------------------------------------------------------------ parsing
    @staticmethod
    def parse(raw: bytes) -> dict:
        """One message as a dict, or TaskFailure worded as Storm's reader fails."""
        if is_empty(raw):
            raise TaskFailure("empty message (a line 'end' with no JSON before it)")
        try:
            msg = loads(raw)
        except ValueError as exc:
            text = raw[:300].decode("utf-8", "replace")
            raise TaskFailure(f"cannot parse the component's output as JSON ({exc}); "
                              f"read: {text!r}") from None
        if type(msg) is not dict:
            raise TaskFailure(f"a message must be a JSON object, got "
                              f"{raw[:300].decode('utf-8', 'replace')!r}")
        return msg

    # ------------------------------------------------------------------ trees
    def tree_done(self, tree: Tree, ok: bool, now: float, count_pending: bool = True) -> None:
        """A tuple tree completed or failed: count it and queue the spout's ack/fail."""
        spout: Task = tree.spout
        if count_pending:
            spout.pending_trees -= 1
        cs = spout.cs
        if ok:
            cs.acked += 1
            spout.acked += 1
            self.stats.spout_acked += 1
            cs.latency.add((now - tree.start) * 1000.0)
            if self.first_ack_at is None:
                self.first_ack_at = now
        else:
            cs.failed += 1
            spout.failed += 1
            self.stats.spout_failed += 1
        if spout.state == "running":
            spout.commands.append(self.spout_ack_fail(ok, tree.msg_id))
