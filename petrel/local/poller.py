"""Readiness of every task pipe: ``epoll`` directly where Linux has it, ``selectors`` elsewhere.

The runner polls thousands of times a second, so the thin epoll path (one dict lookup per
ready descriptor) saves the per-call overhead of ``selectors``.
"""

from __future__ import annotations

import select
import selectors
from typing import Any, Dict, List, Optional, Tuple

READ = 1
WRITE = 2


class Poller:
    """Descriptors registered with a piece of data; ``poll`` returns the data of ready ones."""

    def __init__(self) -> None:
        self.data: Dict[int, Any] = {}
        epoll = getattr(select, "epoll", None)
        self._epoll = epoll() if epoll is not None else None
        self._sel: Optional[selectors.BaseSelector] = (
            None if self._epoll is not None else selectors.DefaultSelector())

    def register(self, fd: int, what: int, data: Any) -> None:
        """Watch ``fd`` for READ or WRITE; ``poll`` reports it as ``data``."""
        if self._epoll is not None:
            self._epoll.register(fd, select.EPOLLIN if what == READ else select.EPOLLOUT)
        else:
            assert self._sel is not None
            self._sel.register(fd, selectors.EVENT_READ if what == READ
                               else selectors.EVENT_WRITE, data)
        self.data[fd] = data

    def unregister(self, fd: Optional[int]) -> None:
        """Stop watching ``fd`` (a descriptor not watched, or None, is ignored)."""
        if fd is None or self.data.pop(fd, None) is None:
            return
        try:
            if self._epoll is not None:
                self._epoll.unregister(fd)
            elif self._sel is not None:
                self._sel.unregister(fd)
        except (KeyError, ValueError, OSError):
            pass

    def poll(self, timeout: float) -> List[Tuple[int, Any]]:
        """(fd, data) of every ready descriptor, waiting up to ``timeout`` seconds."""
        if self._epoll is not None:
            data = self.data
            return [(fd, data[fd]) for fd, _ev in self._epoll.poll(timeout) if fd in data]
        assert self._sel is not None
        return [(key.fd, key.data) for key, _ev in self._sel.select(timeout)]

    def close(self) -> None:
        """Release the poll object."""
        if self._epoll is not None:
            self._epoll.close()
        elif self._sel is not None:
            self._sel.close()
        self.data.clear()
