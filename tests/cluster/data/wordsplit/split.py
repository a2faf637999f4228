from petrel import storm
from petrel.emitter import BasicBolt


class SplitBolt(BasicBolt):
    def __init__(self):
        super().__init__(script=__file__)

    @classmethod
    def declareOutputFields(cls):
        return ["word"]

    def process(self, tup):
        for word in tup.values[0].split():
            storm.emit([word])


def run():
    SplitBolt().run()
