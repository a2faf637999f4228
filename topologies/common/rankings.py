"""Top-N rankings of words by count, with one tie rule every task agrees on.

Pure Python, no Storm. Order: higher count first; equal counts by the word itself
(ascending), so the same counts always give the same ranking, whatever order they
arrived in and whichever task computed it.
"""

from __future__ import annotations

import heapq
from typing import Any, Dict, Hashable, Iterable, List, Sequence, Tuple


def _rank_key(item: Tuple[Any, int]) -> Tuple[int, Any]:
    return (-item[1], item[0])


def rank(counts: Dict[Any, int], top_n: int) -> List[List[Any]]:
    """The ``top_n`` ``[object, count]`` pairs of ``counts`` (zero and negative counts left out)."""
    positive = ((obj, n) for obj, n in counts.items() if n > 0)
    return [[obj, n] for obj, n in heapq.nsmallest(top_n, positive, key=_rank_key)]


class Rankings:
    """The latest count of every object seen, ranked on demand; a count of 0 removes it."""

    def __init__(self, top_n: int = 10) -> None:
        if not isinstance(top_n, int) or isinstance(top_n, bool) or top_n < 1:
            raise ValueError(f"rankings need top_n >= 1, got {top_n!r}")
        self.top_n = top_n
        self._counts: Dict[Hashable, int] = {}

    def update(self, obj: Hashable, count: int) -> None:
        """Set the current count of ``obj`` (replacing the previous one); 0 or less removes it."""
        if count > 0:
            self._counts[obj] = count
        else:
            self._counts.pop(obj, None)

    def update_all(self, pairs: Iterable[Sequence[Any]]) -> None:
        """``update`` for each ``(object, count)`` pair."""
        for obj, count in pairs:
            self.update(obj, count)

    def count(self, obj: Hashable) -> int:
        """The current count of ``obj`` (0 when it is not ranked)."""
        return self._counts.get(obj, 0)

    def top(self) -> List[List[Any]]:
        """The ``top_n`` best ``[object, count]`` pairs, best first."""
        return rank(self._counts, self.top_n)

    def __len__(self) -> int:
        return len(self._counts)

    def __contains__(self, obj: object) -> bool:
        return obj in self._counts


class MergedRankings:
    """Top N over the latest rankings received from several sources (e.g. ranker tasks).

    Each source's newest ranking replaces its previous one, so a word that fell out of a
    source's top N also leaves the merged ranking. Should two sources rank the same word
    (they should not under fields grouping), the higher count wins.
    """

    def __init__(self, top_n: int = 10) -> None:
        if not isinstance(top_n, int) or isinstance(top_n, bool) or top_n < 1:
            raise ValueError(f"rankings need top_n >= 1, got {top_n!r}")
        self.top_n = top_n
        self._latest: Dict[Hashable, List[Sequence[Any]]] = {}

    def replace(self, source: Hashable, pairs: Iterable[Sequence[Any]]) -> None:
        """Record ``pairs`` (``[object, count]`` lists) as the latest ranking from ``source``."""
        self._latest[source] = [tuple(p) for p in pairs]

    def top(self) -> List[List[Any]]:
        """The ``top_n`` best ``[object, count]`` pairs over every source, best first."""
        merged: Dict[Hashable, int] = {}
        for pairs in self._latest.values():
            for obj, count in pairs:
                if count > merged.get(obj, 0):
                    merged[obj] = count
        return rank(merged, self.top_n)
