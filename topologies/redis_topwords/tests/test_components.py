"""The Redis bolts alone, driven with petrel.mock's MockTask, against a real redis-server and
with Redis unreachable (reported once at initialize, tuples failed, no crash)."""

import logging
import time

from redisrankings import RedisTotalRankingsBolt
from rediswindows import window_key, window_start
from rediswordcount import RedisWordCountBolt


def test_counter_zincrbys_each_word_into_the_current_window(mock_task, redis_client,
                                                             redis_url):
    task = mock_task(RedisWordCountBolt(), {"twitter_word_count.redis_url": redis_url})
    tuples = [task.send([w]) for w in ["storm", "python", "storm"]]
    assert task.acked == [t.id for t in tuples] and task.failed == []
    assert task.emits == [] and task.errors == []
    key = window_key(window_start(time.time(), 60))
    assert redis_client.zscore(key, "storm") == 2 and redis_client.zscore(key, "python") == 1
    assert 0 < redis_client.ttl(key) <= 300


def test_total_ranker_logs_and_emits_the_top_words_on_each_tick(mock_task, redis_client,
                                                                 redis_url, caplog):
    conf = {"twitter_word_count.redis_url": redis_url, "twitter_word_count.top_n": 2}
    counter = mock_task(RedisWordCountBolt(), conf)
    for w in ["like", "like", "like", "storm", "coffee", "coffee"]:
        counter.send([w])
    ranker = mock_task(RedisTotalRankingsBolt(), conf)
    with caplog.at_level(logging.INFO, logger="redisrankings"):
        tick = ranker.tick()
    assert tick.values == [15]                     # the bolt's own tick period
    assert ranker.take() == [["like", 3], ["coffee", 2]]
    assert tick.id in ranker.acked
    assert "Emitting: ['like', 3]" in caplog.text


def test_ranker_asks_for_ticks_at_its_emit_frequency():
    assert RedisTotalRankingsBolt(15).getComponentConfiguration() == {
        "topology.tick.tuple.freq.secs": 15}


def test_unreachable_redis_is_reported_at_initialize_and_tuples_are_failed(mock_task, caplog,
                                                                           closed_port):
    url = f"redis://127.0.0.1:{closed_port}/0"
    with caplog.at_level(logging.ERROR):
        task = mock_task(RedisWordCountBolt(), {"twitter_word_count.redis_url": url})
    assert len(task.errors) == 1
    assert f"cannot reach Redis at {url}" in task.errors[0]
    assert "twitter_word_count.redis_url" in task.errors[0]
    tuples = [task.send(["storm"]) for _ in range(20)]
    assert task.failed == [t.id for t in tuples] and task.acked == []
    assert len(task.errors) == 1                        # reported once, not per tuple


def test_ranker_with_redis_down_acks_ticks_and_emits_nothing(mock_task, closed_port):
    url = f"redis://127.0.0.1:{closed_port}/0"
    task = mock_task(RedisTotalRankingsBolt(), {"twitter_word_count.redis_url": url})
    ticks = [task.tick() for _ in range(3)]
    assert task.emits == []
    assert task.acked == [t.id for t in ticks]
    assert len(task.errors) == 1


def test_counter_fails_tuples_while_redis_is_stopped_mid_run(mock_task, redis_server):
    proc, url = redis_server
    task = mock_task(RedisWordCountBolt(), {"twitter_word_count.redis_url": url})
    first = task.send(["storm"])
    proc.terminate()
    proc.wait(10)
    second, third = task.send(["storm"]), task.send(["storm"])
    assert task.acked == [first.id]
    assert task.failed == [second.id, third.id]
    assert len(task.errors) == 1 and f"cannot reach Redis at {url}" in task.errors[0]
