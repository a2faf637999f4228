"""A finite, reliable spout of message ids and a bolt that fails on purpose, as configured."""

from flaky import FlakyBolt
from ids import IdSpout


def create(builder):
    """Called by petrel with a TopologyBuilder."""
    builder.setSpout("ids", IdSpout(), 1)
    builder.setBolt("flaky", FlakyBolt(), 1).shuffleGrouping("ids")
