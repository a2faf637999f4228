"""A sliding-window counter made of slots: count into the newest slot, report the whole window.

Pure Python, no Storm: the rolling-count bolt advances the window on each tick tuple, so
a window of ``num_slots`` slots covers ``num_slots`` tick periods (5 x 60 s by default).
"""

from __future__ import annotations

from typing import Dict, Hashable, List


class SlidingWindowCounter:
    """Per-object counts over the last ``num_slots`` slots; the oldest slot is wiped on advance."""

    def __init__(self, num_slots: int) -> None:
        if not isinstance(num_slots, int) or isinstance(num_slots, bool) or num_slots < 1:
            raise ValueError(f"a sliding window needs at least one slot, got {num_slots!r}")
        self._slots: List[Dict[Hashable, int]] = [{} for _ in range(num_slots)]
        self._head = 0
        # Objects reported with a non-zero count last time: when one of them has left the
        # window, the next report says 0 once, so downstream rankings drop it.
        self._reported: Dict[Hashable, int] = {}

    @property
    def num_slots(self) -> int:
        """How many slots (tick periods) the window spans."""
        return len(self._slots)

    def increment(self, obj: Hashable, count: int = 1) -> None:
        """Add ``count`` to ``obj`` in the current (newest) slot."""
        slot = self._slots[self._head]
        slot[obj] = slot.get(obj, 0) + count

    def counts(self) -> Dict[Hashable, int]:
        """The total of each object over the whole window, without advancing it."""
        totals: Dict[Hashable, int] = {}
        for slot in self._slots:
            for obj, n in slot.items():
                totals[obj] = totals.get(obj, 0) + n
        return totals

    def get_counts_then_advance_window(self) -> Dict[Hashable, int]:
        """Window totals (0 for objects that just left it), then wipe the oldest slot.

        The wiped slot becomes the current one, so counts made after this call are
        reported for the next ``num_slots`` calls.
        """
        totals = self.counts()
        for obj in self._reported:
            if obj not in totals:
                totals[obj] = 0
        self._reported = {obj: n for obj, n in totals.items() if n}
        self._head = (self._head + 1) % len(self._slots)
        self._slots[self._head] = {}
        return totals
