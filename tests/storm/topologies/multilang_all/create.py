"""Every multilang feature in one small topology: reliable emits with task-id lists,
explicit fails and errors, fields and direct groupings, tick tuples, logs."""

from count_bolt import CountBolt
from lines_spout import LineSpout
from sink_bolt import SinkBolt
from split_bolt import SplitBolt


def create(builder):
    """Called by petrel with a TopologyBuilder."""
    builder.setSpout("lines", LineSpout(), 1)
    builder.setBolt("split", SplitBolt(), 2).shuffleGrouping("lines")
    builder.setBolt("count", CountBolt(), 2).fieldsGrouping("split", ["word"])
    builder.setBolt("sink", SinkBolt(), 2).directGrouping("split", "to_sink")
