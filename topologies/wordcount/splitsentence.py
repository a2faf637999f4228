"""The splitter: one tuple per word of each sentence."""

from __future__ import annotations

from typing import Any, List

from petrel import storm
from petrel.emitter import BasicBolt


class SplitSentenceBolt(BasicBolt):
    """Splits ``[sentence]`` on spaces and emits ``[word]`` for each word, anchored to it."""

    def __init__(self) -> None:
        super().__init__(script=__file__)

    @classmethod
    def declareOutputFields(cls) -> List[str]:
        """One field: the word."""
        return ["word"]

    def process(self, tup: Any) -> None:
        """Emit every word of the sentence."""
        for word in tup.values[0].split(" "):
            storm.emit([word])


def run() -> None:
    """Entry point on the worker (``python -m petrel.run splitsentence``)."""
    SplitSentenceBolt().run()
