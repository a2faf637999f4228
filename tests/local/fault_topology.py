"""A petrel topology for fault tests, run with a real ``petrel submit`` in a subprocess.

One spout (``faultspout``) emits numbered words, unanchored unless ``test.reliable`` is set;
bolts of one class (``faultbolt``) behave by component id: ``sleep`` hangs in
``time.sleep`` (a C call), ``read`` in ``os.read`` on a pipe nobody writes, ``pause`` in
``signal.pause()``, ``spin`` in a Python loop, ``badinit`` raises in ``initialize``,
``chatty`` writes ``test.chatty.bytes`` bytes to stderr and to its log per tuple; anything
else acks. Each task writes its pid to ``<test.pids>/<component>.<pid>`` when initialized
and ``<pid>.busy`` just before hanging.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Optional

REPO = Path(__file__).resolve().parents[2]

SPOUT = '''
import time

from petrel import storm
from petrel.emitter import Spout


class FaultSpout(Spout):
    def __init__(self):
        super().__init__(script=__file__)
        self.n = 0

    @classmethod
    def declareOutputFields(cls):
        return ["word"]

    def initialize(self, conf, context):
        self.reliable = bool(conf.get("test.reliable"))
        self.limit = int(conf.get("test.count", 10 ** 9))

    def nextTuple(self):
        if self.n >= self.limit:
            time.sleep(0.01)
            return
        self.n += 1
        if self.reliable:
            storm.emit(["w%d" % self.n], id=self.n)
        else:
            storm.emit(["w%d" % self.n])
        time.sleep(0.005)


def run():
    FaultSpout().run()
'''

BOLT = '''
import logging
import os
import signal
import sys
import time

from petrel import storm
from petrel.emitter import BasicBolt

log = logging.getLogger("faultbolt")


class FaultBolt(BasicBolt):
    def __init__(self):
        super().__init__(script=__file__)

    @classmethod
    def declareOutputFields(cls):
        return ["word"]

    def initialize(self, conf, context):
        self.mode = context["componentid"]
        self.busy = None
        pids = conf.get("test.pids")
        if pids:
            open(os.path.join(pids, "%s.%d" % (self.mode, os.getpid())), "w").close()
            self.busy = os.path.join(pids, "%d.busy" % os.getpid())
        self.chatty = int(conf.get("test.chatty.bytes", 0))
        if self.mode == "badinit":
            raise RuntimeError("cannot connect to the database")

    def process(self, tup):
        if self.mode in ("sleep", "read", "pause", "spin") and self.busy:
            open(self.busy, "w").close()
        if self.mode == "sleep":
            time.sleep(1e6)
        elif self.mode == "read":
            r, w = os.pipe()
            os.read(r, 1)
        elif self.mode == "pause":
            signal.pause()
        elif self.mode == "spin":
            n = 0
            while True:
                n += 1
        elif self.mode == "chatty":
            sys.stderr.write("x" * self.chatty + "\\n")
            sys.stderr.flush()
            log.info("y" * self.chatty)


def run():
    FaultBolt().run()
'''


def write_topology(root: Path, bolts: List[str], conf: Optional[Dict[str, object]] = None) -> Path:
    """A topology directory: the spout and one ``faultbolt`` component per name in ``bolts``."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "faultspout.py").write_text(SPOUT)
    (root / "faultbolt.py").write_text(BOLT)
    lines = ["from faultspout import FaultSpout", "from faultbolt import FaultBolt", "",
             "", "def create(builder):", '    builder.setSpout("spout", FaultSpout(), 1)']
    lines += [f'    builder.setBolt("{b}", FaultBolt(), 1).shuffleGrouping("spout")'
              for b in bolts]
    (root / "create.py").write_text("\n".join(lines) + "\n")
    yaml = ["topology.name: faults"]
    yaml += [f"{k}: {v}" for k, v in (conf or {}).items()]
    (root / "topology.yaml").write_text("\n".join(yaml) + "\n")
    return root / "topology.yaml"


def submit_argv(config: Path, *extra: str) -> List[str]:
    """``petrel submit`` of the topology in ``config``."""
    return [sys.executable, "-m", "petrel.cli", "submit", "--config", str(config), *extra]


def submit_env() -> Dict[str, str]:
    """A small environment in which ``petrel submit`` finds this checkout."""
    return {"PATH": "/usr/bin:/bin:" + str(Path(sys.executable).parent),
            "PYTHONPATH": str(REPO)}


def run_submit(config: Path, *extra: str, timeout: float = 90) -> subprocess.CompletedProcess:
    """Run ``petrel submit`` to the end; its output as text."""
    return subprocess.run(submit_argv(config, *extra), cwd=config.parent, capture_output=True,
                          text=True, timeout=timeout, env=submit_env())


def alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie waiting for its new parent counts as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    return stat.rsplit(")", 1)[1].split()[0] != "Z"
