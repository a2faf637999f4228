"""The counter: a running count per word (the fields grouping on 'word' sends each word to
the same task every time, so each task's counts are complete for its words)."""

from __future__ import annotations

import logging
from collections import defaultdict
from typing import Any, DefaultDict, List

from petrel import storm
from petrel.emitter import BasicBolt

log = logging.getLogger("wordcount")


class WordCountBolt(BasicBolt):
    """Counts ``[word]`` tuples and emits ``[word, count]`` with the word's new count."""

    def __init__(self) -> None:
        super().__init__(script=__file__)
        self._count: DefaultDict[str, int] = defaultdict(int)

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


def run() -> None:
    """Entry point on the worker (``python -m petrel.run wordcount``)."""
    WordCountBolt().run()
