"""This topology's splitter: the shared one of topologies/common/tweetsplitter.py.

A component module lives in the topology directory (its file becomes the component's
script); the code it runs is shared with the other word-counting tweet topology.
"""

from __future__ import annotations

from tweetsplitter import TweetSplitterBolt

__all__ = ["SplitTweetBolt", "run"]


class SplitTweetBolt(TweetSplitterBolt):
    """Emits ``[word]`` for each countable word of a tweet (see ``tweetsplitter``)."""

    def __init__(self) -> None:
        super().__init__(script=__file__)


def run() -> None:
    """Worker entry point."""
    SplitTweetBolt().run()
