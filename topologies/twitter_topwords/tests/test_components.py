"""Each component of twitter_topwords driven in-process through petrel's collector seam.

(To move onto petrel.mock once it can deliver tick tuples and spout acks/fails.)
"""

import json
import logging
import time
from pathlib import Path

import pytest
from intermediaterankings import IntermediateRankingsBolt
from rollingcount import RollingCountBolt
from splittweet import SplitTweetBolt
from totalrankings import TotalRankingsBolt
from twitterstream import MAX_FAILURES, TwitterStreamSpout

TOPOLOGY_DIR = Path(__file__).resolve().parents[1]
SAMPLE = TOPOLOGY_DIR / "tweets_sample.jsonl"
REPLAY_ONCE = {"twitter.mode": "replay", "twitter.replay_file": str(SAMPLE),
               "twitter.replay_rate": 0, "twitter.replay_loop": False}


def sample_texts():
    return [json.loads(line)["data"]["text"] for line in SAMPLE.read_text("utf-8").splitlines()]


def pump(host, count, timeout=10.0):
    """Call nextTuple until ``count`` tuples were emitted in all (or the timeout)."""
    deadline = time.monotonic() + timeout
    while len(host.out.emitted) < count and time.monotonic() < deadline:
        host.next()
    return host.out.emitted


def test_spout_replays_the_sample_file_with_message_ids(host_factory):
    texts = sample_texts()
    assert len(texts) >= 300
    host = host_factory(TwitterStreamSpout(), REPLAY_ONCE)
    emitted = pump(host, len(texts))
    assert [e["values"] for e in emitted] == [[t] for t in texts]
    ids = [e["id"] for e in emitted]
    assert len(set(ids)) == len(ids) and None not in ids
    assert host.out.errors == []


def test_spout_next_tuple_returns_at_once_when_no_tweet_is_waiting(host_factory, tmp_path):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    host = host_factory(TwitterStreamSpout(), dict(REPLAY_ONCE, **{"twitter.replay_file":
                                                                   str(empty)}))
    start = time.monotonic()
    for _ in range(1000):
        host.next()
    assert time.monotonic() - start < 0.5
    assert host.out.emitted == []


def test_spout_emits_a_failed_tweet_again_and_forgets_acked_ones(host_factory):
    host = host_factory(TwitterStreamSpout(), REPLAY_ONCE)
    first, second = pump(host, 2)[:2]
    spout = host.component
    spout.deliver_ack(first["id"])
    assert first["id"] not in spout.pending
    spout.deliver_fail(second["id"])
    host.out.emitted.clear()
    host.next()
    assert host.out.emitted[0]["id"] == second["id"]
    assert host.out.emitted[0]["values"] == second["values"]


def test_spout_drops_a_tweet_after_max_failures_and_logs_it(host_factory, caplog):
    host = host_factory(TwitterStreamSpout(), REPLAY_ONCE)
    msg_id = pump(host, 1)[0]["id"]
    spout = host.component
    with caplog.at_level(logging.ERROR, logger="twitterstream"):
        for attempt in range(MAX_FAILURES):
            spout.deliver_fail(msg_id)
            if attempt < MAX_FAILURES - 1:
                host.out.emitted.clear()
                host.next()
                assert host.out.emitted[0]["id"] == msg_id
    assert msg_id not in spout.pending and not spout.retries
    assert f"failed {MAX_FAILURES} times, dropped" in caplog.text


def test_spout_in_live_mode_without_a_token_fails_initialize_with_the_fix(host_factory,
                                                                           monkeypatch):
    monkeypatch.delenv("TWITTER_BEARER_TOKEN", raising=False)
    with pytest.raises(Exception, match="twitter.bearer_token.*twitter.mode: replay"):
        host_factory(TwitterStreamSpout(), {"twitter.mode": "live"})


def test_splitter_emits_words_anchored_to_the_tweet_and_acks_it(host_factory):
    host = host_factory(SplitTweetBolt())
    tup = host.send(["RT @x: Storm and #Python, storm again https://t.co/1"])
    assert host.values() == [["storm"], ["python"], ["storm"]]
    assert all(e["anchors"] == [tup.id] for e in host.out.emitted)
    assert host.out.acked == [tup.id]


def test_rolling_counter_emits_window_counts_on_ticks(host_factory):
    host = host_factory(RollingCountBolt(), {"twitter_word_count.num_windows": 2})
    for word in ["storm", "python", "storm"]:
        host.send([word])
    assert host.take() == []                       # nothing before the tick
    tick = host.tick()
    assert sorted(host.take()) == [["python", 1], ["storm", 2]]
    assert tick.id in host.out.acked
    host.send(["storm"])
    host.tick()
    assert sorted(host.take()) == [["python", 1], ["storm", 3]]
    host.tick()                                    # the first slot has left the window
    assert sorted(host.take()) == [["python", 0], ["storm", 1]]
    host.tick()
    assert host.take() == [["storm", 0]]
    host.tick()
    assert host.take() == []


def test_rolling_counter_asks_for_ticks_at_its_emit_frequency():
    assert RollingCountBolt(7).getComponentConfiguration() == {
        "topology.tick.tuple.freq.secs": 7}


def test_intermediate_ranker_emits_its_top_n_on_ticks_even_when_empty(host_factory):
    host = host_factory(IntermediateRankingsBolt(), {"twitter_word_count.top_n": 2})
    host.tick()
    assert host.take() == [[[]]]
    for word, count in [("a", 3), ("b", 5), ("c", 1), ("a", 6)]:
        host.send([word, count])
    host.tick()
    assert host.take() == [[[["a", 6], ["b", 5]]]]
    host.send(["a", 0])
    host.tick()
    assert host.take() == [[[["b", 5], ["c", 1]]]]


def test_total_ranker_merges_tasks_and_logs_each_emit(host_factory, caplog):
    host = host_factory(TotalRankingsBolt(), {"twitter_word_count.top_n": 3})
    host.send([[["like", 31], ["storm", 4]]], task=5)
    host.send([[["python", 12], ["coffee", 12]]], task=6)
    with caplog.at_level(logging.INFO, logger="totalrankings"):
        host.tick()
    assert host.take() == [["like", 31], ["coffee", 12], ["python", 12]]
    assert "Emitting: ['like', 31]" in caplog.text
    assert "Emitting: ['coffee', 12]" in caplog.text
    host.send([[["storm", 40]]], task=5)          # task 5's newest ranking replaces its last
    host.tick()
    assert host.take() == [["storm", 40], ["coffee", 12], ["python", 12]]


def test_bad_window_setting_is_named(host_factory):
    with pytest.raises(ValueError, match="twitter_word_count.num_windows"):
        host_factory(RollingCountBolt(), {"twitter_word_count.num_windows": 0})
