"""The tweet spout: emits the text of each tweet, reliably (replayed when its tree fails).

Tweets come from Twitter's sample stream when a bearer token is configured, otherwise
from the replay file shipped with the topology (see tweetsource.py for the settings).

Shared by the tweet topologies: each one's create.py declares ``TweetSpout`` as it is,
and its manifest ships this module from ``[from ../common]`` (the worker runs it at the
jar's root, through ``_petrel_launch_tweetspout.py``).
"""

from __future__ import annotations

import collections
import logging
import queue
from typing import Any, Deque, Dict, List, Tuple

from tweetsource import TwitterSettings, open_source

from petrel import storm
from petrel.emitter import Spout

log = logging.getLogger(__name__)

# A tweet whose tuple tree failed this many times is dropped (and logged), not retried forever.
MAX_FAILURES = 3


class TweetSpout(Spout):
    """Emits ``[tweet]`` for each tweet with a message id, so failed tweets are emitted again."""

    @classmethod
    def declareOutputFields(cls) -> List[str]:
        """One field: the tweet's text."""
        return ["tweet"]

    def initialize(self, conf: Dict[str, Any], context: Dict[str, Any]) -> None:
        """Read the twitter.* settings and start the background reader."""
        settings = TwitterSettings(conf)
        log.info("tweet source settings: %r", settings)
        self.tweets: queue.Queue[str] = queue.Queue(maxsize=settings.queue_size)
        self.source = open_source(settings, self.tweets).start()
        self.pending: Dict[int, Tuple[str, int]] = {}
        self.retries: Deque[int] = collections.deque()
        self.next_id = 1

    def nextTuple(self) -> None:
        """Emit one tweet if one is waiting (a failed one first); never blocks."""
        if self.retries:
            msg_id = self.retries.popleft()
            entry = self.pending.get(msg_id)
            if entry is None:       # acked after it failed: nothing left to emit again
                return
            text = entry[0]
        else:
            try:
                text = self.tweets.get_nowait()
            except queue.Empty:
                return
            msg_id = self.next_id
            self.next_id += 1
            self.pending[msg_id] = (text, 0)
        storm.emit([text], id=msg_id)

    def ack(self, id: Any) -> None:
        """The tweet was fully processed: forget it."""
        self.pending.pop(id, None)

    def fail(self, id: Any) -> None:
        """Emit the tweet again, unless it already failed MAX_FAILURES times."""
        entry = self.pending.get(id)
        if entry is None:
            return
        text, failures = entry[0], entry[1] + 1
        if failures >= MAX_FAILURES:
            del self.pending[id]
            log.error("tweet %s failed %d times, dropped: %r", id, failures, text[:80])
            return
        self.pending[id] = (text, failures)
        self.retries.append(id)

