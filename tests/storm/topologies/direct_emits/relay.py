"""A bolt that records where each number arrived, then emits it directly to one sink task."""

from __future__ import annotations

from typing import Any, Dict, List

from direct_common import record, tasks_of

from petrel import storm
from petrel.emitter import BasicBolt, Stream


class RelayBolt(BasicBolt):
    """Records ``number target own-task``; emits ``[number, sink task]`` on 'to_sink'."""

    def __init__(self) -> None:
        super().__init__(script=__file__)
        self.conf: Dict[str, Any] = {}
        self.task = -1
        self.targets: List[int] = []

    @classmethod
    def declareOutputFields(cls) -> Dict[str, Stream]:
        """One direct stream."""
        return {"to_sink": Stream(["number", "target"], direct=True)}

    def initialize(self, conf: Dict[str, Any], context: Dict[str, Any]) -> None:
        """Its own task id and the sink's task ids."""
        self.conf = conf
        self.task = int(context["taskid"])
        self.targets = tasks_of(context, "sink")

    def process(self, tup: Any) -> None:
        """Record the arrival, pass the number on to the sink task it picks."""
        number, target = tup.values
        record(self.conf, "relay", self.task, number, target)
        sink = self.targets[number % len(self.targets)]
        storm.emitDirect(sink, [number, sink], stream="to_sink")


def run() -> None:
    """Entry point on the worker."""
    RelayBolt().run()
