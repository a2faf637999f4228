"""Fixtures of the topology tests: topology directories written into tmp_path."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Callable

import pytest

SPOUT = """
from petrel.emitter import Spout

class RandomSentenceSpout(Spout):
    def __init__(self):
        super().__init__(script=__file__)

    @classmethod
    def declareOutputFields(cls):
        return ['sentence']

def run():
    RandomSentenceSpout().run()
"""

SPLIT = """
from petrel.emitter import BasicBolt

class SplitSentenceBolt(BasicBolt):
    def __init__(self):
        super().__init__(script=__file__)

    def declareOutputFields(self):
        return ['word']

def run():
    SplitSentenceBolt().run()
"""

COUNT = """
from petrel.emitter import BasicBolt

class WordCountBolt(BasicBolt):
    def __init__(self):
        super().__init__(script=__file__)

    @classmethod
    def declareOutputFields(cls):
        return ['word', 'count']

    def getComponentConfiguration(self):
        return {"topology.tick.tuple.freq.secs": 60}

def run():
    WordCountBolt().run()
"""

CREATE = """
from randomsentence import RandomSentenceSpout
from splitsentence import SplitSentenceBolt
from wordcount import WordCountBolt

def create(builder):
    builder.setSpout("spout", RandomSentenceSpout(), 1)
    builder.setBolt("split", SplitSentenceBolt(), 2).shuffleGrouping("spout")
    builder.setBolt("count", WordCountBolt(), 3).fieldsGrouping("split", ["word"])
"""

WORDCOUNT_FILES = {
    "randomsentence.py": SPOUT,
    "splitsentence.py": SPLIT,
    "wordcount.py": COUNT,
    "create.py": CREATE,
}


def write_topology(root: Path, files: dict[str, str]) -> Path:
    """Write ``files`` (relative path -> dedented text) under ``root``; return ``root``."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))
    return root


@pytest.fixture
def make_topology(tmp_path: Path) -> Callable[..., Path]:
    """``make_topology(create=..., **more_files)``: the word-count directory with changes.

    ``create`` replaces create.py's body; keyword ``files`` adds or replaces files (a
    value of None removes the file).
    """
    counter = {"n": 0}

    def make(create: str | None = None, files: dict[str, str | None] | None = None) -> Path:
        counter["n"] += 1
        merged: dict[str, str | None] = dict(WORDCOUNT_FILES)
        if create is not None:
            merged["create.py"] = create
        merged.update(files or {})
        return write_topology(
            tmp_path / f"topo{counter['n']}", {k: v for k, v in merged.items() if v is not None}
        )

    return make


@pytest.fixture
def write_files() -> Callable[[Path, dict[str, str]], Path]:
    """``write_files(root, files)``: write dedented files below any directory (see
    ``write_topology``)."""
    return write_topology
