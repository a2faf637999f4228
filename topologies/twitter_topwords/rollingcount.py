"""The rolling counter: counts each word over a sliding window, emits the counts on each tick."""

from __future__ import annotations

import logging
from typing import Any, Dict, List

from slidingwindow import SlidingWindowCounter
from topology_settings import WordCountSettings

from petrel import storm
from petrel.emitter import BasicBolt

log = logging.getLogger(__name__)


class RollingCountBolt(BasicBolt):
    """Emits ``[word, count]`` for every word of the window each tick, then slides the window.

    The window has ``twitter_word_count.num_windows`` slots and advances one slot per tick,
    every ``emit_frequency_secs`` seconds (create.py passes ``window_duration``). A word
    that has just left the window is emitted once with count 0 so the rankings drop it.
    """

    def __init__(self, emit_frequency_secs: int = 60) -> None:
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
        """Size the window from topology.yaml."""
        settings = WordCountSettings(conf)
        self.counter = SlidingWindowCounter(settings.num_windows)

    def process(self, tup: Any) -> None:
        """Count a word, or on a tick emit every count and advance the window."""
        if tup.is_tick_tuple():
            counts = self.counter.get_counts_then_advance_window()
            log.debug("tick: emitting %d counts", len(counts))
            for word, count in counts.items():
                storm.emit([word, count])
        else:
            self.counter.increment(tup.values[0])


def run() -> None:
    """Worker entry point."""
    RollingCountBolt().run()
