"""Word counts in Redis: one sorted set per time window, unioned for the rankings.

Pure Python plus redis-py, no Storm. The counter does ``ZINCRBY`` into
``twitter_word_count:<window start>`` and ``EXPIREAT`` on it ``num_windows`` windows after
the window starts; the ranker ``ZUNIONSTORE``s the last ``num_windows`` windows into
``twitter_word_count`` and reads the top N with ``ZREVRANGE``. Ties are ranked by word
(ascending): the rule of the shared rankings.py, as in twitter_topwords.

Settings (topology.yaml): ``twitter_word_count.redis_url``, ``.num_windows``,
``.window_duration`` (seconds), ``.rankings_emit_secs``, ``.top_n``.
"""

from __future__ import annotations

import time
from typing import Any, Callable, Dict, List, Optional, Tuple, Type

from rankings import rank
from storelink import StoreLink, safe_url
from topology_settings import WORD_COUNT_PREFIX, SettingsError, WordCountSettings

__all__ = ["KEY_PREFIX", "UNION_KEY", "RedisLink", "RedisWordCountSettings",
           "RedisWordWindows", "SettingsError", "safe_url", "window_key", "window_start"]

PREFIX = WORD_COUNT_PREFIX
KEY_PREFIX = "twitter_word_count"
UNION_KEY = KEY_PREFIX


class RedisWordCountSettings(WordCountSettings):
    """The shared word-count settings plus the Redis URL (``twitter_word_count.redis_url``)."""

    def __init__(self, conf: Dict[str, Any]) -> None:
        self.redis_url = conf.get(PREFIX + "redis_url", "redis://localhost:6379")
        if not isinstance(self.redis_url, str) or "://" not in self.redis_url:
            raise SettingsError(f"{PREFIX}redis_url in topology.yaml must be a URL like "
                                f"redis://localhost:6379/0, got {self.redis_url!r}")
        super().__init__(conf)

    def __repr__(self) -> str:
        return (f"RedisWordCountSettings(redis_url={safe_url(self.redis_url)!r}, "
                f"num_windows={self.num_windows}, window_duration={self.window_duration}, "
                f"rankings_emit_secs={self.rankings_emit_secs}, top_n={self.top_n})")


def window_start(now: float, window_duration: int) -> int:
    """Start (epoch seconds) of the window holding ``now``."""
    return int(now // window_duration) * window_duration


def window_key(start: int) -> str:
    """The sorted set of the window starting at ``start``."""
    return f"{KEY_PREFIX}:{start}"


class RedisWordWindows:
    """Counting into the current window's sorted set, ranking over the last windows."""

    def __init__(self, num_windows: int, window_duration: int,
                 clock: Callable[[], float] = time.time) -> None:
        self.num_windows = num_windows
        self.window_duration = window_duration
        self.clock = clock

    def add(self, client: Any, word: str, count: int = 1) -> int:
        """Count ``word`` in the current window; returns its count in that window."""
        start = window_start(self.clock(), self.window_duration)
        key = window_key(start)
        pipe = client.pipeline(transaction=False)
        pipe.zincrby(key, count, word)
        pipe.expireat(key, start + self.num_windows * self.window_duration)
        score, _ = pipe.execute()
        return int(score)

    def window_keys(self) -> List[str]:
        """Keys of the last ``num_windows`` windows, newest first (some may not exist)."""
        start = window_start(self.clock(), self.window_duration)
        return [window_key(start - i * self.window_duration) for i in range(self.num_windows)]

    def top(self, client: Any, n: int) -> List[List[Any]]:
        """The ``n`` words counted most over the last windows, as ``[word, count]``, best first."""
        pipe = client.pipeline(transaction=True)
        pipe.zunionstore(UNION_KEY, self.window_keys())
        pipe.zrevrange(UNION_KEY, 0, n - 1, withscores=True)
        _, ranked = pipe.execute()
        if len(ranked) == n:
            # Redis orders equal scores by member, descending; take every word tied with
            # the last place so the tie rule (word ascending) picks who stays in.
            ranked = client.zrevrangebyscore(UNION_KEY, "+inf", ranked[-1][1], withscores=True)
        return rank({_text(w): int(s) for w, s in ranked}, n)


def _text(member: Any) -> str:
    return member.decode("utf-8") if isinstance(member, bytes) else str(member)


class RedisLink(StoreLink):
    """Redis, allowed to be down (see ``storelink.StoreLink``): ``get()`` returns the client."""

    store = "Redis"

    def __init__(self, url: str, retry_secs: float = 5.0,
                 on_down: Optional[Callable[[str], None]] = None,
                 connect: Optional[Callable[[str], Any]] = None,
                 errors: Tuple[Type[BaseException], ...] = (OSError,),
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(url, retry_secs, on_down, clock)
        if connect is None:
            connect, errors = _redis_connector()
        self._connect = connect
        self.errors = errors

    def open(self) -> Any:
        """A connected redis-py client."""
        return self._connect(self.url)

    def fix(self) -> str:
        """Start the server, or point the topology elsewhere."""
        return f"start redis-server there or set {PREFIX}redis_url in topology.yaml"


def _redis_connector() -> Tuple[Callable[[str], Any], Tuple[Type[BaseException], ...]]:
    try:
        import redis
    except ImportError:
        raise ImportError("this topology needs redis-py: it is listed in requirements.txt "
                          "(which the worker installs); for a local run with --venv self, "
                          "run 'pip install redis'") from None

    def connect(url: str) -> Any:
        client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5,
                                      decode_responses=True)
        client.ping()
        return client

    return connect, (redis.RedisError,)
