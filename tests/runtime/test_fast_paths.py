"""The runtime's fast paths write exactly what the general paths write, and stay thread-safe.

Spouts and BasicBolts attached to a ``ProtocolCollector`` format their commonest emits
themselves (``raw_write``); the spout loop flushes without the lock while no other thread
writes (``Channel.flush_owned``). Each test compares against the general path or checks
that no message is lost, duplicated or torn.
"""

from __future__ import annotations

import math
import os
import sys
import threading

import pytest

from petrel import storm
from petrel.emitter import BasicBolt, Spout
from petrel.runtime import protocol
from petrel.runtime.collector import ProtocolCollector
from petrel.runtime.outputs import InvalidEmit
from petrel.runtime.protocol import END, Channel

CONTEXT = {"componentid": "c", "taskid": 3,
           "stream->outputfields": {"default": ["v"], "other": ["v"]},
           "source->stream->fields": {"s": {"default": ["v"]}}}


class OneSpout(Spout):
    def declareOutputFields(self):
        return ["v"]


class EchoBolt(BasicBolt):
    """Emits each value of the input as its own tuple (several emits per input)."""

    def declareOutputFields(self):
        return ["v"]

    def process(self, tup):
        for value in tup.values[0]:
            storm.emit([value])


@pytest.fixture
def channel():
    r, w = os.pipe()
    yield Channel(r, w)
    os.close(r)
    os.close(w)


def attach(component, channel, fast):
    component.attach(ProtocolCollector(channel), {}, CONTEXT)
    if not fast:
        component._petrel_raw_write = None  # force the general path, for comparison
    return component


def emitted(channel):
    out = list(channel.pending)
    channel.pending.clear()
    return out


@pytest.mark.parametrize("msg_id", [7, None, "abc", 2 ** 70, -1])
@pytest.mark.parametrize("values", [["plain"], ["é ✓ \"quoted\""], [None], [1.5],
                                    [[1, {"a": None}]]])
def test_spout_fast_emit_writes_the_same_bytes_as_the_checked_path(channel, msg_id, values):
    for fast in (True, False):
        spout = attach(OneSpout(), channel, fast)
        spout.emit(values, id=msg_id)
        storm.emit(values, id=msg_id)
        if fast:
            first = emitted(channel)
    assert first == emitted(channel)
    assert len(first) == 2 and protocol.decode(first[0][:-len(END)])["tuple"] == values


@pytest.mark.parametrize("values, message", [
    ([math.nan], "NaN or Infinity"),
    ([math.inf], "NaN or Infinity"),
    ([object()], "type object"),
    (["a", "b"], "1 field"),
    (("a",), None),
])
def test_spout_fast_path_refuses_what_the_checked_path_refuses(channel, values, message):
    spout = attach(OneSpout(), channel, True)
    if message is None:  # a tuple of values is fine: it takes the checked path
        spout.emit(values, id=1)
        assert emitted(channel) == [b'{"command":"emit","id":1,"tuple":["a"],'
                                    b'"need_task_ids":false}' + END]
        return
    with pytest.raises(InvalidEmit, match=message):
        spout.emit(values, id=1)
    assert emitted(channel) == []


def test_basic_bolt_fast_emit_matches_and_encodes_anchors_once_per_input(channel):
    results = []
    for fast in (True, False):
        bolt = attach(EchoBolt(), channel, fast)
        bolt.deliver(bolt.make_tuple("17", "s", "default", 1, [["a", "b"]]))
        bolt.deliver(bolt.make_tuple(42, "s", "default", 1, [["c", None]]))
        results.append(emitted(channel))
    assert results[0] == results[1]
    assert results[0] == [
        b'{"command":"emit","anchors":["17"],"tuple":["a"],"need_task_ids":false}' + END,
        b'{"command":"emit","anchors":["17"],"tuple":["b"],"need_task_ids":false}' + END,
        b'{"command":"ack","id":"17"}' + END,
        b'{"command":"emit","anchors":["42"],"tuple":["c"],"need_task_ids":false}' + END,
        b'{"command":"emit","anchors":["42"],"tuple":[null],"need_task_ids":false}' + END,
        b'{"command":"ack","id":42}' + END,
    ]


def test_basic_bolt_fast_path_leaves_other_emits_to_the_checked_path(channel):
    class Mixed(BasicBolt):
        def declareOutputFields(self):
            return ["v"]

        def process(self, tup):
            storm.emit(["x"], stream="other")
            self.ack(tup)
            storm.emit(["after ack"])

    results = []
    for fast in (True, False):
        bolt = attach(Mixed(), channel, fast)
        bolt.deliver(bolt.make_tuple("5", "s", "default", 1, ["in"]))
        results.append(emitted(channel))
    assert results[0] == results[1]
    assert b'"stream":"other"' in results[0][0]


def test_owner_flush_and_another_threads_writes_never_lose_duplicate_or_tear():
    r_in, w_in = os.pipe()
    r_out, w_out = os.pipe()
    channel = Channel(r_in, w_out)
    received = []

    def reader():
        chunks = []
        while True:
            data = os.read(r_out, 1 << 16)
            if not data:
                break
            chunks.append(data)
        received.append(b"".join(chunks))

    reading = threading.Thread(target=reader)
    reading.start()
    count = 3000

    def other_thread():
        for i in range(count):
            channel.send_now({"command": "log", "msg": f"b{i}" * 50, "level": 2})

    assert not channel._shared
    writer = threading.Thread(target=other_thread)
    writer.start()
    for i in range(count):
        channel.write(b'{"a":%d}' % i + END)
        channel.flush_owned()
    writer.join()
    channel.flush()
    assert channel._shared  # the other thread's first write switched the owner to the lock
    os.close(w_out)
    reading.join()
    for fd in (r_in, w_in, r_out):
        os.close(fd)
    messages = [protocol.decode(part) for part in received[0].split(END)[:-1]]
    mine = [m["a"] for m in messages if "a" in m]
    theirs = [m["msg"] for m in messages if "msg" in m]
    assert mine == list(range(count))
    assert theirs == [f"b{i}" * 50 for i in range(count)]
    assert len(messages) == 2 * count


def test_free_threaded_python_always_takes_the_lock(monkeypatch):
    monkeypatch.setattr(sys, "_is_gil_enabled", lambda: False, raising=False)
    r, w = os.pipe()
    try:
        assert Channel(r, w)._shared
    finally:
        os.close(r)
        os.close(w)


def test_owner_flush_of_a_closed_pipe_is_channel_closed(channel):
    r, w = os.pipe()
    os.close(r)
    closed = Channel(channel.in_fd, w)
    closed.write(b"{}" + END)
    with pytest.raises(protocol.ChannelClosed):
        closed.flush_owned()
    assert not closed._owner_writing
    os.close(w)
