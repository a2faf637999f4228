"""The counter: each task's word counts, rewritten to a JSON file after every word."""

from __future__ import annotations

import json
import os
from collections import Counter
from typing import Any, Dict, List, Optional

from petrel.emitter import BasicBolt

COUNTS_DIR_KEY = "agreement.counts_dir"


class CountBolt(BasicBolt):
    """Counts ``[word]`` tuples; after each one the task's counts replace
    ``<agreement.counts_dir>/counts-<task id>.json`` (written aside, then renamed)."""

    def __init__(self) -> None:
        super().__init__(script=__file__)
        self.counts: Counter = Counter()
        self.path: Optional[str] = None

    @classmethod
    def declareOutputFields(cls) -> List[str]:
        """Emits nothing."""
        return []

    def initialize(self, conf: Dict[str, Any], context: Dict[str, Any]) -> None:
        """Name this task's counts file."""
        directory = conf.get(COUNTS_DIR_KEY)
        if directory:
            self.path = os.path.join(str(directory), f"counts-{context['taskid']}.json")

    def process(self, tup: Any) -> None:
        """Count the word and write the task's counts."""
        self.counts[tup.values[0]] += 1
        if self.path:
            aside = f"{self.path}.{os.getpid()}.tmp"
            with open(aside, "w", encoding="utf-8") as f:
                json.dump(dict(self.counts), f, sort_keys=True)
            os.replace(aside, self.path)


def run() -> None:
    """Entry point on the worker (``python -m petrel.run counter``)."""
    CountBolt().run()
