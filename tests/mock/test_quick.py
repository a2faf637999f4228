"""The quick emit path (``petrel.mock.quick``) gives the same run as the general path.

Each comparison runs the same chain twice: as it is, and with every task's
``quick_emit`` switched off, so that every emit goes through the component's checked
encoding and ``Engine.emit``'s closures.
"""

from __future__ import annotations

import math
from typing import Any, Dict, List

import pytest

from petrel import mock, storm
from petrel.emitter import BasicBolt, Spout, carried_unchanged
from petrel.mock.engine import Engine
from petrel.runtime.tuples import Tuple as StormTuple

WORDS = ["the", "bart", "the"]


class Varied(BasicBolt):
    """Emits values that take the quick path and values that must not."""

    def declareOutputFields(self) -> List[str]:
        return ["a", "b"]

    def process(self, tup: Any) -> None:
        word = tup.values[0]
        storm.emit([word, 1])                    # plain values
        storm.emit([word, -2.5])                 # a finite float: plain too
        storm.emit([None, 2 ** 70])              # None, an int JSON keeps whole
        storm.emit(["é" + word, True])           # non-ASCII text, a bool: checked path
        storm.emit([word, [1, {"k": (2,)}]])     # nested values: checked path
        storm.emit((word, 3))                    # a tuple, not a list: checked path
        out = [word, 4]
        storm.emit(out)
        out[1] = "changed after the emit"        # must not reach the record nor the bolt


class Mutating(BasicBolt):
    """Passes each input on, then changes the values it received."""

    def declareOutputFields(self) -> List[str]:
        return ["a", "b"]

    def process(self, tup: Any) -> None:
        storm.emit(tup.values)
        tup.values.append("changed by the receiver")


class Sink(BasicBolt):
    """Emits the first value it receives; nobody subscribes to it."""

    def declareOutputFields(self) -> List[str]:
        return ["a", "b"]

    def process(self, tup: Any) -> None:
        storm.emit([tup.values[0], "sunk"])


class LateEmitter(BasicBolt):
    """Acks its input early, then emits: that emit is not tied to the spout tuple."""

    def declareOutputFields(self) -> List[str]:
        return ["w"]

    def process(self, tup: Any) -> None:
        storm.emit([tup.values[0]])
        self.ack(tup)
        storm.emit(["late"])


class FailLate(BasicBolt):
    """Fails the tuples LateEmitter emits after its ack."""

    def declareOutputFields(self) -> List[str]:
        return []

    def process(self, tup: Any) -> None:
        if tup.values == ["late"]:
            self.fail(tup)


def rows_spout(reliable: bool = True) -> mock.MockSpout:
    rows: List[Any] = [[w] for w in WORDS]
    rows.append({"values": ["str id"], "id": "s-1"})   # a str message id: checked path
    return mock.MockSpout(["sentence"], rows, reliable=reliable)


def without_quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Engine, "quick_emitter", lambda self, task: None)


def snapshot(result: mock.SimpleResult, chain: List[Any]) -> Dict[str, Any]:
    """Everything a test can read from a run, in plain values."""
    topo = result.topology
    out: Dict[str, Any] = {"acked": result.acked, "failed": result.failed,
                           "pending": result.pending, "stats": topo.stats}
    for component in chain:
        cid = type(component).__name__
        for kind in (mock.LIST, mock.TUPLE, mock.NAMEDTUPLE):
            out[cid, kind] = topo.emitted(cid, result_type=kind)
        out[cid, "storm"] = [(t.id, t.component, t.stream, t.task, t.values, t.fields)
                             for t in topo.emitted(cid, result_type=mock.STORM_TUPLE)]
        out[cid, "emits"] = topo.emits(cid)
        if not isinstance(component, Spout):
            out[cid, "received"] = [(t.id, t.component, t.stream, t.task, t.values, t.fields)
                                    for t in topo.received(cid)]
    return out


def run_both(monkeypatch: pytest.MonkeyPatch, make_chain: Any) -> List[Dict[str, Any]]:
    runs = []
    for quick in (True, False):
        if not quick:
            without_quick(monkeypatch)
        chain = make_chain()
        runs.append(snapshot(mock.run_simple_topology(None, chain), chain))
    return runs


def test_quick_path_gives_the_same_records_and_results_as_the_general_path(
        monkeypatch: pytest.MonkeyPatch) -> None:
    quick, general = run_both(monkeypatch, lambda: [rows_spout(), Varied(), Mutating(),
                                                    Sink()])
    assert quick == general
    assert quick["acked"] == [0, 1, 2, "s-1"] and quick["pending"] == []
    assert quick["Varied", mock.LIST][:7] == [
        ["the", 1], ["the", -2.5], [None, 2 ** 70], ["éthe", True],
        ["the", [1, {"k": [2]}]], ["the", 3], ["the", 4]]
    # What a bolt received and changed is still what was emitted in the results.
    assert quick["Mutating", mock.LIST][0] == ["the", 1]
    assert quick["Mutating", "received"][0][4] == ["the", 1, "changed by the receiver"]
    emit = quick["Sink", "emits"][0]
    assert emit.anchors == [quick["Sink", "received"][0][0]] and emit.msg_id is None


def test_unreliable_spout_and_late_emits_match_the_general_path(
        monkeypatch: pytest.MonkeyPatch) -> None:
    quick, general = run_both(monkeypatch, lambda: [rows_spout(reliable=False), Varied()])
    assert quick == general and quick["acked"] == ["s-1"]

    quick, general = run_both(monkeypatch, lambda: [rows_spout(), LateEmitter(), Sink()])
    assert quick == general
    assert quick["acked"] == [0, 1, 2, "s-1"]
    late = quick["LateEmitter", "emits"][1]
    assert late.values == ["late"] and late.anchors == [quick["LateEmitter", "received"][0][0]]

    # The spout tuple's tree ended with the early ack: failing the late tuple is too late.
    quick, general = run_both(monkeypatch, lambda: [rows_spout(), LateEmitter(), FailLate()])
    assert quick == general
    assert quick["acked"] == [0, 1, 2, "s-1"] and quick["failed"] == []
    assert quick["stats"]["FailLate"]["failed"] == 4


def test_quick_path_is_taken_and_its_tuples_have_every_slot() -> None:
    split, count = WordSplit(), WordCount()
    engine_tasks: List[Any] = []
    real = Engine.quick_emitter

    def spy(self: Engine, task: Any) -> Any:
        quick = real(self, task)
        engine_tasks.append((task.component_id, quick is not None))
        return quick

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Engine, "quick_emitter", spy)
        result = mock.run_simple_topology(None, [mock.MockSpout(["s"], [["a b a"]]), split,
                                                 count])
    assert sorted(engine_tasks) == [("MockSpout", True), ("WordCount", True),
                                    ("WordSplit", True)]
    assert result[count] == [["a", 1], ["b", 1], ["a", 2]]
    received = result.topology.received("WordCount")
    for tup in received:
        made = StormTuple(tup.id, tup.component, tup.stream, tup.task, tup.values, tup.fields)
        for slot in StormTuple.__slots__:   # a slot Tuple gains must be set by quick.py too
            assert getattr(tup, slot) == getattr(made, slot), slot
    assert received[0].word == "a" and received[0].component == "WordSplit"


class WordSplit(BasicBolt):
    def declareOutputFields(self) -> List[str]:
        return ["word"]

    def process(self, tup: Any) -> None:
        for word in tup.values[0].split():
            storm.emit([word])


class WordCount(BasicBolt):
    def __init__(self) -> None:
        super().__init__()
        self.counts: Dict[str, int] = {}

    def declareOutputFields(self) -> List[str]:
        return ["word", "count"]

    def process(self, tup: Any) -> None:
        word = tup.values[0]
        self.counts[word] = self.counts.get(word, 0) + 1
        storm.emit([word, self.counts[word]])


class BadValues(BasicBolt):
    def __init__(self, value: Any) -> None:
        super().__init__()
        self.value = value

    def declareOutputFields(self) -> List[str]:
        return ["v"]

    def process(self, tup: Any) -> None:
        storm.emit([self.value])


@pytest.mark.parametrize("value, words", [
    ({1, 2}, ["'BadValues'", "set", "JSON"]),
    (math.nan, ["'BadValues'", "NaN"]),
    (-math.inf, ["'BadValues'", "NaN or Infinity"]),
    ("\ud800", ["'BadValues'", "not valid Unicode"]),
])
def test_values_json_cannot_carry_still_fail_naming_the_component(value: Any,
                                                                   words: List[str]) -> None:
    with pytest.raises(mock.MockError) as info:
        mock.run_simple_topology(None, [mock.MockSpout(["s"], [["x"]]), BadValues(value)])
    for word in words:
        assert word in str(info.value)


def test_basic_bolt_anchoring_after_ack_is_still_refused() -> None:
    class AnchorAfterAck(BasicBolt):
        def declareOutputFields(self) -> List[str]:
            return ["w"]

        def process(self, tup: Any) -> None:
            storm.emit(["first"])
            self.ack(tup)
            storm.emit(["again"], anchors=[tup])

    with pytest.raises(mock.MockError, match="already acked or failed"):
        mock.run_simple_topology(None, [mock.MockSpout(["s"], [["x"]]), AnchorAfterAck()])


@pytest.mark.parametrize("values, plain", [
    (["ascii", 1, -2, 2 ** 80, 0.5, -0.0, None], True),
    ([], True),
    (["é"], False), ([True], False), ([math.nan], False), ([math.inf], False),
    ([[1]], False), ([{"a": 1}], False), ([b"x"], False), ([1 + 2j], False),
])
def test_carried_unchanged_accepts_exactly_what_json_gives_back(values: List[Any],
                                                                 plain: bool) -> None:
    assert carried_unchanged(values) is plain
