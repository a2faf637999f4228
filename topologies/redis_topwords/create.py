"""Rolling top words of the Twitter sample stream, with the counts kept in Redis."""

from __future__ import annotations

from typing import Any

from redisrankings import RedisTotalRankingsBolt
from rediswindows import RedisWordCountSettings
from rediswordcount import RedisWordCountBolt
from tweetsplitter import TweetSplitterBolt
from tweetspout import TweetSpout


def create(builder: Any) -> None:
    """tweets -> words -> Redis counters (x4); the ranker reads Redis on its own ticks."""
    settings = RedisWordCountSettings(builder.conf)   # the tick period comes from topology.yaml
    builder.setSpout("spout", TweetSpout(), 1)
    builder.setBolt("splitter", TweetSplitterBolt(), 1).shuffleGrouping("spout")
    builder.setBolt("counter", RedisWordCountBolt(), 4).fieldsGrouping("splitter", ["word"])
    builder.setBolt("total-ranker", RedisTotalRankingsBolt(settings.rankings_emit_secs), 1)
