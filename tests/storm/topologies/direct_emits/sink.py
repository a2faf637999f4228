"""The last bolt: records where each number arrived."""

from __future__ import annotations

from typing import Any, Dict

from direct_common import record

from petrel.emitter import BasicBolt


class SinkBolt(BasicBolt):
    """Records ``number target own-task``."""

    def __init__(self) -> None:
        super().__init__(script=__file__)
        self.conf: Dict[str, Any] = {}
        self.task = -1

    def initialize(self, conf: Dict[str, Any], context: Dict[str, Any]) -> None:
        """Its own task id."""
        self.conf = conf
        self.task = int(context["taskid"])

    def process(self, tup: Any) -> None:
        """Record the arrival."""
        number, target = tup.values
        record(self.conf, "sink", self.task, number, target)


def run() -> None:
    """Entry point on the worker."""
    SinkBolt().run()
