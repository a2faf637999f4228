"""Winpdb/rpdb2 inside a topology run by the local runner: attach, read the stack, continue."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

from debug_helpers import Rpdb2Console, petrel_env, wait_for_file, write_topology

# Storm (and the local runner) kill a bolt that is silent for this long; the test stays
# stopped in the debugger for more than twice as long.
SUBPROCESS_TIMEOUT = 3
PAUSE = 7.0


def test_attach_read_stack_continue_and_finish(tmp_path: Path) -> None:
    topo = tmp_path / "topo"
    topo.mkdir()
    marker = tmp_path / "pid.txt"
    config = write_topology(topo, marker,
                            f"topology.subprocess.timeout.secs: {SUBPROCESS_TIMEOUT}\n")
    stats = tmp_path / "stats.json"
    logdir = tmp_path / "logs"
    petrel = subprocess.Popen(
        [sys.executable, "-m", "petrel.cli", "submit", "--config", str(config),
         "--logdir", str(logdir), "--stats-json", str(stats)],
        cwd=topo, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=petrel_env())
    console = None
    try:
        pid = wait_for_file(marker, 60, petrel)
        console = Rpdb2Console(tmp_path)
        console.send("password petrel_test")
        console.send(f"attach {pid}")
        console.expect("Successfully attached", "waiting at break point")
        console.send("stack")
        # (the tail of the wrapped attach notice may still come first)
        console.expect("Stack trace for thread")
        stack = console.expect("\n> ")
        # stopped in the bolt's process(), right after the call, with the input at hand
        assert "split.py" in stack and "process" in stack, stack
        console.send("eval tup.values")
        assert "['the cow jumped']" in console.expect("]")
        time.sleep(PAUSE)
        console.send("go")
        console.expect("\n> ")
        console.send("detach")
        console.expect("Detached")
        time.sleep(2.0)   # let the five sentences flow through split and count
    finally:
        if console is not None:
            console.close()
        petrel.send_signal(signal.SIGTERM)
        out, err = petrel.communicate(timeout=120)
    assert petrel.returncode == 0, out + err
    result = json.loads(stats.read_text())
    assert result["restarts"] == 0, out + err
    assert "heartbeat timeout" not in out + err
    assert result["spout_acked"] == 5 and result["spout_failed"] == 0, result
    assert result["components"]["count"]["executed"] == 17
    assert result["components"]["split"]["errors"] == 0
    # the local runner showed the user where to attach
    assert f"attach {marker.read_text().strip()}" in err
