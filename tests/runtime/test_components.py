"""Unit tests of the component code through the Collector seam (what petrel.mock builds on)."""

from __future__ import annotations

import datetime
import logging

import pytest

from petrel import storm
from petrel.emitter import BasicBolt, Bolt, Spout, Stream
from petrel.runtime.collector import Collector
from petrel.runtime.failures import FatalComponentError
from petrel.runtime.outputs import (
    InvalidEmit,
    declared_streams,
    input_fields,
    output_streams,
)
from petrel.runtime.tuples import Tuple


class Recorder(Collector):
    """Records every output, as a mock collector would."""

    def __init__(self, task_ids=None):
        self.out = []
        self.task_ids = task_ids or [1]

    def emit(self, stream, values, encoded, anchors, msg_id, task, need_task_ids):
        self.out.append(("emit", stream, values, encoded, anchors, msg_id, task))
        return list(self.task_ids) if need_task_ids and task is None else None

    def ack(self, tuple_id):
        self.out.append(("ack", tuple_id))

    def fail(self, tuple_id):
        self.out.append(("fail", tuple_id))

    def log(self, msg, level):
        self.out.append(("log", msg, level))

    def report_error(self, msg):
        self.out.append(("error", msg))

    def sync(self):
        self.out.append(("sync",))

    def kinds(self):
        return [o[0] for o in self.out]


CONTEXT = {"componentid": "split", "taskid": 5,
           "stream->outputfields": {"default": ["word"], "extra": ["a", "b"]},
           "source->stream->fields": {"spout": {"default": ["sentence"]}}}


class Split(BasicBolt):
    def declareOutputFields(self):
        return ["word"]

    def process(self, tup):
        if tup.sentence == "boom":
            raise ValueError("boom!")
        for word in tup.sentence.split():
            storm.emit([word])


def attached(component, conf=None, context=CONTEXT):
    recorder = Recorder()
    component.attach(recorder, conf or {}, context)
    return component, recorder


def test_basic_bolt_anchors_every_emit_and_acks_after_process():
    bolt, rec = attached(Split())
    bolt.deliver(bolt.make_tuple("7", "spout", "default", 1, ["a b"]))
    assert rec.out == [
        ("emit", "default", ["a"], b'["a"]', ["7"], None, None),
        ("emit", "default", ["b"], b'["b"]', ["7"], None, None),
        ("ack", "7"),
    ]


def test_anchors_are_always_strings_and_acks_echo_the_id_unchanged():
    bolt, rec = attached(Split())
    bolt.deliver(bolt.make_tuple(42, "spout", "default", 1, ["a"]))
    assert rec.out == [("emit", "default", ["a"], b'["a"]', ["42"], None, None), ("ack", 42)]


def test_basic_bolt_failure_is_reported_and_the_tuple_failed(caplog):
    bolt, rec = attached(Split())
    with caplog.at_level(logging.ERROR, logger="storm"):
        bolt.deliver(bolt.make_tuple("8", "spout", "default", 1, ["boom"]))
    assert rec.kinds() == ["error", "fail"]
    assert "ValueError: boom!" in rec.out[0][1]
    assert "in process() of component 'split' (task 5" in rec.out[0][1]
    assert "The error occurred while processing this tuple: ['boom']" in rec.out[0][1]
    assert "The error occurred while processing this tuple: ['boom']" in caplog.text
    bolt.deliver(bolt.make_tuple("9", "spout", "default", 1, ["ok"]))
    assert rec.out[-1] == ("ack", "9")


def test_on_error_exit_raises_after_failing_the_tuple():
    bolt, rec = attached(Split(), {"petrel.on_error": "exit"})
    with pytest.raises(FatalComponentError, match="petrel.on_error is 'exit'"):
        bolt.deliver(bolt.make_tuple("8", "spout", "default", 1, ["boom"]))
    assert rec.kinds() == ["error", "fail"]


def test_unknown_on_error_value_warns_and_continues(caplog):
    with caplog.at_level(logging.WARNING, logger="storm"):
        bolt, rec = attached(Split(), {"petrel.on_error": "explode"})
    assert "petrel.on_error" in caplog.text
    bolt.deliver(bolt.make_tuple("8", "spout", "default", 1, ["boom"]))
    assert rec.kinds() == ["error", "fail"]


class Emitter(BasicBolt):
    def __init__(self, action):
        super().__init__()
        self.action = action

    def declareOutputFields(self):
        return {"default": ["word"], "extra": Stream(["a", "b"])}

    def process(self, tup):
        self.action(self, tup)


@pytest.mark.parametrize("action, message", [
    (lambda s, t: s.emit(["a"], stream="nope"), "which it does not declare"),
    (lambda s, t: s.emit(["a", "b"]), "which declares 1 field"),
    (lambda s, t: s.emit("ab", stream="extra"), "emit takes a list of values, got str"),
    (lambda s, t: s.emit([float("nan")]), "NaN or Infinity on stream 'default'"),
    (lambda s, t: s.emit([datetime.time(1)]), "a value of type time on stream 'default'"),
    (lambda s, t: s.emit([{"k": object()}]), "a value of type object"),
    (lambda s, t: s.emit(["bad \udc80"]), "a string that is not valid Unicode"),
    (lambda s, t: s.emit(["a"], id=5), "id= is for spouts"),
    (lambda s, t: s.emitMany([["ok"], ["ok", "too wide"]]), "which declares 1 field"),
])
def test_refused_emits_send_nothing_and_fail_the_input(action, message):
    bolt, rec = attached(Emitter(action))
    bolt.deliver(bolt.make_tuple("1", "spout", "default", 1, ["x"]))
    assert rec.kinds() == ["error", "fail"], rec.out
    assert message in rec.out[0][1]
    assert "component 'split'" in rec.out[0][1] or "bolt 'split'" in rec.out[0][1]


def test_none_values_and_tuples_are_fine():
    def action(self, tup):
        self.emit([None])
        self.emit(("x", 2), stream="extra")

    bolt, rec = attached(Emitter(action))
    bolt.deliver(bolt.make_tuple("1", "spout", "default", 1, ["x"]))
    assert [o[3] for o in rec.out[:2]] == [b"[null]", b'["x",2]']


def test_emit_returns_task_ids_only_when_asked():
    seen = []

    def action(self, tup):
        seen.append(storm.emit(["a"]))
        seen.append(storm.emit(["a"], need_task_ids=True))
        seen.append(storm.emitMany([["a"], ["b"]], need_task_ids=True))
        seen.append(storm.emitDirect(4, ["a"]))

    bolt, rec = attached(Emitter(action))
    rec.task_ids = [3, 4]
    bolt.deliver(bolt.make_tuple("1", "spout", "default", 1, ["x"]))
    assert seen == [None, [3, 4], [[3, 4], [3, 4]], None]
    assert rec.out[-2][6] == 4


class Manual(Bolt):
    def declareOutputFields(self):
        return ["word"]

    def initialize(self, conf, context):
        self.held = []

    def process(self, tup):
        if tup.values[0] == "hold":
            self.held.append(tup)
        elif tup.values[0] == "twice":
            self.ack(tup)
            self.fail(tup)


def test_manual_bolt_refuses_double_ack_and_fails_nothing_it_did_not_own():
    bolt, rec = attached(Manual())
    bolt.initialize({}, CONTEXT)
    bolt.deliver(bolt.make_tuple("1", "spout", "default", 1, ["twice"]))
    assert rec.kinds() == ["ack", "error"]
    assert "fail of tuple id '1' ignored" in rec.out[1][1]
    bolt.deliver(bolt.make_tuple("2", "spout", "default", 1, ["hold"]))
    assert rec.kinds() == ["ack", "error"]  # held: not acked by petrel
    bolt.emit(["late"], anchors=bolt.held)
    bolt.ack(bolt.held[0])
    assert rec.out[-2][4] == ["2"] and rec.out[-1] == ("ack", "2")
    with pytest.raises(InvalidEmit, match="already acked or failed"):
        bolt.emit(["later"], anchors=bolt.held[0])


def test_manual_bolt_acks_unacked_tick_tuples():
    bolt, rec = attached(Manual())
    bolt.initialize({}, CONTEXT)
    tick = bolt.make_tuple("t", "__system", "__tick", -1, [60])
    assert tick.is_tick_tuple()
    bolt.deliver(tick)
    assert rec.out == [("ack", "t")]


class Numbers(Spout):
    def declareOutputFields(self):
        return ["n"]

    def initialize(self, conf, context):
        self.n = 0
        self.events = []

    def nextTuple(self):
        self.n += 1
        if self.n == 2:
            raise RuntimeError("broken next")
        storm.emit([self.n], id=self.n)

    def ack(self, id):
        self.events.append(("ack", id))

    def fail(self, id):
        self.events.append(("fail", id))

    def activate(self):
        self.events.append("activate")

    def deactivate(self):
        self.events.append("deactivate")


def test_spout_delivery_and_errors():
    spout, rec = attached(Numbers(), context={"componentid": "numbers"})
    spout.initialize({}, {})
    spout.deliver_activate()
    spout.deliver_next()
    spout.deliver_next()
    spout.deliver_next()
    spout.deliver_ack(1)
    spout.deliver_fail(3)
    spout.deliver_deactivate()
    assert spout.events == ["activate", ("ack", 1), ("fail", 3), "deactivate"]
    assert rec.kinds() == ["emit", "error", "emit"]
    assert rec.out[0][4] is None and rec.out[0][5] == 1
    assert "RuntimeError: broken next" in rec.out[1][1]
    with pytest.raises(InvalidEmit, match="spouts do not anchor"):
        spout.emit([1], anchors=["x"])
    with pytest.raises(InvalidEmit, match="message id"):
        spout.emit([1], id=object())


def test_log_levels_and_report_error():
    bolt, rec = attached(Split())
    storm.log("a")
    storm.log("b", 4)
    storm.log("c", "warn")
    storm.log("d", logging.DEBUG)
    storm.logTrace("e")
    storm.reportError("f")
    assert rec.out == [("log", "a", 2), ("log", "b", 4), ("log", "c", 3), ("log", "d", 1),
                       ("log", "e", 0), ("error", "f")]
    with pytest.raises(ValueError, match="log level"):
        storm.log("x", "loud")


def test_facade_without_a_component_says_so():
    storm.set_current(None)
    with pytest.raises(RuntimeError, match="no petrel component is running"):
        storm.emit(["x"])
    with pytest.raises(RuntimeError, match="is not running"):
        Split().emit(["x"])


def test_declared_output_and_input_fields():
    class Multi(BasicBolt):
        def declareOutputFields(self):
            return {"default": ["w"], "direct": Stream(["x"], direct=True)}

    assert declared_streams(Multi()) == {"default": ["w"], "direct": ["x"]}
    assert declared_streams(Split()) == {"default": ["word"]}
    # The topology (context) wins: it also holds streams added in create.py.
    assert output_streams(Split(), {"stream->outputfields": {"added": ["z"]}}) == {
        "default": ["word"], "added": ["z"]}
    assert input_fields(CONTEXT) == {"spout": {"default": ["sentence"]}}


def test_tuple_repr_fields_and_equality():
    tup = Tuple("589", "split", "default", 3, ["moon", 2], ["word", "count"])
    assert repr(tup) == ("<Tuple component='split' id='589' stream='default' task=3 "
                         "values=['moon', 2]>")
    assert tup.word == "moon" and tup["count"] == 2 and tup[1] == 2 and list(tup) == ["moon", 2]
    assert tup == Tuple("589", "split", "default", 3, ["moon", 2])
    with pytest.raises(AttributeError, match="has no field 'wrd'; its fields are"):
        _ = tup.wrd
    with pytest.raises(KeyError):
        tup["wrd"]
    heartbeat = Tuple("1", None, "__heartbeat", -1, [])
    assert heartbeat.is_heartbeat_tuple() and not heartbeat.is_tick_tuple()
