"""petrel's embedded rpdb2 debugger inside a real Storm worker, as docs/debugging.md says:
the bolt waits for the console, the console attaches and reads the stack, the bolt stays
stopped for several times ``topology.subprocess.timeout.secs`` without Storm killing it
(petrel.debug's keep-alive), and after ``go`` it processes tuples again in the same process.
The book's bare ``rpdb2.start_embedded_debugger`` call inside ``process`` has no keep-alive:
there Storm kills the paused bolt, which shows the timeout is really enforced.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest
from storm_helpers import RealStorm, copy_test_topology, wait_until

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "debug"))

from debug_helpers import Rpdb2Console  # noqa: E402

NAME = "debug-attach"
BARE = "debug-bare"
SUBPROCESS_TIMEOUT = 5     # topology.subprocess.timeout.secs in the topology's yaml
PAUSE = 4 * SUBPROCESS_TIMEOUT


@dataclass
class Debuggee:
    """The submitted topology: its directory and the pid of the bolt waiting in rpdb2."""

    directory: Path
    pid: int


def rpdb2_sources() -> tuple[Path, Path]:
    """rpdb2.py and its ``rpdb`` package in the test's interpreter, shipped in the jar so the
    test needs no package index (users list rpdb2 in requirements.txt); skip without them."""
    module, package = importlib.util.find_spec("rpdb2"), importlib.util.find_spec("rpdb")
    if module is None or not module.origin or package is None or not package.origin:
        pytest.skip("needs rpdb2 ('pip install rpdb2') to ship to the worker and attach")
    return Path(module.origin), Path(package.origin).parent


def submit_debuggee(storm: RealStorm, dest: Path, name: str, **settings: object) -> Path:
    """tests/storm/topologies/debug_attach with rpdb2, submitted as ``name``; its directory
    (where the bolt writes pids.txt and waiting.txt)."""
    module, package = rpdb2_sources()
    dest.mkdir()
    # petrel.workdir: the worker builds the Python environment in the test's own tmp dir
    topo = copy_test_topology("debug_attach", dest, {
        "debugtest.dir": str(dest), "petrel.workdir": str(dest / "envs"), **settings})
    shutil.copy(module, topo / "rpdb2.py")
    shutil.copytree(package, topo / "rpdb", ignore=shutil.ignore_patterns("__pycache__"))
    storm.submit(topo, name)
    return dest


@pytest.fixture(scope="module")
def debuggee(storm: RealStorm, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Debuggee]:
    """The topology submitted twice: NAME with petrel.debug (its split bolt waiting for the
    debugger) and BARE calling rpdb2 itself, with the test's interpreter (rpdb2 needs <3.12)."""
    base = tmp_path_factory.mktemp("debug")
    dest = submit_debuggee(storm, base / "petrel", NAME)
    if sys.version_info < (3, 12):
        submit_debuggee(storm, base / "bare", BARE, **{"debugtest.bare": True,
                                                      "petrel.python": sys.executable})
    waiting = dest / "waiting.txt"
    pid = wait_until(lambda: waiting.is_file() and waiting.read_text().strip(), 120,
                     "the split bolt waits for the debugger")
    yield Debuggee(dest, int(pid))
    storm.kill(NAME)
    storm.kill(BARE)


def _split_acked(storm: RealStorm) -> int:
    """Tuples the split bolt's Python process has finished (Storm's 'executed' counts a
    ShellBolt's tuples as soon as they are queued for the process, paused or not)."""
    row = storm.stats(NAME).get("split")
    return row.acked if row else 0


def test_storm_shows_where_to_attach_in_the_worker_log(storm: RealStorm,
                                                       debuggee: Debuggee) -> None:
    line = wait_until(
        lambda: next((ln for ln in storm.worker_logs(NAME).splitlines()
                      if "waits up to 300 s for a debugger" in ln), ""),
        30, "the worker log shows the debugger notice")
    assert f"attach {debuggee.pid}" in line and "[WARN]" in line, line


def test_the_books_bare_rpdb2_call_has_no_keep_alive_and_storm_kills_the_paused_bolt(
        storm: RealStorm, debuggee: Debuggee) -> None:
    if sys.version_info >= (3, 12):
        pytest.skip("rpdb2 itself does not import on Python 3.12+")
    try:
        wait_until(lambda: "subprocess heartbeat timeout" in storm.worker_logs(BARE), 90,
                   "Storm kills the bolt stopped in a bare rpdb2 call")
        assert "Halting process: ShellBolt died" in storm.worker_logs(BARE)
    finally:
        storm.kill(BARE)


def test_attach_read_the_stack_stay_paused_then_continue(storm: RealStorm,
                                                         debuggee: Debuggee) -> None:
    console = Rpdb2Console(debuggee.directory)
    try:
        console.send("password petrel_test")
        console.send(f"attach {debuggee.pid}")
        console.expect("Successfully attached", "waiting at break point")
        console.send("stack")
        console.expect("Stack trace for thread")
        stack = console.expect("\n> ")
        # stopped in the bolt's process(), right after the call, with the tuple at hand
        assert "split.py" in stack and "process" in stack, stack
        console.send("eval tup.values")
        assert "['the cow jumped over the moon']" in console.expect("\n> ")
        paused_at = _split_acked(storm)
        time.sleep(PAUSE)
        os.kill(debuggee.pid, 0)   # still alive: Storm did not kill the paused task
        assert _split_acked(storm) == paused_at
        console.send("go")
        console.expect("\n> ")
        console.send("detach")
        console.expect("Detached")
    finally:
        console.close()
    wait_until(lambda: _split_acked(storm) >= paused_at + 100, 60,
               "the split bolt processes tuples again after 'go'")
    pids = (debuggee.directory / "pids.txt").read_text().split()
    assert pids == [str(debuggee.pid)], f"the bolt was restarted: pids {pids}"
    log = storm.worker_logs(NAME)
    assert "heartbeat timeout" not in log
    assert "Halting process" not in log
    assert storm.errors(NAME) == {}

