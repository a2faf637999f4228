"""The counter: a running count per word (the fields grouping on 'word' sends each word to
the same task every time, so each task's counts are complete for its words)."""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from typing import Any, DefaultDict, Dict, List, Optional

from petrel import storm
from petrel.emitter import BasicBolt

log = logging.getLogger("wordcount")


class WordCountBolt(BasicBolt):
    """Counts ``[word]`` tuples and emits ``[word, count]`` with the word's new count."""

    def __init__(self) -> None:
        super().__init__(script=__file__)
        self._count: DefaultDict[str, int] = defaultdict(int)
        self._storm_id: Optional[str] = None

    def initialize(self, conf: Dict[str, Any], context: Dict[str, Any]) -> None:
        """Note which run of the topology this is, for the final counts."""
        self._storm_id = conf.get("storm.id")

    @classmethod
    def declareOutputFields(cls) -> List[str]:
        """The word and how many times this task has seen it."""
        return ["word", "count"]

    def process(self, tup: Any) -> None:
        """Count the word and emit its count."""
        word = tup.values[0]
        self._count[word] += 1
        log.debug("%s: %d", word, self._count[word])
        storm.emit([word, self._count[word]])

    def log_final_counts(self) -> None:
        """Log every count of this task on one line, for ``topwords.py`` to read."""
        log.info("%s %s", FINAL_COUNTS,
                 json.dumps({"storm.id": self._storm_id, "counts": self._count}, sort_keys=True))


# The line each task logs when the run ends; topwords.py merges them into the top words.
FINAL_COUNTS = "final counts:"


def run() -> None:
    """Entry point on the worker (``python -m petrel.run wordcount``)."""
    bolt = WordCountBolt()
    try:
        bolt.run()   # returns when the run ends and the pipes close
    finally:
        bolt.log_final_counts()
