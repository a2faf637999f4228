"""--config given something other than a config file says what it got and what it takes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from petrel.config import load_config
from petrel.errors import PetrelError


def test_a_directory_is_named_as_one_with_the_file_expected_inside(tmp_path: Path) -> None:
    with pytest.raises(PetrelError) as info:
        load_config(tmp_path)
    message = info.value.message
    assert "is a directory" in message and "not found" not in message
    assert f"--config {tmp_path / 'topology.yaml'}" in message


def test_a_fifo_is_refused_without_opening_it(tmp_path: Path) -> None:
    fifo = tmp_path / "topology.yaml"
    os.mkfifo(fifo)
    with pytest.raises(PetrelError, match="is not a regular file"):
        load_config(fifo)     # opening it would block until a writer came


def test_petrel_build_with_a_directory_exits_with_one_line(tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, "-m", "petrel.cli", "build", "--config", str(tmp_path)],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode != 0
    assert out.stderr.strip().splitlines() == [
        f"petrel build: error: {tmp_path}: is a directory; --config takes the topology's "
        f"config file, e.g. --config {tmp_path / 'topology.yaml'}"]
