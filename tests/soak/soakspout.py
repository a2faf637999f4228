"""The soak's spout: the chaos suite's recording spout, emitting ``[sentence]`` as word count's."""

from __future__ import annotations

from typing import Any, List

from chaosspout import SENTENCES, ChaosSpout


class SoakSpout(ChaosSpout):
    """Emits a sentence with message id ``id``, recording and replaying as ``ChaosSpout``."""

    def __init__(self) -> None:
        super().__init__(script=__file__)

    @classmethod
    def declareOutputFields(cls) -> List[str]:
        """One field, as word count's spout: the sentence."""
        return ["sentence"]

    def values(self, msg_id: int) -> List[Any]:
        """The sentence for ``msg_id``."""
        return [SENTENCES[msg_id % len(SENTENCES)]]


def run() -> None:
    """Entry point on the worker."""
    SoakSpout().run()
