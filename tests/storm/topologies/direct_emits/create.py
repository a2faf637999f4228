"""Direct groupings from a spout and from a bolt: numbers -> relay -> sink, each tuple sent
straight to one task chosen by its number."""

from numbers_spout import NumberSpout
from relay import RelayBolt
from sink import SinkBolt


def create(builder):
    """Called by petrel with a TopologyBuilder."""
    builder.setSpout("numbers", NumberSpout(), 1)
    builder.setBolt("relay", RelayBolt(), 2).directGrouping("numbers", "to_relay")
    builder.setBolt("sink", SinkBolt(), 2).directGrouping("relay", "to_sink")
