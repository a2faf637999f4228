"""create.py through petrel's loader, and the whole topology in-process with petrel.mock over
the replay file's tweets: the total rankings must equal the top words counted from the file."""

import re
from pathlib import Path

from petrel.config import load_config
from petrel.package.manifest import section_dirs
from petrel.semantics.groupings import fields_grouping_index
from petrel.topology.loader import load_topology

TOPOLOGY_DIR = Path(__file__).resolve().parents[1]

def test_create_py_builds_the_books_topology_with_ticks_from_topology_yaml():
    conf = load_config(TOPOLOGY_DIR / "topology.yaml")
    conf["twitter_word_count.window_duration"] = 30
    conf["twitter_word_count.rankings_emit_secs"] = 5
    topo = load_topology(TOPOLOGY_DIR, "create.create", conf,
                         shared_dirs=section_dirs(TOPOLOGY_DIR))
    c = topo.components
    assert list(c) == ["spout", "splitter", "counter", "intermediate-ranker", "total-ranker"]
    assert c["spout"].kind == "spout" and c["spout"].module == "tweetspout"
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


def test_top_word_count_agrees_with_a_plain_regex_count(top_words, sample_texts):
    word, count = top_words[0]
    pattern = re.compile(rf"(?<![\w/@]){word}(?!\w)", re.IGNORECASE)
    assert count == sum(len(pattern.findall(t)) for t in sample_texts)


def test_rankings_of_the_whole_topology_match_counts_from_the_replay_file(
        mock_topology, sample_texts, top_words):
    """tweets -> splitter -> 4 counters -> 4 intermediate rankers -> total, tasks as on Storm.

    Each tick round ticks every ticking bolt once; a ranking needs three rounds to reach the
    total (counts, then intermediate rankings, then the total's own emit).
    """
    result = mock_topology(spout_data={"spout": [[t] for t in sample_texts]}, ticks=3)
    result.assert_no_errors()
    result.assert_all_acked()
    assert sorted(result.acked) == list(range(len(sample_texts)))
    counters = result.tasks["counter"]
    for task in counters:                    # every counter task got its share of the words
        words = [t.values[0] for t in result.received("counter", task=task)
                 if not t.is_tick_tuple()]
        assert words
        assert {counters[fields_grouping_index([w], 4)] for w in words} == {task}
    ticks = {}                               # the total's emits, grouped by the tick they answer
    for emit in result.emits("total-ranker"):
        ticks.setdefault(emit.anchors[0], []).append(emit.values)
    assert list(ticks.values())[-1:] == [top_words]
