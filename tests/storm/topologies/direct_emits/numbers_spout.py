"""The spout: numbers 0..direct.count-1 once each (reliably), each emitted directly to
relay task ``relay_tasks[number % len(relay_tasks)]``."""

from __future__ import annotations

import time
from collections import deque
from typing import Any, Deque, Dict, List

from direct_common import tasks_of

from petrel import storm
from petrel.emitter import Spout, Stream


class NumberSpout(Spout):
    """Emits ``[number, target task]`` on the direct stream 'to_relay'."""

    def __init__(self) -> None:
        super().__init__(script=__file__)
        self.count = 0
        self.next_number = 0
        self.targets: List[int] = []
        self.replay: Deque[int] = deque()

    @classmethod
    def declareOutputFields(cls) -> Dict[str, Stream]:
        """One direct stream."""
        return {"to_relay": Stream(["number", "target"], direct=True)}

    def initialize(self, conf: Dict[str, Any], context: Dict[str, Any]) -> None:
        """How many numbers, and the relay's task ids."""
        self.count = int(conf["direct.count"])
        self.targets = tasks_of(context, "relay")

    def nextTuple(self) -> None:
        """A failed number first, else the next new one; nothing once every number is out."""
        if self.replay:
            number = self.replay.popleft()
        elif self.next_number < self.count:
            number = self.next_number
            self.next_number += 1
        else:
            time.sleep(0.01)
            return
        target = self.targets[number % len(self.targets)]
        storm.emitDirect(target, [number, target], stream="to_relay", id=number)

    def fail(self, id: Any) -> None:
        """The number's tuple tree failed or timed out: emit it again."""
        self.replay.append(id)


def run() -> None:
    """Entry point on the worker."""
    NumberSpout().run()
