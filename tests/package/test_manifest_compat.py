"""Manifests written for the original Petrel: its own egg skipped, ``$VAR`` expanded, globs
matching nothing skipped with a warning (an error in a ``[strict]`` manifest), and what
still stays refused: paths leaving the topology directory, files that are not regular."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from petrel.errors import PetrelError
from petrel.package.manifest import manifest_files, section_dirs
from petrel.package.manifest_lines import expand_variables, names_petrel_itself

REPO = Path(__file__).resolve().parents[2]


def resolve(topo: Path, text: str) -> tuple[list[str], list[str]]:
    """The jar paths a manifest gives, and the notes and warnings it reports."""
    (topo / "manifest.txt").write_text(text)
    said: list[str] = []
    return list(manifest_files(topo, report=said.append)), said


def test_the_original_samples_egg_line_is_skipped_with_a_note(topo_dir: Path) -> None:
    files, said = resolve(topo_dir, "logconfig.ini\n../../petrel/dist/petrel-*-py*.egg\n")
    assert files == ["logconfig.ini"]
    assert len(said) == 1 and said[0].startswith("note: ")
    assert "line 2: '../../petrel/dist/petrel-*-py*.egg' is a packaged petrel; skipped" in said[0]
    assert "remove the line" in said[0]


@pytest.mark.parametrize("entry", ["petrel-0.9.4.0-py2.7.egg", "dist/petrel-1.0.0-py3-none-any.whl",
                                   "../dist/Petrel-*.egg", "petrel-*.whl"])
def test_eggs_and_wheels_of_petrel_are_recognised(entry: str) -> None:
    assert names_petrel_itself(entry)


@pytest.mark.parametrize("entry", ["petrel_utils-1.0-py3-none-any.whl", "petrel.egg-info",
                                   "petrel-notes.txt", "mypetrel-1.0.egg", "petrel/"])
def test_other_names_are_not_petrel(entry: str) -> None:
    assert not names_petrel_itself(entry)


def test_petrels_egg_is_not_shipped_even_when_it_is_in_the_topology(topo_dir: Path) -> None:
    (topo_dir / "petrel-0.9.4-py2.7.egg").write_bytes(b"PK")
    files, said = resolve(topo_dir, "petrel-0.9.4-py2.7.egg\nlogconfig.ini\n")
    assert files == ["logconfig.ini"] and said[0].startswith("note: ")


def test_variables_expand_from_the_environment(topo_dir: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATA", "data")
    monkeypatch.setenv("CONF", "logconfig")
    files, said = resolve(topo_dir, "$DATA/words.txt\n${CONF}.ini\n")
    assert files == ["data/words.txt", "logconfig.ini"] and said == []


def test_an_unset_variable_is_an_error_naming_the_line(topo_dir: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PETREL_TEST_UNSET", raising=False)
    with pytest.raises(PetrelError) as info:
        resolve(topo_dir, "logconfig.ini\n${PETREL_TEST_UNSET}/words.txt\n")
    assert info.value.message == (
        f"{topo_dir / 'manifest.txt'} line 2: '${{PETREL_TEST_UNSET}}/words.txt' uses "
        "$PETREL_TEST_UNSET, which is not set; set it in the environment "
        "(export PETREL_TEST_UNSET=...) or write the path out")


def test_a_dollar_without_a_name_stays_as_written() -> None:
    assert expand_variables("price$.txt", "m", 1, {}) == "price$.txt"
    assert expand_variables("$1.txt", "m", 1, {}) == "$1.txt"
    with pytest.raises(PetrelError, match=r"'\$\{a b\}' is not a variable"):
        expand_variables("${a b}.txt", "m", 1, {})


def test_an_expanded_path_leaving_the_topology_is_still_refused(
        topo_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (topo_dir.parent / "secret.txt").write_text("x\n")
    monkeypatch.setenv("UP", "..")
    with pytest.raises(PetrelError, match=r"line 1: '\.\./secret\.txt' is outside the topology"):
        resolve(topo_dir, "$UP/secret.txt\n")
    monkeypatch.setenv("UP", str(topo_dir.parent))
    with pytest.raises(PetrelError, match="outside the topology directory"):
        resolve(topo_dir, "$UP/secret.txt\n")


def test_a_section_directory_may_come_from_a_variable(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    topo, common = tmp_path / "wc", tmp_path / "common"
    topo.mkdir()
    common.mkdir()
    (common / "shared.txt").write_text("x\n")
    monkeypatch.setenv("COMMON", "../common")
    files, _ = resolve(topo, "[from $COMMON]\nshared.txt\n")
    assert files == ["shared.txt"]
    assert section_dirs(topo) == [common]


def test_a_glob_matching_nothing_warns_and_is_skipped(topo_dir: Path) -> None:
    files, said = resolve(topo_dir, "logconfig.ini\nmodels/*.pkl\n")
    assert files == ["logconfig.ini"]
    assert said == [f"warning: {topo_dir / 'manifest.txt'} line 2: 'models/*.pkl' matches no "
                    f"file in {topo_dir}; skipped (a [strict] line in the manifest makes this "
                    "an error)"]


def test_a_strict_manifest_refuses_a_glob_matching_nothing(topo_dir: Path) -> None:
    with pytest.raises(PetrelError, match=r"line 3: 'models/\*\.pkl' matches no file .*strict"):
        resolve(topo_dir, "[strict]   # every line must match\nlogconfig.ini\nmodels/*.pkl\n")
    assert resolve(topo_dir, "[strict]\nlogconfig.ini\n")[0] == ["logconfig.ini"]


def test_a_plain_name_matching_nothing_is_still_an_error(topo_dir: Path) -> None:
    with pytest.raises(PetrelError, match="'setup.sh' matches no file"):
        resolve(topo_dir, "setup.sh\n")


@pytest.mark.parametrize("make, kind", [(os.mkfifo, "a FIFO (named pipe)")])
def test_a_special_file_says_what_it_is(topo_dir: Path, make: object, kind: str) -> None:
    make(str(topo_dir / "pipe"))                          # type: ignore[operator]
    with pytest.raises(PetrelError) as info:
        resolve(topo_dir, "pipe\n")
    assert info.value.message.endswith(
        f"line 1: 'pipe' is {kind}; only regular files and directories are packaged: "
        "remove the line")


def test_petrel_build_prints_the_note_and_the_warning_and_builds(tmp_path: Path) -> None:
    topo = tmp_path / "wc"
    topo.mkdir()
    for name in ("create.py", "randomsentence.py", "splitsentence.py", "wordcount.py",
                 "topology.yaml", "logconfig.ini"):
        (topo / name).write_bytes((REPO / "topologies" / "wordcount" / name).read_bytes())
    (topo / "manifest.txt").write_text(
        "# Standard files for Petrel\nlogconfig.ini\n../../petrel/dist/petrel-*-py*.egg\n"
        "#setup.sh\n$EXTRA_FILES\n")
    env = {**os.environ, "PYTHONPATH": str(REPO), "EXTRA_FILES": "*.csv"}
    out = subprocess.run([sys.executable, "-m", "petrel.cli", "build"], cwd=topo, env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    lines = out.stderr.splitlines()
    assert [line.split(":")[:2] for line in lines] == [["petrel", " note"],
                                                       ["petrel", " warning"]], lines
    assert "'*.csv' matches no file" in lines[1]
    assert (topo / "topology.jar").is_file()


def test_special_files_inside_a_directory_or_glob_are_left_out(topo_dir: Path) -> None:
    os.mkfifo(topo_dir / "data" / "feed")
    os.symlink("feed", topo_dir / "data" / "feed-link")
    files, said = resolve(topo_dir, "data/\ndata/feed*\ndata/*.txt\n")
    assert files == ["data/deep/more.csv", "data/words.txt"]
    assert said == [f"warning: {topo_dir / 'manifest.txt'} line 2: 'data/feed*' matches no "
                    f"file in {topo_dir}; skipped (a [strict] line in the manifest makes this "
                    "an error)"]
