"""The intermediate ranker: top N of the words its task sees, emitted on each tick."""

from __future__ import annotations

from typing import Any, Dict, List

from rankings import Rankings
from topology_settings import WordCountSettings

from petrel import storm
from petrel.emitter import BasicBolt


class IntermediateRankingsBolt(BasicBolt):
    """Keeps the latest count of each word it receives; each tick emits ``[top_n_pairs]``.

    Fields grouping on ``word`` gives each task its own share of the words, so the total
    ranker only has to merge a few short lists.
    """

    def __init__(self, emit_frequency_secs: int = 15) -> None:
        super().__init__(script=__file__)
        self.emit_frequency_secs = emit_frequency_secs

    @classmethod
    def declareOutputFields(cls) -> List[str]:
        """One field: the ranking, a list of ``[word, count]`` pairs, best first."""
        return ["rankings"]

    def getComponentConfiguration(self) -> Dict[str, Any]:
        """Ask Storm for a tick tuple every ``emit_frequency_secs`` seconds."""
        return {"topology.tick.tuple.freq.secs": self.emit_frequency_secs}

    def initialize(self, conf: Dict[str, Any], context: Dict[str, Any]) -> None:
        """Size the ranking from topology.yaml."""
        self.rankings = Rankings(WordCountSettings(conf).top_n)

    def process(self, tup: Any) -> None:
        """Update one word's count, or on a tick emit the current top N (even if empty)."""
        if tup.is_tick_tuple():
            storm.emit([self.rankings.top()])
        else:
            word, count = tup.values
            self.rankings.update(word, count)


def run() -> None:
    """Worker entry point."""
    IntermediateRankingsBolt().run()
