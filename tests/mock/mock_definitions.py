"""Topology definitions named as MODULE.FUNCTION by the petrel.mock tests."""

from typing import Any

from mock_components import CountBolt, ReplayingSpout, SplitBolt


def small(builder: Any) -> None:
    builder.setSpout("spout", ReplayingSpout([]), 1)
    builder.setBolt("split", SplitBolt(), 1).shuffleGrouping("spout")
    builder.setBolt("count", CountBolt(), 1).fieldsGrouping("split", ["word"])


nothing = None
