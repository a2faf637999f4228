"""Word count's splitter, writing down its process in the soak's records."""

from __future__ import annotations

from typing import Any, Dict

from chaosrecord import Record
from splitsentence import SplitSentenceBolt


class SoakSplitBolt(SplitSentenceBolt):
    """``SplitSentenceBolt`` whose processes the soak can find (and kill)."""

    def __init__(self) -> None:
        super().__init__()
        self.script = __file__

    def initialize(self, conf: Dict[str, Any], context: Dict[str, Any]) -> None:
        """Write the start record, then initialize as word count's splitter does."""
        self.record = Record(conf, context)
        super().initialize(conf, context)


def run() -> None:
    """Entry point on the worker."""
    SoakSplitBolt().run()
