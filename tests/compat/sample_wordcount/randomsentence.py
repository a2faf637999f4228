# ruff: noqa: UP008, I001  (old Petrel's style, kept as its users wrote it)
import logging
import random
import time

from petrel import storm
from petrel.emitter import Spout

log = logging.getLogger('randomsentence')

log.debug('randomsentence loading')


class RandomSentenceSpout(Spout):
    def __init__(self):
        super(RandomSentenceSpout, self).__init__(script=__file__)

    @classmethod
    def declareOutputFields(cls):
        return ['sentence']

    sentences = [
        "the cow jumped over the moon",
        "an apple a day keeps the doctor away",
        "four score and seven years ago",
        "snow white and the seven dwarfs",
        "i am at two with nature",
    ]

    def nextTuple(self):
        time.sleep(0.25)
        sentence = self.sentences[random.randint(0, len(self.sentences) - 1)]
        log.debug('randomsentence emitting: %s', sentence)
        storm.emit([sentence])


def run():
    RandomSentenceSpout().run()
