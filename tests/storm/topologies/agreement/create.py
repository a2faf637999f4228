"""A finite word count: a fixed list of sentences, split, fields grouping on 'word', count."""

from counter import CountBolt
from sentences import SentenceSpout
from splitter import SplitBolt


def create(builder):
    """Called by petrel with a TopologyBuilder."""
    builder.setSpout("sentences", SentenceSpout(), 1)
    builder.setBolt("split", SplitBolt(), 2).shuffleGrouping("sentences")
    builder.setBolt("count", CountBolt(), 2).fieldsGrouping("split", ["word"])
