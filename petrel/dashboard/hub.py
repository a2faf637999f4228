"""The hand-over between the runner's thread and the server's: the latest snapshot.

The runner swaps in a new snapshot (already encoded as JSON) about once a second; server
threads read whatever is current and wait for the next one. Nothing the server does can
block the runner for longer than the swap itself.
"""

from __future__ import annotations

import collections
import json
import threading
from typing import Any, Deque, Dict, List, Optional, Tuple

HISTORY_POINTS = 600          # rate points kept for the charts (ten minutes at one a second)


def encode(doc: Any) -> bytes:
    """Compact JSON as UTF-8 (values JSON cannot hold are shown with repr)."""
    return json.dumps(doc, separators=(",", ":"), ensure_ascii=False, default=repr).encode()


class Hub:
    """The latest snapshot, its sequence number, the rate history, and who waits for them."""

    def __init__(self, topology: Dict[str, Any]) -> None:
        self.topology = encode(topology)
        self._cond = threading.Condition()
        self.seq = 0
        self.snapshot = b"{}"
        self.stats = b"{}"
        self.ended = False
        self.closed = False
        self._history: Deque[Dict[str, Any]] = collections.deque(maxlen=HISTORY_POINTS)

    def publish(self, snapshot: Dict[str, Any]) -> None:
        """Swap in a new snapshot (from the runner's thread) and wake the waiting clients."""
        body = encode(snapshot)
        stats = encode(snapshot["stats"])
        point = {"t": snapshot["elapsed_s"], "rates": snapshot["rates"]}
        with self._cond:
            self.seq += 1
            self.snapshot, self.stats = body, stats
            self.ended = bool(snapshot.get("ended"))
            self._history.append(point)
            self._cond.notify_all()

    def history(self) -> bytes:
        """The rate points kept, oldest first, as JSON."""
        with self._cond:
            points: List[Dict[str, Any]] = list(self._history)
        return encode(points)

    def wait_newer(self, seq: int, timeout: float) -> Optional[Tuple[int, bytes]]:
        """The snapshot after ``seq`` once there is one (None on timeout or when closed)."""
        with self._cond:
            if self.seq <= seq and not self.closed:
                self._cond.wait(timeout)
            if self.seq > seq:
                return self.seq, self.snapshot
            return None

    def close(self) -> None:
        """No more snapshots: every waiting client returns."""
        with self._cond:
            self.closed = True
            self._cond.notify_all()
