"""Helpers of the debugger tests: a small topology whose bolt stops in a debugger, and a
scripted rpdb2 console."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Dict, Optional

REPO = Path(__file__).resolve().parents[2]

SPOUT = """
    import time
    from petrel import storm
    from petrel.emitter import Spout

    class FiveSentences(Spout):
        def initialize(self, conf, context):
            self.left = ["the cow jumped", "over the moon", "an apple a day",
                         "keeps the doctor", "away from the moon"]

        @classmethod
        def declareOutputFields(cls):
            return ["sentence"]

        def nextTuple(self):
            if self.left:
                storm.emit([self.left[0]], id=len(self.left))
                self.left.pop(0)
            else:
                time.sleep(0.05)
"""

SPLIT = """
    import os
    import petrel.debug
    from petrel import storm
    from petrel.emitter import BasicBolt

    class SplitBolt(BasicBolt):
        def initialize(self, conf, context):
            self.marker = conf["debugtest.marker"]
            self.stopped = False

        @classmethod
        def declareOutputFields(cls):
            return ["word"]

        def process(self, tup):
            if not self.stopped:
                self.stopped = True
                with open(self.marker, "w") as f:
                    f.write(str(os.getpid()))
                petrel.debug.start_embedded_debugger("petrel_test", timeout=60)
            words = tup.values[0].split(" ")
            for word in words:
                storm.emit([word])
"""

COUNT = """
    from collections import Counter
    from petrel import storm
    from petrel.emitter import BasicBolt

    class CountBolt(BasicBolt):
        def initialize(self, conf, context):
            self.counts = Counter()

        @classmethod
        def declareOutputFields(cls):
            return ["word", "count"]

        def process(self, tup):
            self.counts[tup.values[0]] += 1
            storm.emit([tup.values[0], self.counts[tup.values[0]]])
"""

CREATE = """
    from sentences import FiveSentences
    from split import SplitBolt
    from count import CountBolt

    def create(builder):
        builder.setSpout("spout", FiveSentences(), 1)
        builder.setBolt("split", SplitBolt(), 1).shuffleGrouping("spout")
        builder.setBolt("count", CountBolt(), 1).fieldsGrouping("split", ["word"])
"""


def write_topology(directory: Path, marker: Path, extra_yaml: str = "") -> Path:
    """The debug test topology in ``directory``; returns its topology.yaml."""
    files: Dict[str, str] = {"sentences.py": SPOUT, "split.py": SPLIT, "count.py": COUNT,
                             "create.py": CREATE}
    for name, text in files.items():
        (directory / name).write_text(textwrap.dedent(text).lstrip())
    config = directory / "topology.yaml"
    config.write_text(f"debugtest.marker: {marker}\n"
                      "topology.message.timeout.secs: 120\n" + extra_yaml)
    return config


def petrel_env() -> Dict[str, str]:
    """The environment for a petrel subprocess: this checkout first on the path."""
    return {**os.environ, "PYTHONPATH": str(REPO)}


def wait_for_file(path: Path, timeout: float, proc: Optional[subprocess.Popen] = None) -> str:
    """The text of ``path`` once it exists and is not empty."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if path.is_file() and path.read_text().strip():
            return path.read_text().strip()
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"petrel exited ({proc.returncode}) before {path} appeared")
        time.sleep(0.05)
    raise AssertionError(f"{path} did not appear within {timeout} s")


def console_module() -> str:
    """The console module petrel's waiting notice tells the user to run on this Python."""
    import petrel.debug

    return "petrel.debug" if "-m petrel.debug' (" in petrel.debug.console_command() \
        else "rpdb2"


class Rpdb2Console:
    """The ``rpdb2`` console client in a subprocess, driven line by line like a person would."""

    def __init__(self, cwd: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", console_module()], cwd=cwd, stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env={**os.environ, "HOME": str(cwd)})
        self.text = ""
        self.seen = 0
        self._lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for chunk in iter(lambda: self.proc.stdout.read(1), ""):
            with self._lock:
                self.text += chunk

    def send(self, line: str) -> None:
        """Type one console command."""
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def expect(self, *needles: str, timeout: float = 30) -> str:
        """The console output (after the previous expect) up to the last of ``needles``.

        The needles may come in any order: rpdb2 prints some notices from its event thread,
        so they can land before or after what the command itself prints (after ``attach``,
        "waiting at break point" may come before "Successfully attached").
        """
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            with self._lock:
                found = [self.text.find(needle, self.seen) for needle in needles]
                if min(found) >= 0:
                    stop = max(index + len(needle) for index, needle in zip(found, needles))
                    out = self.text[self.seen:stop]
                    self.seen = stop
                    return out
            time.sleep(0.05)
        raise AssertionError(f"the rpdb2 console did not print {needles!r}; "
                             f"it printed:\n{self.text[self.seen:]}")

    def close(self) -> None:
        """End the console."""
        if self.proc.poll() is None:
            try:
                self.send("exit")
                self.proc.wait(10)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()
