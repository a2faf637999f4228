"""The ``twitter_word_count.*`` settings of topology.yaml, checked once, with clear messages.

create.py reads them to set the tick periods; the bolts read them again in ``initialize``
(the whole topology.yaml reaches every component as ``conf``).
"""

from __future__ import annotations

from typing import Any, Dict

PREFIX = "twitter_word_count."


class SettingsError(ValueError):
    """A ``twitter_word_count.*`` value that cannot work; the message names the key."""


class WordCountSettings:
    """Window and ranking sizes: ``num_windows`` slots of ``window_duration`` seconds, top N."""

    def __init__(self, conf: Dict[str, Any]) -> None:
        self.num_windows = _positive_int(conf, "num_windows", 5)
        self.window_duration = _positive_int(conf, "window_duration", 60)
        self.rankings_emit_secs = _positive_int(conf, "rankings_emit_secs", 15)
        self.top_n = _positive_int(conf, "top_n", 10)

    def __repr__(self) -> str:
        return (f"WordCountSettings(num_windows={self.num_windows}, "
                f"window_duration={self.window_duration}, "
                f"rankings_emit_secs={self.rankings_emit_secs}, top_n={self.top_n})")


def _positive_int(conf: Dict[str, Any], name: str, default: int) -> int:
    value = conf.get(PREFIX + name, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise SettingsError(
            f"{PREFIX}{name} in topology.yaml must be a whole number >= 1, got {value!r}")
    return value
