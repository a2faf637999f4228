"""A file whose name is not valid UTF-8 cannot be a jar entry: the manifest line that
matches it is one clear error, and ``petrel build`` stops with it and leaves no file."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from petrel.errors import PetrelError
from petrel.package.manifest import manifest_files

REPO = Path(__file__).resolve().parents[2]


def _bad_name_file(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    with open(os.path.join(os.fsencode(directory), b"\xffbad.txt"), "wb") as out:
        out.write(b"x")


def test_a_directory_entry_holding_a_non_utf8_name_names_the_line_and_the_file(
        tmp_path: Path) -> None:
    _bad_name_file(tmp_path / "data")
    (tmp_path / "data" / "good.txt").write_text("fine")
    (tmp_path / "manifest.txt").write_text("# data files\ndata\n")
    with pytest.raises(PetrelError) as caught:
        manifest_files(tmp_path)
    message = caught.value.message
    assert message.startswith(f"{tmp_path / 'manifest.txt'} line 2: 'data' matches "
                              "'data/\ufffdbad.txt', whose name is not valid UTF-8"), message
    assert "rename the file or leave it out of the manifest" in message


def test_a_glob_matching_a_non_utf8_name_is_refused_too(tmp_path: Path) -> None:
    _bad_name_file(tmp_path / "data")
    (tmp_path / "manifest.txt").write_text("data/*.txt\n")
    with pytest.raises(PetrelError, match="line 1: 'data/\\*.txt' matches .* not valid UTF-8"):
        manifest_files(tmp_path)


def test_petrel_build_stops_with_one_line_and_leaves_no_file(tmp_path: Path) -> None:
    topo = tmp_path / "wc"
    shutil.copytree(REPO / "topologies" / "wordcount", topo,
                    ignore=shutil.ignore_patterns("*.jar", "__pycache__", "*.log"))
    _bad_name_file(topo / "data")
    (topo / "manifest.txt").write_text("logconfig.ini\ndata\n")
    before = sorted(os.listdir(topo))
    proc = subprocess.run([sys.executable, "-m", "petrel.cli", "build", "--config",
                           "topology.yaml"], cwd=topo, capture_output=True, text=True,
                          timeout=120, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "not valid UTF-8" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert sorted(os.listdir(topo)) == before            # no jar, no temporary file
