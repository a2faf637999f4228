"""run_topology: whole topologies in-process, with groupings, streams, tasks, ticks, acking."""

from __future__ import annotations

import collections
from pathlib import Path
from typing import Any

import pytest
from mock_components import (
    CountBolt,
    DirectRouterBolt,
    EchoBolt,
    EndlessSpout,
    ForgetfulBolt,
    ParityBolt,
    RaisingBolt,
    RecordingBolt,
    ReplayingSpout,
    SplitBolt,
    TickCounterBolt,
)

from petrel import mock, storm
from petrel.emitter import JavaSpout, ShellBolt, Spout
from petrel.semantics.groupings import fields_grouping_index

EXAMPLE = Path(__file__).parent / "topo_example"
WORDS = "the cat and the dog and the bird".split()


def words_topology(builder: Any) -> None:
    builder.setSpout("spout", ReplayingSpout(["-"]), 1)
    builder.setBolt("split", SplitBolt(), 2).shuffleGrouping("spout")
    builder.setBolt("count", CountBolt(), 3).fieldsGrouping("split", ["word"])


def sentence_rows(n: int = 20) -> list:
    return [[" ".join(WORDS[i % 5:i % 5 + 3])] for i in range(n)]


def test_fields_grouping_picks_the_local_runners_task_and_counts_add_up() -> None:
    rows = sentence_rows()
    result = mock.run_topology(words_topology, spout_data={"spout": rows})
    count_tasks = result.tasks["count"]
    assert len(count_tasks) == 3 and len(result.tasks["split"]) == 2
    per_task = collections.defaultdict(set)
    for task in count_tasks:
        for word, _n in result.emitted("count", task=task):
            per_task[word].add(task)
    for word, tasks in per_task.items():
        assert tasks == {count_tasks[fields_grouping_index([word], 3)]}, word
    totals = collections.Counter(w for row in rows for w in row[0].split())
    finals = {}
    for word, n in result.emitted("count"):
        finals[word] = n
    assert finals == dict(totals)
    assert sorted(result.acked) == list(range(len(rows)))
    result.assert_all_acked()
    result.assert_no_errors()


def test_parallel_tasks_are_separate_instances_and_the_first_is_create_pys_object() -> None:
    made = {}

    def topology(builder: Any) -> None:
        made["count"] = CountBolt()
        builder.setSpout("spout", ReplayingSpout([]), 1)
        builder.setBolt("count", made["count"], 3).fieldsGrouping("spout", ["word"])

    result = mock.run_topology(topology, spout_data={"spout": [["a"], ["b"], ["c"], ["a"]]})
    objects = result.instances("count")
    assert len({id(o) for o in objects}) == 3 and objects[0] is made["count"]
    assert result.instance("count", task=result.tasks["count"][1]) is objects[1]
    merged = collections.Counter()
    for obj in objects:
        merged.update(obj.counts)
    assert merged == {"a": 2, "b": 1, "c": 1}


def test_all_global_none_and_local_or_shuffle_groupings() -> None:
    def topology(builder: Any) -> None:
        builder.setSpout("spout", ReplayingSpout([]), 1)
        builder.setBolt("all", RecordingBolt(), 3).allGrouping("spout")
        builder.setBolt("global", RecordingBolt(), 3).globalGrouping("spout")
        builder.setBolt("none", RecordingBolt(), 2).noneGrouping("spout")
        builder.setBolt("local", RecordingBolt(), 2).localOrShuffleGrouping("spout")

    rows = [[str(i)] for i in range(6)]
    result = mock.run_topology(topology, spout_data={"spout": rows})
    for task in result.tasks["all"]:
        assert [t.values for t in result.received("all", task=task)] == rows
    lowest = min(result.tasks["global"])
    assert len(result.received("global", task=lowest)) == 6
    assert all(not result.received("global", task=t) for t in result.tasks["global"][1:])
    assert len(result.received("none")) == 6 and len(result.received("local")) == 6
    # Every delivery must be acked before a tree completes: 3 + 1 + 1 + 1 per row.
    assert sorted(result.acked) == list(range(6))
    assert result.stats["all"]["executed"] == 18 and result.stats["all"]["acked"] == 18


def test_streams_direct_grouping_and_emit_direct() -> None:
    def topology(builder: Any) -> None:
        builder.setSpout("spout", ReplayingSpout([]), 1)
        builder.setBolt("parity", ParityBolt(), 1).shuffleGrouping("spout")
        builder.setBolt("evens", RecordingBolt(), 1).shuffleGrouping("parity", "even")
        builder.setBolt("router", DirectRouterBolt(), 1).shuffleGrouping("parity", "odd")
        builder.setBolt("sink", RecordingBolt(), 3).directGrouping("router", "routed")

    rows = [[n] for n in range(10)]
    result = mock.run_topology(topology, spout_data={"spout": rows},
                               config={"router.target": "sink"})
    assert result.emitted("parity", stream="even") == [[0], [2], [4], [6], [8]]
    assert result.emitted("parity", stream="odd") == [[1], [3], [5], [7], [9]]
    assert [t.values for t in result.received("evens")] == [[0], [2], [4], [6], [8]]
    sink_tasks = result.tasks["sink"]
    for n in (1, 3, 5, 7, 9):
        target = sink_tasks[n % 3]
        assert [n] in [t.values for t in result.received("sink", task=target)]
    (emit,) = [e for e in result.emits("router") if e.values == [1]]
    assert emit.direct_task == sink_tasks[1] and emit.stream == "routed"
    assert result.emitted("parity", stream=None)[:2] == [[0], [1]]
    with pytest.raises(mock.MockError, match="declares no stream 'default'"):
        result.emitted("parity")


def test_emit_direct_to_a_task_that_does_not_subscribe_is_an_error() -> None:
    def topology(builder: Any) -> None:
        builder.setSpout("spout", ReplayingSpout([]), 1)
        builder.setBolt("router", DirectRouterBolt(), 1).shuffleGrouping("spout")
        builder.setBolt("sink", RecordingBolt(), 2).directGrouping("router", "routed")

    with pytest.raises(mock.MockError) as info:
        mock.run_topology(topology, spout_data={"spout": [[-1]]},
                          config={"router.target": "sink"})
    assert "task 999" in str(info.value) and "directGrouping" in str(info.value)


def test_streams_added_in_create_py_with_add_output_stream() -> None:
    class Extra(EchoBolt):
        def process(self, tup: Any) -> None:
            storm.emit(tup.values, stream="extra")

    def topology(builder: Any) -> None:
        builder.setSpout("spout", ReplayingSpout([]), 1)
        builder.setBolt("echo", Extra(), 1).shuffleGrouping("spout")
        builder.addOutputStream("echo", "extra", ["copy"])
        builder.setBolt("sink", RecordingBolt(), 1).shuffleGrouping("echo", "extra")

    result = mock.run_topology(topology, spout_data={"spout": [["x"]]})
    (tup,) = result.received("sink")
    assert tup.stream == "extra" and tup.copy == "x"


def test_ticks_are_delivered_on_request_to_every_task() -> None:
    def topology(builder: Any) -> None:
        builder.setSpout("spout", ReplayingSpout([]), 1)
        builder.setBolt("counter", TickCounterBolt(), 2).fieldsGrouping("spout", ["word"])
        builder.setBolt("sink", RecordingBolt(), 1).globalGrouping("counter")

    rows = [["a"], ["b"], ["a"], ["c"]]
    no_ticks = mock.run_topology(topology, spout_data={"spout": rows})
    assert no_ticks.emitted("counter") == []
    result = mock.run_topology(topology, spout_data={"spout": rows}, ticks=2)
    assert sorted(map(tuple, result.emitted("counter"))) == [("a", 2), ("b", 1), ("c", 1)]
    assert [o.ticks for o in result.instances("counter")] == [2, 2]
    ticks = [t for t in result.received("counter") if t.is_tick_tuple()]
    assert len(ticks) == 4
    assert all(t.values == [60] and t.task == -1 and t.component == "__system" for t in ticks)
    assert mock.run_topology(topology, spout_data={"spout": rows},
                             ticks={"counter": 1}).emitted("counter") != []
    with pytest.raises(mock.MockError, match="bolt 'sink' has no topology.tick.tuple.freq.secs"):
        mock.run_topology(topology, spout_data={"spout": rows}, ticks={"sink": 1})
    with pytest.raises(mock.MockError, match="'nothing', which is not a bolt"):
        mock.run_topology(topology, spout_data={"spout": rows}, ticks={"nothing": 1})


def test_tuple_trees_fail_and_replay_through_the_spout() -> None:
    spout = ReplayingSpout(["apple", "xenon", "pear"], replays=1)

    def topology(builder: Any) -> None:
        builder.setSpout("spout", spout, 1)
        builder.setBolt("picky", ForgetfulBolt(), 1).shuffleGrouping("spout")
        builder.setBolt("count", CountBolt(), 1).shuffleGrouping("picky")

    result = mock.run_topology(topology)
    # 'xenon' (id 1) fails, is replayed as 'a-xenon' and acked; 'pear' (id 2) is never acked.
    assert result.failed == [1] and spout.failed == [1]
    assert sorted(result.acked) == [0, 1] and sorted(spout.acked) == [0, 1]
    assert result.pending == [2]
    assert spout.activated == 1 and spout.deactivated == 1
    assert result.emitted("picky") == [["apple"], ["a-xenon"]]


def test_an_exception_fails_the_tree_with_on_error_continue() -> None:
    def topology(builder: Any) -> None:
        builder.setSpout("spout", ReplayingSpout([]), 1)
        builder.setBolt("split", SplitBolt(), 1).shuffleGrouping("spout")
        builder.setBolt("risky", RaisingBolt(), 2).shuffleGrouping("split")

    rows = [["a b"], ["c boom d"], ["e"]]
    with pytest.raises(mock.MockError, match="bolt 'risky' task"):
        mock.run_topology(topology, spout_data={"spout": rows})
    result = mock.run_topology(topology, spout_data={"spout": rows}, on_error="continue")
    assert result.failed == [1] and sorted(result.acked) == [0, 2]
    (error,) = result.errors
    assert error.component == "risky" and "['boom']" in error.message


def test_without_ackers_spout_tuples_are_acked_at_once() -> None:
    result = mock.run_topology(words_topology, spout_data={"spout": [["a b"]]},
                               config={"topology.acker.executors": 0})
    assert result.acked == [0]
    assert result.tasks["count"][0] == 1   # no __acker task takes an id


def test_spout_data_is_dealt_over_the_spout_tasks_and_checked() -> None:
    def topology(builder: Any) -> None:
        builder.setSpout("spout", JavaSpout("org.example.Spout", [], ["word"]), 2)
        builder.setBolt("echo", EchoBolt(), 1).shuffleGrouping("spout")

    rows = [["r0"], ["r1"], ["r2"]]
    result = mock.run_topology(topology, spout_data={"spout": rows})
    first, second = result.tasks["spout"]
    assert result.emitted("spout", task=first) == [["r0"], ["r2"]]
    assert result.emitted("spout", task=second) == [["r1"]]
    assert sorted(result.acked) == [0, 1, 2]
    with pytest.raises(mock.MockError, match=r"not spouts of the topology; spouts: \['spout'\]"):
        mock.run_topology(topology, spout_data={"nope": rows})
    with pytest.raises(mock.MockError, match="spout 'spout' is a JavaSpout"):
        mock.run_topology(topology)
    with pytest.raises(mock.MockError, match="must be a list of rows"):
        mock.run_topology(topology, spout_data={"spout": "r0"})


def test_real_spouts_are_bounded_by_max_spout_emits() -> None:
    def topology(builder: Any) -> None:
        builder.setSpout("endless", EndlessSpout(), 2)
        builder.setBolt("echo", EchoBolt(), 1).shuffleGrouping("endless")

    result = mock.run_topology(topology, max_spout_emits=3)
    assert len(result.emitted("echo")) == 6           # 3 per spout task
    assert [o.acked for o in result.instances("endless")] == [[1, 2, 3], [1, 2, 3]]
    result = mock.run_topology(topology, max_spout_emits={"endless": 1})
    assert len(result.emitted("endless")) == 2
    with pytest.raises(mock.MockError, match="max_spout_emits=N"):
        mock.run_topology(topology)
    with pytest.raises(mock.MockError, match="not spouts"):
        mock.run_topology(topology, max_spout_emits={"echo": 1})


def test_components_that_cannot_run_in_process_are_named() -> None:
    def topology(builder: Any) -> None:
        builder.setSpout("spout", ReplayingSpout([]), 1)
        builder.setBolt("node", ShellBolt("node", "split.js", ["word"]), 1).shuffleGrouping("spout")

    with pytest.raises(mock.MockError, match="bolt 'node' is a ShellBolt"):
        mock.run_topology(topology, spout_data={"spout": [["a"]]})


def test_create_py_problems_are_reported_together() -> None:
    def topology(builder: Any) -> None:
        builder.setSpout("spout", ReplayingSpout([]), 1)
        builder.setBolt("count", CountBolt(), 1).fieldsGrouping("spout", ["missing"])
        builder.setBolt("other", CountBolt(), 1).shuffleGrouping("ghost")

    with pytest.raises(mock.MockError) as info:
        mock.run_topology(topology)
    text = str(info.value)
    assert "fields grouping on 'missing'" in text and "'ghost', which does not exist" in text


def test_a_topology_directory_with_its_yaml() -> None:
    result = mock.run_topology(EXAMPLE)
    assert len(result.tasks["evens"]) == 3          # petrel.parallelism.evens: 3
    assert sorted(result.acked) == [f"n{i}" for i in range(10)]
    evens = result.tasks["evens"]
    for n, task in result.emitted("evens"):
        assert task == evens[fields_grouping_index([n], 3)]
    odds = result.emitted("odds")
    assert [n for n, _ in odds] == [1, 3, 5, 7, 9]
    assert {task for _, task in odds} == {min(result.tasks["odds"])}
    assert result.instance("evens").label == "from-yaml"


def test_create_py_path_config_override_and_module_function() -> None:
    result = mock.run_topology(EXAMPLE / "create.py", config={"example.count": 4})
    assert len(result.tasks["evens"]) == 1          # the given config replaces the yaml
    assert sorted(result.acked) == ["n0", "n1", "n2", "n3"]
    result = mock.run_topology("mock_definitions.small", spout_data={"spout": [["a b a"]]})
    assert result.emitted("count") == [["a", 1], ["b", 1], ["a", 2]]
    with pytest.raises(mock.MockError, match="no such file or directory"):
        mock.run_topology("no/such/dir")
    with pytest.raises(mock.MockError, match="has no function 'nothing'"):
        mock.run_topology("mock_definitions.nothing")


def test_initialize_false_and_result_queries() -> None:
    result = mock.run_topology(EXAMPLE, config={"example.count": 2}, initialize=False,
                               spout_data={"numbers": [[0], [1]]})
    assert result.instance("evens").label is None
    assert result.emitted("evens") == [[0, None]]
    assert result.stats["parity"] == {"kind": "bolt", "tasks": 2, "emitted": 2, "executed": 2,
                                      "acked": 2, "failed": 0, "errors": 0}
    assert "acked=2" in repr(result)
    with pytest.raises(mock.MockError, match="no component 'nope'"):
        result.emitted("nope")
    with pytest.raises(mock.MockError, match="has no task 99"):
        result.emitted("evens", task=99)
    storm_tuples = result.emitted("numbers", result_type=mock.STORM_TUPLE)
    assert [t.component for t in storm_tuples] == ["numbers", "numbers"]


def test_shuffle_is_deterministic_for_a_seed() -> None:
    rows = sentence_rows(30)

    def spread(seed: int) -> list:
        result = mock.run_topology(words_topology, spout_data={"spout": rows}, seed=seed)
        return [len(result.received("split", task=t)) for t in result.tasks["split"]]

    assert spread(1) == spread(1)
    assert sum(spread(2)) == 30


def test_components_without_petrel_base_class_in_a_spout_slot() -> None:
    class NotASpout(EchoBolt):
        pass

    def topology(builder: Any) -> None:
        builder.setSpout("spout", NotASpout(), 1)

    with pytest.raises(mock.MockError, match="is not a Spout"):
        mock.run_topology(topology)
    assert issubclass(ReplayingSpout, Spout)


def test_a_tuple_anchored_to_two_inputs_holds_both_trees() -> None:
    from mock_components import PairingBolt

    def topology(builder: Any) -> None:
        builder.setSpout("spout", ReplayingSpout([]), 1)
        builder.setBolt("pair", PairingBolt(), 1).shuffleGrouping("spout")
        builder.setBolt("picky", ForgetfulBolt(), 1).shuffleGrouping("pair")

    # 'a'+'b' is acked downstream: both trees complete; 'x'+'y' is failed: both fail;
    # 'z' waits for a partner that never comes.
    result = mock.run_topology(topology, spout_data={"spout": [["a"], ["b"], ["x"], ["y"],
                                                               ["z"]]})
    assert result.emitted("pair") == [["a+b"], ["x+y"]]
    assert sorted(result.acked) == [0, 1] and sorted(result.failed) == [2, 3]
    assert result.pending == [4]


def test_the_config_can_make_errors_end_the_task_even_when_continuing() -> None:
    def topology(builder: Any) -> None:
        builder.setSpout("spout", ReplayingSpout([]), 1)
        builder.setBolt("risky", RaisingBolt(), 1).shuffleGrouping("spout")

    with pytest.raises(mock.MockError, match="petrel.on_error: exit"):
        mock.run_topology(topology, spout_data={"spout": [["boom"]]}, on_error="continue",
                          config={"petrel.on_error": "exit"})


def test_a_topology_looping_on_itself_is_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    from petrel.mock import delivery

    def topology(builder: Any) -> None:
        builder.setSpout("spout", ReplayingSpout([]), 1)
        builder.setBolt("loop", EchoBolt(), 1).shuffleGrouping("spout").shuffleGrouping("loop")

    monkeypatch.setattr(delivery, "DELIVERY_LIMIT", 500)
    with pytest.raises(mock.MockError, match="more than 500 tuples delivered"):
        mock.run_topology(topology, spout_data={"spout": [["x"]]})
