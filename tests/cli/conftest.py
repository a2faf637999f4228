"""Fixtures for the command-line tests: the helpers of tests/cluster and tests/conformance,
and no user storm.yaml or topology.yaml."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Iterator

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "cluster"))
sys.path.insert(0, str(REPO / "tests" / "conformance"))
sys.path.insert(0, str(REPO / "tests" / "cli"))

from nimbus_standin import StandInNimbus  # noqa: E402


@pytest.fixture(autouse=True)
def _no_user_storm_yaml(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Keep the developer's ~/.storm/storm.yaml and ./topology.yaml out of every test."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("STORM_CONF_DIR", raising=False)
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)


@pytest.fixture
def nimbus() -> Iterator[StandInNimbus]:
    """A running stand-in Nimbus that is its own leader."""
    server = StandInNimbus().start()
    yield server
    server.stop()
