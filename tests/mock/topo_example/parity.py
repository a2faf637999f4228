"""Sends even numbers on stream 'even', odd ones on 'odd'."""

from petrel import storm
from petrel.emitter import BasicBolt


class ParityBolt(BasicBolt):
    def __init__(self):
        super().__init__(script=__file__)

    def declareOutputFields(self):
        return {"even": ["n"], "odd": ["n"]}

    def process(self, tup):
        storm.emit([tup.n], stream="even" if tup.n % 2 == 0 else "odd")


def run():
    ParityBolt().run()
