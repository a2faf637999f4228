"""Tests of petrel.semantics: they build topologies with the local tests' helpers."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent / "local"))
