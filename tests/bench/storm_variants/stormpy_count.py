"""Word count's counter written with Storm's storm.py (BasicBolt: anchored emits, acked input)."""

import logging
from collections import defaultdict

import storm

log = logging.getLogger("wordcount")


class WordCountBolt(storm.BasicBolt):
    """Counts ``[word]`` tuples and emits ``[word, count]`` with the word's new count."""

    def initialize(self, conf, context):
        """Start with no counts."""
        self._count = defaultdict(int)

    def process(self, tup):
        """Count the word and emit its count."""
        word = tup.values[0]
        self._count[word] += 1
        log.debug("%s: %d", word, self._count[word])
        storm.emit([word, self._count[word]])


if __name__ == "__main__":
    WordCountBolt().run()
