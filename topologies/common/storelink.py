"""A link to a data store (Redis, MongoDB) that is allowed to be down, and URLs fit for logs.

Pure Python, no Storm, no client library. A bolt that writes to a store calls
``link.get()`` per tuple: it returns what the store's ``open()`` made (a client, a
collection), or None while the store is unreachable, so the bolt fails its tuple (the
spout replays it later) instead of crashing into a restart loop. The first failure is
logged and reported once, retries happen at most every ``retry_secs``, and the link says
when the store is back.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Callable, Optional, Tuple, Type
from urllib.parse import urlsplit, urlunsplit


def safe_url(url: str) -> str:
    """``url`` with any password replaced by ``***``, fit for logs (several hosts kept)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username or ''}:***@{parts.netloc.rpartition('@')[2]}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


class StoreLink:
    """Opens a store on demand, tolerating outages; subclasses say how to open and what to fix.

    Messages are logged under the subclass's module, so each topology's logs name it.
    ``on_down(message)`` is called each time the store goes from reachable to unreachable.
    ``errors`` are the exceptions meaning "the store is in trouble" for its client library.
    """

    store = "the store"                          # how messages name it: "Redis", "MongoDB"

    def __init__(self, url: str, retry_secs: float = 5.0,
                 on_down: Optional[Callable[[str], None]] = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.url = url
        self.retry_secs = retry_secs
        self._on_down = on_down
        self._clock = clock
        self._resource: Optional[Any] = None
        self._next_try = 0.0
        self.down_since: Optional[float] = None
        self.failures = 0
        self.errors: Tuple[Type[BaseException], ...] = (OSError,)
        self.log = logging.getLogger(type(self).__module__)

    def open(self) -> Any:
        """Connect and return what ``get`` hands out; raises when the store is unreachable."""
        raise NotImplementedError

    def fix(self) -> str:
        """What to do when the store cannot be reached (start it, or change a setting)."""
        return f"start {self.store} at {safe_url(self.url)}"

    def get(self) -> Optional[Any]:
        """What ``open`` made, or None while the store is down (a retry happens when due)."""
        if self._resource is not None:
            return self._resource
        now = self._clock()
        if now < self._next_try:
            return None
        try:
            resource = self.open()
        except Exception as exc:
            self._went_down(exc, now)
            return None
        if self.down_since is not None:
            self.log.warning("%s at %s is reachable again after %.0f s", self.store,
                             safe_url(self.url), now - self.down_since)
        self._resource, self.down_since = resource, None
        return resource

    def broken(self, exc: BaseException) -> None:
        """Report that an operation failed; the next ``get`` retries after ``retry_secs``."""
        self._resource = None
        self._went_down(exc, self._clock())

    def problem(self, exc: BaseException) -> str:
        """The message for a failure to reach the store: what failed and how to fix it."""
        return (f"cannot reach {self.store} at {safe_url(self.url)} ({type(exc).__name__}: "
                f"{self.first_line(exc)}); {self.fix()}. Tuples are failed (the spout "
                f"replays them) until {self.store} answers; retrying every "
                f"{self.retry_secs:g} s")

    def first_line(self, exc: BaseException) -> str:
        """The part of ``exc``'s message worth a log line."""
        text = str(exc)
        return text.splitlines()[0][:200] if text else ""

    def _went_down(self, exc: BaseException, now: float) -> None:
        self._next_try = now + self.retry_secs
        self.failures += 1
        if self.down_since is None:
            self.down_since = now
            message = self.problem(exc)
            self.log.error("%s", message)
            if self._on_down is not None:
                self._on_down(message)
        else:
            self.log.debug("%s still unreachable: %s", self.store, self.first_line(exc))
