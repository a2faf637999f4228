"""This topology's tweet spout: the shared one of topologies/common/tweetspout.py.

A component module lives in the topology directory (its file becomes the component's
script); the code it runs is shared with the other tweet topologies.
"""

from __future__ import annotations

from tweetspout import MAX_FAILURES, TweetSpout

__all__ = ["MAX_FAILURES", "TwitterStreamSpout", "run"]


class TwitterStreamSpout(TweetSpout):
    """Emits ``[tweet]`` for each tweet, reliably (see ``tweetspout.TweetSpout``)."""

    def __init__(self) -> None:
        super().__init__(script=__file__)


def run() -> None:
    """Worker entry point."""
    TwitterStreamSpout().run()
