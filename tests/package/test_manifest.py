"""manifest.txt rules: comments, globs, directories, and every way an entry can be wrong."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from petrel.errors import PetrelError
from petrel.package.manifest import read_manifest, strip_comment


def manifest(topo: Path, text: str) -> list[str]:
    (topo / "manifest.txt").write_text(text)
    return read_manifest(topo)


def test_no_manifest_means_no_extra_files(topo_dir: Path) -> None:
    assert read_manifest(topo_dir) == []


def test_comments_blank_lines_and_plain_files(topo_dir: Path) -> None:
    text = "# the book's files\n\nlogconfig.ini   # logging set-up\n  \n\tdata/words.txt\r\n"
    assert manifest(topo_dir, text) == ["data/words.txt", "logconfig.ini"]


def test_a_byte_order_mark_is_not_part_of_the_first_name(topo_dir: Path) -> None:
    (topo_dir / "manifest.txt").write_bytes("\ufefflogconfig.ini\n".encode("utf-8"))
    assert read_manifest(topo_dir) == ["logconfig.ini"]


def test_strip_comment_keeps_a_hash_inside_a_name() -> None:
    assert strip_comment("notes#1.txt") == "notes#1.txt"
    assert strip_comment("notes#1.txt # a comment") == "notes#1.txt"
    assert strip_comment("   # only a comment") == ""


def test_directory_is_shipped_recursively_without_hidden_files(topo_dir: Path) -> None:
    (topo_dir / "data" / "__pycache__").mkdir()
    (topo_dir / "data" / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"\0")
    assert manifest(topo_dir, "data\n") == ["data/deep/more.csv", "data/words.txt"]
    assert manifest(topo_dir, "data/\n") == ["data/deep/more.csv", "data/words.txt"]


def test_hidden_file_named_explicitly_is_shipped(topo_dir: Path) -> None:
    assert manifest(topo_dir, "data/.hidden\n") == ["data/.hidden"]


def test_globs_including_double_star(topo_dir: Path) -> None:
    assert manifest(topo_dir, "*.py\n") == ["randomsentence.py", "splitsentence.py"]
    assert manifest(topo_dir, "data/**/*.csv\n") == ["data/deep/more.csv"]
    assert manifest(topo_dir, "**/*.txt\n") == ["data/words.txt", "manifest.txt"]
    assert manifest(topo_dir, "data/w?rds.[t]xt\n") == ["data/words.txt"]


def test_double_star_matches_like_glob(topo_dir: Path) -> None:
    """The loop-safe ``**`` gives what ``glob`` gives: hidden names only when named."""
    (topo_dir / "data" / "deep" / ".cache").mkdir()
    (topo_dir / "data" / "deep" / ".cache" / "c.csv").write_text("x\n")
    assert manifest(topo_dir, "data/**\n") == ["data/deep/more.csv", "data/words.txt"]
    assert manifest(topo_dir, "**/deep\n") == ["data/deep/more.csv"]
    assert manifest(topo_dir, "data/**/.cache/*.csv\n") == ["data/deep/.cache/c.csv"]


def test_double_star_enters_a_symlink_loop_once(topo_dir: Path) -> None:
    os.symlink(".", topo_dir / "data" / "self")
    os.symlink("..", topo_dir / "data" / "deep" / "up")
    assert manifest(topo_dir, "data/**/*.csv\n") == ["data/deep/more.csv"]
    assert manifest(topo_dir, "data/**\n") == ["data/deep/more.csv", "data/words.txt"]


def test_unreadable_directory_is_named(topo_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    private = topo_dir / "data" / "private"
    private.mkdir()
    real_scandir = os.scandir

    def scandir(path: str) -> object:   # as for a mode-000 directory (the tests run as root)
        if Path(path) == private:
            raise PermissionError(13, "Permission denied", path)
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    for text in ("data\n", "data/**/*.txt\n"):
        with pytest.raises(PetrelError, match="private, which cannot be read"):
            manifest(topo_dir, text)


def test_overlapping_entries_are_listed_once_and_sorted(topo_dir: Path) -> None:
    assert manifest(topo_dir, "data/words.txt\ndata\n*.ini\nlogconfig.ini\n") == [
        "data/deep/more.csv", "data/words.txt", "logconfig.ini"]


def test_entry_matching_nothing_names_file_and_line(topo_dir: Path) -> None:
    with pytest.raises(PetrelError) as err:
        manifest(topo_dir, "logconfig.ini\n# comment\nsetup.sh\n")
    assert "manifest.txt line 3: 'setup.sh' matches no file" in err.value.message
    assert "fix the path or remove the line" in err.value.message


def test_glob_matching_nothing_is_an_error_in_a_strict_manifest(topo_dir: Path) -> None:
    with pytest.raises(PetrelError, match=r"line 2: '\*\.json' matches no file .*strict"):
        manifest(topo_dir, "[strict]\n*.json\n")


def test_empty_directory_is_an_error(topo_dir: Path) -> None:
    (topo_dir / "empty").mkdir()
    with pytest.raises(PetrelError, match="'empty' matches no file"):
        manifest(topo_dir, "empty\n")


def test_dotdot_outside_the_topology_is_an_error(topo_dir: Path) -> None:
    (topo_dir.parent / "shared.py").write_text("x = 1\n")
    with pytest.raises(PetrelError, match=r"line 1: '\.\./shared\.py' is outside the topology"):
        manifest(topo_dir, "../shared.py\n")


def test_dotdot_that_comes_back_inside_is_fine(topo_dir: Path) -> None:
    assert manifest(topo_dir, "data/../logconfig.ini\n") == ["logconfig.ini"]


def test_absolute_path_outside_is_an_error_inside_is_relative(topo_dir: Path) -> None:
    (topo_dir.parent / "elsewhere.txt").write_text("x\n")
    with pytest.raises(PetrelError, match="outside the topology directory"):
        manifest(topo_dir, f"{topo_dir.parent / 'elsewhere.txt'}\n")
    assert manifest(topo_dir, f"{topo_dir / 'logconfig.ini'}\n") == ["logconfig.ini"]


def test_symlink_leading_outside_is_an_error(topo_dir: Path) -> None:
    outside = topo_dir.parent / "secret.txt"
    outside.write_text("password\n")
    os.symlink(outside, topo_dir / "data" / "link.txt")
    with pytest.raises(PetrelError, match="through a symlink"):
        manifest(topo_dir, "data/link.txt\n")
    with pytest.raises(PetrelError, match="through a symlink"):
        manifest(topo_dir, "data\n")


def test_symlinked_directory_outside_is_an_error(topo_dir: Path) -> None:
    outside = topo_dir.parent / "lib"
    (outside / "sub").mkdir(parents=True)
    (outside / "sub" / "m.py").write_text("")
    os.symlink(outside, topo_dir / "lib")
    with pytest.raises(PetrelError, match="outside the topology directory"):
        manifest(topo_dir, "lib\n")


def test_symlink_inside_is_shipped_under_its_own_name(topo_dir: Path) -> None:
    os.symlink(topo_dir / "data" / "words.txt", topo_dir / "alias.txt")
    assert manifest(topo_dir, "alias.txt\n") == ["alias.txt"]


def test_broken_symlink_is_an_error(topo_dir: Path) -> None:
    os.symlink(topo_dir / "gone.txt", topo_dir / "data" / "dangling.txt")
    with pytest.raises(PetrelError, match="broken symlink"):
        manifest(topo_dir, "data\n")


def test_excluded_file_is_not_shipped(topo_dir: Path) -> None:
    (topo_dir / "topology.jar").write_bytes(b"old jar")
    (topo_dir / "manifest.txt").write_text("*\n")
    files = read_manifest(topo_dir, exclude=[topo_dir / "topology.jar"])
    assert "topology.jar" not in files
    assert "data/words.txt" in files and "manifest.txt" in files


def test_error_names_the_manifest_as_the_user_spelled_the_directory(topo_dir: Path) -> None:
    (topo_dir / "manifest.txt").write_text("nope.txt\n")
    with pytest.raises(PetrelError) as err:
        read_manifest(topo_dir, display_dir=Path("mytopo"))
    assert err.value.message.startswith(f"{Path('mytopo') / 'manifest.txt'} line 1:")
