"""``PETREL_PROFILE_SUMMARY``: the totals a component writes when it exits, however it exits."""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path
from typing import Any, Dict

import pytest

BOLT = """
import time
from petrel import storm
from petrel.emitter import BasicBolt

class SlowEcho(BasicBolt):
    def declareOutputFields(self):
        return ["word"]

    def initialize(self, conf, context):
        if conf.get("test.fail_initialize"):
            raise RuntimeError("no database")

    def process(self, tup):
        if tup.values[0] == "explode":
            raise ValueError("bad word")
        time.sleep(0.01)
        storm.emit([tup.values[0]])

def run():
    SlowEcho().run()
"""

SPOUT = """
import time
from petrel import storm
from petrel.emitter import Spout

class TwoSpout(Spout):
    def declareOutputFields(self):
        return ["word"]

    def nextTuple(self):
        time.sleep(0.01)
        storm.emit(["w"], id=1)

    def ack(self, id):
        time.sleep(0.005)

def run():
    TwoSpout().run()
"""

KEYS = {"kind", "count", "read_s", "process_s", "ack_s", "wall_s"}


def _summary(path: Path) -> Dict[str, Any]:
    assert path.exists(), "no profile summary was written"
    doc = json.loads(path.read_text())
    assert set(doc) == KEYS
    for key in KEYS - {"kind", "count"}:
        assert isinstance(doc[key], float) and doc[key] >= 0.0, (key, doc)
    return doc


def _acked(proc: Any, n: int) -> None:
    for _ in range(n):
        proc.messages_until(lambda m: m.get("command") in ("ack", "fail"))


def test_bolt_summary_after_stdin_closes(ws: Any) -> None:
    path = ws.root / "summary.json"
    ws.write("echo", BOLT)
    proc = ws.started_bolt("echo", env={"PETREL_PROFILE_SUMMARY": str(path)})
    for word in ("a", "b", "c"):
        proc.send_tuple([word])
    proc.send_heartbeat()  # a heartbeat is not a tuple processed
    _acked(proc, 3)
    assert proc.stop() == 0
    doc = _summary(path)
    assert doc["kind"] == "bolt" and doc["count"] == 3
    assert doc["process_s"] >= 0.025          # three sleeps of 10 ms in process()
    assert 0.0 < doc["ack_s"] < doc["process_s"]
    assert doc["wall_s"] >= doc["process_s"] + doc["ack_s"]
    assert "profile:" not in proc.log_text()  # the summary alone logs no profile lines


def test_spout_summary_counts_commands(ws_default: Any) -> None:
    path = ws_default.root / "summary.json"
    ws_default.write("two", SPOUT)
    proc = ws_default.started_spout("two", env={"PETREL_PROFILE_SUMMARY": str(path)})
    proc.command("activate")
    for _ in range(3):
        proc.command("next")
    proc.command("ack", 1)
    assert proc.stop() == 0
    doc = _summary(path)
    assert doc["kind"] == "spout" and doc["count"] == 5
    assert doc["process_s"] >= 0.03 and doc["ack_s"] == 0.0


def test_summary_on_sigterm(ws_default: Any) -> None:
    path = ws_default.root / "summary.json"
    ws_default.write("echo", BOLT)
    proc = ws_default.started_bolt("echo", env={"PETREL_PROFILE_SUMMARY": str(path)})
    proc.send_tuple(["a"])
    _acked(proc, 1)
    time.sleep(0.05)
    proc.proc.send_signal(signal.SIGTERM)
    assert proc.wait() == 128 + signal.SIGTERM
    doc = _summary(path)
    assert doc["count"] == 1 and doc["wall_s"] >= 0.05


@pytest.mark.parametrize("how", ["initialize", "on_error_exit"])
def test_summary_on_fatal_exit_after_the_handshake(ws_default: Any, how: str) -> None:
    path = ws_default.root / "summary.json"
    ws_default.write("echo", BOLT)
    conf = {"test.fail_initialize": True} if how == "initialize" else {
        "petrel.on_error": "exit"}
    proc = ws_default.started_bolt("echo", conf=conf,
                                   env={"PETREL_PROFILE_SUMMARY": str(path)})
    if how == "on_error_exit":
        proc.send_tuple(["a"])
        proc.send_tuple(["explode"])
    assert proc.wait() == 1
    doc = _summary(path)
    assert doc["kind"] == "bolt"
    assert doc["count"] == (0 if how == "initialize" else 2)


def test_no_summary_without_the_variable(ws_default: Any) -> None:
    ws_default.write("echo", BOLT)
    proc = ws_default.started_bolt("echo")
    proc.send_tuple(["a"])
    _acked(proc, 1)
    assert proc.stop() == 0
    assert not list(ws_default.root.glob("*.json"))
