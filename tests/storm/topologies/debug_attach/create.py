"""A steady spout and a bolt that stops in petrel's embedded rpdb2 debugger on its first
tuple, as docs/debugging.md shows."""

from sentences import SentenceSpout
from split import SplitBolt


def create(builder):
    """Called by petrel with a TopologyBuilder."""
    builder.setSpout("sentences", SentenceSpout(), 1)
    builder.setBolt("split", SplitBolt(), 1).shuffleGrouping("sentences")
