"""The bolt: raises the first time it meets configured ids, or dies once on its Nth tuple."""

from __future__ import annotations

import os
from typing import Any, Dict, List, Optional, Set

from records import append, record_path

from petrel.emitter import BasicBolt


class FlakyBolt(BasicBolt):
    """Executes ``[id]`` tuples (acked by BasicBolt) and misbehaves as the config says.

    - ``reliability.raise_once_on``: ids whose first execution raises ``ValueError``
      (the replayed tuple then passes; a marker file ``<record_dir>/raised-<id>`` makes
      that once per topology, so a restarted process does not raise again).
    - ``reliability.die_on_tuple``: on this process's Nth tuple, if the marker file
      ``<record_dir>/died`` does not exist yet, write it and end the process with
      ``os._exit(3)``; the restarted task finds the marker and lives on.

    Starts and executed ids go to ``<reliability.record_dir>/bolt.txt``
    (``start <pid>``, ``executed <pid> <id>``).
    """

    def __init__(self) -> None:
        super().__init__(script=__file__)
        self.raise_on: Set[int] = set()
        self.die_on = 0
        self.seen = 0
        self.record: Optional[str] = None
        self.marker: Optional[str] = None
        self.conf: Dict[str, Any] = {}

    @classmethod
    def declareOutputFields(cls) -> List[str]:
        """Emits nothing."""
        return []

    def initialize(self, conf: Dict[str, Any], context: Dict[str, Any]) -> None:
        """Read what to do wrong and where to record."""
        self.conf = conf
        self.raise_on = {int(i) for i in conf.get("reliability.raise_once_on") or []}
        self.die_on = int(conf.get("reliability.die_on_tuple", 0))
        self.record = record_path(conf, "bolt.txt")
        self.marker = record_path(conf, "died")
        append(self.record, "start", os.getpid())

    def process(self, tup: Any) -> None:
        """Raise or die as configured; otherwise record the id as executed."""
        msg_id = tup.values[0]
        self.seen += 1
        if msg_id in self.raise_on:
            self.raise_on.discard(msg_id)
            raised = record_path(self.conf, f"raised-{msg_id}")
            if raised is None or not os.path.exists(raised):
                append(raised, "raised", os.getpid(), msg_id)
                raise ValueError(f"flaky bolt refuses id {msg_id} on purpose")
        if self.seen == self.die_on and self.marker and not os.path.exists(self.marker):
            append(self.marker, "died", os.getpid(), msg_id)
            os._exit(3)
        append(self.record, "executed", os.getpid(), msg_id)


def run() -> None:
    """Entry point on the worker (``python -m petrel.run flaky``)."""
    FlakyBolt().run()
