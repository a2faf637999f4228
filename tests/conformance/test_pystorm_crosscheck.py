"""The test host against pystorm, an independent multilang implementation.

If the host mis-framed messages or built a wrong handshake, pystorm components would
fail here too: these tests check the host itself, so the petrel tests can trust it.
"""

from __future__ import annotations

import pytest

pytest.importorskip("pystorm", reason="pystorm (a dev dependency) is not installed")

PYSTORM_BOLT = """
from pystorm import Bolt

class SplitBolt(Bolt):
    auto_anchor = True
    auto_ack = True

    def process(self, tup):
        for word in tup.values[0].split(" "):
            self.emit([word])

if __name__ == "__main__":
    SplitBolt().run()
"""

PYSTORM_SPOUT = """
from pystorm import Spout

class OneSpout(Spout):
    def initialize(self, conf, context):
        self.n = 0

    def next_tuple(self):
        self.n += 1
        self.emit(["s%d" % self.n], tup_id=self.n)

if __name__ == "__main__":
    OneSpout().run()
"""


def test_pystorm_bolt_under_the_host(ws_default):
    """Handshake, pid file, anchored emits, ack, heartbeat sync: as Storm would see them."""
    path = ws_default.write("pystorm_split.py", PYSTORM_BOLT)
    proc = ws_default.bolt("", argv=[ws_default.python, str(path)])
    piddir = ws_default.root / "pids"
    piddir.mkdir()
    pid = proc.handshake({}, None, piddir)
    assert pid == proc.pid and (piddir / str(pid)).exists()
    tid = proc.send_tuple(["a b"], comp="spout")
    got = proc.messages_until(lambda m: m.get("command") == "ack")
    emits = [m for m in got if m["command"] == "emit"]
    assert [m["tuple"] for m in emits] == [["a"], ["b"]]
    assert all(m["anchors"] == [tid] for m in emits)
    assert got[-1] == {"command": "ack", "id": tid}
    proc.send_heartbeat()
    assert proc.messages_until(lambda m: m.get("command") == "sync")[-1] == {"command": "sync"}


def test_pystorm_spout_under_the_host(ws_default):
    """next -> emit with the message id -> sync; ack answered with sync."""
    path = ws_default.write("pystorm_one.py", PYSTORM_SPOUT)
    proc = ws_default.spout("", argv=[ws_default.python, str(path)])
    proc.handshake()
    emits = [m for m in proc.command("next") if m["command"] == "emit"]
    assert [(m["tuple"], m["id"]) for m in emits] == [(["s1"], 1)]
    assert [m for m in proc.command("ack", 1) if m["command"] == "emit"] == []
