"""What the engine keeps per task: the task itself, its collector, routes and tuple trees.

Also the helpers around them: one component object per task, and pausing garbage
collection while a run keeps every tuple. The collector reaches the engine through
``CollectorHost``, so this module never imports the engine.
"""

from __future__ import annotations

import collections
import contextlib
import copy
import functools
import gc
from typing import (
    Any,
    Callable,
    Deque,
    Dict,
    Iterator,
    List,
    Mapping,
    Optional,
    Protocol,
    Tuple,
)

from petrel.emitter import BasicBolt
from petrel.mock.errors import MockError
from petrel.runtime.collector import Collector
from petrel.runtime.tuples import Tuple as StormTuple
from petrel.topology.model import TopologyDef

# The trees a tuple in flight belongs to.
Roots = Tuple["Tree", ...]


class Tree:
    """One reliable spout tuple: its spout task, message id and deliveries not yet acked.

    Tuples in flight hold their trees directly; ``live`` turns False when the tree is
    acked or failed (``acked`` tells which), after which further acks and anchors of it
    are ignored. A finished tree is also the spout's pending ack or fail command.
    """

    __slots__ = ("spout", "msg_id", "count", "live", "acked")

    def __init__(self, spout: Task, msg_id: Any, count: int) -> None:
        self.spout = spout
        self.msg_id = msg_id
        self.count = count
        self.live = True
        self.acked = False


class Route:
    """Where one output stream of one task goes: its groupers and direct subscribers."""

    __slots__ = ("stream", "fields", "groupers", "only", "sink", "direct", "direct_components")

    def __init__(self, stream: str, fields: List[str]) -> None:
        self.stream = stream
        self.fields = fields
        self.groupers: List[Callable[[list], List[int]]] = []
        # Set when every tuple of the stream goes to this one task (one subscribing task,
        # any regular grouping): no grouper to call.
        self.only: Optional[Task] = None
        self.sink = False                              # nobody subscribes (directly or not)
        self.direct = False
        self.direct_components: Dict[str, bool] = {}  # consumer id -> subscribes directly


class Task:
    """One task: its component instance, collector, routes, inputs in flight and records."""

    def __init__(self, task_id: int, component_id: str, index: int, kind: str,
                 component: Any) -> None:
        self.id = task_id
        self.component_id = component_id
        self.index = index
        self.kind = kind
        self.component = component
        self.label = f"{kind} '{component_id}' task {task_id}"
        self.conf: Dict[str, Any] = {}
        self.context: Dict[str, Any] = {}
        self.routes: Dict[str, Route] = {}
        # The trees of the input being delivered (the engine sets it before each delivery).
        # A BasicBolt only ever anchors to, acks or fails that input, so this is all it
        # needs; a Bolt may hold inputs and ack them later, so theirs are kept by tuple id
        # in ``inputs`` until acked or failed.
        self.roots: Optional[Roots] = None
        self.keeps_inputs = kind == "bolt" and not isinstance(component, BasicBolt)
        self.inputs: Dict[str, Roots] = {}             # tuple id -> trees, reliable inputs only
        self.deliver: Callable[[StormTuple], None] = (
            self._deliver_kept if self.keeps_inputs else component.deliver) if kind == "bolt" \
            else None  # type: ignore[assignment]
        # Records, one per emit: (tuple id, stream, values, anchors, msg id, direct task).
        # Tuple ids come from one counter (int(id) is the emit order): the str a bolt
        # received, or the number of a tuple nobody received. Values are JSON bytes or a
        # tuple of plain values, anchors may be the input tuple itself (petrel.mock.quick).
        self.emits: List[Tuple[Any, str, Any, Any, Any, Optional[int]]] = []
        self.received: List[StormTuple] = []
        self.acked: List[Any] = []                     # input tuple ids this bolt acked
        self.failed: List[Any] = []                    # input tuple ids this bolt failed
        self.errors: List[str] = []
        self.logs: List[Tuple[int, str]] = []
        self.tick_secs: Optional[int] = None
        # Spouts only: finished trees whose ack or fail the spout has yet to receive.
        self.commands: Deque[Tree] = collections.deque()
        self.producing = kind == "spout"
        self.max_emits: Optional[int] = None
        self.bounded = False                           # limited by max_spout_emits or rows
        self.next_tuple: Callable[[], None] = component.deliver_next if kind == "spout" \
            else None  # type: ignore[assignment]
        self.spout_emits = 0

    def _deliver_kept(self, tup: StormTuple) -> None:
        """Deliver to a Bolt that acks by itself: keep the input's trees until it does."""
        roots = self.roots
        if roots:
            self.inputs[tup.id] = roots
        self.component.deliver(tup)


class CollectorHost(Protocol):
    """What a task's collector uses of the engine (``petrel.mock.engine.Engine``)."""

    def emitter(self, task: Task) -> Callable[..., Optional[List[int]]]:
        """The emit function of ``task``'s collector."""

    def acker(self, task: Task) -> Callable[[Any], None]:
        """The ack function of ``task``'s collector."""

    def quick_emitter(self, task: Task) -> Optional[Callable[[List[Any], Any], None]]:
        """The ``quick_emit`` of ``task``'s collector, or None."""

    def emit(self, task: Task, stream: str, values: Any, encoded: bytes,
             anchors: Optional[List[str]], msg_id: Any, direct: Optional[int],
             need_task_ids: bool) -> Optional[List[int]]:
        """Route one emit of ``task`` (the general path)."""

    def ack_input(self, task: Task, tuple_id: Any) -> None:
        """A bolt acked an input."""

    def fail_input(self, task: Task, tuple_id: Any) -> None:
        """A bolt failed an input."""


class TaskCollector(Collector):
    """The collector of one task: records its output and hands tuples to the engine."""

    def __init__(self, engine: CollectorHost, task: Task) -> None:
        self.engine = engine
        self.task = task
        # The hot paths go straight to the engine (one call less per emit and ack): the
        # methods below are replaced per instance, which mypy can only be told to allow.
        self.emit = engine.emitter(task)  # type: ignore[method-assign]
        self.ack = engine.acker(task)  # type: ignore[method-assign,assignment]
        self.fail = functools.partial(engine.fail_input, task)  # type: ignore[method-assign]
        self.quick_emit = engine.quick_emitter(task)

    def emit(self, stream: str, values: List[Any], encoded: bytes,
             anchors: Optional[List[str]], msg_id: Any, task: Optional[int],
             need_task_ids: bool) -> Optional[List[int]]:
        """Record the emit, pick its target tasks and queue one delivery per target."""
        return self.engine.emit(self.task, stream, values, encoded, anchors, msg_id, task,
                                need_task_ids)

    def ack(self, tuple_id: Any) -> None:
        """The bolt acked one of its inputs."""
        self.engine.ack_input(self.task, tuple_id)

    def fail(self, tuple_id: Any) -> None:
        """The bolt failed one of its inputs."""
        self.engine.fail_input(self.task, tuple_id)

    def log(self, msg: str, level: int) -> None:
        """Record a ``log`` command."""
        self.task.logs.append((level, msg))

    def report_error(self, msg: str) -> None:
        """Record an ``error`` command (reportError, or an exception in user code)."""
        self.task.errors.append(msg)

    def sync(self) -> None:
        """Nothing to do in-process."""


def component_copies(topology: TopologyDef, instances: Mapping[str, Any],
                      layout_tasks: Mapping[str, List[int]]) -> Dict[str, List[Any]]:
    """One component object per task: the given instance for the first, copies for the rest.

    Copies are made before anything runs, from the object as create.py left it, as each
    Storm task gets its own instance. An object used by two component ids is copied for
    the second one too.
    """
    out: Dict[str, List[Any]] = {}
    seen: set = set()
    for cid in topology.components:
        if cid not in instances:
            continue
        original = instances[cid]
        count = len(layout_tasks[cid])
        shared = id(original) in seen
        seen.add(id(original))
        objects = []
        for index in range(count):
            if index == 0 and not shared:
                objects.append(original)
                continue
            try:
                objects.append(copy.deepcopy(original))
            except Exception as exc:
                raise MockError(
                    f"component '{cid}' ({type(original).__name__}) runs as {count} tasks but "
                    f"its object cannot be copied for each task: {type(exc).__name__}: {exc}; "
                    f"keep the constructor light (open connections and files in initialize) "
                    f"or use parallelism 1") from exc
        out[cid] = objects
    return out


# Objects a paused block must leave before they are promoted instead of collected.
PROMOTE_AFTER = 200_000


@contextlib.contextmanager
def collections_paused() -> Iterator[None]:
    """No automatic garbage collection inside the block (a run, or building its results).

    A run keeps every tuple for its results, and the collector would walk them again and
    again: a third of a 100,000-tuple run, and most of reading its results. Reference
    counting still frees everything that is not part of a cycle at once. At the end of a
    big block, what it made joins the oldest generation (``gc.freeze`` then
    ``gc.unfreeze``, as long-lived objects do) instead of being walked by the next young
    collection all at once; cycles made in it are freed by the next full collection.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            # Only when the block left many objects (a small one costs its young collection
            # little), and never unfreezing what the application froze itself.
            if gc.get_count()[0] > PROMOTE_AFTER and gc.get_freeze_count() == 0:
                gc.freeze()
                gc.unfreeze()
            gc.enable()
