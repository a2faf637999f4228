"""The runtime's fast paths write exactly what the general paths write, and stay thread-safe.

Spouts and BasicBolts attached to a ``ProtocolCollector`` format their commonest emits
themselves (``raw_write``); the spout loop writes without the lock while no other thread
has written (see ``Channel``). Each test compares against the general path or checks
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
from petrel.runtime import loops, protocol
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


class CountingSpout(Spout):
    def declareOutputFields(self):
        return ["v"]

    def initialize(self, conf, context):
        self.n = 0

    def nextTuple(self):
        self.n += 1
        storm.emit([self.n], id=self.n)


def test_spout_loop_and_another_threads_logs_never_lose_duplicate_or_tear():
    """The spout loop writes without the lock until the logging thread's first write."""
    r_in, w_in = os.pipe()
    r_out, w_out = os.pipe()
    channel = Channel(r_in, w_out)
    spout = CountingSpout()
    spout.attach(ProtocolCollector(channel), {}, CONTEXT)
    spout.initialize({}, {})
    count = 3000
    messages = []
    logging_done = threading.Event()

    def log_from_another_thread():
        for i in range(count):
            storm.log(f"b{i}" * 50)  # send_now: appends and flushes from this thread
        logging_done.set()

    def host():  # Storm's part: one 'next' at a time, the next one after each 'sync'
        rest = b""
        syncs = 0
        os.write(w_in, b'{"command":"next","id":""}' + END)
        while True:
            data = os.read(r_out, 1 << 16)
            if not data:
                return
            *parts, rest = (rest + data).split(END)
            for part in parts:
                messages.append(protocol.decode(part))
                if messages[-1] == {"command": "sync"}:
                    syncs += 1
                    if syncs < count:
                        os.write(w_in, b'{"command":"next","id":""}' + END)
                    else:
                        logging_done.wait(30)
                        os.close(w_in)

    hosting = threading.Thread(target=host)
    logger = threading.Thread(target=log_from_another_thread)
    hosting.start()
    logger.start()
    with pytest.raises(protocol.ChannelClosed):
        loops.spout_loop(spout, channel)
    logger.join()
    assert channel.shared  # the other thread's first write switched the loop to the lock
    os.close(w_out)
    hosting.join()
    for fd in (r_in, r_out):
        os.close(fd)
    emits = [m["id"] for m in messages if m.get("command") == "emit"]
    logs = [m["msg"] for m in messages if m.get("command") == "log"]
    assert emits == list(range(1, count + 1))
    assert logs == [f"b{i}" * 50 for i in range(count)]
    assert len(messages) == 3 * count  # emits, syncs, logs: nothing else, nothing torn


def test_free_threaded_python_always_takes_the_lock(monkeypatch):
    monkeypatch.setattr(sys, "_is_gil_enabled", lambda: False, raising=False)
    r, w = os.pipe()
    try:
        assert Channel(r, w).shared
    finally:
        os.close(r)
        os.close(w)


def test_spout_loop_with_a_closed_stdout_ends_with_channel_closed():
    r_in, w_in = os.pipe()
    r_out, w_out = os.pipe()
    os.close(r_out)
    channel = Channel(r_in, w_out)
    spout = CountingSpout()
    spout.attach(ProtocolCollector(channel), {}, CONTEXT)
    spout.initialize({}, {})
    os.write(w_in, b'{"command":"next","id":""}' + END + b'{"command":"next","id":""}' + END)
    try:
        with pytest.raises(protocol.ChannelClosed, match="stdout closed"):
            loops.spout_loop(spout, channel)
        assert not channel.owner_writing
    finally:
        for fd in (r_in, w_in, w_out):
            os.close(fd)
