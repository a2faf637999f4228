"""spout_timeout, the facade after a failed initialize, monkeypatched topology modules,
and the engine's fast delivery path against its general one."""

from __future__ import annotations

import gc
import importlib
import sys
import time
import types
from pathlib import Path
from typing import Any, Dict, List

import pytest
from mock_components import (
    ChattyBolt,
    CountBolt,
    EchoBolt,
    EmitBolt,
    FailingInitBolt,
    ForgetfulBolt,
    PairingBolt,
    QueueSpout,
    RaisingBolt,
    ReplayingSpout,
    SplitBolt,
    TaskIdsBolt,
)

from petrel import mock, storm
from petrel.mock.engine import Engine

EXAMPLE = Path(__file__).parent / "topo_example"


# -- spout_timeout -----------------------------------------------------------------------------
def queue_topology(spout: QueueSpout) -> Any:
    def topology(builder: Any) -> None:
        builder.setSpout("feed", spout, 1)
        builder.setBolt("echo", EchoBolt(), 1).shuffleGrouping("feed")
    return topology


def test_a_spout_fed_by_a_thread_is_polled_until_max_spout_emits() -> None:
    spout = QueueSpout(feed=5)
    started = time.monotonic()
    result = mock.run_topology(queue_topology(spout), max_spout_emits=5, spout_timeout=10)
    assert time.monotonic() - started < 5            # stops at the 5th emit, not at 10 s
    assert result.emitted("echo") == [[0], [1], [2], [3], [4]]
    assert sorted(result.acked) == [0, 1, 2, 3, 4] and spout.calls > 5
    result.assert_all_acked()


def test_without_spout_timeout_an_empty_next_tuple_stops_the_spout() -> None:
    spout = QueueSpout(feed=3, delay_s=0.5)
    result = mock.run_topology(queue_topology(spout), max_spout_emits=3)
    assert result.emitted("echo") == [] and spout.calls == 1


def test_the_timeout_passing_before_max_spout_emits_fails_naming_the_spout() -> None:
    spout = QueueSpout(feed=2, delay_s=0.01)
    started = time.monotonic()
    with pytest.raises(mock.MockError) as info:
        mock.run_topology(queue_topology(spout), max_spout_emits=5, spout_timeout=0.3)
    assert 0.3 <= time.monotonic() - started < 3
    text = str(info.value)
    assert "spout 'feed' task" in text and "(QueueSpout) emitted 2 of max_spout_emits=5" in text
    assert "spout_timeout=0.3" in text


def test_without_max_spout_emits_the_run_collects_until_the_timeout() -> None:
    spout = QueueSpout(feed=3, delay_s=0.01)
    started = time.monotonic()
    result = mock.run_topology(queue_topology(spout), spout_timeout=0.3)
    assert time.monotonic() - started >= 0.3
    assert result.emitted("echo") == [[0], [1], [2]] and sorted(result.acked) == [0, 1, 2]


def test_spout_timeout_in_a_simple_chain_and_mock_spouts_do_not_wait() -> None:
    spout, echo = QueueSpout(feed=2), EchoBolt()
    result = mock.run_simple_topology(None, [spout, echo], max_spout_emits=2, spout_timeout=10)
    assert result[echo] == [[0], [1]]
    started = time.monotonic()
    rows = mock.run_topology(queue_topology(QueueSpout(0)), spout_data={"feed": [[7]]},
                             spout_timeout=10)
    assert rows.emitted("echo") == [[7]] and time.monotonic() - started < 5


@pytest.mark.parametrize("bad", [0, -1, "1", True])
def test_spout_timeout_must_be_a_positive_number(bad: Any) -> None:
    with pytest.raises(mock.MockError, match="spout_timeout="):
        mock.run_topology(queue_topology(QueueSpout(0)), spout_timeout=bad)


# -- petrel.storm's current component after a failed start --------------------------------------
def test_a_failing_initialize_gives_the_facade_back() -> None:
    before = storm._current
    with pytest.raises(mock.MockError, match=r"initialize\(\) raised ConnectionError"):
        mock.MockTask(FailingInitBolt())
    assert storm._current is before

    with mock.MockTask(SplitBolt()) as first:
        with pytest.raises(mock.MockError, match="FailingInitBolt"):
            mock.MockTask(FailingInitBolt(), {"k": 1})
        assert storm._current is first.component     # the task that is still open
    assert storm._current is before

    with pytest.raises(mock.MockError, match="no database here"):
        mock.run_simple_topology({}, [mock.MockSpout(["w"], [["a"]]), FailingInitBolt()])
    assert storm._current is before

    def topology(builder: Any) -> None:
        builder.setSpout("spout", ReplayingSpout(["a"]), 1)
        builder.setBolt("db", FailingInitBolt(), 1).shuffleGrouping("spout")

    with pytest.raises(mock.MockError, match="bolt 'db' task"):
        mock.run_topology(topology)
    assert storm._current is before


def test_garbage_collection_is_back_on_after_a_run_even_a_failed_one() -> None:
    assert gc.isenabled()
    mock.run_simple_topology(None, [mock.MockSpout(["w"], [["a b"]]), SplitBolt()])
    assert gc.isenabled()
    with pytest.raises(mock.MockError):
        mock.run_simple_topology(None, [mock.MockSpout(["w"], [["boom"]]), RaisingBolt()])
    assert gc.isenabled()
    gc.disable()
    try:
        mock.run_simple_topology(None, [mock.MockSpout(["w"], [["a"]]), SplitBolt()])
        assert not gc.isenabled()                   # a test's own choice is kept
    finally:
        gc.enable()


# -- topology modules the test imported (and monkeypatched) --------------------------------------
def test_run_topology_uses_the_modules_the_test_imported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(EXAMPLE))
    for name in ("parity", "collect", "numbers_spout", "create"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    parity = importlib.import_module("parity")

    def odd_goes_even(self: Any, tup: Any) -> None:
        storm.emit([tup.n], stream="even")

    monkeypatch.setattr(parity.ParityBolt, "process", odd_goes_even)
    result = mock.run_topology(EXAMPLE / "create.py", config={"example.count": 4})
    assert sorted(n for n, _task in result.emitted("evens")) == [0, 1, 2, 3]
    assert result.emitted("odds") == []
    assert isinstance(result.instance("parity"), parity.ParityBolt)
    assert sys.modules["parity"] is parity              # still the test's module afterwards
    assert "collect" not in sys.modules                 # what the run imported is dropped


def test_a_same_named_module_from_elsewhere_is_set_aside(monkeypatch: pytest.MonkeyPatch) -> None:
    impostor = types.ModuleType("parity")
    impostor.__file__ = str(Path(__file__).parent / "parity.py")   # not topo_example's file
    monkeypatch.setitem(sys.modules, "parity", impostor)
    result = mock.run_topology(EXAMPLE / "create.py", config={"example.count": 4})
    assert result.emitted("odds") != []                 # topo_example's own ParityBolt ran
    assert sys.modules["parity"] is impostor


# -- the fast delivery path behaves as the general one --------------------------------------------
def _general_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every emit take Engine.emit's general path (no single-target or sink shortcut)."""
    original = Engine._build_routes

    def build_routes(self: Engine, task: Any) -> None:
        original(self, task)
        for route in task.routes.values():
            route.only = None
            route.sink = False

    monkeypatch.setattr(Engine, "_build_routes", build_routes)


def _everything(result: mock.TopologyResult) -> Dict[str, Any]:
    out: Dict[str, Any] = {"acked": result.acked, "failed": result.failed,
                           "pending": result.pending, "stats": result.stats,
                           "errors": [(e.component, e.task, e.message.splitlines()[0])
                                      for e in result.errors],
                           "logs": result.logs}
    for cid in result.tasks:
        out[cid] = (result.emits(cid),
                    [(t.id, t.component, t.stream, t.task, t.values, t.fields)
                     for t in result.received(cid)],
                    result.emitted(cid, stream=None, result_type=mock.STORM_TUPLE))
    return out


CHAINS: List[Any] = [
    lambda: [mock.MockSpout(["sentence"], [["a b a"], ["x a"], ["c"]]), SplitBolt(),
             CountBolt()],
    lambda: [mock.MockSpout(["w"], [["apple"], ["xenon"], ["pear"], ["avocado"]]),
             ForgetfulBolt(), PairingBolt(), TaskIdsBolt()],
    lambda: [mock.MockSpout(["spec"], [[{"values": [1]}], [{"values": [2, 3],
                                                              "stream": "pairs"}]]),
             EmitBolt(), EchoBolt()],
    lambda: [mock.MockSpout(["w"], [["hi"], ["boom"], ["yo"]], ids=["m1", "m2", "m3"]),
             ChattyBolt(), RaisingBolt(), TaskIdsBolt()],
]


@pytest.mark.parametrize("chain", range(len(CHAINS)))
def test_fast_and_general_paths_give_the_same_run(chain: int,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    fast = mock.run_simple_topology({}, CHAINS[chain](), on_error="continue")
    fast_values = [fast[c] for c in fast]
    _general_only(monkeypatch)
    general = mock.run_simple_topology({}, CHAINS[chain](), on_error="continue")
    assert [general[c] for c in general] == fast_values
    assert _everything(general.topology) == _everything(fast.topology)


def test_fast_and_general_paths_agree_on_a_whole_topology(monkeypatch: pytest.MonkeyPatch) -> None:
    def run() -> Dict[str, Any]:
        return _everything(mock.run_topology(EXAMPLE, config={"example.count": 12}))

    fast = run()
    _general_only(monkeypatch)
    assert run() == fast
