"""Spout side of the multilang protocol (docs/internals/protocol.md#spout-commands)."""

from __future__ import annotations

import re

from host import BOOK_LOGCONFIG as LOGCONFIG
from host import HostError

SPOUT = """
from petrel import storm
from petrel.emitter import Spout

class NumberSpout(Spout):
    def declareOutputFields(self):
        return {"default": ["word"], "unreliable": ["word"]}

    def initialize(self, conf, context):
        self.n = 0
        self.active = None

    def activate(self):
        self.active = True
        storm.log("activated")

    def deactivate(self):
        self.active = False
        storm.log("deactivated")

    def nextTuple(self):
        self.n += 1
        if self.n == 1:
            storm.emit(["one"], id="msg-1")
        elif self.n == 2:
            storm.emit(["two"], stream="unreliable")
        elif self.n == 3:
            ids = storm.emit(["three"], id=3, need_task_ids=True)
            storm.log("task ids %s" % ids)
        elif self.n == 4:
            storm.emitMany([["four"], ["five"]], id={"batch": 4})
        elif self.n == 5:
            raise RuntimeError("next failed")
        elif self.n == 6:
            storm.emit([float("inf")], id=6)
        elif self.n == 7:
            storm.emit(["x"], id=float("nan"))

    def ack(self, id):
        storm.log("acked %r" % (id,))

    def fail(self, id):
        if id == "explode":
            raise ValueError("fail hook broke")
        storm.log("failed %r" % (id,))

def run():
    NumberSpout().run()
"""


def test_spout_commands_emits_and_sync(ws):
    """activate/next/ack/fail/deactivate each end with exactly one sync."""
    ws.write("numbers", SPOUT)
    proc = ws.started_spout("numbers", streams={"default": ["word"], "unreliable": ["word"]})
    assert proc.command("activate") == [{"command": "log", "msg": "activated", "level": 2}]
    assert proc.command("next") == [{"command": "emit", "id": "msg-1", "tuple": ["one"],
                                     "need_task_ids": False}]
    two = proc.command("next")
    assert two == [{"command": "emit", "stream": "unreliable", "tuple": ["two"],
                    "need_task_ids": False}]
    assert "id" not in two[0]  # unreliable emits carry no id
    three = proc.command("next", task_ids=lambda msg: [5, 6])
    assert three[0] == {"command": "emit", "id": 3, "tuple": ["three"]}
    assert three[1] == {"command": "log", "msg": "task ids [5, 6]", "level": 2}
    four = proc.command("next")
    assert [m["tuple"] for m in four] == [["four"], ["five"]]
    assert all(m["id"] == {"batch": 4} for m in four)
    # Ack/fail ids come back unchanged in value and type.
    assert proc.command("ack", "msg-1") == [{"command": "log", "msg": "acked 'msg-1'",
                                             "level": 2}]
    assert proc.command("fail", 3) == [{"command": "log", "msg": "failed 3", "level": 2}]
    assert proc.command("ack", {"batch": 4}) == [
        {"command": "log", "msg": "acked {'batch': 4}", "level": 2}]
    assert proc.command("deactivate") == [{"command": "log", "msg": "deactivated", "level": 2}]
    assert proc.stop() == 0


def test_spout_errors_are_reported_and_the_spout_keeps_answering(ws):
    """Exceptions in nextTuple/fail and refused emits: error, then sync; next still works."""
    ws.write("numbers", SPOUT)
    proc = ws.started_spout("numbers", streams={"default": ["word"], "unreliable": ["word"]})
    for _ in range(4):
        proc.command("next", task_ids=lambda msg: [])
    five = proc.command("next")
    assert len(five) == 1 and five[0]["command"] == "error"
    assert "RuntimeError: next failed" in five[0]["msg"]
    assert "in nextTuple() of component 'spout'" in five[0]["msg"]
    six = proc.command("next")
    assert len(six) == 1 and "NaN or Infinity" in six[0]["msg"]
    seven = proc.command("next")
    assert len(seven) == 1 and re.search(r"message id nan is NaN or Infinity", seven[0]["msg"])
    broken = proc.command("fail", "explode")
    assert len(broken) == 1 and "ValueError: fail hook broke" in broken[0]["msg"]
    assert proc.command("next") == []
    assert proc.stop() == 0


def test_unknown_command_is_ignored_with_a_sync(ws):
    """A command the protocol does not define is logged and answered with sync."""
    ws.write("numbers", SPOUT)
    proc = ws.started_spout("numbers", streams={"default": ["word"], "unreliable": ["word"]})
    assert proc.command("reset_timeout", "1") == []
    assert "unknown spout command 'reset_timeout'" in (proc.stop() == 0 and proc.log_text())


def test_spout_profile_line(ws_default):
    """With the storm logger at DEBUG, spouts log 'Spout profile:' lines."""
    ws_default.write("numbers", SPOUT)
    ws_default.write("logconfig.ini", LOGCONFIG)
    proc = ws_default.started_spout("numbers",
                                    streams={"default": ["word"], "unreliable": ["word"]})
    for _ in range(1000):
        proc.command("ack", "x")
    assert proc.stop() == 0
    assert re.search(r"\[storm\]\[DEBUG\]Spout profile: total_num_commands=1000, "
                     r"num_commands=1000, avg_read_time=\d+\.\d{6} \(\d+\.\d%\), "
                     r"avg_next_time=\d+\.\d{6} \(\d+\.\d%\), avg_ack_time=\d+\.\d{6} "
                     r"\(\d+\.\d%\)$", proc.log_text(), re.M)


def test_host_treats_a_spout_ack_command_as_fatal(ws_default):
    """From the host's side: the test host refuses what ShellSpout refuses."""
    ws_default.write("rogue.py", """
        import os, sys
        sys.stdin.buffer.readline(); sys.stdin.buffer.readline()
        os.write(1, b'{"pid": %d}\\nend\\n' % os.getpid())
        sys.stdin.buffer.readline(); sys.stdin.buffer.readline()
        os.write(1, b'{"command": "ack", "id": 1}\\nend\\n')
        sys.stdin.buffer.read()
    """)
    proc = ws_default.spout("", argv=[ws_default.python, str(ws_default.root / "rogue.py")])
    proc.handshake()
    try:
        proc.command("next")
    except HostError as exc:
        assert "Unknown command received" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("the host accepted an ack command from a spout")
