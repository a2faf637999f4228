"""``petrel submit`` runs a copy of the Redis topology locally against a real redis-server;
the sorted sets, their expiry and the logged top words are checked."""

import collections
import time

import pytest


@pytest.mark.slow
def test_local_run_counts_in_redis_and_logs_the_top_words(local_run, redis_url, sample_texts,
                                                          word_counts, top_words):
    import redis

    url = redis_url.rsplit("/", 1)[0] + "/3"          # a database of its own
    client = redis.Redis.from_url(url, decode_responses=True)
    client.flushdb()
    started = time.time()
    run = local_run({"twitter.replay_rate": 0, "twitter.replay_loop": False,
                     "twitter_word_count.redis_url": url,
                     "twitter_word_count.num_windows": 5,
                     "twitter_word_count.window_duration": 600,
                     "twitter_word_count.rankings_emit_secs": 1},
                    until=lambda r: r.last_rankings("redisrankings") == top_words)
    assert run.code == 0, run.explain()
    assert run.stats["spout_acked"] == len(sample_texts) and run.stats["spout_failed"] == 0
    assert run.last_rankings("redisrankings") == top_words, run.explain()

    window_keys = [k for k in client.keys("twitter_word_count:*")]
    totals = collections.Counter()
    for key in window_keys:
        start = int(key.split(":")[1])
        assert started - 600 <= start <= time.time()
        assert abs(client.ttl(key) - (start + 5 * 600 - time.time())) <= 2
        totals.update(dict(client.zrange(key, 0, -1, withscores=True)))
    assert {w: int(c) for w, c in totals.items()} == dict(word_counts)
    client.flushdb()
    client.close()
