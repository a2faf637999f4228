"""Word count's counter written with pystorm (auto-anchored emits, auto-acked input)."""

import logging
from collections import defaultdict

from pystorm import Bolt

log = logging.getLogger("wordcount")


class WordCountBolt(Bolt):
    """Counts ``[word]`` tuples and emits ``[word, count]`` with the word's new count."""

    auto_anchor = True
    auto_ack = True
    auto_fail = True

    def initialize(self, conf, context):
        """Start with no counts."""
        self._count = defaultdict(int)

    def process(self, tup):
        """Count the word and emit its count."""
        word = tup.values[0]
        self._count[word] += 1
        log.debug("%s: %d", word, self._count[word])
        self.emit([word, self._count[word]])


if __name__ == "__main__":
    WordCountBolt().run()
