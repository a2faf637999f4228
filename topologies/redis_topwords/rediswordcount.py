"""The Redis counter: adds each word to the current window's sorted set in Redis."""

from __future__ import annotations

from typing import Any, Dict, List

from rediswindows import RedisLink, RedisWordCountSettings, RedisWordWindows

from petrel import storm
from petrel.emitter import BasicBolt


class RedisWordCountBolt(BasicBolt):
    """``ZINCRBY twitter_word_count:<window start> 1 <word>`` plus ``EXPIREAT``, per word.

    While Redis is unreachable each word tuple is failed (so the spout emits its tweet
    again later) and the problem is logged and reported once: no crash, no restart loop.
    """

    def __init__(self) -> None:
        super().__init__(script=__file__)

    @classmethod
    def declareOutputFields(cls) -> List[str]:
        """Nothing: the counts live in Redis."""
        return []

    def initialize(self, conf: Dict[str, Any], context: Dict[str, Any]) -> None:
        """Connect to Redis; an unreachable server is reported now and retried later."""
        settings = RedisWordCountSettings(conf)
        self.windows = RedisWordWindows(settings.num_windows, settings.window_duration)
        self.link = RedisLink(settings.redis_url, on_down=storm.reportError)
        self.link.get()

    def process(self, tup: Any) -> None:
        """Count one word in the current window, or fail the tuple while Redis is down."""
        client = self.link.get()
        if client is None:
            storm.fail(tup)
            return
        try:
            self.windows.add(client, tup.values[0])
        except self.link.errors as exc:
            self.link.broken(exc)
            storm.fail(tup)


def run() -> None:
    """Worker entry point."""
    RedisWordCountBolt().run()
