"""``petrel submit`` runs a copy of the Redis topology locally against a real redis-server;
the sorted sets, their expiry and the logged top words are checked."""

import collections
import json
import re
import time
from pathlib import Path

import pytest
from tweetwords import TweetWords

SAMPLE = Path(__file__).resolve().parents[1] / "tweets_sample.jsonl"
EMITTING = re.compile(r"\]Emitting: \['(\w+)', (\d+)\]$")


def last_rankings(lines):
    """The pairs logged after the last 'Top N words:' line (None before the first)."""
    starts = [i for i, line in enumerate(lines) if line.endswith(" words:")]
    if not starts:
        return None
    return [[m.group(1), int(m.group(2))] for m in map(EMITTING.search, lines[starts[-1] + 1:])
            if m]


@pytest.mark.slow
def test_local_run_counts_in_redis_and_logs_the_top_words(local_run, redis_url):
    import redis

    url = redis_url.rsplit("/", 1)[0] + "/3"          # a database of its own
    client = redis.Redis.from_url(url, decode_responses=True)
    client.flushdb()
    texts = [json.loads(line)["data"]["text"] for line in SAMPLE.read_text("utf-8").splitlines()]
    splitter = TweetWords()
    counts = collections.Counter(w for t in texts for w in splitter.words(t))
    expected = [[w, c] for w, c in sorted(counts.items(), key=lambda p: (-p[1], p[0]))[:10]]

    started = time.time()
    run = local_run({"twitter.replay_rate": 0, "twitter.replay_loop": False,
                     "twitter_word_count.redis_url": url,
                     "twitter_word_count.num_windows": 5,
                     "twitter_word_count.window_duration": 600,
                     "twitter_word_count.rankings_emit_secs": 1},
                    until=lambda r: last_rankings(r.log_lines("redisrankings")) == expected)
    assert run.code == 0, run.explain()
    assert run.stats["spout_acked"] == len(texts) and run.stats["spout_failed"] == 0
    assert last_rankings(run.log_lines("redisrankings")) == expected, run.explain()

    window_keys = [k for k in client.keys("twitter_word_count:*")]
    totals = collections.Counter()
    for key in window_keys:
        start = int(key.split(":")[1])
        assert started - 600 <= start <= time.time()
        assert abs(client.ttl(key) - (start + 5 * 600 - time.time())) <= 2
        totals.update(dict(client.zrange(key, 0, -1, withscores=True)))
    assert {w: int(c) for w, c in totals.items()} == dict(counts)
    client.flushdb()
    client.close()
