"""The book's two petrel.mock tests, run against this topology's own components, and the
whole topology in-process (create.py, its groupings and tuple trees) with petrel.mock."""

from __future__ import annotations

import collections
from pathlib import Path

from splitsentence import SplitSentenceBolt
from wordcount import WordCountBolt

from petrel import mock

TOPOLOGY_DIR = Path(__file__).resolve().parents[1]


def test_split_sentence() -> None:
    sentence_spout = mock.MockSpout(["sentence"], [["Madam, I'm Adam."]])
    split_bolt = SplitSentenceBolt()
    result = mock.run_simple_topology(None, [sentence_spout, split_bolt],
                                      result_type=mock.LIST)
    assert result[split_bolt] == [["Madam,"], ["I'm"], ["Adam."]]


def test_word_count() -> None:
    sentence_spout = mock.MockSpout(["sentence"], [["the bart the"]])
    split_bolt = SplitSentenceBolt()
    word_count_bolt = WordCountBolt()
    result = mock.run_simple_topology(None, [sentence_spout, split_bolt, word_count_bolt],
                                      result_type=mock.LIST)
    assert result[word_count_bolt] == [["the", 1], ["bart", 1], ["the", 2]]


def test_the_topology_in_process_with_given_sentences() -> None:
    rows = [["the bart the"], ["the cow jumped over the moon"]]
    result = mock.run_topology(TOPOLOGY_DIR, spout_data={"spout": rows})
    finals = {}
    for word, count in result.emitted("count"):
        finals[word] = count
    assert finals == dict(collections.Counter(" ".join(r[0] for r in rows).split()))
    assert sorted(result.acked) == [0, 1]
    result.assert_all_acked()
    result.assert_no_errors()


def test_the_topology_in_process_with_its_random_sentence_spout() -> None:
    result = mock.run_topology(TOPOLOGY_DIR, config={"wordcount.sentence_interval_secs": 0},
                               max_spout_emits=40)
    sentences = [row[0] for row in result.emitted("spout")]
    assert len(sentences) == 40
    assert set(sentences) <= {"the cow jumped over the moon",
                              "an apple a day keeps the doctor away"}
    words = collections.Counter(" ".join(sentences).split())
    finals = {word: count for word, count in result.emitted("count")}
    assert finals == dict(words)
    assert sorted(result.acked) == list(range(40))
    assert result.instance("spout").pending == {}     # the spout saw every ack
