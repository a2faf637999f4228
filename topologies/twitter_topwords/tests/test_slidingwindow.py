"""SlidingWindowCounter: counting into slots, window totals, slot wiping, empty windows."""

import pytest
from slidingwindow import SlidingWindowCounter


def test_counts_add_up_within_one_slot_and_across_slots():
    w = SlidingWindowCounter(3)
    w.increment("storm")
    w.increment("storm")
    w.increment("python", 5)
    assert w.get_counts_then_advance_window() == {"storm": 2, "python": 5}
    w.increment("storm")
    assert w.counts() == {"storm": 3, "python": 5}


def test_empty_window_reports_nothing():
    w = SlidingWindowCounter(5)
    assert w.counts() == {}
    for _ in range(7):
        assert w.get_counts_then_advance_window() == {}


def test_oldest_slot_is_wiped_after_num_slots_advances():
    w = SlidingWindowCounter(3)
    w.increment("old")                      # slot 0
    assert w.get_counts_then_advance_window() == {"old": 1}
    w.increment("new")                      # slot 1
    assert w.get_counts_then_advance_window() == {"old": 1, "new": 1}
    assert w.get_counts_then_advance_window() == {"old": 1, "new": 1}
    # slot 0 was wiped by that advance: 'old' is reported once with 0, then forgotten
    assert w.get_counts_then_advance_window() == {"old": 0, "new": 1}
    assert w.get_counts_then_advance_window() == {"new": 0}
    assert w.get_counts_then_advance_window() == {}


def test_a_word_counted_again_before_leaving_keeps_its_recent_counts():
    w = SlidingWindowCounter(2)
    w.increment("a", 4)
    w.get_counts_then_advance_window()
    w.increment("a", 1)
    assert w.get_counts_then_advance_window() == {"a": 5}
    assert w.get_counts_then_advance_window() == {"a": 1}   # the 4 left with its slot
    assert w.get_counts_then_advance_window() == {"a": 0}


def test_counts_made_after_a_report_are_kept_for_num_slots_reports():
    w = SlidingWindowCounter(5)
    w.increment("x")
    reports = [w.get_counts_then_advance_window().get("x") for _ in range(7)]
    assert reports == [1, 1, 1, 1, 1, 0, None]


def test_single_slot_window_forgets_everything_each_advance():
    w = SlidingWindowCounter(1)
    w.increment("x", 2)
    assert w.get_counts_then_advance_window() == {"x": 2}
    assert w.get_counts_then_advance_window() == {"x": 0}
    assert w.counts() == {}


@pytest.mark.parametrize("bad", [0, -1, 2.5, True, "5"])
def test_a_window_needs_a_positive_whole_number_of_slots(bad):
    with pytest.raises(ValueError, match="at least one slot"):
        SlidingWindowCounter(bad)
