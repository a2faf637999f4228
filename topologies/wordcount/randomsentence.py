"""The spout: emits one of the book's two sentences at a time, reliably (with message ids)."""

from __future__ import annotations

import logging
import random
import time
from collections import deque
from typing import Any, Deque, Dict, List

from petrel import storm
from petrel.emitter import Spout

log = logging.getLogger("randomsentence")


class RandomSentenceSpout(Spout):
    """Emits ``[sentence]`` with a message id; a failed sentence is emitted again.

    ``wordcount.sentence_interval_secs`` in topology.yaml sets the pause before each new
    sentence (the book's 0.25 s by default; 0 emits as fast as the topology allows).
    """

    sentences = [
        "the cow jumped over the moon",
        "an apple a day keeps the doctor away",
    ]

    def __init__(self) -> None:
        super().__init__(script=__file__)
        self.interval = 0.25
        self.next_id = 0
        self.pending: Dict[int, str] = {}   # message id -> sentence, until acked
        self.replay: Deque[int] = deque()   # failed ids, emitted again first

    @classmethod
    def declareOutputFields(cls) -> List[str]:
        """One field: the sentence."""
        return ["sentence"]

    def initialize(self, conf: Dict[str, Any], context: Dict[str, Any]) -> None:
        """Read the pause between sentences from the topology config."""
        self.interval = float(conf.get("wordcount.sentence_interval_secs", self.interval))

    def nextTuple(self) -> None:
        """Emit a failed sentence again, or a new random one."""
        if self.replay:
            msg_id = self.replay.popleft()
            sentence = self.pending[msg_id]
        else:
            if self.interval > 0:
                time.sleep(self.interval)
            sentence = random.choice(self.sentences)
            msg_id = self.next_id
            self.next_id += 1
            self.pending[msg_id] = sentence
        log.debug("randomsentence emitting: %s", sentence)
        storm.emit([sentence], id=msg_id)

    def ack(self, id: Any) -> None:
        """The sentence was fully counted: forget it."""
        self.pending.pop(id, None)

    def fail(self, id: Any) -> None:
        """The sentence failed or timed out: emit it again."""
        if id in self.pending:
            log.info("sentence %s failed; emitting it again", id)
            self.replay.append(id)


def run() -> None:
    """Entry point on the worker (``python -m petrel.run randomsentence``)."""
    RandomSentenceSpout().run()
