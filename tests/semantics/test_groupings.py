"""Groupings route to the tasks Storm would pick, Java hashCode included."""

from collections import Counter

import pytest

from petrel.semantics.groupings import (
    fields_grouping_index,
    java_hash,
    java_list_hash,
    java_string_sort_key,
    make_grouper,
)

VECTORS = [
    (["apple"], 93029241, 0, 1),
    (["banana"], -1396355196, 0, 0),
    (["cherry"], -1361513032, 2, 0),
    (["python"], -973197061, 2, 3),
    (["the"], 114832, 1, 0),
    ([""], 31, 1, 3),
    (["héllo"], 103094765, 2, 1),
    (["😀"], 1772930, 2, 2),
    ([5], 36, 0, 0),
    ([-1], 30, 0, 2),
    ([3000000000], -1294967265, 0, 3),
    ([1.5], 1073217567, 0, 3),
    ([True], 1262, 2, 2),
    ([None], 31, 1, 3),
    (["a", 1], 3969, 0, 1),
    (["word", 7], 113319422, 2, 2),
]


@pytest.mark.parametrize("values,h,i3,i4", VECTORS)
def test_d3_vectors(values, h, i3, i4):
    assert java_list_hash(values) == h
    assert fields_grouping_index(values, 3) == i3
    assert fields_grouping_index(values, 4) == i4


def test_negative_int_differs_before_storm_2_6():
    assert java_list_hash([-1], long_ints=True) == 31
    assert fields_grouping_index([-1], 4, long_ints=True) == 3
    assert fields_grouping_index([-1], 4) == 2


def test_java_hash_of_nested_values_and_big_numbers():
    assert java_hash([1, 2]) == 31 * (31 * 1 + 1) + 2
    assert java_hash({"a": 1}) == java_hash("a") ^ 1
    assert java_hash(2**63 - 1) == -2147483648  # Long.MAX_VALUE.hashCode()
    assert isinstance(java_hash(2**70), int)  # BigInteger: Java's definition, no crash
    assert java_hash(float("nan")) == 2146959360


def test_fields_grouping_routes_check_44():
    tasks = [11, 7, 9, 13]  # sorted: 7, 9, 11, 13
    g = make_grouper("fields", tasks, ["word"], ["word"])
    assert g(["apple"]) == [9]
    assert g(["python"]) == [13]
    assert g(["the"]) == [7]
    assert g([""]) == [13]


def test_fields_grouping_uses_grouping_field_order():
    g = make_grouper("fields", [1, 2, 3], ["n", "w", "x"], ["w", "n"])
    assert g([1, "a", "zzz"]) == [[1, 2, 3][fields_grouping_index(["a", 1], 3)]]


def test_fields_grouping_unknown_field():
    with pytest.raises(ValueError, match="not declared"):
        make_grouper("fields", [1], ["word"], ["wrd"])


def test_global_all_none_shuffle():
    assert make_grouper("global", [5, 3, 4])(["x"]) == [3]
    assert make_grouper("fields", [5, 3, 4], ["a"], [])(["x"]) == [3]
    assert sorted(make_grouper("all", [5, 3, 4])(["x"])) == [3, 4, 5]
    none = make_grouper("none", [1, 2])
    assert all(none(["x"])[0] in (1, 2) for _ in range(20))
    shuffle = make_grouper("shuffle", [1, 2, 3])
    picks = Counter(shuffle(["x"])[0] for _ in range(300))
    assert picks == Counter({1: 100, 2: 100, 3: 100})  # shuffled round robin
    local = make_grouper("local_or_shuffle", [1, 2])
    assert Counter(local(["x"])[0] for _ in range(10)) == Counter({1: 5, 2: 5})


def test_custom_groupings_refused():
    with pytest.raises(ValueError, match="custom_object"):
        make_grouper("custom_object", [1])


def test_java_string_order():
    ids = ["split", "__acker", "count", "Spout", "sentence-spout", "9"]
    assert sorted(ids, key=java_string_sort_key) == [
        "9", "Spout", "__acker", "count", "sentence-spout", "split"]
