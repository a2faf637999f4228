"""Fixtures of the packaging tests; the helper functions live in packaging_helpers.py."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from packaging_helpers import SPLIT_MODULE, write_files  # noqa: E402


@pytest.fixture
def topo_dir(tmp_path: Path) -> Path:
    """A topology directory with two component modules, a package, and assorted data files."""
    return write_files(tmp_path / "topo", {
        "randomsentence.py": "# spout\n",
        "splitsentence.py": SPLIT_MODULE,
        "logconfig.ini": "[loggers]\nkeys=root\n",
        "data/words.txt": "the\n",
        "data/deep/more.csv": "a,b\n",
        "data/.hidden": "secret\n",
    })
