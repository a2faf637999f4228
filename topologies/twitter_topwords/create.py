"""Rolling top words of the Twitter sample stream: the book's Twitter topology."""

from __future__ import annotations

from typing import Any

from intermediaterankings import IntermediateRankingsBolt
from rollingcount import RollingCountBolt
from topology_settings import WordCountSettings
from totalrankings import TotalRankingsBolt
from tweetsplitter import TweetSplitterBolt
from tweetspout import TweetSpout


def create(builder: Any) -> None:
    """tweets -> words -> rolling counts (x4) -> intermediate top N (x4) -> total top N."""
    settings = WordCountSettings(builder.conf)   # the tick periods come from topology.yaml
    builder.setSpout("spout", TweetSpout(), 1)
    builder.setBolt("splitter", TweetSplitterBolt(), 1).shuffleGrouping("spout")
    builder.setBolt("counter", RollingCountBolt(settings.window_duration), 4) \
        .fieldsGrouping("splitter", ["word"])
    builder.setBolt("intermediate-ranker", IntermediateRankingsBolt(settings.rankings_emit_secs),
                    4).fieldsGrouping("counter", ["word"])
    builder.setBolt("total-ranker", TotalRankingsBolt(settings.rankings_emit_secs), 1) \
        .globalGrouping("intermediate-ranker")
