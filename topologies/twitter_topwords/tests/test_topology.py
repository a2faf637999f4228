"""create.py through petrel's loader, and the whole topology in-process on the replay file:
the total rankings must equal the top words counted directly from the file."""

import collections
import json
import re
import time
from pathlib import Path

import pytest
from intermediaterankings import IntermediateRankingsBolt
from rankings import rank
from rollingcount import RollingCountBolt
from splittweet import SplitTweetBolt
from totalrankings import TotalRankingsBolt
from tweetwords import TweetWords
from twitterstream import TwitterStreamSpout

from petrel.config import load_config
from petrel.local.groupings import fields_grouping_index
from petrel.topology.loader import load_topology

TOPOLOGY_DIR = Path(__file__).resolve().parents[1]
SAMPLE = TOPOLOGY_DIR / "tweets_sample.jsonl"


def sample_texts():
    return [json.loads(line)["data"]["text"] for line in SAMPLE.read_text("utf-8").splitlines()]


def test_create_py_builds_the_books_topology_with_ticks_from_topology_yaml():
    conf = load_config(TOPOLOGY_DIR / "topology.yaml")
    conf["twitter_word_count.window_duration"] = 30
    conf["twitter_word_count.rankings_emit_secs"] = 5
    topo = load_topology(TOPOLOGY_DIR, "create.create", conf)
    c = topo.components
    assert list(c) == ["spout", "splitter", "counter", "intermediate-ranker", "total-ranker"]
    assert c["spout"].kind == "spout" and c["spout"].module == "twitterstream"
    assert c["counter"].parallelism == 4 and c["intermediate-ranker"].parallelism == 4
    assert c["counter"].inputs[("splitter", "default")].kind == "fields"
    assert c["counter"].inputs[("splitter", "default")].fields == ["word"]
    assert c["intermediate-ranker"].inputs[("counter", "default")].fields == ["word"]
    assert c["total-ranker"].inputs[("intermediate-ranker", "default")].kind == "global"
    assert c["counter"].conf["topology.tick.tuple.freq.secs"] == 30
    assert c["intermediate-ranker"].conf["topology.tick.tuple.freq.secs"] == 5
    assert c["total-ranker"].conf["topology.tick.tuple.freq.secs"] == 5
    assert "topology.tick.tuple.freq.secs" not in c["splitter"].conf


def test_the_default_config_needs_no_credentials_and_replays(monkeypatch):
    monkeypatch.delenv("TWITTER_BEARER_TOKEN", raising=False)
    conf = load_config(TOPOLOGY_DIR / "topology.yaml")
    assert conf["twitter.bearer_token"] == "" and conf["twitter.mode"] == "auto"
    assert conf["twitter_word_count.num_windows"] == 5
    assert conf["twitter_word_count.window_duration"] == 60


@pytest.fixture(scope="module")
def expected_top10():
    splitter = TweetWords()
    counts = collections.Counter(w for t in sample_texts() for w in splitter.words(t))
    return counts, rank(counts, 10)


def test_top_word_count_agrees_with_a_plain_regex_count(expected_top10):
    counts, top = expected_top10
    word, count = top[0]
    pattern = re.compile(rf"(?<![\w/@]){word}(?!\w)", re.IGNORECASE)
    assert count == sum(len(pattern.findall(t)) for t in sample_texts())


def test_rankings_of_the_whole_topology_match_counts_from_the_replay_file(expected_top10,
                                                                          host_factory):
    """spout -> splitter -> 4 counters -> 4 intermediate rankers -> total, tasks as on Storm."""
    conf = {"twitter.mode": "replay", "twitter.replay_file": str(SAMPLE),
            "twitter.replay_rate": 0, "twitter.replay_loop": False}
    spout = host_factory(TwitterStreamSpout(), conf)
    splitter = host_factory(SplitTweetBolt(), conf)
    counters = [host_factory(RollingCountBolt(), conf) for _ in range(4)]
    rankers = [host_factory(IntermediateRankingsBolt(), conf) for _ in range(4)]
    total = host_factory(TotalRankingsBolt(), conf)

    texts = sample_texts()
    deadline = time.monotonic() + 10
    while len(spout.out.emitted) < len(texts) and time.monotonic() < deadline:
        spout.next()
    tweets = spout.take()
    assert len(tweets) == len(texts)
    for tweet in tweets:
        splitter.send(tweet)
    for word in splitter.take():
        counters[fields_grouping_index(word, 4)].send(word)
    for counter in counters:
        counter.tick()
        for pair in counter.take():
            rankers[fields_grouping_index(pair[:1], 4)].send(pair)
    for task, ranker in enumerate(rankers):
        ranker.tick()
        for values in ranker.take():
            total.send(values, task=task)
    total.tick()
    assert total.take() == expected_top10[1]
