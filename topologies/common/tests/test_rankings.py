"""Rankings and MergedRankings: order, ties, updates, words leaving the top N, empty rankings."""

import itertools
import random

import pytest
from rankings import MergedRankings, Rankings, rank


def test_ranked_by_count_then_word():
    r = Rankings(top_n=3)
    r.update_all([("b", 2), ("a", 5), ("c", 9), ("d", 1)])
    assert r.top() == [["c", 9], ["a", 5], ["b", 2]]


def test_ties_are_broken_by_the_word_whatever_the_arrival_order():
    pairs = [("pear", 3), ("apple", 3), ("fig", 3), ("kiwi", 7), ("date", 3)]
    expected = [["kiwi", 7], ["apple", 3], ["date", 3], ["fig", 3]]
    for order in itertools.permutations(pairs):
        r = Rankings(top_n=4)
        r.update_all(order)
        assert r.top() == expected


def test_update_replaces_the_previous_count():
    r = Rankings(top_n=10)
    r.update("storm", 10)
    r.update("storm", 3)
    assert r.top() == [["storm", 3]]
    assert r.count("storm") == 3


def test_zero_count_removes_the_word():
    r = Rankings(top_n=10)
    r.update_all([("a", 2), ("b", 1)])
    r.update("a", 0)
    assert r.top() == [["b", 1]]
    assert "a" not in r and len(r) == 1
    r.update("never-seen", 0)
    assert len(r) == 1


def test_empty_rankings():
    assert Rankings().top() == []
    assert MergedRankings().top() == []
    assert rank({}, 10) == []


def test_a_word_leaves_the_top_10_when_others_overtake_it_and_comes_back():
    r = Rankings(top_n=10)
    r.update_all((f"w{i:02d}", 100 - i) for i in range(10))   # w00..w09 with 100..91
    assert ["w09", 91] in r.top()
    r.update("newcomer", 95)
    top = r.top()
    assert len(top) == 10 and ["newcomer", 95] in top and ["w09", 91] not in top
    r.update("newcomer", 1)                                     # its window emptied out
    assert ["w09", 91] in r.top() and ["newcomer", 1] not in r.top()


def test_top_matches_a_full_sort_on_random_counts():
    rng = random.Random(7)
    counts = {f"w{i}": rng.randint(1, 20) for i in range(300)}
    r = Rankings(top_n=10)
    r.update_all(counts.items())
    full = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
    assert r.top() == [list(p) for p in full]


def test_merged_rankings_keep_only_each_sources_latest_list():
    m = MergedRankings(top_n=3)
    m.replace(1, [["a", 9], ["b", 5]])
    m.replace(2, [["c", 7], ["d", 1]])
    assert m.top() == [["a", 9], ["c", 7], ["b", 5]]
    m.replace(1, [["b", 6]])               # 'a' left task 1's ranking: it leaves the total
    assert m.top() == [["c", 7], ["b", 6], ["d", 1]]
    m.replace(2, [])
    assert m.top() == [["b", 6]]


def test_merged_rankings_take_the_higher_count_when_two_sources_rank_a_word():
    m = MergedRankings(top_n=2)
    m.replace("x", [["w", 3]])
    m.replace("y", [["w", 8]])
    assert m.top() == [["w", 8]]


@pytest.mark.parametrize("cls", [Rankings, MergedRankings])
@pytest.mark.parametrize("bad", [0, -3, 1.5, False])
def test_top_n_must_be_positive(cls, bad):
    with pytest.raises(ValueError, match="top_n"):
        cls(bad)
