"""The real thing: ``petrel submit`` runs a copy of the topology locally, one process per task,
replaying the sample file once; the logged total rankings equal the file's own top words."""

import collections
import json
import re
from pathlib import Path

import pytest
from rankings import rank
from tweetwords import TweetWords

SAMPLE = Path(__file__).resolve().parents[1] / "tweets_sample.jsonl"
EMITTING = re.compile(r"\]Emitting: \['(\w+)', (\d+)\]$")


def last_rankings(lines):
    """The pairs logged after the last 'Top N words:' line (None before the first)."""
    starts = [i for i, line in enumerate(lines) if line.endswith(" words:")]
    if not starts:
        return None
    block = []
    for line in lines[starts[-1] + 1:]:
        m = EMITTING.search(line)
        if m:
            block.append([m.group(1), int(m.group(2))])
        elif "words:" in line:
            break
    return block


@pytest.mark.slow
def test_local_run_logs_the_top_words_of_the_replay_file(local_run):
    texts = [json.loads(line)["data"]["text"] for line in SAMPLE.read_text("utf-8").splitlines()]
    splitter = TweetWords()
    expected = rank(collections.Counter(w for t in texts for w in splitter.words(t)), 10)

    run = local_run({"twitter.replay_rate": 0, "twitter.replay_loop": False,
                     "twitter_word_count.num_windows": 120,
                     "twitter_word_count.window_duration": 1,
                     "twitter_word_count.rankings_emit_secs": 1},
                    until=lambda r: last_rankings(r.log_lines("totalrankings")) == expected)
    assert run.code == 0, run.explain()
    assert last_rankings(run.log_lines("totalrankings")) == expected, run.explain()
    assert run.stats["spout_acked"] == len(texts) and run.stats["spout_failed"] == 0
    assert all(c["errors"] == 0 for c in run.stats["components"].values())
    spout_log = "\n".join(run.log_lines("twitterstream"))
    assert "no Twitter bearer token" in spout_log and "replaying tweets_sample.jsonl" in spout_log
