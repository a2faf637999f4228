"""A reliable spout that writes down every id it emits, and every ack and fail it receives.

It emits ``[id, sentence]`` with message id ``id``: new ids 0, 1, 2... (up to
``chaos.ids`` when set), a failed id again before any new one. A restarted process reads
what the task's earlier processes wrote and emits again every id they emitted that was
never acked, as a spout over a durable source (a queue with offsets) would.

Record verbs: ``emit``, ``ack`` and ``fail`` for ids this process emitted, ``stray-ack`` and
``stray-fail`` for ids it did not (a runner bug: an ack meant for a dead process).

``chaos.budget`` times per run the spout ``kill -9``s itself at the start of a ``nextTuple``,
after sending the ``sync`` of every command it has handled: every command it recorded was
answered, and none more, so the runner's counts must equal the records exactly.
``chaos.stop_file``: once that file exists no new id is emitted (failed ids still are).
"""

from __future__ import annotations

import os
import signal
import time
from collections import deque
from typing import Any, Deque, Dict, List, Set

from chaosrecord import Record, task_history

from petrel import storm
from petrel.emitter import Spout

SENTENCES = ["the cow jumped over the moon", "an apple a day keeps the doctor away",
             "four score and seven years ago", "snow white and the seven dwarfs"]


class ChaosSpout(Spout):
    """Emits ids with their sentence, replays failed ones, records everything."""

    def __init__(self, script: str = __file__) -> None:
        super().__init__(script=script)
        self.pending: Set[int] = set()
        self.replay: Deque[int] = deque()
        self.next_id = 0
        self.commands = 0

    @classmethod
    def declareOutputFields(cls) -> List[str]:
        """The id and a sentence."""
        return ["id", "sentence"]

    def initialize(self, conf: Dict[str, Any], context: Dict[str, Any]) -> None:
        """Open the record file and pick up what earlier processes of this task left."""
        self.record = Record(conf, context)
        self.limit = self.record.ids
        self.interval = float(conf.get("chaos.spout.interval", 0.0))
        self.stop_file = conf.get("chaos.stop_file")
        unacked, top = task_history(self.record.dir, self.record.cid, self.record.task)
        self.replay.extend(unacked)
        self.next_id = top + 1

    def nextTuple(self) -> None:
        """Emit a failed id again, else a new one (while there are new ids to emit)."""
        self.commands += 1
        if self.commands > 20 and self.record.fault_due(self.next_id):
            # The runtime answers a batch of commands read together with one write: send
            # the syncs of those handled so far, so the records end where the syncs do.
            if self._petrel_collector is not None:
                self._petrel_collector.flush()
            os.kill(os.getpid(), signal.SIGKILL)
        if self.replay:
            msg_id = self.replay.popleft()
        elif (self.limit is not None and self.next_id >= self.limit) or (
                self.stop_file and os.path.exists(self.stop_file)):
            time.sleep(0.001)
            return
        else:
            if self.interval:
                time.sleep(self.interval)
            msg_id = self.next_id
            self.next_id += 1
        self.pending.add(msg_id)
        self.record.write("emit", msg_id)
        storm.emit(self.values(msg_id), id=msg_id)

    def values(self, msg_id: int) -> List[Any]:
        """The tuple emitted for ``msg_id``."""
        return [msg_id, SENTENCES[msg_id % len(SENTENCES)]]

    def ack(self, id: Any) -> None:
        """The id's tree completed: it is done for good."""
        if id in self.pending:
            self.pending.discard(id)
            self.record.write("ack", id)
        else:
            self.record.write("stray-ack", id)

    def fail(self, id: Any) -> None:
        """The id's tree failed: emit it again."""
        if id in self.pending:
            self.pending.discard(id)
            self.record.write("fail", id)
            self.replay.append(id)
        else:
            self.record.write("stray-fail", id)


def run() -> None:
    """Entry point on the worker."""
    ChaosSpout().run()
