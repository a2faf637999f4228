"""The zip writer: reproducible bytes, fixed metadata, atomic replacement, clear errors."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from petrel.errors import PetrelError
from petrel.package.jar import FIXED_DATE_TIME, write_jar


def test_same_entries_give_identical_bytes_whatever_the_order(tmp_path: Path) -> None:
    src = tmp_path / "mod.py"
    src.write_text("x = 1\n")
    a, b = tmp_path / "a.jar", tmp_path / "b.jar"
    write_jar(a, {"resources/z.txt": b"z", "resources/mod.py": src, "resources/a/b.txt": b"b"})
    src.touch()  # a newer mtime must not matter
    write_jar(b, {"resources/a/b.txt": b"b", "resources/mod.py": src, "resources/z.txt": b"z"})
    assert a.read_bytes() == b.read_bytes()


def test_entries_sorted_with_fixed_time_and_mode(tmp_path: Path) -> None:
    jar = tmp_path / "t.jar"
    size = write_jar(jar, {"resources/b.py": b"b", "resources/a.py": b"a" * 1000})
    assert size == jar.stat().st_size
    with zipfile.ZipFile(jar) as zf:
        infos = zf.infolist()
        assert [i.filename for i in infos] == [
            "META-INF/MANIFEST.MF", "resources/a.py", "resources/b.py"]
        for info in infos:
            assert info.date_time == FIXED_DATE_TIME
            assert info.external_attr >> 16 == 0o100644
            assert info.create_system == 3
            assert not info.is_dir()
            assert info.compress_type == zipfile.ZIP_DEFLATED
        assert zf.read("resources/a.py") == b"a" * 1000
        assert zf.read("META-INF/MANIFEST.MF").startswith(b"Manifest-Version: 1.0\r\n")
        assert zf.testzip() is None


def test_existing_jar_is_replaced_and_no_temp_file_is_left(tmp_path: Path) -> None:
    jar = tmp_path / "t.jar"
    jar.write_bytes(b"old")
    write_jar(jar, {"resources/x": b"new"})
    assert zipfile.is_zipfile(jar)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.jar"]


def test_unreadable_source_keeps_the_old_jar(tmp_path: Path) -> None:
    jar = tmp_path / "t.jar"
    jar.write_bytes(b"old")
    with pytest.raises(PetrelError, match=r"cannot read .*missing\.txt \(jar entry resources/m\)"):
        write_jar(jar, {"resources/m": tmp_path / "missing.txt"})
    assert jar.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.jar"]


def test_unwritable_destination_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(PetrelError, match="cannot write the jar .*--destjar"):
        write_jar(blocker / "t.jar", {"resources/x": b"x"})


@pytest.mark.parametrize("name", ["/abs", "resources/../x", "a//b", "a\\b", ""])
def test_bad_entry_names_are_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError):
        write_jar(tmp_path / "t.jar", {name: b""})
