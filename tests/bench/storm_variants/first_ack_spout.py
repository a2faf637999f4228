"""Word count's spout, logging the wall-clock time of its process's first ack to Storm."""

from __future__ import annotations

import time
from typing import Any

from randomsentence import RandomSentenceSpout

from petrel import storm

FIRST_ACK = "bench: first ack at"


class FirstAckSpout(RandomSentenceSpout):
    """RandomSentenceSpout that logs ``bench: first ack at <epoch seconds>`` once per process."""

    def __init__(self) -> None:
        super().__init__()
        self.script = __file__
        self.acked_once = False

    def ack(self, id: Any) -> None:
        """Forget the sentence; the first time, tell Storm's log when it happened."""
        super().ack(id)
        if not self.acked_once:
            self.acked_once = True
            storm.log(f"{FIRST_ACK} {time.time():.3f}")


def run() -> None:
    """Entry point on the worker."""
    FirstAckSpout().run()
