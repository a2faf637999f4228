"""City mentions in tweets, counted per minute in MongoDB."""

from __future__ import annotations

from typing import Any

from citycount import CityCountBolt
from tweetspout import TweetSpout


def create(builder: Any) -> None:
    """tweets -> city counters (x2), which upsert into MongoDB."""
    builder.setSpout("spout", TweetSpout(), 1)
    builder.setBolt("city-counter", CityCountBolt(), 2).shuffleGrouping("spout")
