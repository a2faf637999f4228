"""create.py through petrel's loader, and the topology in-process with petrel.mock over the
replay file's tweets with a real Redis: the ranking read back from Redis equals the file's
own top words."""

from pathlib import Path

from petrel.config import load_config
from petrel.package.manifest import section_dirs
from petrel.topology.loader import load_topology

TOPOLOGY_DIR = Path(__file__).resolve().parents[1]


def test_create_py_wires_the_redis_topology_with_the_books_settings():
    conf = load_config(TOPOLOGY_DIR / "topology.yaml")
    assert conf["twitter_word_count.redis_url"] == "redis://localhost:6379"
    assert conf["twitter_word_count.num_windows"] == 5
    assert conf["twitter_word_count.window_duration"] == 60
    topo = load_topology(TOPOLOGY_DIR, "create.create", conf,
                         shared_dirs=section_dirs(TOPOLOGY_DIR))
    c = topo.components
    assert list(c) == ["spout", "splitter", "counter", "total-ranker"]
    assert c["counter"].inputs[("splitter", "default")].fields == ["word"]
    assert c["counter"].module == "rediswordcount"
    assert c["total-ranker"].inputs == {}
    assert c["total-ranker"].conf["topology.tick.tuple.freq.secs"] == 15


def test_topology_in_process_ranks_the_replay_file_from_redis(mock_topology, redis_client,
                                                              redis_url, sample_texts,
                                                              word_counts, top_words):
    """tweets -> splitter -> 4 Redis counters (fields grouping); one tick of the ranker."""
    conf = load_config(TOPOLOGY_DIR / "topology.yaml")
    conf["twitter_word_count.redis_url"] = redis_url
    conf["twitter_word_count.window_duration"] = 3600   # all in one window, whatever the time
    result = mock_topology(spout_data={"spout": [[t] for t in sample_texts]}, config=conf,
                           ticks={"total-ranker": 1})
    result.assert_no_errors()
    result.assert_all_acked()
    assert sorted(result.acked) == list(range(len(sample_texts))) and result.failed == []
    assert result.stats["counter"]["executed"] == sum(word_counts.values())
    assert result.emitted("total-ranker") == top_words
