from petrel import storm
from petrel.emitter import Spout


class SentenceSpout(Spout):
    def __init__(self):
        super().__init__(script=__file__)

    @classmethod
    def declareOutputFields(cls):
        return ["sentence"]

    def nextTuple(self):
        storm.emit(["the cow jumped over the moon"])


def run():
    SentenceSpout().run()
