"""MockTask and the pytest fixtures: one component driven a tuple or command at a time."""

from __future__ import annotations

from pathlib import Path
from typing import Any, List

import pytest
from mock_components import (
    CountBolt,
    ForgetfulBolt,
    RaisingBolt,
    RecordingBolt,
    ReplayingSpout,
    SplitBolt,
    TickCounterBolt,
)

from petrel import mock, storm
from petrel.emitter import Bolt


def test_a_basic_bolt_anchors_its_emits_and_acks_its_input() -> None:
    with mock.MockTask(SplitBolt()) as task:
        tup = task.send(["a b"], fields=["sentence"])
        assert task.take() == [["a"], ["b"]]
        assert [e.anchors for e in task.emits] == [[tup.id], [tup.id]]
        assert task.acked == [tup.id] and task.failed == []
        assert tup.sentence == "a b"
        task.send(["c"])
        assert task.take() == [["c"]]
        assert task.emitted() == [["a"], ["b"], ["c"]]
        assert task.emitted(result_type=mock.TUPLE) == [("a",), ("b",), ("c",)]


def test_a_manual_bolt_acks_fails_and_refuses_anchoring_to_a_finished_tuple() -> None:
    task = mock.MockTask(ForgetfulBolt())
    apple, xenon, pear = task.send(["apple"]), task.send(["xenon"]), task.send(["pear"])
    assert task.acked == [apple.id] and task.failed == [xenon.id]
    assert pear.id not in task.acked + task.failed
    assert task.emits[0].anchors == [apple.id]

    class LateAnchor(Bolt):
        def declareOutputFields(self) -> List[str]:
            return ["w"]

        def process(self, tup: Any) -> None:
            storm.ack(tup)
            storm.emit(tup.values, anchors=[tup])

    with pytest.raises(mock.MockError, match="already acked or failed"):
        mock.MockTask(LateAnchor()).send(["x"])
    lenient = mock.MockTask(LateAnchor(), on_error="continue")
    lenient.send(["x"])
    assert "already acked or failed" in lenient.errors[0]


def test_ticks_reach_a_bolt_and_a_plain_bolt_has_them_acked() -> None:
    task = mock.MockTask(TickCounterBolt(), {"any": 1})
    task.send(["a"], fields=["word"])
    task.send(["a"], fields=["word"])
    tick = task.tick()
    assert tick.is_tick_tuple() and tick.values == [60]
    assert task.take() == [["a", 2]]

    class Ticking(Bolt):
        def declareOutputFields(self) -> List[str]:
            return []

    plain = mock.MockTask(Ticking())
    tick = plain.tick(5)
    assert tick.values == [5] and plain.acked == [tick.id]


def test_a_spout_is_driven_command_by_command() -> None:
    spout = ReplayingSpout(["one", "two"], replays=1)
    task = mock.MockTask(spout)
    assert spout.activated == 1
    (emit,) = task.next_tuple()
    assert (emit.values, emit.msg_id, emit.anchors) == (["one"], 0, None)
    task.fail(0)
    assert task.next_tuple(3) and [e.values for e in task.emits] == [["one"], ["two"], ["a-one"]]
    task.ack(1)
    assert spout.acked == [1] and spout.failed == [0]
    task.deactivate()
    assert spout.deactivated == 1
    with pytest.raises(mock.MockError, match="send\\(\\) is for bolts"):
        task.send(["x"])


def test_mock_task_refuses_bad_input() -> None:
    with pytest.raises(mock.MockError, match="got the class SplitBolt"):
        mock.MockTask(SplitBolt)
    with pytest.raises(mock.MockError, match="got int"):
        mock.MockTask(3)
    task = mock.MockTask(CountBolt())
    with pytest.raises(mock.MockError, match="send\\(\\) takes a list"):
        task.send("word")
    with pytest.raises(mock.MockError, match="could not carry"):
        task.send([object()])
    with pytest.raises(mock.MockError, match="next_tuple\\(\\) is for spouts"):
        task.next_tuple()
    with pytest.raises(mock.MockError, match="ZeroDivisionError"):
        mock.MockTask(RaisingBolt()).send(["boom"])


def test_initialize_is_called_with_the_config_unless_asked_not_to() -> None:
    bolt = RecordingBolt()
    mock.MockTask(bolt, {"k": "v"})
    ((conf, context),) = bolt.initialized
    assert conf["k"] == "v" and context["componentid"] == "RecordingBolt"
    quiet = RecordingBolt()
    mock.MockTask(quiet, initialize=False)
    assert quiet.initialized == []


def test_mock_task_fixture_restores_the_facade(mock_task: Any) -> None:
    before = storm._current
    task = mock_task(SplitBolt(), component_id="split")
    task.send(["x y"])
    assert task.take() == [["x"], ["y"]] and task.component_id == "split"
    assert storm._current is task.component
    task.close()
    assert storm._current is before


def test_mock_topology_fixture_finds_create_py(mock_topology: Any, tmp_path: Path) -> None:
    with pytest.raises(mock.MockError, match="no create.py"):
        mock_topology()
    example = Path(__file__).parent / "topo_example"
    result = mock_topology(definition=example, config={"example.count": 3})
    assert sorted(result.acked) == ["n0", "n1", "n2"]
