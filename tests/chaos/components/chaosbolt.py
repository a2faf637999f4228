"""A bolt that misbehaves on purpose, as ``chaos.fault`` in its component config says.

It receives ``[id, sentence]`` and emits the same (anchored: it is a BasicBolt) when it
declares an output (``chaos.emits``, true by default). Faults, ``chaos.budget`` times per
run once the process has handled 10 tuples (``chaosrecord.Record.fault_due``):

* ``crash``: raise (with ``petrel.on_error: exit`` in its config, the process then exits);
* ``exit``: ``os._exit(3)``, with no goodbye;
* ``hang``: sleep for an hour in ``process`` (the runner's heartbeat timeout kills it);
* ``invalid``: every 40th id, the first time it is seen, emit a value JSON cannot carry
  (the runtime refuses it: the tuple fails and is replayed); and on each fault, a
  malformed emit written straight to the protocol channel (three values for a stream of
  two: Storm's fatal rule, the runner restarts the task);
* ``spam``: on every tuple, stray output on stdout and stderr, through Python and straight
  to file descriptors 1 and 2, including text that looks like protocol messages;
* ``block`` and ``spin`` (for the runner-death test): on the first tuple, block in a C call
  (a read of a pipe nobody writes) or spin in a Python loop, for ever.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any, Dict, List

from chaosrecord import Record

from petrel import storm
from petrel.emitter import BasicBolt

MALFORMED_EMIT = b'{"command":"emit","anchors":[],"tuple":[1,2,3]}\nend\n'
STRAY = 'end\n{"command":"sync"}\nend\n{"command":"ack","id":"1"}\nend\n'


class ChaosBolt(BasicBolt):
    """Passes ``[id, sentence]`` on, misbehaving as configured."""

    def __init__(self) -> None:
        super().__init__(script=__file__)
        self.seen = 0

    @classmethod
    def declareOutputFields(cls) -> List[str]:
        """The id and the sentence, as received."""
        return ["id", "sentence"]

    def initialize(self, conf: Dict[str, Any], context: Dict[str, Any]) -> None:
        """Open the record file and read the fault to play."""
        self.record = Record(conf, context)
        self.fault = str(conf.get("chaos.fault", "none"))
        self.emits = bool(conf.get("chaos.emits", True))

    def process(self, tup: Any) -> None:
        """Misbehave if due, else pass the tuple on."""
        msg_id, sentence = tup.values
        self.seen += 1
        fault = self.fault
        if fault == "spam":
            self.spam(msg_id)
        elif fault in ("block", "spin") and self.record.first_time(f"{fault}-{self.record.task}"):
            self.record.write(fault, msg_id)
            self.forever(fault)
        elif self.seen > 10 and self.record.fault_due(msg_id):
            self.misbehave(fault)
        if fault == "invalid" and msg_id % 40 == 7 and self.record.first_time(f"value-{msg_id}"):
            storm.emit([msg_id, {"a set is not JSON": {1, 2}}])
        if self.emits:
            storm.emit([msg_id, sentence])

    def misbehave(self, fault: str) -> None:
        """Play one fault of the budget."""
        if fault == "crash":
            raise RuntimeError("chaos: this bolt crashes on purpose")
        if fault == "exit":
            os._exit(3)
        if fault == "hang":
            time.sleep(3600)
        if fault == "invalid":
            collector = self._petrel_collector
            if collector is not None and collector.raw_write is not None:
                collector.raw_write(MALFORMED_EMIT)
                collector.flush()

    def spam(self, msg_id: int) -> None:
        """Stray output of every kind; none of it may reach the protocol channel."""
        print(f"stray print {msg_id}")
        print(STRAY, flush=True)
        sys.stdout.write(STRAY)
        sys.stderr.write(f"stray stderr {msg_id}\n{STRAY}")
        sys.stderr.flush()
        os.write(1, f"stray fd1 {msg_id}\n{STRAY}".encode())
        os.write(2, f"stray fd2 {msg_id}\n{STRAY}".encode())

    def forever(self, how: str) -> None:
        """Never return: blocked in a C call, or spinning in Python."""
        if how == "block":
            r, _w = os.pipe()
            os.read(r, 1)
        while True:
            pass


def run() -> None:
    """Entry point on the worker."""
    ChaosBolt().run()
