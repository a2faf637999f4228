"""Keeps what it receives and emits [n, task id]."""

from petrel import storm
from petrel.emitter import BasicBolt


class CollectBolt(BasicBolt):
    def __init__(self):
        super().__init__(script=__file__)
        self.seen = []
        self.task = None
        self.label = None

    def declareOutputFields(self):
        return ["n", "task"]

    def initialize(self, conf, context):
        self.task = context["taskid"]
        self.label = conf.get("example.label")

    def process(self, tup):
        self.seen.append(tup.n)
        storm.emit([tup.n, self.task])


def run():
    CollectBolt().run()
