"""The word-count topology's three modules, each run as a real subprocess under the host."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from host import make_context

WORDCOUNT = Path(__file__).resolve().parents[2] / "topologies" / "wordcount"


@pytest.fixture
def topo(ws):
    for name in ("randomsentence.py", "splitsentence.py", "wordcount.py", "logconfig.ini"):
        shutil.copy(WORDCOUNT / name, ws.root / name)
    return ws


def test_spout_emits_reliably_and_replays_failures(topo):
    proc = topo.spout("randomsentence")
    proc.handshake({"wordcount.sentence_interval_secs": 0},
                   make_context("spout", 3, {"default": ["sentence"]}))
    assert proc.command("activate") == []
    first, second = proc.command("next"), proc.command("next")
    sentences = {"the cow jumped over the moon", "an apple a day keeps the doctor away"}
    for got, msg_id in ((first, 0), (second, 1)):
        assert len(got) == 1 and got[0]["id"] == msg_id
        assert got[0]["tuple"][0] in sentences
    assert proc.command("fail", 0) == []
    assert proc.command("ack", 1) == []
    replay = proc.command("next")
    assert replay == first
    assert proc.stop() == 0
    assert "sentence 0 failed; emitting it again" in proc.log_text()


def test_split_then_count(topo):
    split = topo.bolt("splitsentence")
    split.handshake({}, make_context("split", 4, {"default": ["word"]},
                                     {"spout": {"default": ["sentence"]}}))
    count = topo.bolt("wordcount")
    count.handshake({}, make_context("count", 2, {"default": ["word", "count"]},
                                     {"split": {"default": ["word"]}}))
    tid = split.send_tuple(["the bart the"], comp="spout")
    words = split.messages_until(lambda m: m.get("command") == "ack")
    assert [m["tuple"] for m in words[:-1]] == [["the"], ["bart"], ["the"]]
    assert words[-1] == {"command": "ack", "id": tid}
    counts = []
    for word in words[:-1]:
        count.send_tuple(word["tuple"], comp="split")
        counts.append(count.read_message()["tuple"])
        assert count.read_message()["command"] == "ack"
    assert counts == [["the", 1], ["bart", 1], ["the", 2]]
