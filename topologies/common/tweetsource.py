"""Where tweets come from: Twitter's v2 sample stream (tweepy) or a JSON-lines replay file.

Pure Python plus tweepy, no Storm. Either source runs in a background thread and puts
tweet texts into a bounded ``queue.Queue``; the spout only takes from that queue, so its
``nextTuple`` never waits on the network or the disk.

Settings (topology.yaml):
  twitter.mode          auto (default: live when a bearer token is set, else replay) | live | replay
  twitter.bearer_token  the API v2 bearer token (or $TWITTER_BEARER_TOKEN on the worker)
  twitter.replay_file   JSON-lines tweets, relative to the topology directory
  twitter.replay_rate   tweets per second, 0 for as fast as the topology takes them
  twitter.replay_loop   start the file again at its end (default true)
  twitter.queue_size    tweets buffered between the reader thread and the spout
"""

from __future__ import annotations

import json
import logging
import os
import queue
import threading
import time
from typing import Any, Dict, Optional

log = logging.getLogger(__name__)

TOKEN_SETTING = "twitter.bearer_token"
TOKEN_ENV = "TWITTER_BEARER_TOKEN"
MODES = ("auto", "live", "replay")
# Malformed replay lines logged one by one before only the count is kept.
MAX_LOGGED_BAD_LINES = 10


class TweetSourceError(Exception):
    """A setting or file the tweet source cannot work with; the message says what to fix."""


class TwitterSettings:
    """The ``twitter.*`` settings, checked, with the bearer token kept out of ``repr``."""

    def __init__(self, conf: Dict[str, Any], environ: Optional[Dict[str, str]] = None) -> None:
        env = os.environ if environ is None else environ
        self.mode = str(conf.get("twitter.mode", "auto")).lower()
        if self.mode not in MODES:
            raise TweetSourceError(
                f"twitter.mode is {conf.get('twitter.mode')!r}; use one of: {', '.join(MODES)}")
        token = conf.get(TOKEN_SETTING) or env.get(TOKEN_ENV) or ""
        if not isinstance(token, str):
            raise TweetSourceError(f"{TOKEN_SETTING} must be a string")
        self.bearer_token = token.strip()
        self.replay_file = str(conf.get("twitter.replay_file", "tweets_sample.jsonl"))
        self.replay_rate = _number(conf, "twitter.replay_rate", 50.0, minimum=0.0)
        self.replay_loop = bool(conf.get("twitter.replay_loop", True))
        self.queue_size = int(_number(conf, "twitter.queue_size", 1000, minimum=1))

    @property
    def live(self) -> bool:
        """True when tweets come from Twitter, False for the replay file."""
        if self.mode == "replay":
            return False
        if self.mode == "live" and not self.bearer_token:
            raise TweetSourceError(
                f"twitter.mode is 'live' but no bearer token is set: put it in {TOKEN_SETTING} "
                f"in topology.yaml (e.g. {TOKEN_SETTING}: ${{{TOKEN_ENV}}}) or export "
                f"{TOKEN_ENV} on the workers; or set twitter.mode: replay to replay "
                f"twitter.replay_file ({self.replay_file}) with no network")
        return bool(self.bearer_token)

    def __repr__(self) -> str:
        token = "set" if self.bearer_token else "not set"
        return (f"TwitterSettings(mode={self.mode!r}, bearer_token={token}, "
                f"replay_file={self.replay_file!r}, replay_rate={self.replay_rate}, "
                f"replay_loop={self.replay_loop}, queue_size={self.queue_size})")


def _number(conf: Dict[str, Any], key: str, default: float, minimum: float) -> float:
    value = conf.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < minimum:
        raise TweetSourceError(f"{key} must be a number >= {minimum:g}, got {value!r}")
    return float(value)


def tweet_text(line: str) -> str:
    """The text of one JSON line: a v2 stream message ``{"data": {...}}`` or a bare tweet.

    Raises ValueError for a line that is not such a tweet.
    """
    obj = json.loads(line)
    if isinstance(obj, dict) and isinstance(obj.get("data"), dict):
        obj = obj["data"]
    if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
        raise ValueError("not a tweet: no 'text' string")
    return obj["text"]


class ReplaySource:
    """Replays a JSON-lines file of tweets into ``out`` at ``rate`` tweets/s, in a thread.

    Malformed lines are skipped: each of the first few is logged with its line number,
    and every pass ends with a summary line counting them.
    """

    def __init__(self, path: str, out: queue.Queue[str], rate: float = 0.0,
                 loop: bool = False) -> None:
        if not os.path.isfile(path):
            raise TweetSourceError(
                f"twitter.replay_file: {path!r} not found (looked in {os.getcwd()}); ship it "
                "by listing it in manifest.txt, or point twitter.replay_file at a JSON-lines "
                "file of tweets")
        self.path = path
        self.out = out
        self.rate = rate
        self.loop = loop
        self.tweets = 0
        self.malformed = 0
        self.passes = 0
        self.finished = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tweet-replay", daemon=True)

    def start(self) -> ReplaySource:
        """Start the reader thread."""
        log.info("replaying tweets from %s at %s", self.path,
                 f"{self.rate:g} tweets/s" if self.rate else "full speed")
        self._thread.start()
        return self

    def stop(self) -> None:
        """Ask the reader thread to stop (it does within half a second)."""
        self._stop.set()

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                self._replay_once()
                self.passes += 1
                log.info("replay of %s: pass %d done, %d tweets queued so far, "
                         "%d malformed lines skipped", self.path, self.passes, self.tweets,
                         self.malformed)
                if not self.loop:
                    break
        except Exception:
            log.exception("replay of %s stopped by an error", self.path)
        finally:
            self.finished.set()

    def _replay_once(self) -> None:
        start = time.monotonic()
        sent = 0
        with open(self.path, encoding="utf-8", errors="replace") as f:
            for lineno, line in enumerate(f, 1):
                if self._stop.is_set():
                    return
                if not line.strip():
                    continue
                try:
                    text = tweet_text(line)
                except ValueError as exc:
                    self._bad_line(lineno, exc)
                    continue
                if self.rate:
                    delay = start + sent / self.rate - time.monotonic()
                    if delay > 0:
                        self._stop.wait(delay)
                if not self._put(text):
                    return
                sent += 1
                self.tweets += 1

    def _bad_line(self, lineno: int, exc: ValueError) -> None:
        self.malformed += 1
        if self.malformed <= MAX_LOGGED_BAD_LINES:
            log.warning("%s line %d skipped: %s", self.path, lineno, exc)
        elif self.malformed == MAX_LOGGED_BAD_LINES + 1:
            log.warning("%s: more malformed lines; counting them without logging each",
                        self.path)

    def _put(self, text: str) -> bool:
        # Blocks while the queue is full: the file waits for the topology, nothing is dropped.
        while not self._stop.is_set():
            try:
                self.out.put(text, timeout=0.5)
                return True
            except queue.Full:
                continue
        return False


class LiveSource:
    """Twitter's API v2 sample stream through tweepy's ``StreamingClient``, in a thread.

    Tweets arriving while the queue is full are dropped and counted (Twitter disconnects
    clients that read too slowly, so the stream must not wait for the topology).
    """

    def __init__(self, bearer_token: str, out: queue.Queue[str]) -> None:
        self.out = out
        self.tweets = 0
        self.dropped = 0
        self._client = _make_streaming_client(bearer_token, self)

    def start(self) -> LiveSource:
        """Connect and start the streaming thread."""
        log.info("connecting to the Twitter API v2 sample stream")
        self._client.sample(threaded=True)
        return self

    def stop(self) -> None:
        """Disconnect from the stream."""
        self._client.disconnect()

    def deliver(self, text: str) -> None:
        """Queue one tweet's text, dropping it if the queue is full."""
        try:
            self.out.put_nowait(text)
            self.tweets += 1
        except queue.Full:
            self.dropped += 1
            if self.dropped == 1 or self.dropped % 1000 == 0:
                log.warning("tweet queue full: %d tweets dropped so far; the topology reads "
                            "slower than Twitter sends (raise twitter.queue_size or the "
                            "parallelism of the bolts)", self.dropped)


def _make_streaming_client(bearer_token: str, source: LiveSource) -> Any:
    try:
        import tweepy
    except ImportError:
        raise TweetSourceError(
            "live mode needs tweepy (listed in requirements.txt); install it, or set "
            "twitter.mode: replay") from None

    class SampleStream(tweepy.StreamingClient):
        """Forwards tweets to the LiveSource; logs errors without the credentials."""

        def on_tweet(self, tweet: Any) -> None:
            source.deliver(tweet.text)

        def on_errors(self, errors: Any) -> None:
            log.warning("Twitter stream reported errors: %s", errors)

        def on_request_error(self, status_code: int) -> None:
            if status_code in (401, 403):
                log.error("Twitter refused the bearer token (HTTP %d); check %s / $%s, or "
                          "set twitter.mode: replay", status_code, TOKEN_SETTING, TOKEN_ENV)
                self.disconnect()
            else:
                log.warning("Twitter stream HTTP error %d; tweepy retries with back-off",
                            status_code)

        def on_connection_error(self) -> None:
            log.warning("Twitter stream connection error; tweepy retries with back-off")

        def on_exception(self, exception: Exception) -> None:
            log.error("Twitter stream stopped: %s: %s", type(exception).__name__, exception)

    return SampleStream(bearer_token, wait_on_rate_limit=True, daemon=True)


def open_source(settings: TwitterSettings, out: queue.Queue[str]) -> Any:
    """The source the settings ask for (not started); logs which one and why."""
    if settings.live:
        return LiveSource(settings.bearer_token, out)
    if settings.mode == "auto":
        log.warning(
            "no Twitter bearer token (set %s in topology.yaml or $%s): replaying %s instead; "
            "set twitter.mode: replay to say this is intended", TOKEN_SETTING, TOKEN_ENV,
            settings.replay_file)
    return ReplaySource(settings.replay_file, out, rate=settings.replay_rate,
                        loop=settings.replay_loop)
