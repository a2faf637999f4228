"""Tweet sources: replay files (pacing, looping, malformed lines, bounded queue), settings,
the missing-credentials message, and the tweepy live client fed without a network."""

import json
import logging
import queue
import time

import pytest
from tweetsource import (
    LiveSource,
    ReplaySource,
    TweetSourceError,
    TwitterSettings,
    open_source,
    tweet_text,
)

TOKEN = "AAAA-secret-bearer-token-0123456789"


def write_tweets(path, texts, bad_lines=()):
    """Write ``texts`` as v2 stream lines; ``bad_lines`` maps a 0-based position to a raw line."""
    lines = [json.dumps({"data": {"id": str(i), "text": t}}) for i, t in enumerate(texts)]
    for pos, raw in sorted(dict(bad_lines).items()):
        lines.insert(pos, raw)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def drain(q, count, timeout=5.0):
    out = []
    deadline = time.monotonic() + timeout
    while len(out) < count and time.monotonic() < deadline:
        try:
            out.append(q.get(timeout=0.05))
        except queue.Empty:
            pass
    return out


def test_tweet_text_reads_v2_stream_lines_and_bare_tweets():
    assert tweet_text('{"data": {"id": "1", "text": "hello"}, "matching_rules": []}') == "hello"
    assert tweet_text('{"id_str": "1", "text": "v1.1 style"}') == "v1.1 style"


@pytest.mark.parametrize("line", ['{"data": {"id": "1"}}', "[1, 2]", '"text"', "{not json",
                                  '{"text": 5}'])
def test_tweet_text_refuses_what_is_not_a_tweet(line):
    with pytest.raises(ValueError):
        tweet_text(line)


def test_replay_queues_every_tweet_once_in_order(tmp_path):
    texts = [f"tweet number {i}" for i in range(50)]
    q = queue.Queue()
    src = ReplaySource(str(write_tweets(tmp_path / "t.jsonl", texts)), q).start()
    assert src.finished.wait(5)
    assert drain(q, 50) == texts
    assert q.empty() and src.tweets == 50 and src.malformed == 0


def test_malformed_lines_are_skipped_counted_and_logged(tmp_path, caplog):
    texts = ["one", "two", "three"]
    bad = {1: "{oops", 3: '{"data": {"id": "9"}}', 4: "", 5: "[]"}
    path = write_tweets(tmp_path / "t.jsonl", texts, bad)
    q = queue.Queue()
    with caplog.at_level(logging.INFO, logger="tweetsource"):
        src = ReplaySource(str(path), q).start()
        assert src.finished.wait(5)
    assert drain(q, 3) == texts
    assert src.malformed == 3                                 # the blank line is not an error
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("line 2 skipped" in m for m in warnings)
    assert any("line 4 skipped" in m and "no 'text'" in m for m in warnings)
    assert any("3 malformed lines skipped" in r.getMessage() for r in caplog.records)


def test_many_malformed_lines_are_counted_without_flooding_the_log(tmp_path, caplog):
    path = write_tweets(tmp_path / "t.jsonl", ["ok"], {i: "garbage" for i in range(1, 51)})
    with caplog.at_level(logging.WARNING, logger="tweetsource"):
        src = ReplaySource(str(path), queue.Queue()).start()
        assert src.finished.wait(5)
    assert src.malformed == 50
    assert len(caplog.records) <= 12


def test_replay_waits_for_a_full_queue_instead_of_dropping(tmp_path):
    texts = [f"t{i}" for i in range(40)]
    q = queue.Queue(maxsize=3)
    src = ReplaySource(str(write_tweets(tmp_path / "t.jsonl", texts)), q).start()
    time.sleep(0.2)
    assert q.qsize() == 3 and not src.finished.is_set()
    assert drain(q, 40) == texts


def test_replay_rate_paces_the_tweets(tmp_path):
    texts = [f"t{i}" for i in range(11)]
    q = queue.Queue()
    start = time.monotonic()
    src = ReplaySource(str(write_tweets(tmp_path / "t.jsonl", texts)), q, rate=100).start()
    assert src.finished.wait(5)
    assert time.monotonic() - start >= 0.09                  # 10 intervals of 10 ms at least
    assert drain(q, 11) == texts


def test_replay_loop_starts_the_file_again(tmp_path):
    q = queue.Queue()
    src = ReplaySource(str(write_tweets(tmp_path / "t.jsonl", ["a", "b"])), q, loop=True).start()
    got = drain(q, 7)
    src.stop()
    assert got == ["a", "b", "a", "b", "a", "b", "a"]
    assert src.finished.wait(2)


def test_missing_replay_file_says_what_to_do(tmp_path):
    with pytest.raises(TweetSourceError, match="not found.*manifest.txt"):
        ReplaySource(str(tmp_path / "nope.jsonl"), queue.Queue())


def test_settings_defaults_and_repr_never_shows_the_token():
    s = TwitterSettings({"twitter.bearer_token": TOKEN}, environ={})
    assert s.mode == "auto" and s.live and s.replay_file == "tweets_sample.jsonl"
    assert TOKEN not in repr(s) and "bearer_token=set" in repr(s)


def test_token_from_the_environment_when_the_setting_is_empty():
    s = TwitterSettings({"twitter.bearer_token": ""}, environ={"TWITTER_BEARER_TOKEN": TOKEN})
    assert s.bearer_token == TOKEN and s.live


def test_replay_mode_ignores_a_token():
    s = TwitterSettings({"twitter.mode": "replay", "twitter.bearer_token": TOKEN}, environ={})
    assert not s.live


def test_live_mode_without_credentials_points_at_the_setting_and_at_replay_mode():
    s = TwitterSettings({"twitter.mode": "live"}, environ={})
    with pytest.raises(TweetSourceError) as err:
        s.live  # noqa: B018
    msg = str(err.value)
    assert "twitter.bearer_token" in msg and "TWITTER_BEARER_TOKEN" in msg
    assert "twitter.mode: replay" in msg


def test_auto_mode_without_credentials_replays_and_says_so(tmp_path, caplog):
    path = write_tweets(tmp_path / "t.jsonl", ["x"])
    s = TwitterSettings({"twitter.replay_file": str(path)}, environ={})
    with caplog.at_level(logging.WARNING, logger="tweetsource"):
        src = open_source(s, queue.Queue())
    assert isinstance(src, ReplaySource)
    msg = caplog.records[0].getMessage()
    assert "no Twitter bearer token" in msg and "twitter.bearer_token" in msg
    assert "TWITTER_BEARER_TOKEN" in msg and str(path) in msg


@pytest.mark.parametrize("conf, key", [
    ({"twitter.mode": "firehose"}, "twitter.mode"),
    ({"twitter.replay_rate": -1}, "twitter.replay_rate"),
    ({"twitter.replay_rate": "fast"}, "twitter.replay_rate"),
    ({"twitter.queue_size": 0}, "twitter.queue_size"),
    ({"twitter.bearer_token": 12345}, "twitter.bearer_token"),
])
def test_bad_settings_name_the_key(conf, key):
    with pytest.raises(TweetSourceError, match=key.replace(".", r"\.")):
        TwitterSettings(conf, environ={})


def test_live_source_queues_tweets_from_the_v2_stream_and_drops_when_full(caplog):
    q = queue.Queue(maxsize=2)
    live = open_source(TwitterSettings({"twitter.bearer_token": TOKEN}, environ={}), q)
    assert isinstance(live, LiveSource)
    client = live._client                    # a real tweepy.StreamingClient, never connected
    with caplog.at_level(logging.DEBUG):
        for i in range(3):
            client.on_data(json.dumps({"data": {"id": str(i), "text": f"live {i}",
                                                  "edit_history_tweet_ids": [str(i)]}}).encode())
        client.on_request_error(401)
    assert [q.get_nowait(), q.get_nowait()] == ["live 0", "live 1"]
    assert live.tweets == 2 and live.dropped == 1
    assert not client.running
    messages = " ".join(r.getMessage() for r in caplog.records)
    assert "refused the bearer token (HTTP 401)" in messages
    assert TOKEN not in messages
