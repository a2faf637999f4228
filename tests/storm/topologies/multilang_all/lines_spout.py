"""The spout: every line once, reliably, asking Storm which task each went to."""

from __future__ import annotations

import os
import time
from collections import deque
from typing import Any, Deque, Dict, List

from features_common import LINES, LOG_MARKER, record, tasks_of

from petrel import storm
from petrel.emitter import Spout


class LineSpout(Spout):
    """Emits ``[index, line]`` with the index as message id; a failed line is emitted again.

    Records its start, every emit with the task ids Storm returned, acks, fails,
    activate and deactivate in ``spout.jsonl``.
    """

    def __init__(self) -> None:
        super().__init__(script=__file__)
        self.conf: Dict[str, Any] = {}
        self.split_tasks: List[int] = []
        self.next_index = 0
        self.replay: Deque[int] = deque()

    @classmethod
    def declareOutputFields(cls) -> List[str]:
        """The line's index and text."""
        return ["index", "line"]

    def initialize(self, conf: Dict[str, Any], context: Dict[str, Any]) -> None:
        """Record the start; say so in Storm's log."""
        self.conf = conf
        self.split_tasks = tasks_of(context, "split")
        record(conf, "spout", what="start", pid=os.getpid())
        storm.log(f"{LOG_MARKER} spout task {context['taskid']} ready")

    def nextTuple(self) -> None:
        """A failed line first, else the next new one; nothing once every line is out."""
        if self.replay:
            index = self.replay.popleft()
        elif self.next_index < len(LINES):
            index = self.next_index
            self.next_index += 1
        else:
            time.sleep(0.01)
            return
        tasks = storm.emit([index, LINES[index]], id=index, need_task_ids=True)
        record(self.conf, "spout", what="emit", index=index, tasks=tasks)

    def ack(self, id: Any) -> None:
        """The line's tuple tree was fully processed."""
        record(self.conf, "spout", what="ack", index=id)

    def fail(self, id: Any) -> None:
        """The line's tuple tree failed: emit it again."""
        record(self.conf, "spout", what="fail", index=id)
        storm.logWarn(f"{LOG_MARKER} line {id} failed; emitting it again")
        self.replay.append(id)

    def activate(self) -> None:
        """Record it."""
        record(self.conf, "spout", what="activate")

    def deactivate(self) -> None:
        """Record it."""
        record(self.conf, "spout", what="deactivate")


def run() -> None:
    """Entry point on the worker."""
    LineSpout().run()
