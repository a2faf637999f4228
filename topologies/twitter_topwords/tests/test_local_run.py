"""The real thing: ``petrel submit`` runs a copy of the topology locally, one process per task,
replaying the sample file once; the logged total rankings equal the file's own top words."""

import pytest


@pytest.mark.slow
def test_local_run_logs_the_top_words_of_the_replay_file(local_run, sample_texts, top_words):
    run = local_run({"twitter.replay_rate": 0, "twitter.replay_loop": False,
                     "twitter_word_count.num_windows": 120,
                     "twitter_word_count.window_duration": 1,
                     "twitter_word_count.rankings_emit_secs": 1},
                    until=lambda r: r.last_rankings("totalrankings") == top_words)
    assert run.code == 0, run.explain()
    assert run.last_rankings("totalrankings") == top_words, run.explain()
    assert run.stats["spout_acked"] == len(sample_texts) and run.stats["spout_failed"] == 0
    assert all(c["errors"] == 0 for c in run.stats["components"].values())
    spout_log = "\n".join(run.log_lines("tweetspout"))
    assert "no Twitter bearer token" in spout_log and "replaying tweets_sample.jsonl" in spout_log
