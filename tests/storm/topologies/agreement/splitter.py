"""The splitter: one ``[word]`` per whitespace-separated word, anchored to the sentence."""

from __future__ import annotations

from typing import Any, List

from petrel import storm
from petrel.emitter import BasicBolt


class SplitBolt(BasicBolt):
    """Splits ``[sentence]`` and emits each lower-cased word."""

    def __init__(self) -> None:
        super().__init__(script=__file__)

    @classmethod
    def declareOutputFields(cls) -> List[str]:
        """One field: the word."""
        return ["word"]

    def process(self, tup: Any) -> None:
        """Emit every word of the sentence."""
        for word in tup.values[0].lower().split():
            storm.emit([word])


def run() -> None:
    """Entry point on the worker (``python -m petrel.run splitter``)."""
    SplitBolt().run()
