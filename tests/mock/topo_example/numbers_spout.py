"""Emits 0 .. example.count - 1, reliably, then nothing."""

from petrel import storm
from petrel.emitter import Spout


class NumberSpout(Spout):
    def __init__(self):
        super().__init__(script=__file__)

    def declareOutputFields(self):
        return ["n"]

    def initialize(self, conf, context):
        self.todo = list(range(conf["example.count"]))

    def nextTuple(self):
        if self.todo:
            n = self.todo.pop(0)
            storm.emit([n], id=f"n{n}")


def run():
    NumberSpout().run()
