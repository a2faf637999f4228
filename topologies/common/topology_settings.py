"""Settings the example topologies read from topology.yaml, checked once, with clear messages.

``SettingsError`` and ``positive_int`` serve every topology's own settings;
``WordCountSettings`` holds the ``twitter_word_count.*`` keys that twitter_topwords and
redis_topwords share. create.py reads them to set the tick periods; the bolts read them
again in ``initialize`` (the whole topology.yaml reaches every component as ``conf``).
"""

from __future__ import annotations

from typing import Any, Dict

WORD_COUNT_PREFIX = "twitter_word_count."


class SettingsError(ValueError):
    """A topology.yaml value that cannot work; the message names the key."""


def positive_int(conf: Dict[str, Any], key: str, default: int) -> int:
    """``conf[key]`` (``default`` when absent), which must be a whole number >= 1."""
    value = conf.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise SettingsError(f"{key} in topology.yaml must be a whole number >= 1, got {value!r}")
    return value


class WordCountSettings:
    """Window and ranking sizes: ``num_windows`` windows of ``window_duration`` seconds, top N."""

    def __init__(self, conf: Dict[str, Any]) -> None:
        self.num_windows = positive_int(conf, WORD_COUNT_PREFIX + "num_windows", 5)
        self.window_duration = positive_int(conf, WORD_COUNT_PREFIX + "window_duration", 60)
        self.rankings_emit_secs = positive_int(conf, WORD_COUNT_PREFIX + "rankings_emit_secs",
                                               15)
        self.top_n = positive_int(conf, WORD_COUNT_PREFIX + "top_n", 10)

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(num_windows={self.num_windows}, "
                f"window_duration={self.window_duration}, "
                f"rankings_emit_secs={self.rankings_emit_secs}, top_n={self.top_n})")
