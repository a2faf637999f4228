"""The pass-through bolt in petrel: each sentence emitted on as it came (the lightest bolt)."""

from __future__ import annotations

from typing import Any, List

from petrel import storm
from petrel.emitter import BasicBolt


class PassBolt(BasicBolt):
    """Emits every input's values unchanged, anchored to it; BasicBolt acks the input."""

    def __init__(self) -> None:
        super().__init__(script=__file__)

    @classmethod
    def declareOutputFields(cls) -> List[str]:
        """The sentence, as received."""
        return ["sentence"]

    def process(self, tup: Any) -> None:
        """Send the values on."""
        storm.emit(tup.values)


def run() -> None:
    """Entry point on the worker."""
    PassBolt().run()
