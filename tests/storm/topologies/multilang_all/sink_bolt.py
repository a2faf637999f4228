"""The sink: records every direct tuple it gets, with its own task id."""

from __future__ import annotations

import os
from typing import Any, Dict, List

from features_common import record

from petrel.emitter import BasicBolt


class SinkBolt(BasicBolt):
    """Records ``[index, target task, extras]`` and its own task in ``sink.jsonl``."""

    def __init__(self) -> None:
        super().__init__(script=__file__)
        self.conf: Dict[str, Any] = {}
        self.task = -1

    @classmethod
    def declareOutputFields(cls) -> List[str]:
        """Emits nothing."""
        return []

    def initialize(self, conf: Dict[str, Any], context: Dict[str, Any]) -> None:
        """Its own task id."""
        self.conf = conf
        self.task = int(context["taskid"])
        record(conf, "starts", component="sink", task=self.task, pid=os.getpid())

    def process(self, tup: Any) -> None:
        """Record the arrival."""
        index, target, extras = tup.values
        record(self.conf, "sink", index=index, target=target, task=self.task, extras=extras)


def run() -> None:
    """Entry point on the worker."""
    SinkBolt().run()
