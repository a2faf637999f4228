"""The splitter: words to the counter (fields grouping), the line's index directly to a sink."""

from __future__ import annotations

import os
from typing import Any, Dict, List

from features_common import FAIL_ONCE, RAISE_ONCE, extras, first_time, record, tasks_of

from petrel import storm
from petrel.emitter import Bolt, Stream


class SplitBolt(Bolt):
    """Acks or fails each ``[index, line]`` itself.

    The first tuple of line FAIL_ONCE is failed explicitly and the first of line RAISE_ONCE
    raises (petrel reports the error and fails the tuple); both are replayed by the spout.
    Every word goes out anchored with the task ids Storm returns recorded in
    ``split.jsonl``; then ``[index, sink task, extras]`` goes directly to sink task
    ``index % 2``.
    """

    def __init__(self) -> None:
        super().__init__(script=__file__)
        self.conf: Dict[str, Any] = {}
        self.task = -1
        self.sinks: List[int] = []

    @classmethod
    def declareOutputFields(cls) -> Dict[str, Stream]:
        """Words on 'default', the direct stream 'to_sink'."""
        return {"default": Stream(["word", "index"]),
                "to_sink": Stream(["index", "target", "extras"], direct=True)}

    def initialize(self, conf: Dict[str, Any], context: Dict[str, Any]) -> None:
        """Its task id and the sink's task ids."""
        self.conf = conf
        self.task = int(context["taskid"])
        self.sinks = tasks_of(context, "sink")
        record(conf, "starts", component="split", task=self.task, pid=os.getpid())

    def process(self, tup: Any) -> None:
        """Fail or raise once as described; otherwise split, send on, ack."""
        index, line = tup.values
        if index == FAIL_ONCE and first_time(self.conf, f"fail-{index}"):
            storm.fail(tup)
            return
        if index == RAISE_ONCE and first_time(self.conf, f"raise-{index}"):
            raise ValueError(f"split refuses line {index} on purpose")
        for word in line.lower().split():
            tasks = storm.emit([word, index], anchors=[tup], need_task_ids=True)
            record(self.conf, "split", task=self.task, word=word, tasks=tasks)
        sink = self.sinks[index % len(self.sinks)]
        storm.emitDirect(sink, [index, sink, extras(index)], stream="to_sink", anchors=[tup])
        storm.ack(tup)


def run() -> None:
    """Entry point on the worker."""
    SplitBolt().run()
