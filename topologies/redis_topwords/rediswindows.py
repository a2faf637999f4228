"""Word counts in Redis: one sorted set per time window, unioned for the rankings.

Pure Python plus redis-py, no Storm. The counter does ``ZINCRBY`` into
``twitter_word_count:<window start>`` and ``EXPIREAT`` on it ``num_windows`` windows after
the window starts; the ranker ``ZUNIONSTORE``s the last ``num_windows`` windows into
``twitter_word_count`` and reads the top N with ``ZREVRANGE``. Ties are ranked by word
(ascending), as in the in-memory twitter_topwords topology.

Settings (topology.yaml): ``twitter_word_count.redis_url``, ``.num_windows``,
``.window_duration`` (seconds), ``.rankings_emit_secs``, ``.top_n``.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Callable, Dict, List, Optional, Tuple, Type
from urllib.parse import urlsplit, urlunsplit

log = logging.getLogger(__name__)

PREFIX = "twitter_word_count."
KEY_PREFIX = "twitter_word_count"
UNION_KEY = KEY_PREFIX


class SettingsError(ValueError):
    """A ``twitter_word_count.*`` value that cannot work; the message names the key."""


class RedisWordCountSettings:
    """The Redis URL, ``num_windows`` windows of ``window_duration`` seconds, top N."""

    def __init__(self, conf: Dict[str, Any]) -> None:
        self.redis_url = conf.get(PREFIX + "redis_url", "redis://localhost:6379")
        if not isinstance(self.redis_url, str) or "://" not in self.redis_url:
            raise SettingsError(f"{PREFIX}redis_url in topology.yaml must be a URL like "
                                f"redis://localhost:6379/0, got {self.redis_url!r}")
        self.num_windows = _positive_int(conf, "num_windows", 5)
        self.window_duration = _positive_int(conf, "window_duration", 60)
        self.rankings_emit_secs = _positive_int(conf, "rankings_emit_secs", 15)
        self.top_n = _positive_int(conf, "top_n", 10)

    def __repr__(self) -> str:
        return (f"RedisWordCountSettings(redis_url={safe_url(self.redis_url)!r}, "
                f"num_windows={self.num_windows}, window_duration={self.window_duration}, "
                f"rankings_emit_secs={self.rankings_emit_secs}, top_n={self.top_n})")


def _positive_int(conf: Dict[str, Any], name: str, default: int) -> int:
    value = conf.get(PREFIX + name, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise SettingsError(
            f"{PREFIX}{name} in topology.yaml must be a whole number >= 1, got {value!r}")
    return value


def safe_url(url: str) -> str:
    """``url`` with any password replaced by ``***``, fit for logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, f"{user}:***@{host}", parts.path, parts.query,
                       parts.fragment))


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
        pairs = sorted(((_text(w), int(s)) for w, s in ranked), key=lambda p: (-p[1], p[0]))
        return [[w, s] for w, s in pairs[:n]]


def _text(member: Any) -> str:
    return member.decode("utf-8") if isinstance(member, bytes) else str(member)


class RedisLink:
    """A Redis connection that is allowed to be down: the first failure is reported clearly,
    then it retries at most every ``retry_secs`` and says so when Redis is back.
    ``on_down(message)`` is called each time Redis goes from reachable to unreachable.

    ``get()`` returns the client, or None while Redis is unreachable, so a bolt can fail
    its tuple (the spout replays it later) instead of crashing into a restart loop.
    """

    def __init__(self, url: str, retry_secs: float = 5.0,
                 on_down: Optional[Callable[[str], None]] = None,
                 connect: Optional[Callable[[str], Any]] = None,
                 errors: Tuple[Type[BaseException], ...] = (OSError,),
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.url = url
        self.retry_secs = retry_secs
        self._on_down = on_down
        if connect is None:
            connect, errors = _redis_connector()
        self._connect = connect
        # The exceptions that mean "Redis is in trouble" (redis.RedisError for redis-py).
        self.errors = errors
        self._clock = clock
        self._client: Optional[Any] = None
        self._next_try = 0.0
        self.down_since: Optional[float] = None
        self.failures = 0

    def get(self) -> Optional[Any]:
        """The connected client, or None while Redis is down (a retry happens when due)."""
        if self._client is not None:
            return self._client
        now = self._clock()
        if now < self._next_try:
            return None
        try:
            client = self._connect(self.url)
        except Exception as exc:
            self._went_down(exc, now)
            return None
        if self.down_since is not None:
            log.warning("Redis at %s is reachable again after %.0f s", safe_url(self.url),
                        now - self.down_since)
        self._client, self.down_since = client, None
        return client

    def broken(self, exc: Exception) -> None:
        """Report that a command failed; the next ``get`` retries after ``retry_secs``."""
        self._client = None
        self._went_down(exc, self._clock())

    def problem(self, exc: Exception) -> str:
        """The message for a failure to reach Redis: what failed and how to fix it."""
        return (f"cannot reach Redis at {safe_url(self.url)} ({type(exc).__name__}: {exc}); "
                f"start redis-server there or set {PREFIX}redis_url in topology.yaml. "
                f"Tuples are failed (the spout replays them) until Redis answers; "
                f"retrying every {self.retry_secs:g} s")

    def _went_down(self, exc: Exception, now: float) -> None:
        self._next_try = now + self.retry_secs
        self.failures += 1
        if self.down_since is None:
            self.down_since = now
            message = self.problem(exc)
            log.error("%s", message)
            if self._on_down is not None:
                self._on_down(message)
        else:
            log.debug("Redis still unreachable: %s", exc)


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
