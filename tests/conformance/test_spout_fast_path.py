"""The spout loop's fast path: commands recognised by their bytes, whatever the chunking."""

from __future__ import annotations

import time
from typing import Any, List

SPOUT = """
from petrel import storm
from petrel.emitter import Spout

class CountSpout(Spout):
    def declareOutputFields(self):
        return ["n"]

    def initialize(self, conf, context):
        self.n = 0

    def activate(self):
        storm.log("activated")

    def nextTuple(self):
        self.n += 1
        if self.n == 4:
            raise RuntimeError("four")
        storm.emit([self.n], id=self.n)

    def ack(self, id):
        storm.log("acked %r" % (id,))

def run():
    CountSpout().run()
"""

NEXT = b'{"command":"next","id":""}\nend\n'


def _until_sync(proc: Any) -> List[dict]:
    out = []
    while True:
        msg = proc.read_message()
        if msg.get("command") == "sync":
            return out
        out.append(msg)


def test_repeated_commands_stay_correct_in_any_key_order(ws: Any) -> None:
    """The same bytes, again and again, in both key orders; errors still reported."""
    ws.write("count", SPOUT)
    proc = ws.started_spout("count", streams={"default": ["n"]})
    for _ in range(2):
        proc.send_raw(b'{"command":"activate","id":""}\nend\n')
        assert _until_sync(proc) == [{"command": "log", "msg": "activated", "level": 2}]
    emitted = []
    for i in range(6):
        proc.send_raw(NEXT if i % 2 == 0 else b'{"id":"","command":"next"}\nend\n')
        emitted.append(_until_sync(proc))
    assert [m[0]["tuple"] for m in emitted if m[0]["command"] == "emit"] == [
        [1], [2], [3], [5], [6]]
    error = emitted[3]
    assert len(error) == 1 and error[0]["command"] == "error"
    assert "RuntimeError: four" in error[0]["msg"] and "in nextTuple()" in error[0]["msg"]
    # ack ids vary: decoded every time, never mistaken for one another
    for msg_id in (1, "1", 2):
        proc.send({"command": "ack", "id": msg_id})
        assert _until_sync(proc) == [
            {"command": "log", "msg": f"acked {msg_id!r}", "level": 2}]
    assert proc.stop() == 0


def test_a_command_split_across_writes_and_two_in_one_write(ws_default: Any) -> None:
    ws_default.write("count", SPOUT)
    proc = ws_default.started_spout("count", streams={"default": ["n"]})
    proc.send_raw(NEXT)
    assert _until_sync(proc)[0]["tuple"] == [1]
    # the known bytes arrive in two pieces: the first must not be taken for a command
    proc.send_raw(NEXT[:10])
    time.sleep(0.1)
    assert not proc.has_output(0.05)
    proc.send_raw(NEXT[10:])
    assert _until_sync(proc)[0]["tuple"] == [2]
    # a piece ending exactly where a known command would start
    proc.send_raw(NEXT + NEXT[:5])
    assert _until_sync(proc)[0]["tuple"] == [3]
    proc.send_raw(NEXT[5:])
    assert _until_sync(proc)[0]["command"] == "error"  # the fourth raises
    # two whole commands in one write: two answers, in order
    proc.send_raw(NEXT + NEXT)
    assert _until_sync(proc)[0]["tuple"] == [5]
    assert _until_sync(proc)[0]["tuple"] == [6]
    assert proc.stop() == 0


def test_a_command_with_more_keys_is_not_remembered_as_plain_next(ws_default: Any) -> None:
    ws_default.write("count", SPOUT)
    proc = ws_default.started_spout("count", streams={"default": ["n"]})
    odd = b'{"command":"next","id":"x"}\nend\n'
    for expected in ([1], [2]):
        proc.send_raw(odd)
        assert _until_sync(proc)[0]["tuple"] == expected
    proc.send_raw(b'{"command":"nope","id":""}\nend\n')
    assert _until_sync(proc) == []
    assert proc.stop() == 0
    assert "unknown spout command 'nope'" in proc.log_text()
