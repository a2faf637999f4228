"""The total ranker: merges every intermediate ranking and logs the overall top N on each tick."""

from __future__ import annotations

import logging
from typing import Any, Dict, List

from rankings import MergedRankings
from topology_settings import WordCountSettings

from petrel import storm
from petrel.emitter import BasicBolt

log = logging.getLogger(__name__)


class TotalRankingsBolt(BasicBolt):
    """Each tick, logs ``Emitting: ['like', 31]`` and emits ``[word, count]`` for the top N."""

    def __init__(self, emit_frequency_secs: int = 15) -> None:
        super().__init__(script=__file__)
        self.emit_frequency_secs = emit_frequency_secs

    @classmethod
    def declareOutputFields(cls) -> List[str]:
        """The word and its count over the window."""
        return ["word", "count"]

    def getComponentConfiguration(self) -> Dict[str, Any]:
        """Ask Storm for a tick tuple every ``emit_frequency_secs`` seconds."""
        return {"topology.tick.tuple.freq.secs": self.emit_frequency_secs}

    def initialize(self, conf: Dict[str, Any], context: Dict[str, Any]) -> None:
        """Size the ranking from topology.yaml."""
        self.rankings = MergedRankings(WordCountSettings(conf).top_n)

    def process(self, tup: Any) -> None:
        """Keep each intermediate task's latest ranking; on a tick emit the merged top N."""
        if tup.is_tick_tuple():
            top = self.rankings.top()
            log.info("Top %d words:", len(top))
            for pair in top:
                log.info("Emitting: %r", pair)
                storm.emit(pair)
        else:
            self.rankings.replace(tup.task, tup.values[0])


def run() -> None:
    """Worker entry point."""
    TotalRankingsBolt().run()
