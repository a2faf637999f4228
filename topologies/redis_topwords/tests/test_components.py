"""The Redis bolts in-process through petrel's collector seam, against a real redis-server,
and with Redis unreachable (reported once at initialize, tuples failed, no crash).

(To move onto petrel.mock once it can deliver tick tuples.)
"""

import logging
import socket
import time

from redisrankings import RedisTotalRankingsBolt
from rediswindows import window_key, window_start
from rediswordcount import RedisWordCountBolt


def dead_url():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"redis://127.0.0.1:{s.getsockname()[1]}/0"


def test_counter_zincrbys_each_word_into_the_current_window(host_factory, redis_client,
                                                             redis_url):
    host = host_factory(RedisWordCountBolt(), {"twitter_word_count.redis_url": redis_url})
    tuples = [host.send([w]) for w in ["storm", "python", "storm"]]
    assert host.out.acked == [t.id for t in tuples] and host.out.failed == []
    assert host.out.emitted == [] and host.out.errors == []
    key = window_key(window_start(time.time(), 60))
    assert redis_client.zscore(key, "storm") == 2 and redis_client.zscore(key, "python") == 1
    assert 0 < redis_client.ttl(key) <= 300


def test_total_ranker_logs_and_emits_the_top_words_on_each_tick(host_factory, redis_client,
                                                                 redis_url, caplog):
    conf = {"twitter_word_count.redis_url": redis_url, "twitter_word_count.top_n": 2}
    counter = host_factory(RedisWordCountBolt(), conf)
    for w in ["like", "like", "like", "storm", "coffee", "coffee"]:
        counter.send([w])
    ranker = host_factory(RedisTotalRankingsBolt(), conf)
    with caplog.at_level(logging.INFO, logger="redisrankings"):
        tick = ranker.tick()
    assert ranker.take() == [["like", 3], ["coffee", 2]]
    assert tick.id in ranker.out.acked
    assert "Emitting: ['like', 3]" in caplog.text


def test_ranker_asks_for_ticks_at_its_emit_frequency():
    assert RedisTotalRankingsBolt(15).getComponentConfiguration() == {
        "topology.tick.tuple.freq.secs": 15}


def test_unreachable_redis_is_reported_at_initialize_and_tuples_are_failed(host_factory,
                                                                           caplog):
    url = dead_url()
    with caplog.at_level(logging.ERROR):
        host = host_factory(RedisWordCountBolt(), {"twitter_word_count.redis_url": url})
    assert len(host.out.errors) == 1
    assert f"cannot reach Redis at {url}" in host.out.errors[0]
    assert "twitter_word_count.redis_url" in host.out.errors[0]
    tuples = [host.send(["storm"]) for _ in range(20)]
    assert host.out.failed == [t.id for t in tuples] and host.out.acked == []
    assert len(host.out.errors) == 1                    # reported once, not per tuple


def test_ranker_with_redis_down_acks_ticks_and_emits_nothing(host_factory):
    host = host_factory(RedisTotalRankingsBolt(), {"twitter_word_count.redis_url": dead_url()})
    ticks = [host.tick() for _ in range(3)]
    assert host.out.emitted == []
    assert host.out.acked == [t.id for t in ticks]
    assert len(host.out.errors) == 1


def test_counter_fails_tuples_while_redis_is_stopped_mid_run(host_factory, redis_server):
    proc, url = redis_server
    host = host_factory(RedisWordCountBolt(), {"twitter_word_count.redis_url": url})
    first = host.send(["storm"])
    proc.terminate()
    proc.wait(10)
    second, third = host.send(["storm"]), host.send(["storm"])
    assert host.out.acked == [first.id]
    assert host.out.failed == [second.id, third.id]
    assert len(host.out.errors) == 1 and f"cannot reach Redis at {url}" in host.out.errors[0]
