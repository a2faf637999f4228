"""Rolling top words of the Twitter sample stream, with the counts kept in Redis."""

from __future__ import annotations

from typing import Any

from redisrankings import RedisTotalRankingsBolt
from rediswindows import RedisWordCountSettings
from rediswordcount import RedisWordCountBolt
from splittweet import SplitTweetBolt
from twitterstream import TwitterStreamSpout


def create(builder: Any) -> None:
    """tweets -> words -> Redis counters (x4); the ranker reads Redis on its own ticks."""
    settings = RedisWordCountSettings(builder.conf)   # the tick period comes from topology.yaml
    builder.setSpout("spout", TwitterStreamSpout(), 1)
    builder.setBolt("splitter", SplitTweetBolt(), 1).shuffleGrouping("spout")
    builder.setBolt("counter", RedisWordCountBolt(), 4).fieldsGrouping("splitter", ["word"])
    builder.setBolt("total-ranker", RedisTotalRankingsBolt(settings.rankings_emit_secs), 1)
