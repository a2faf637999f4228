"""Word count's spout written with pystorm: the same work per tuple as RandomSentenceSpout."""

import logging
import random
import time
from collections import deque

from pystorm import Spout

log = logging.getLogger("randomsentence")


class RandomSentenceSpout(Spout):
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

    def next_tuple(self):
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
        self.emit([sentence], tup_id=msg_id)

    def ack(self, tup_id):
        """The sentence was fully counted: forget it."""
        self.pending.pop(tup_id, None)

    def fail(self, tup_id):
        """The sentence failed or timed out: emit it again."""
        if tup_id in self.pending:
            log.info("sentence %s failed; emitting it again", tup_id)
            self.replay.append(tup_id)


if __name__ == "__main__":
    RandomSentenceSpout().run()
