"""Word count's spout written with Storm's own storm.py (fetched at bench time, not shipped)."""

import logging
import random
import time
from collections import deque

import storm

log = logging.getLogger("randomsentence")


class RandomSentenceSpout(storm.Spout):
    """Emits ``[sentence]`` with a message id; a failed sentence is emitted again."""

    sentences = [
        "the cow jumped over the moon",
        "an apple a day keeps the doctor away",
    ]

    def initialize(self, conf, context):
        """Read the pause between sentences from the topology config."""
        self.interval = float(conf.get("wordcount.sentence_interval_secs", 0.25))
        self.next_id = 0
        self.pending = {}
        self.replay = deque()

    def nextTuple(self):
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

    def ack(self, id):
        """The sentence was fully counted: forget it."""
        self.pending.pop(id, None)

    def fail(self, id):
        """The sentence failed or timed out: emit it again."""
        if id in self.pending:
            log.info("sentence %s failed; emitting it again", id)
            self.replay.append(id)


if __name__ == "__main__":
    RandomSentenceSpout().run()
