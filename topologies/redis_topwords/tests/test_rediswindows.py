"""rediswindows against a real redis-server: sorted sets per window, expiry, union rankings,
ties, settings, and RedisLink's behaviour while Redis is unreachable."""

import logging
import time

import pytest
from rediswindows import (
    UNION_KEY,
    RedisLink,
    RedisWordCountSettings,
    RedisWordWindows,
    SettingsError,
    safe_url,
    window_key,
    window_start,
)

NOW = 1_714_564_815.5          # 2024-05-01 12:00:15.5 UTC: window start 1714564800 at 60 s


def test_window_start_and_key():
    assert window_start(NOW, 60) == 1_714_564_800
    assert window_start(1_714_564_800, 60) == 1_714_564_800
    assert window_key(1_714_564_800) == "twitter_word_count:1714564800"


def test_add_counts_into_the_current_windows_sorted_set(redis_client):
    w = RedisWordWindows(5, 60, clock=time.time)
    assert w.add(redis_client, "storm") == 1
    assert w.add(redis_client, "storm") == 2
    w.add(redis_client, "python", 3)
    key = window_key(window_start(time.time(), 60))
    assert redis_client.zrange(key, 0, -1, withscores=True) == [("storm", 2.0), ("python", 3.0)]


def test_each_window_expires_num_windows_windows_after_it_starts(redis_client):
    now = time.time()
    w = RedisWordWindows(5, 60, clock=lambda: now)
    w.add(redis_client, "storm")
    start = window_start(now, 60)
    expected_ttl = start + 300 - now
    assert abs(redis_client.ttl(window_key(start)) - expected_ttl) <= 1.5


def test_a_window_past_its_expiry_is_gone(redis_client):
    long_ago = time.time() - 5 * 60 - 61
    w = RedisWordWindows(5, 60, clock=lambda: long_ago)
    w.add(redis_client, "old")
    assert redis_client.exists(window_key(window_start(long_ago, 60))) == 0


def test_window_keys_are_the_last_num_windows_newest_first():
    w = RedisWordWindows(3, 60, clock=lambda: NOW)
    assert w.window_keys() == ["twitter_word_count:1714564800", "twitter_word_count:1714564740",
                               "twitter_word_count:1714564680"]


def test_top_unions_the_last_windows_and_ignores_older_ones(redis_client):
    now = [NOW]
    w = RedisWordWindows(3, 60, clock=lambda: now[0])
    # write windows by hand (their real expiry is in the past: ZADD without EXPIREAT)
    redis_client.zadd(window_key(1_714_564_800), {"storm": 2, "python": 1})
    redis_client.zadd(window_key(1_714_564_740), {"storm": 1, "coffee": 5})
    redis_client.zadd(window_key(1_714_564_620), {"ancient": 100})   # 4 windows back
    assert w.top(redis_client, 10) == [["coffee", 5], ["storm", 3], ["python", 1]]
    assert redis_client.zscore(UNION_KEY, "storm") == 3
    now[0] += 120                                  # two windows later: only the newest is left
    assert w.top(redis_client, 10) == [["storm", 2], ["python", 1]]


def test_top_breaks_ties_by_word_even_at_the_last_place(redis_client):
    w = RedisWordWindows(1, 60, clock=lambda: NOW)
    redis_client.zadd(window_key(1_714_564_800),
                      {"zebra": 4, "yak": 4, "apple": 4, "mango": 9, "kiwi": 1})
    assert w.top(redis_client, 3) == [["mango", 9], ["apple", 4], ["yak", 4]]
    assert w.top(redis_client, 1) == [["mango", 9]]


def test_top_of_nothing_is_empty(redis_client):
    assert RedisWordWindows(5, 60, clock=lambda: NOW).top(redis_client, 10) == []


def test_settings_defaults_are_the_books():
    s = RedisWordCountSettings({})
    assert (s.redis_url, s.num_windows, s.window_duration, s.top_n) == (
        "redis://localhost:6379", 5, 60, 10)


@pytest.mark.parametrize("conf, key", [
    ({"twitter_word_count.redis_url": "localhost:6379"}, "redis_url"),
    ({"twitter_word_count.redis_url": 6379}, "redis_url"),
    ({"twitter_word_count.num_windows": 0}, "num_windows"),
    ({"twitter_word_count.window_duration": "60"}, "window_duration"),
    ({"twitter_word_count.top_n": True}, "top_n"),
])
def test_bad_settings_name_the_key(conf, key):
    with pytest.raises(SettingsError, match=f"twitter_word_count.{key}"):
        RedisWordCountSettings(conf)


def test_passwords_never_reach_messages():
    url = "redis://user:s3cret@cache.example:6380/2"
    assert safe_url(url) == "redis://user:***@cache.example:6380/2"
    assert safe_url("redis://:s3cret@h/0") == "redis://:***@h/0"
    assert safe_url("redis://h:1/0") == "redis://h:1/0"
    settings = RedisWordCountSettings({"twitter_word_count.redis_url": url})
    assert "s3cret" not in repr(settings)


def test_unreachable_redis_is_reported_once_then_retried_when_due(closed_port, caplog):
    url = f"redis://:pw123@127.0.0.1:{closed_port}/0"
    clock = [100.0]
    reported = []
    link = RedisLink(url, retry_secs=5, on_down=reported.append, clock=lambda: clock[0])
    with caplog.at_level(logging.DEBUG, logger="rediswindows"):
        assert link.get() is None
        assert link.get() is None            # not retried before 5 s
        clock[0] += 5
        assert link.get() is None            # retried, still down: not reported again
    assert link.failures == 2
    assert len(reported) == 1
    msg = reported[0]
    assert "cannot reach Redis at redis://:***@127.0.0.1:" in msg
    assert "twitter_word_count.redis_url" in msg and "redis-server" in msg
    assert "pw123" not in caplog.text
    assert [r.levelno for r in caplog.records].count(logging.ERROR) == 1


def test_link_comes_back_and_says_so(caplog):
    attempts = []

    def connect(url):
        attempts.append(url)
        if len(attempts) < 3:
            raise ConnectionRefusedError("refused")
        return "client"

    clock = [0.0]
    link = RedisLink("redis://h:1/0", retry_secs=1, connect=connect, clock=lambda: clock[0])
    with caplog.at_level(logging.WARNING, logger="rediswindows"):
        assert link.get() is None
        clock[0] = 1
        assert link.get() is None
        clock[0] = 2
        assert link.get() == "client"
        assert link.get() == "client"
        assert len(attempts) == 3
        link.broken(ConnectionResetError("gone"))
        assert link.get() is None            # no retry before retry_secs
        clock[0] = 3
        assert link.get() == "client"
    assert "reachable again" in caplog.text
    assert caplog.text.count("cannot reach Redis") == 2   # once per outage
