"""Choosing a Java for a Storm release, and the message when none fits."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest

from petrel.devstorm import java as java_module
from petrel.devstorm.java import find_java, find_mvn, java_major
from petrel.errors import PetrelError


def _fake_java(directory: Path, version_line: str) -> Path:
    """A ``bin/java`` that prints ``version_line`` as ``java -version`` does (on stderr)."""
    path = directory / "bin" / "java"
    path.parent.mkdir(parents=True)
    path.write_text(f"#!/bin/sh\necho '{version_line}' >&2\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


@pytest.mark.parametrize("line, major", [('openjdk version "17.0.15" 2025-04-15', 17),
                                         ('java version "1.8.0_392"', 8),
                                         ('openjdk version "25" 2025-09-16', 25)])
def test_the_major_version_is_read_from_java_version(tmp_path: Path, line: str,
                                                     major: int) -> None:
    assert java_major(str(_fake_java(tmp_path, line))) == major


@pytest.mark.skipif(shutil.which("java") is None, reason="needs a real 'java' on PATH")
def test_the_real_java_here_reports_its_version() -> None:
    major = java_major(shutil.which("java") or "")
    assert major is not None and major >= 8


def test_java_home_comes_first_when_it_is_new_enough(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_java(tmp_path / "jdk21", 'openjdk version "21.0.1"')
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "jdk21"))
    chosen = find_java(17, "2.8.3")
    assert chosen.major == 21 and chosen.home == str((tmp_path / "jdk21").resolve())


def test_a_too_old_java_is_passed_over_for_a_newer_jdk(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_java(tmp_path / "old", 'java version "1.8.0_392"')
    newer = _fake_java(tmp_path / "jvm" / "new", 'openjdk version "17.0.2"')
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "old"))
    monkeypatch.setenv("PATH", str(tmp_path / "nothing"))
    monkeypatch.setattr(java_module, "_JDK_DIRS", (str(tmp_path / "jvm" / "*" / "bin" / "java"),))
    assert find_java(17, "2.8.3").path == str(newer)


def test_no_fitting_java_names_the_version_storm_needs(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_java(tmp_path / "old", 'openjdk version "11.0.2"')
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "old"))
    monkeypatch.setenv("PATH", str(tmp_path / "nothing"))
    monkeypatch.setattr(java_module, "_JDK_DIRS", ())
    with pytest.raises(PetrelError, match=r"Storm 2\.8\.3 needs Java 17 or newer \(.*is Java 11"):
        find_java(17, "2.8.3")
    monkeypatch.delenv("JAVA_HOME")
    with pytest.raises(PetrelError, match="no java on PATH"):
        find_java(17, "2.8.3")


def test_no_maven_says_how_to_get_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(PetrelError, match="'mvn' is not on PATH: install Maven"):
        find_mvn()
    assert os.environ["PATH"] == str(tmp_path)


def test_storm_1_refuses_a_java_newer_than_13(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_java(tmp_path / "new", 'openjdk version "17.0.15"')
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "new"))
    monkeypatch.setenv("PATH", str(tmp_path / "nothing"))
    monkeypatch.setattr(java_module, "_JDK_DIRS", ())
    with pytest.raises(PetrelError, match=r"Storm 1\.2\.4 needs Java 8 to 13 \(.*is Java 17"):
        find_java(8, "1.2.4", 13)
    _fake_java(tmp_path / "jvm" / "j11", 'openjdk version "11.0.2"')
    monkeypatch.setattr(java_module, "_JDK_DIRS", (str(tmp_path / "jvm" / "*" / "bin" / "java"),))
    assert find_java(8, "1.2.4", 13).major == 11
