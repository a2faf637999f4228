"""create.py through petrel's loader, and the topology in-process over the replay file with a
real Redis: the ranking read back from Redis equals the file's own top words."""

import collections
import json
import time
from pathlib import Path

from redisrankings import RedisTotalRankingsBolt
from rediswordcount import RedisWordCountBolt
from splittweet import SplitTweetBolt
from tweetwords import TweetWords
from twitterstream import TwitterStreamSpout

from petrel.config import load_config
from petrel.topology.loader import load_topology

TOPOLOGY_DIR = Path(__file__).resolve().parents[1]
SAMPLE = TOPOLOGY_DIR / "tweets_sample.jsonl"


def expected_top(n):
    splitter = TweetWords()
    texts = [json.loads(line)["data"]["text"] for line in SAMPLE.read_text("utf-8").splitlines()]
    counts = collections.Counter(w for t in texts for w in splitter.words(t))
    return [[w, c] for w, c in sorted(counts.items(), key=lambda p: (-p[1], p[0]))[:n]]


def test_create_py_wires_the_redis_topology_with_the_books_settings():
    conf = load_config(TOPOLOGY_DIR / "topology.yaml")
    assert conf["twitter_word_count.redis_url"] == "redis://localhost:6379"
    assert conf["twitter_word_count.num_windows"] == 5
    assert conf["twitter_word_count.window_duration"] == 60
    topo = load_topology(TOPOLOGY_DIR, "create.create", conf)
    c = topo.components
    assert list(c) == ["spout", "splitter", "counter", "total-ranker"]
    assert c["counter"].inputs[("splitter", "default")].fields == ["word"]
    assert c["counter"].module == "rediswordcount"
    assert c["total-ranker"].inputs == {}
    assert c["total-ranker"].conf["topology.tick.tuple.freq.secs"] == 15


def test_topology_in_process_ranks_the_replay_file_from_redis(host_factory, redis_client,
                                                              redis_url):
    conf = {"twitter.mode": "replay", "twitter.replay_file": str(SAMPLE),
            "twitter.replay_rate": 0, "twitter.replay_loop": False,
            "twitter_word_count.redis_url": redis_url,
            "twitter_word_count.window_duration": 3600}   # all in one window, whatever the time
    spout = host_factory(TwitterStreamSpout(), conf)
    splitter = host_factory(SplitTweetBolt(), conf)
    counters = [host_factory(RedisWordCountBolt(), conf) for _ in range(4)]
    ranker = host_factory(RedisTotalRankingsBolt(), conf)
    deadline = time.monotonic() + 10
    while len(spout.out.emitted) < 400 and time.monotonic() < deadline:
        spout.next()
    for tweet in spout.take():
        splitter.send(tweet)
    for i, word in enumerate(splitter.take()):
        counters[i % 4].send(word)
    assert sum(len(c.out.failed) for c in counters) == 0
    ranker.tick()
    assert ranker.take() == expected_top(10)
