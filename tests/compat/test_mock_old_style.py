"""petrel.mock as old Petrel's tests use it: NAMEDTUPLE rows, the original exception, the
old names (``mock.Mock``, ``MockSpout.data``); petrel's own ways keep working beside them."""

from __future__ import annotations

from typing import Any

import pytest

from petrel import mock, storm
from petrel.emitter import BasicBolt, Spout


class UpperBolt(BasicBolt):
    def declareOutputFields(self) -> list:
        return ["word", "upper"]

    def process(self, tup: Any) -> None:
        storm.emit([tup.values[0], tup.values[0].upper()])


class PickyBolt(BasicBolt):
    def declareOutputFields(self) -> list:
        return ["word"]

    def process(self, tup: Any) -> None:
        if tup.values[0] == "boom":
            raise ValueError("no booms")
        storm.emit(tup.values)


class CodedError(Exception):
    def __init__(self, text: str, code: int) -> None:
        super().__init__(text)
        self.code = code


class CodedBolt(PickyBolt):
    def process(self, tup: Any) -> None:
        raise CodedError("coded", 42)


class TwoArgsOnly(Exception):
    def __new__(cls, *args: Any) -> TwoArgsOnly:
        if len(args) != 2:
            raise TypeError("two arguments, please")
        return super().__new__(cls, *args)


class StubbornBolt(PickyBolt):
    def process(self, tup: Any) -> None:
        raise TwoArgsOnly("a", "b")


class BadInitBolt(PickyBolt):
    def initialize(self, conf: Any, context: Any) -> None:
        raise KeyError("db.url")


def words(*rows: str) -> mock.MockSpout:
    return mock.MockSpout(["word"], [[r] for r in rows])


def test_the_default_result_type_is_namedtuple_as_in_old_petrel() -> None:
    spout, bolt = words("a", "b"), UpperBolt()
    result = mock.run_simple_topology(None, [spout, bolt])
    assert [row.word for row in result[spout]] == ["a", "b"]
    assert [(row.word, row.upper) for row in result[bolt]] == [("a", "A"), ("b", "B")]
    assert type(result[bolt][0]).__name__ == "UpperBoltTuple"


def test_namedtuple_rows_also_equal_lists_and_tuples_of_their_values() -> None:
    bolt = UpperBolt()
    rows = mock.run_simple_topology(None, [words("a"), bolt])[bolt]
    assert rows == [["a", "A"]] and [["a", "A"]] == rows
    assert rows == [("a", "A")]
    assert rows != [["a", "B"]] and rows[0] != ["a"]
    assert {rows[0]: 1}[("a", "A")] == 1        # hashed as the tuple it is


def test_explicit_result_types_are_unchanged() -> None:
    bolt = UpperBolt()
    (row,) = mock.run_simple_topology(None, [words("a"), bolt], result_type=mock.LIST)[bolt]
    assert type(row) is list and row == ["a", "A"]
    bolt = UpperBolt()
    (row,) = mock.run_simple_topology(None, [words("a"), bolt], result_type=mock.TUPLE)[bolt]
    assert type(row) is tuple and row == ("a", "A")


def test_old_mock_class_runs_the_chain_and_refuses_instances() -> None:
    spout, bolt = words("x"), UpperBolt()
    result = mock.Mock.run_simple_topology(None, [spout, bolt])
    assert result[bolt][0].upper == "X"
    with pytest.raises(mock.MockError, match=r"mock.Mock\(\) is gone.*MockTask"):
        mock.Mock()


def test_mockspout_data_is_rows() -> None:
    spout = mock.MockSpout(["word"], [["a"]])
    assert spout.data is spout.rows
    spout.data = [["b"], ["c"]]
    assert spout.rows == [["b"], ["c"]] and spout.index == 0


def test_an_exception_in_process_reaches_the_test_as_its_own_class() -> None:
    with pytest.raises(ValueError, match="no booms") as info:
        mock.run_simple_topology(None, [words("ok", "boom"), PickyBolt()])
    assert isinstance(info.value, mock.MockError)             # petrel's way still works
    assert isinstance(info.value.original, ValueError) and info.value.__cause__ is \
        info.value.original
    assert "bolt 'PickyBolt' task 2 (PickyBolt): ValueError: no booms" in str(info.value)


def test_the_original_exception_attributes_are_kept() -> None:
    with pytest.raises(CodedError) as info:
        mock.run_simple_topology(None, [words("x"), CodedBolt()])
    assert info.value.code == 42
    assert "CodedError: coded" in str(info.value)


def test_an_exception_class_that_cannot_be_wrapped_gives_a_plain_mockerror() -> None:
    with pytest.raises(mock.MockError) as info:
        mock.run_simple_topology(None, [words("x"), StubbornBolt()])
    assert not isinstance(info.value, TwoArgsOnly)
    assert isinstance(info.value.original, TwoArgsOnly)


def test_initialize_errors_and_the_new_entry_points_raise_the_class_too() -> None:
    with pytest.raises(KeyError):
        mock.run_simple_topology({}, [words("x"), BadInitBolt()])
    task = mock.MockTask(PickyBolt())
    with pytest.raises(ValueError, match="no booms"):
        task.send(["boom"])
    task.close()


class CountingSpout(Spout):
    def __init__(self) -> None:
        super().__init__()
        self.n = 0

    def declareOutputFields(self) -> list:
        return ["n"]

    def nextTuple(self) -> None:
        self.n += 1
        if self.n > 2:
            raise ZeroDivisionError("spout broke")
        storm.emit([self.n])


def test_a_spout_exception_reaches_the_test_as_its_own_class() -> None:
    with pytest.raises(ZeroDivisionError, match="spout broke"):
        mock.run_simple_topology(None, [CountingSpout()])


class TooWideBolt(BasicBolt):
    def declareOutputFields(self) -> list:
        return ["word"]

    def process(self, tup: Any) -> None:
        storm.emit([tup.values[0], len(tup.values[0])])


class NotANumberBolt(TooWideBolt):
    def process(self, tup: Any) -> None:
        storm.emit([float("nan")])


def test_stricter_emit_checks_say_what_changed_since_old_petrel() -> None:
    with pytest.raises(mock.MockError) as info:
        mock.run_simple_topology(None, [words("a"), TooWideBolt()])
    assert "emitted 2 value(s) on stream 'default', which declares 1 field(s)" in str(info.value)
    assert "old Petrel let this through; Storm then pairs values with the wrong field " \
           "names" in str(info.value)
    with pytest.raises(ValueError) as info:
        mock.run_simple_topology(None, [words("a"), NotANumberBolt()])
    assert "old Petrel wrote it anyway and Storm failed to read the message" in str(info.value)


def test_petrels_own_entry_points_keep_lists() -> None:
    task = mock.MockTask(UpperBolt())
    task.send(["a"])
    (row,) = task.emitted()
    assert type(row) is list and row == ["a", "A"]
    task.close()
