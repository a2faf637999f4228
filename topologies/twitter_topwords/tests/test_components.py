"""Each component of twitter_topwords alone, driven with petrel.mock's MockTask."""

import logging
import time

import pytest
from intermediaterankings import IntermediateRankingsBolt
from rollingcount import RollingCountBolt
from totalrankings import TotalRankingsBolt
from tweetsplitter import TweetSplitterBolt
from tweetspout import MAX_FAILURES, TweetSpout

from petrel import mock


def pump(task, count, timeout=10.0):
    """Call nextTuple until ``count`` tuples were emitted in all (the reader is a thread)."""
    deadline = time.monotonic() + timeout
    while len(task.emits) < count and time.monotonic() < deadline:
        task.next_tuple()
    return task.emits


def test_spout_replays_the_sample_file_with_message_ids(mock_task, replay_once, sample_texts):
    assert len(sample_texts) >= 300
    task = mock_task(TweetSpout(), replay_once)
    emits = pump(task, len(sample_texts))
    assert [e.values for e in emits] == [[t] for t in sample_texts]
    ids = [e.msg_id for e in emits]
    assert len(set(ids)) == len(ids) and None not in ids
    assert task.errors == []


def test_spout_next_tuple_returns_at_once_when_no_tweet_is_waiting(mock_task, replay_once,
                                                                    tmp_path):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    task = mock_task(TweetSpout(), dict(replay_once, **{"twitter.replay_file":
                                                                str(empty)}))
    start = time.monotonic()
    task.next_tuple(1000)
    assert time.monotonic() - start < 0.5
    assert task.emits == []


def test_spout_emits_a_failed_tweet_again_and_forgets_acked_ones(mock_task, replay_once):
    task = mock_task(TweetSpout(), replay_once)
    first, second = pump(task, 2)[:2]
    task.ack(first.msg_id)
    assert first.msg_id not in task.component.pending
    task.fail(second.msg_id)
    task.take()
    (again,) = task.next_tuple()
    assert (again.msg_id, again.values) == (second.msg_id, second.values)


def test_spout_drops_a_tweet_after_max_failures_and_logs_it(mock_task, replay_once, caplog):
    task = mock_task(TweetSpout(), replay_once)
    msg_id = pump(task, 1)[0].msg_id
    with caplog.at_level(logging.ERROR, logger="tweetspout"):
        for attempt in range(MAX_FAILURES):
            task.fail(msg_id)
            if attempt < MAX_FAILURES - 1:
                assert [e.msg_id for e in task.next_tuple()] == [msg_id]
    assert msg_id not in task.component.pending and not task.component.retries
    assert f"failed {MAX_FAILURES} times, dropped" in caplog.text


def test_spout_in_live_mode_without_a_token_fails_initialize_with_the_fix(mock_task,
                                                                           monkeypatch):
    monkeypatch.delenv("TWITTER_BEARER_TOKEN", raising=False)
    with pytest.raises(mock.MockError, match="twitter.bearer_token.*twitter.mode: replay"):
        mock_task(TweetSpout(), {"twitter.mode": "live"})


def test_splitter_emits_words_anchored_to_the_tweet_and_acks_it(mock_task):
    task = mock_task(TweetSplitterBolt())
    tup = task.send(["RT @x: Storm and #Python, storm again https://t.co/1"])
    assert task.take() == [["storm"], ["python"], ["storm"]]
    assert all(e.anchors == [tup.id] for e in task.emits)
    assert task.acked == [tup.id]


def test_rolling_counter_emits_window_counts_on_ticks(mock_task):
    task = mock_task(RollingCountBolt(), {"twitter_word_count.num_windows": 2})
    for word in ["storm", "python", "storm"]:
        task.send([word])
    assert task.take() == []                       # nothing before the tick
    tick = task.tick()
    assert tick.values == [60]                     # the bolt's own tick period
    assert sorted(task.take()) == [["python", 1], ["storm", 2]]
    assert tick.id in task.acked
    task.send(["storm"])
    task.tick()
    assert sorted(task.take()) == [["python", 1], ["storm", 3]]
    task.tick()                                    # the first slot has left the window
    assert sorted(task.take()) == [["python", 0], ["storm", 1]]
    task.tick()
    assert task.take() == [["storm", 0]]
    task.tick()
    assert task.take() == []


def test_rolling_counter_asks_for_ticks_at_its_emit_frequency():
    assert RollingCountBolt(7).getComponentConfiguration() == {
        "topology.tick.tuple.freq.secs": 7}


def test_intermediate_ranker_emits_its_top_n_on_ticks_even_when_empty(mock_task):
    task = mock_task(IntermediateRankingsBolt(), {"twitter_word_count.top_n": 2})
    task.tick()
    assert task.take() == [[[]]]
    for word, count in [("a", 3), ("b", 5), ("c", 1), ("a", 6)]:
        task.send([word, count])
    task.tick()
    assert task.take() == [[[["a", 6], ["b", 5]]]]
    task.send(["a", 0])
    task.tick()
    assert task.take() == [[[["b", 5], ["c", 1]]]]


def test_total_ranker_merges_tasks_and_logs_each_emit(mock_task, caplog):
    task = mock_task(TotalRankingsBolt(), {"twitter_word_count.top_n": 3})
    task.send([[["like", 31], ["storm", 4]]], task=5)
    task.send([[["python", 12], ["coffee", 12]]], task=6)
    with caplog.at_level(logging.INFO, logger="totalrankings"):
        task.tick()
    assert task.take() == [["like", 31], ["coffee", 12], ["python", 12]]
    assert "Emitting: ['like', 31]" in caplog.text
    assert "Emitting: ['coffee', 12]" in caplog.text
    task.send([[["storm", 40]]], task=5)          # task 5's newest ranking replaces its last
    task.tick()
    assert task.take() == [["storm", 40], ["coffee", 12], ["python", 12]]


def test_bad_window_setting_is_named(mock_task):
    with pytest.raises(mock.MockError, match="twitter_word_count.num_windows") as info:
        mock_task(RollingCountBolt(), {"twitter_word_count.num_windows": 0})
    assert isinstance(info.value.__cause__, ValueError)
