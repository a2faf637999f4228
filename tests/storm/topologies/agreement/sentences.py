"""The spout: every line of sentences.txt once, reliably; a failed line is emitted again."""

from __future__ import annotations

import os
import time
from collections import deque
from typing import Any, Deque, Dict, List

from petrel import storm
from petrel.emitter import Spout

SENTENCES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sentences.txt")


def read_sentences(path: str = SENTENCES) -> List[str]:
    """The non-empty lines of ``path``, stripped."""
    with open(path, encoding="utf-8") as f:
        return [line.strip() for line in f if line.strip()]


class SentenceSpout(Spout):
    """Emits ``[sentence]`` for each line of sentences.txt with its line number as message id,
    then nothing more (failed lines are emitted again until acked)."""

    def __init__(self) -> None:
        super().__init__(script=__file__)
        self.sentences: List[str] = []
        self.next_index = 0
        self.replay: Deque[int] = deque()

    @classmethod
    def declareOutputFields(cls) -> List[str]:
        """One field: the sentence."""
        return ["sentence"]

    def initialize(self, conf: Dict[str, Any], context: Dict[str, Any]) -> None:
        """Read the fixed list of sentences shipped in the jar."""
        self.sentences = read_sentences()

    def nextTuple(self) -> None:
        """A failed line first, else the next new one; nothing once every line is out."""
        if self.replay:
            index = self.replay.popleft()
        elif self.next_index < len(self.sentences):
            index = self.next_index
            self.next_index += 1
        else:
            time.sleep(0.01)
            return
        storm.emit([self.sentences[index]], id=index)

    def fail(self, id: Any) -> None:
        """The line's tuple tree failed or timed out: emit it again."""
        storm.logWarn(f"sentence {id} failed; emitting it again")
        self.replay.append(id)


def run() -> None:
    """Entry point on the worker (``python -m petrel.run sentences``)."""
    SentenceSpout().run()
