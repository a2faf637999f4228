"""The spout: emits ids 0..N-1 once each with the id as message id; a failed id is replayed."""

from __future__ import annotations

import os
import time
from collections import deque
from typing import Any, Deque, Dict, List, Optional, Set

from records import append, record_path

from petrel import storm
from petrel.emitter import Spout


class IdSpout(Spout):
    """Emits ``[id]`` for ``reliability.ids`` ids, ``reliability.interval_secs`` apart.

    Every start, emit, ack and fail is appended to ``<reliability.record_dir>/spout.txt``
    (``start <pid>``, ``emit <id>``, ``ack <id>``, ``fail <id>``) for the test to read.
    """

    def __init__(self) -> None:
        super().__init__(script=__file__)
        self.total = 0
        self.interval = 0.0
        self.next_id = 0
        self.pending: Set[int] = set()
        self.replay: Deque[int] = deque()
        self.record: Optional[str] = None

    @classmethod
    def declareOutputFields(cls) -> List[str]:
        """One field: the id."""
        return ["id"]

    def initialize(self, conf: Dict[str, Any], context: Dict[str, Any]) -> None:
        """Read how many ids to emit, how fast, and where to record."""
        self.total = int(conf.get("reliability.ids", 100))
        self.interval = float(conf.get("reliability.interval_secs", 0.0))
        self.record = record_path(conf, "spout.txt")
        append(self.record, "start", os.getpid())

    def nextTuple(self) -> None:
        """Replay a failed id first, else emit the next new one; nothing once all are out."""
        if self.replay:
            msg_id = self.replay.popleft()
        elif self.next_id < self.total:
            if self.interval > 0:
                time.sleep(self.interval)
            msg_id = self.next_id
            self.next_id += 1
            self.pending.add(msg_id)
        else:
            time.sleep(0.01)
            return
        append(self.record, "emit", msg_id)
        storm.emit([msg_id], id=msg_id)

    def ack(self, id: Any) -> None:
        """The id's tuple tree completed: record it."""
        self.pending.discard(id)
        append(self.record, "ack", id)

    def fail(self, id: Any) -> None:
        """The id's tuple tree failed or timed out: record it and emit it again."""
        append(self.record, "fail", id)
        if id in self.pending:
            self.replay.append(id)


def run() -> None:
    """Entry point on the worker (``python -m petrel.run ids``)."""
    IdSpout().run()
