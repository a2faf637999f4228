"""A small topology for petrel.mock's tests: numbers -> parity -> evens / odds."""

from collect import CollectBolt
from numbers_spout import NumberSpout
from parity import ParityBolt


def create(builder):
    builder.setSpout("numbers", NumberSpout(), 1)
    builder.setBolt("parity", ParityBolt(), 2).shuffleGrouping("numbers")
    builder.setBolt("evens", CollectBolt(), 1).fieldsGrouping("parity", ["n"], "even")
    builder.setBolt("odds", CollectBolt(), 2).globalGrouping("parity", "odd")
