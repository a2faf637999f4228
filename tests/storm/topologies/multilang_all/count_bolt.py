"""The counter: word counts per task, and tick tuples once a second."""

from __future__ import annotations

import json
import os
from collections import Counter
from typing import Any, Dict, List, Optional

from features_common import LOG_MARKER, RECORD_DIR_KEY, record

from petrel import storm
from petrel.emitter import BasicBolt


class CountBolt(BasicBolt):
    """Counts ``[word, index]``; after each word the task's counts replace
    ``counts-<task>.json``. Tick tuples are recorded in ``ticks.jsonl``, the first one
    also logged."""

    def __init__(self) -> None:
        super().__init__(script=__file__)
        self.conf: Dict[str, Any] = {}
        self.counts: Counter = Counter()
        self.task = -1
        self.ticks = 0
        self.path: Optional[str] = None

    @classmethod
    def declareOutputFields(cls) -> List[str]:
        """Emits nothing."""
        return []

    def getComponentConfiguration(self) -> Dict[str, Any]:
        """A tick tuple every second."""
        return {"topology.tick.tuple.freq.secs": 1}

    def initialize(self, conf: Dict[str, Any], context: Dict[str, Any]) -> None:
        """Name this task's counts file."""
        self.conf = conf
        self.task = int(context["taskid"])
        self.path = os.path.join(str(conf[RECORD_DIR_KEY]), f"counts-{self.task}.json")
        record(conf, "starts", component="count", task=self.task, pid=os.getpid())

    def process(self, tup: Any) -> None:
        """Count a word, or record a tick."""
        if tup.is_tick_tuple():
            self.ticks += 1
            record(self.conf, "ticks", task=self.task, values=tup.values)
            if self.ticks == 1:
                storm.log(f"{LOG_MARKER} count task {self.task} got its first tick")
            return
        self.counts[tup.values[0]] += 1
        assert self.path is not None
        aside = f"{self.path}.{os.getpid()}.tmp"
        with open(aside, "w", encoding="utf-8") as f:
            json.dump(dict(self.counts), f, sort_keys=True)
        os.replace(aside, self.path)


def run() -> None:
    """Entry point on the worker."""
    CountBolt().run()
