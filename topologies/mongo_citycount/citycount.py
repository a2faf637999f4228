"""The city counter: finds the cities each tweet mentions and counts them per minute in MongoDB."""

from __future__ import annotations

import logging
from typing import Any, Dict, List

from cityminutes import MongoCitySettings, MongoLink, record_mention, utc_now
from geocities import CityFinder

from petrel import storm
from petrel.emitter import BasicBolt

log = logging.getLogger(__name__)


class CityCountBolt(BasicBolt):
    """Upserts ``{hour, minute, city}`` with ``$inc: {count: 1}`` for each city in a tweet.

    The unique (minute, city) index is created when the bolt starts. While MongoDB is
    unreachable each tweet is failed (the spout emits it again later) and the problem is
    logged and reported once: no crash, no restart loop.
    """

    def __init__(self) -> None:
        super().__init__(script=__file__)

    @classmethod
    def declareOutputFields(cls) -> List[str]:
        """Nothing: the counts live in MongoDB."""
        return []

    def initialize(self, conf: Dict[str, Any], context: Dict[str, Any]) -> None:
        """Load geotext, connect to MongoDB and create the unique index."""
        self.finder = CityFinder()
        settings = MongoCitySettings(conf)
        log.info("counting city mentions into %r", settings)
        self.link = MongoLink(settings, on_down=storm.reportError)
        self.link.get()

    def process(self, tup: Any) -> None:
        """Count each city of one tweet in the current minute."""
        cities = self.finder.cities(tup.values[0])
        if not cities:
            return
        collection = self.link.get()
        if collection is None:
            storm.fail(tup)
            return
        when = utc_now()
        try:
            for city in cities:
                record_mention(collection, city, when, self.link.duplicate_key_error)
        except self.link.errors as exc:
            self.link.broken(exc)
            storm.fail(tup)


def run() -> None:
    """Worker entry point."""
    CityCountBolt().run()
