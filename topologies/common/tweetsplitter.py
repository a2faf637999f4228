"""The splitter: tweet text in, one tuple per countable word out (NLTK, stop words dropped).

Shared by twitter_topwords and redis_topwords: each one's create.py declares
``TweetSplitterBolt`` as it is, and its manifest ships this module from
``[from ../common]``.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List

from tweetwords import TweetWords

from petrel import storm
from petrel.emitter import BasicBolt

log = logging.getLogger(__name__)


class TweetSplitterBolt(BasicBolt):
    """Emits ``[word]`` for each lower-case alphabetic non-stop word of a tweet."""

    @classmethod
    def declareOutputFields(cls) -> List[str]:
        """One field: the word."""
        return ["word"]

    def initialize(self, conf: Dict[str, Any], context: Dict[str, Any]) -> None:
        """Load the tokenizer and the stop words (NLTK's if downloaded, else the bundled list)."""
        self.splitter = TweetWords()
        log.info("%d stop words (%s list)", len(self.splitter.stop_words),
                 self.splitter.stop_words_source)

    def process(self, tup: Any) -> None:
        """Split one tweet."""
        for word in self.splitter.words(tup.values[0]):
            storm.emit([word])

