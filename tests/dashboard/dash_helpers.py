"""Runs ``petrel submit --ui`` as a user does, and topologies for the dashboard tests."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any, Iterator, List, Optional

REPO = Path(__file__).resolve().parents[2]
WORDCOUNT = REPO / "topologies" / "wordcount"
URL_LINE = re.compile(r"live dashboard at (http://\S+)")

BOOM_BOLT = '''"""A bolt that raises on the word 'moon' (the dashboard's errors panel shows it)."""

from petrel.emitter import BasicBolt


class BoomBolt(BasicBolt):
    """Raises ValueError on 'moon', passes on every other word."""

    def __init__(self):
        super().__init__(script=__file__)

    @classmethod
    def declareOutputFields(cls):
        return []

    def process(self, tup):
        if tup.values[0] == "moon":
            raise ValueError("no words about the moon here")


def run():
    BoomBolt().run()
'''


class Run:
    """A ``petrel submit --ui`` subprocess and the dashboard URL it printed."""

    def __init__(self, proc: subprocess.Popen, url: str, lines: List[str]) -> None:
        self.proc = proc
        self.url = url
        self.lines = lines

    def get(self, path: str, timeout: float = 5.0) -> Any:
        """GET ``path`` as JSON."""
        with urllib.request.urlopen(self.url.rstrip("/") + path, timeout=timeout) as resp:
            return json.loads(resp.read())

    def output(self) -> str:
        """What the run printed so far."""
        return "".join(self.lines)


def wordcount_copy(dest: Path, interval: float = 0.02, debug: bool = False,
                   boom: bool = False) -> Path:
    """The word count in ``dest``: faster sentences, optionally topology.debug and a bolt
    that raises."""
    shutil.copytree(WORDCOUNT, dest, ignore=shutil.ignore_patterns("tests", "__pycache__"))
    conf = (dest / "topology.yaml").read_text()
    conf = conf.replace("wordcount.sentence_interval_secs: 0.25",
                        f"wordcount.sentence_interval_secs: {interval}")
    if debug:
        conf += "\ntopology.debug: true\n"
    (dest / "topology.yaml").write_text(conf)
    if boom:
        (dest / "boom.py").write_text(BOOM_BOLT)
        create = (dest / "create.py").read_text().replace(
            "from wordcount import WordCountBolt",
            "from boom import BoomBolt\nfrom wordcount import WordCountBolt")
        create += '    builder.setBolt("boom", BoomBolt(), 1).shuffleGrouping("split")\n'
        (dest / "create.py").write_text(create)
    return dest


def cli_env() -> dict:
    """This checkout's petrel, no PETREL_* settings of the developer."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PETREL_")}
    env["PYTHONPATH"] = str(REPO)
    return env


@contextlib.contextmanager
def dashboard_run(topology: Path, *args: str, start_timeout: float = 90.0) -> Iterator[Run]:
    """Start ``petrel submit --ui ARGS`` in ``topology``; yield once the URL is printed.

    At the end the process gets SIGINT (which also ends ``--ui-linger``) and must exit. The
    logs go next to the topology directory, so a run with errors leaves nothing in /tmp.
    """
    logdir = topology.parent / f"{topology.name}-logs"
    proc = subprocess.Popen([sys.executable, "-m", "petrel.cli", "submit", "--logdir",
                             str(logdir), *args],
                            cwd=topology, env=cli_env(), stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            # a shell's background job ignores SIGINT, and so would the run
                            # (its linger is ended by SIGINT): give it the default action
                            preexec_fn=_default_sigint)
    lines: List[str] = []
    found = threading.Event()
    url: List[str] = []

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            match = URL_LINE.search(line)
            if match and not url:
                url.append(match.group(1))
                found.set()
        found.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        found.wait(start_timeout)
        if not url:
            raise AssertionError("no dashboard URL printed:\n" + "".join(lines))
        yield Run(proc, url[0], lines)
    finally:
        stop(proc)
        reader.join(5)


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def stop(proc: subprocess.Popen) -> None:
    """SIGINT until the run exits: the first one drains the run, a later one ends the linger."""
    for _ in range(10):
        if proc.poll() is not None:
            return
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(3)
        except subprocess.TimeoutExpired:
            continue
    proc.kill()
    proc.wait()


def wait_for(predicate: Any, timeout: float, what: str) -> Any:
    """Poll ``predicate`` until it returns something true; AssertionError naming ``what``."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def free_port_in_use() -> Optional[Any]:
    """A socket listening on 127.0.0.1 (its port is in use while it stays open)."""
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(1)
    return sock
