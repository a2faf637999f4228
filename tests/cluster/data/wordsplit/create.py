from sentences import SentenceSpout
from split import SplitBolt


def create(builder):
    builder.setSpout("spout", SentenceSpout(), 1)
    builder.setBolt("split", SplitBolt(), 2).shuffleGrouping("spout")
