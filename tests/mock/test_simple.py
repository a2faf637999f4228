"""run_simple_topology and MockSpout: old Petrel's API, with production's behaviour."""

from __future__ import annotations

import math

import pytest
from mock_components import (
    ChattyBolt,
    CountBolt,
    EchoBolt,
    EmitBolt,
    EndlessSpout,
    ForgetfulBolt,
    RaisingBolt,
    RecordingBolt,
    SplitBolt,
    TaskIdsBolt,
    UnsendableBolt,
)

from petrel import mock, storm
from petrel.emitter import ShellBolt


def sentences(*rows: str) -> mock.MockSpout:
    return mock.MockSpout(["sentence"], [[r] for r in rows])


def test_split_then_count_as_in_the_book() -> None:
    split, count = SplitBolt(), CountBolt()
    result = mock.run_simple_topology(None, [sentences("the bart the"), split, count])
    assert result[split] == [["the"], ["bart"], ["the"]]
    assert result[count] == [["the", 1], ["bart", 1], ["the", 2]]


def test_results_are_keyed_by_component_object_and_cover_the_spout() -> None:
    spout, split = sentences("a b"), SplitBolt()
    result = mock.run_simple_topology(None, [spout, split])
    assert list(result) == [spout, split]
    assert result[spout] == [["a b"]]
    assert dict(result) == {spout: [["a b"]], split: [["a"], ["b"]]}
    with pytest.raises(KeyError, match="not in the chain"):
        result[SplitBolt()]
    assert split in result and SplitBolt() not in result


def test_components_that_are_not_hashable_still_key_the_result() -> None:
    class Unhashable(EchoBolt):
        def __eq__(self, other: object) -> bool:
            return isinstance(other, Unhashable)

    spout, bolt = sentences("a"), Unhashable()
    assert mock.run_simple_topology(None, [spout, bolt])[bolt] == [["a"]]


def test_result_types() -> None:
    spout, count = sentences("x y x"), CountBolt()
    chain = [spout, SplitBolt(), count]
    as_tuple = mock.run_simple_topology(None, chain, result_type=mock.TUPLE)[count]
    assert as_tuple == [("x", 1), ("y", 1), ("x", 2)]

    spout, count = sentences("x y x"), CountBolt()
    named = mock.run_simple_topology(None, [spout, SplitBolt(), count],
                                     result_type=mock.NAMEDTUPLE)[count]
    assert named[2].word == "x" and named[2].count == 2
    assert type(named[0]).__name__ == "CountBoltTuple"
    assert type(named[0])._fields == ("word", "count")

    spout, split, count = sentences("x y"), SplitBolt(), CountBolt()
    result = mock.run_simple_topology(None, [spout, split, count], result_type=mock.STORM_TUPLE)
    tuples = result[count]
    assert [t.values for t in tuples] == [["x", 1], ["y", 1]]
    first = tuples[0]
    assert first.component == "CountBolt" and first.stream == "default"
    # Task ids as Storm numbers them: components in Java String order, from 1.
    assert result.topology.tasks == {"MockSpout": [2], "SplitBolt": [3], "CountBolt": [1]}
    assert isinstance(first.id, str) and first.task == 1
    assert first.word == "x" and first["count"] == 1

    with pytest.raises(mock.MockError, match="result_type 7"):
        mock.run_simple_topology(None, [sentences("x")], result_type=7)


def test_namedtuple_with_field_names_python_refuses() -> None:
    spout = mock.MockSpout(["class", "my-field"], [[1, 2]])
    (row,) = mock.run_simple_topology(None, [spout], result_type=mock.NAMEDTUPLE)[spout]
    assert tuple(row) == (1, 2)


def test_tuples_reaching_bolts_carry_component_stream_task_and_id() -> None:
    spout = mock.MockSpout({"default": ["v"], "other": ["v"]},
                           [[1], {"values": [2], "stream": "other"}])
    recorder = RecordingBolt()
    mock.run_simple_topology(None, [spout, recorder])
    one, two = recorder.inputs
    assert (one.component, one.stream, one.task, one.values) == ("MockSpout", "default", 1, [1])
    assert recorder.initialized == []
    assert (two.stream, two.values) == ("other", [2])
    assert one.v == 1                       # field names of the source stream
    assert isinstance(one.id, str) and one.id != two.id
    assert not one.is_tick_tuple()


def test_config_none_skips_initialize_and_a_config_reaches_it() -> None:
    recorder = RecordingBolt()
    mock.run_simple_topology(None, [sentences("a"), recorder])
    assert recorder.initialized == []

    recorder = RecordingBolt()
    mock.run_simple_topology({"my.setting": 42}, [sentences("a"), recorder])
    ((conf, context),) = recorder.initialized
    assert conf["my.setting"] == 42
    assert conf["topology.message.timeout.secs"] == 30      # Storm's defaults, as on a worker
    assert context["componentid"] == "RecordingBolt" and context["taskid"] == 2
    assert context["source->stream->fields"] == {"MockSpout": {"default": ["sentence"]}}


def test_values_make_the_json_round_trip() -> None:
    spout = mock.MockSpout(["value"], [[(1, 2)], [{1: "one"}], [2**70]])
    recorder = RecordingBolt()
    result = mock.run_simple_topology(None, [spout, recorder])
    assert [t.values[0] for t in recorder.inputs] == [[1, 2], {"1": "one"}, 2**70]
    assert result[spout] == [[[1, 2]], [{"1": "one"}], [2**70]]


def test_a_value_json_cannot_carry_fails_the_test_naming_the_component() -> None:
    with pytest.raises(mock.MockError) as info:
        mock.run_simple_topology(None, [sentences("a"), UnsendableBolt()])
    text = str(info.value)
    assert "'UnsendableBolt'" in text and "set" in text and "JSON" in text

    with pytest.raises(mock.MockError, match="NaN"):
        mock.run_simple_topology(None, [mock.MockSpout(["x"], [[math.nan]])])


def test_wrong_width_and_undeclared_stream_fail_naming_the_component() -> None:
    with pytest.raises(mock.MockError) as info:
        mock.run_simple_topology(None, [mock.MockSpout(["a"], [{"values": [{"values": [1, 2]}]}]),
                                        EmitBolt()])
    assert "'EmitBolt' emitted 2 value(s) on stream 'default'" in str(info.value)

    with pytest.raises(mock.MockError) as info:
        mock.run_simple_topology(None, [mock.MockSpout(["a"], [[{"values": [1],
                                                                  "stream": "nope"}]]),
                                        EmitBolt()])
    assert "stream 'nope'" in str(info.value) and "'EmitBolt'" in str(info.value)

    with pytest.raises(mock.MockError, match="emitted 2 value"):
        mock.run_simple_topology(None, [mock.MockSpout(["a"], [[1, 2]])])


def test_multiple_streams_feed_the_next_bolt_and_show_in_storm_tuples() -> None:
    spout = mock.MockSpout(["spec"], [[{"values": [1]}], [{"values": [2, 3], "stream": "pairs"}]])
    emitter, recorder = EmitBolt(), RecordingBolt()
    result = mock.run_simple_topology(None, [spout, emitter, recorder],
                                      result_type=mock.STORM_TUPLE)
    assert [(t.stream, t.values) for t in result[emitter]] == [("default", [1]),
                                                               ("pairs", [2, 3])]
    assert [(t.stream, t.values) for t in recorder.inputs] == [("default", [1]),
                                                               ("pairs", [2, 3])]
    assert recorder.inputs[1].b == 3


def test_bad_chains_are_refused_with_clear_messages() -> None:
    with pytest.raises(mock.MockError, match=r"component 1 \(SplitBolt\) is not a spout"):
        mock.run_simple_topology(None, [SplitBolt(), CountBolt()])
    with pytest.raises(mock.MockError, match="got the class SplitBolt, not an instance"):
        mock.run_simple_topology(None, [sentences("a"), SplitBolt])
    bolt = EchoBolt()
    with pytest.raises(mock.MockError, match="same object as component 2"):
        mock.run_simple_topology(None, [sentences("a"), bolt, bolt])
    with pytest.raises(mock.MockError, match="component 2 .* is a spout"):
        mock.run_simple_topology(None, [sentences("a"), sentences("b")])
    with pytest.raises(mock.MockError, match="no components"):
        mock.run_simple_topology(None, [])
    with pytest.raises(mock.MockError, match="shell or JVM component"):
        mock.run_simple_topology(None, [sentences("a"), ShellBolt("node", "x.js", ["w"])])
    with pytest.raises(mock.MockError, match="config must be a dict"):
        mock.run_simple_topology([("a", 1)], [sentences("a")])

    class Sink(EchoBolt):
        def declareOutputFields(self) -> dict:
            return {}

    with pytest.raises(mock.MockError, match="follows 'Sink', which declares no output"):
        mock.run_simple_topology(None, [sentences("a"), Sink(), EchoBolt()])


def test_a_spout_that_never_stops_needs_max_spout_emits() -> None:
    with pytest.raises(mock.MockError) as info:
        mock.run_simple_topology(None, [EndlessSpout(), EchoBolt()])
    assert "max_spout_emits" in str(info.value) and "EndlessSpout" in str(info.value)

    spout, echo = EndlessSpout(), EchoBolt()
    result = mock.run_simple_topology(None, [spout, echo], max_spout_emits=5)
    assert result[echo] == [[1], [2], [3], [4], [5]]
    assert spout.acked == [1, 2, 3, 4, 5] and result.acked == [1, 2, 3, 4, 5]

    with pytest.raises(mock.MockError, match="whole number"):
        mock.run_simple_topology(None, [EndlessSpout()], max_spout_emits=-1)


def test_spout_tuples_are_acked_through_basic_bolts() -> None:
    spout = sentences("a b", "c")
    result = mock.run_simple_topology(None, [spout, SplitBolt(), CountBolt()])
    assert result.acked == [0, 1] and spout.acked == [0, 1]
    assert result.failed == [] and result.pending == []
    result.topology.assert_all_acked()


def test_manual_bolt_acks_fails_and_forgets() -> None:
    spout = mock.MockSpout(["w"], [["apple"], ["xylophone"], ["pear"], ["avocado"]])
    bolt = ForgetfulBolt()
    result = mock.run_simple_topology(None, [spout, bolt])
    assert result[bolt] == [["apple"], ["avocado"]]
    assert result.acked == [0, 3] and result.failed == [1] and result.pending == [2]
    assert spout.failed == [1]
    with pytest.raises(AssertionError, match=r"1 failed \[1\] and 1 never completed \[2\]"):
        result.topology.assert_all_acked()


def test_exceptions_stop_the_run_with_the_original_as_cause() -> None:
    spout = sentences("fine", "boom", "never")
    with pytest.raises(mock.MockError) as info:
        mock.run_simple_topology(None, [spout, RaisingBolt()])
    text = str(info.value)
    assert "bolt 'RaisingBolt' task 2" in text
    assert "ZeroDivisionError: boom is not a word" in text
    assert "['boom']" in text and "on_error='continue'" in text
    assert isinstance(info.value.__cause__, ZeroDivisionError)


def test_on_error_continue_fails_the_tuple_and_goes_on_as_storm() -> None:
    spout, bolt = sentences("fine", "boom", "after"), RaisingBolt()
    result = mock.run_simple_topology(None, [spout, bolt], on_error="continue")
    assert result[bolt] == [["fine"], ["after"]]
    assert result.failed == [1] and result.acked == [0, 2] and spout.failed == [1]
    (error,) = result.errors
    assert error.component == "RaisingBolt" and error.task == 2
    assert "The error occurred while processing this tuple: ['boom']" in error.message
    with pytest.raises(AssertionError, match="1 error"):
        result.topology.assert_no_errors()
    with pytest.raises(mock.MockError, match="on_error='sometimes'"):
        mock.run_simple_topology(None, [sentences("a")], on_error="sometimes")


def test_log_report_error_print_and_emit_many_are_captured(capfd: pytest.CaptureFixture) -> None:
    bolt = ChattyBolt()
    result = mock.run_simple_topology(None, [sentences("hi"), bolt])
    assert result[bolt] == [["hi"], ["HI"]]
    assert [(e.level, e.message) for e in result.logs] == [(2, "got hi"), (3, "warned")]
    assert [e.message for e in result.errors] == ["odd word hi"]
    out = capfd.readouterr().out
    assert "this print must not reach the protocol" in out   # an ordinary print, nothing else
    assert '"command"' not in out and "emit" not in out


def test_need_task_ids_gets_the_target_tasks() -> None:
    bolt = TaskIdsBolt()
    mock.run_simple_topology(None, [sentences("a"), bolt, EchoBolt()])
    assert bolt.answers == [[1]]   # EchoBolt's task: ids follow Java String order
    last = TaskIdsBolt()
    mock.run_simple_topology(None, [sentences("a"), last])
    assert last.answers == [[]]


def test_the_storm_facade_is_released_after_a_run() -> None:
    before = storm._current
    mock.run_simple_topology(None, [sentences("a"), SplitBolt()])
    assert storm._current is before


def test_mock_spout_rows_ids_and_reliability() -> None:
    spout = mock.MockSpout(["w"], [["a"], ["b"]], ids=["m1", "m2"])
    assert mock.run_simple_topology(None, [spout, EchoBolt()]).acked == ["m1", "m2"]
    unreliable = mock.MockSpout(["w"], [["a"]], reliable=False)
    result = mock.run_simple_topology(None, [unreliable, EchoBolt()])
    assert result.acked == [] and unreliable.done
    with pytest.raises(ValueError, match="one message id per row"):
        mock.MockSpout(["w"], [["a"]], ids=[1, 2])
    with pytest.raises(mock.MockError, match="a dict row needs 'values'"):
        mock.run_simple_topology(None, [mock.MockSpout(["w"], [{"value": 1}])])
    with pytest.raises(mock.MockError, match="emit takes a list of values"):
        mock.run_simple_topology(None, [mock.MockSpout(["w"], ["not a list"])])
