"""The pass-through topology's spout in petrel: sentences in batches, without message ids.

Unreliable on purpose: no ack comes back to the spout, and a batch of sentences per
``nextTuple`` saves most of its round trips with Storm, so the bolt after it, not the spout,
bounds the rate (Storm's backpressure stops calling ``nextTuple`` while the bolt's queue is
full).
"""

from __future__ import annotations

from typing import Any, Dict, List

from petrel import storm
from petrel.emitter import Spout

SENTENCES = ["the cow jumped over the moon", "an apple a day keeps the doctor away"]
BATCH = 100


class BatchSpout(Spout):
    """Emits BATCH ``[sentence]`` tuples per ``nextTuple``, alternating the two sentences."""

    def __init__(self) -> None:
        super().__init__(script=__file__)
        self.batch = [[SENTENCES[i % 2]] for i in range(BATCH)]

    @classmethod
    def declareOutputFields(cls) -> List[str]:
        """One field: the sentence."""
        return ["sentence"]

    def initialize(self, conf: Dict[str, Any], context: Dict[str, Any]) -> None:
        """Nothing to read."""

    def nextTuple(self) -> None:
        """One batch of sentences, without message ids."""
        for values in self.batch:
            storm.emit(values)


def run() -> None:
    """Entry point on the worker."""
    BatchSpout().run()
