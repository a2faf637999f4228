"""The bolt under the debugger: on the first tuple of its process it waits for rpdb2 to
attach (petrel.debug.start_embedded_debugger), then splits sentences like any bolt.

With ``debugtest.bare: true`` it calls rpdb2 itself, as the book does, which leaves
petrel's keep-alive out (rpdb2 is imported after the handshake)."""

from __future__ import annotations

import os
from typing import Any, Dict, List

import petrel.debug
from petrel import storm
from petrel.emitter import BasicBolt


class SplitBolt(BasicBolt):
    """Appends its pid to ``<debugtest.dir>/pids.txt`` when it starts, writes it to
    ``waiting.txt`` just before it waits for the debugger (once per process)."""

    def __init__(self) -> None:
        super().__init__(script=__file__)
        self.directory = ""
        self.bare = False
        self.stopped = False

    @classmethod
    def declareOutputFields(cls) -> List[str]:
        """One field: the word."""
        return ["word"]

    def initialize(self, conf: Dict[str, Any], context: Dict[str, Any]) -> None:
        """Record that this process started."""
        self.directory = conf["debugtest.dir"]
        self.bare = bool(conf.get("debugtest.bare", False))
        with open(os.path.join(self.directory, "pids.txt"), "a", encoding="utf-8") as f:
            f.write(f"{os.getpid()}\n")

    def process(self, tup: Any) -> None:
        """Stop in the debugger on the first tuple; split the sentence into words."""
        if not self.stopped:
            self.stopped = True
            with open(os.path.join(self.directory, "waiting.txt"), "w", encoding="utf-8") as f:
                f.write(str(os.getpid()))
            if self.bare:
                import rpdb2

                rpdb2.start_embedded_debugger("petrel_test", timeout=300)
            else:
                petrel.debug.start_embedded_debugger("petrel_test", timeout=300)
        for word in tup.values[0].split(" "):
            storm.emit([word])


def run() -> None:
    """Entry point on the worker."""
    SplitBolt().run()
