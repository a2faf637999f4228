"""The spout: the same few sentences over and over, about 20 a second, unreliably."""

from __future__ import annotations

import itertools
import time
from typing import Any, Dict, Iterator, List

from petrel import storm
from petrel.emitter import Spout

SENTENCES = ["the cow jumped over the moon", "an apple a day keeps the doctor away",
             "four score and seven years ago"]


class SentenceSpout(Spout):
    """Emits ``[sentence]`` every 50 ms, without a message id."""

    def __init__(self) -> None:
        super().__init__(script=__file__)
        self.cycle: Iterator[str] = iter(())

    @classmethod
    def declareOutputFields(cls) -> List[str]:
        """One field: the sentence."""
        return ["sentence"]

    def initialize(self, conf: Dict[str, Any], context: Dict[str, Any]) -> None:
        """Start the endless cycle of sentences."""
        self.cycle = itertools.cycle(SENTENCES)

    def nextTuple(self) -> None:
        """One sentence, then a short rest."""
        storm.emit([next(self.cycle)])
        time.sleep(0.05)


def run() -> None:
    """Entry point on the worker."""
    SentenceSpout().run()
