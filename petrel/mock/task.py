"""``MockTask``: one spout or bolt run in-process, driven one tuple or command at a time."""

from __future__ import annotations

import itertools
from typing import Any, List, Mapping, Optional, Sequence

from petrel.emitter import Bolt, Spout
from petrel.mock.engine import Engine
from petrel.mock.errors import MockError
from petrel.mock.results import LIST, Converter, Emitted, LogEntry, check_result_type
from petrel.mock.simple import component_def
from petrel.runtime.protocol import decode, encode
from petrel.runtime.tuples import Tuple as StormTuple
from petrel.semantics.ticks import make_tick
from petrel.topology.model import TopologyDef


class MockTask:
    """One task of ``component``, attached to a recording collector (see petrel.runtime).

    Bolts: ``send(values)`` delivers an input tuple, ``tick()`` a tick tuple; afterwards
    ``acked``/``failed`` hold the input ids the bolt acked/failed. Spouts:
    ``next_tuple()``, ``ack(msg_id)``, ``fail(msg_id)``, ``activate()``, ``deactivate()``.
    Both: ``emits`` (every emit with stream, anchors, message id), ``emitted(stream)``
    (values), ``take()`` (values emitted since the last take), ``errors``, ``logs``.
    ``initialize`` is called with ``config`` (or {}) unless ``initialize=False``.
    """

    def __init__(self, component: Any, config: Optional[Mapping[str, Any]] = None, *,
                 component_id: Optional[str] = None, initialize: bool = True,
                 on_error: str = "raise") -> None:
        if isinstance(component, type):
            raise MockError(f"MockTask got the class {component.__name__}, not an instance; "
                            f"write {component.__name__}()")
        if isinstance(component, Spout):
            kind = "spout"
        elif isinstance(component, Bolt):
            kind = "bolt"
        else:
            raise MockError(f"MockTask runs petrel Spout/Bolt/BasicBolt instances, got "
                            f"{type(component).__name__}")
        if config is not None and not isinstance(config, Mapping):
            raise MockError(f"config must be a dict, got {type(config).__name__}")
        cid = component_id or type(component).__name__
        topo = TopologyDef()
        topo.components[cid] = component_def(cid, kind, component)
        self.engine = Engine(topo, {cid: component}, config, initialize=initialize,
                             on_error=on_error, ack_unrouted=False)
        self.task = self.engine.tasks_of(cid)[0]
        self.component = component
        self.component_id = cid
        self.kind = kind
        self._ids = itertools.count(1)
        self._taken = 0
        self._converter = Converter(self.engine)
        self.engine.start()

    @property
    def task_id(self) -> int:
        """The task id the component sees in its context."""
        return self.task.id

    # -- bolts --------------------------------------------------------------------------------
    def _need(self, kind: str, what: str) -> None:
        if self.kind != kind:
            raise MockError(f"{what} is for {kind}s; {type(self.component).__name__} is a "
                            f"{self.kind}")

    def send(self, values: Sequence[Any], source: str = "upstream", stream: str = "default",
             task: int = 1, fields: Optional[Sequence[str]] = None) -> StormTuple:
        """Deliver one input tuple to the bolt; returns it (its ``id`` shows in acked/failed).

        ``values`` make a JSON round trip as on Storm; ``fields`` names them for
        ``tup.word``-style access.
        """
        self._need("bolt", "send()")
        if not isinstance(values, (list, tuple)):
            raise MockError(f"send() takes a list of values, got {type(values).__name__}; "
                            f"for one value write send([value])")
        try:
            carried = decode(encode(list(values)))
        except (TypeError, ValueError) as exc:
            raise MockError(f"send({values!r}): Storm could not carry these values as JSON "
                            f"({exc})") from exc
        tup = StormTuple(f"in-{next(self._ids)}", source, stream, task, carried,
                         list(fields) if fields is not None else None)
        self._deliver(tup)
        return tup

    def tick(self, secs: Optional[int] = None) -> StormTuple:
        """Deliver a tick tuple (component __system, stream __tick, task -1, [secs])."""
        self._need("bolt", "tick()")
        tup = make_tick(f"tick-{next(self._ids)}",
                        secs if secs is not None else (self.task.tick_secs or 0))
        self._deliver(tup)
        return tup

    def _deliver(self, tup: StormTuple) -> None:
        self.engine.deliver(self.task, tup)
        self.engine.drain()

    @property
    def acked(self) -> List[Any]:
        """Ids of the input tuples the bolt acked (BasicBolt: after each process)."""
        return list(self.task.acked)

    @property
    def failed(self) -> List[Any]:
        """Ids of the input tuples the bolt failed."""
        return list(self.task.failed)

    @property
    def received(self) -> List[StormTuple]:
        """The tuples delivered to the bolt so far."""
        return list(self.task.received)

    # -- spouts -------------------------------------------------------------------------------
    def next_tuple(self, times: int = 1) -> List[Emitted]:
        """Call ``nextTuple`` ``times`` times; returns what those calls emitted."""
        self._need("spout", "next_tuple()")
        before = len(self.task.emits)
        for _ in range(times):
            self.engine.call(self.task, self.component.deliver_next)
        return [self._converter.emitted_record(self.task, r) for r in self.task.emits[before:]]

    def ack(self, msg_id: Any) -> None:
        """Tell the spout the tree of ``msg_id`` completed (calls its ``ack``)."""
        self._need("spout", "ack()")
        self.engine.call(self.task, self.component.deliver_ack, msg_id)

    def fail(self, msg_id: Any) -> None:
        """Tell the spout the tree of ``msg_id`` failed (calls its ``fail``)."""
        self._need("spout", "fail()")
        self.engine.call(self.task, self.component.deliver_fail, msg_id)

    def activate(self) -> None:
        """Call the spout's ``activate``."""
        self._need("spout", "activate()")
        self.engine.call(self.task, self.component.deliver_activate)

    def deactivate(self) -> None:
        """Call the spout's ``deactivate``."""
        self._need("spout", "deactivate()")
        self.engine.call(self.task, self.component.deliver_deactivate)

    # -- output -------------------------------------------------------------------------------
    @property
    def emits(self) -> List[Emitted]:
        """Every emit so far, with stream, values, anchors, message id and direct task."""
        return [self._converter.emitted_record(self.task, r) for r in self.task.emits]

    def emitted(self, stream: Optional[str] = "default", result_type: int = LIST) -> List[Any]:
        """Everything emitted on ``stream`` (None: every stream), as ``result_type``."""
        kind = check_result_type(result_type)
        streams = self.engine.topology.components[self.component_id].streams
        if stream is not None and stream not in streams:
            raise MockError(f"{self.component_id} declares no stream '{stream}'; its streams: "
                            f"{list(streams)}")
        return self._converter.convert_all(
            [(self.task, r) for r in self.task.emits if stream is None or r[1] == stream], kind)

    def take(self) -> List[List[Any]]:
        """The values emitted (any stream) since the previous ``take``."""
        records = self.task.emits[self._taken:]
        self._taken = len(self.task.emits)
        return self._converter.convert_all([(self.task, r) for r in records], LIST)

    @property
    def errors(self) -> List[str]:
        """Errors reported so far (reportError, exceptions with on_error='continue')."""
        return list(self.task.errors)

    @property
    def logs(self) -> List[LogEntry]:
        """``log`` calls so far (level 0-4 = TRACE .. ERROR, and the message)."""
        return [LogEntry(self.component_id, self.task.id, level, msg)
                for level, msg in self.task.logs]

    def close(self) -> None:
        """Give ``petrel.storm`` back the component it had before this task started."""
        self.engine.restore()

    def __enter__(self) -> MockTask:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
