"""The Redis ranker: on each tick, the top N words of the last windows, read from Redis."""

from __future__ import annotations

import logging
from typing import Any, Dict, List

from rediswindows import RedisLink, RedisWordCountSettings, RedisWordWindows

from petrel import storm
from petrel.emitter import BasicBolt

log = logging.getLogger(__name__)


class RedisTotalRankingsBolt(BasicBolt):
    """Each tick: ``ZUNIONSTORE`` the last windows, ``ZREVRANGE`` the top N, log and emit them.

    It needs no input stream: Storm sends tick tuples to every bolt that asks for them.
    """

    def __init__(self, emit_frequency_secs: int = 15) -> None:
        super().__init__(script=__file__)
        self.emit_frequency_secs = emit_frequency_secs

    @classmethod
    def declareOutputFields(cls) -> List[str]:
        """The word and its count over the last windows."""
        return ["word", "count"]

    def getComponentConfiguration(self) -> Dict[str, Any]:
        """Ask Storm for a tick tuple every ``emit_frequency_secs`` seconds."""
        return {"topology.tick.tuple.freq.secs": self.emit_frequency_secs}

    def initialize(self, conf: Dict[str, Any], context: Dict[str, Any]) -> None:
        """Connect to Redis; an unreachable server is reported now and retried later."""
        settings = RedisWordCountSettings(conf)
        self.top_n = settings.top_n
        self.windows = RedisWordWindows(settings.num_windows, settings.window_duration)
        self.link = RedisLink(settings.redis_url, on_down=storm.reportError)
        self.link.get()

    def process(self, tup: Any) -> None:
        """On a tick, rank; other tuples are not expected and only acked."""
        if not tup.is_tick_tuple():
            return
        client = self.link.get()
        if client is None:
            return
        try:
            top = self.windows.top(client, self.top_n)
        except self.link.errors as exc:
            self.link.broken(exc)
            return
        log.info("Top %d words:", len(top))
        for pair in top:
            log.info("Emitting: %r", pair)
            storm.emit(pair)


def run() -> None:
    """Worker entry point."""
    RedisTotalRankingsBolt().run()
