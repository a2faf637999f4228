"""twitter_topwords' own test set-up (the shared part is topologies/conftest.py)."""

from __future__ import annotations

from typing import Any, Dict, List

import pytest


@pytest.fixture
def top_words(word_counts: Dict[str, int]) -> List[List[Any]]:
    """The replay file's top 10 ``[word, count]`` pairs, ranked by this topology's rank()."""
    from rankings import rank

    return rank(word_counts, 10)
