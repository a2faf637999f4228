"""Storm homes: the user's --home is checked, cached homes are found by version, and
Maven's failures become clear messages."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from petrel.devstorm.home import COMPLETE, cached_homes, maven_home, user_home
from petrel.devstorm.maven import Artifact, MavenError, copy_dependencies, pom
from petrel.devstorm.versions import StormVersion
from petrel.errors import PetrelError


def _distribution(root: Path, jar: str = "storm-client-2.8.3.jar") -> Path:
    (root / "lib").mkdir(parents=True)
    with zipfile.ZipFile(root / "lib" / jar, "w"):
        pass
    (root / "log4j2").mkdir()
    (root / "log4j2" / "worker.xml").write_text("<configuration/>")
    return root


def test_an_unpacked_distribution_is_accepted_with_its_version(tmp_path: Path) -> None:
    home = user_home(str(_distribution(tmp_path / "apache-storm-2.8.3")))
    assert home.version == StormVersion(2, 8, 3)
    assert home.lib_webapp is None and "lib-webapp" in home.no_ui_reason


def test_a_storm_1_distribution_shares_lib_for_workers(tmp_path: Path) -> None:
    home = user_home(str(_distribution(tmp_path / "s", "storm-core-1.2.4.jar")))
    assert home.version.single_jar and home.lib_worker == home.lib


@pytest.mark.parametrize("make, message", [
    (lambda p: None, "no such directory"),
    (lambda p: p.mkdir(), "holds no storm-client or storm-core jar"),
])
def test_a_home_that_is_not_storm_is_refused(tmp_path: Path, make, message: str) -> None:
    target = tmp_path / "h"
    make(target)
    with pytest.raises(PetrelError, match=message):
        user_home(str(target))


def test_a_home_without_worker_logging_is_refused(tmp_path: Path) -> None:
    root = _distribution(tmp_path / "h")
    (root / "log4j2" / "worker.xml").unlink()
    with pytest.raises(PetrelError, match="worker.xml is missing"):
        user_home(str(root))


def test_cached_homes_are_found_newest_first_and_only_when_complete(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PETREL_CACHE_DIR", str(tmp_path))
    for version, complete in (("2.8.1", True), ("2.8.3", True), ("2.8.4", False),
                              ("2.7.1", True)):
        (tmp_path / "storm" / version).mkdir(parents=True)
        if complete:
            (tmp_path / "storm" / version / COMPLETE).write_text("x")
    (tmp_path / "storm" / ".partial-x").mkdir()
    found = [str(h.version) for h in cached_homes(StormVersion.parse("2.8"))]
    assert found == ["2.8.3", "2.8.1"]
    assert [str(h.version) for h in cached_homes(StormVersion.parse("2.7.1"))] == ["2.7.1"]
    # A cached home is used as it is: no Maven run at all ('mvn' here does not exist).
    assert maven_home("/nonexistent/mvn", StormVersion.parse("2.8"), print).version == \
        StormVersion(2, 8, 3)


def test_the_pom_names_each_artifact_and_leaves_out_clojure() -> None:
    text = pom([Artifact("storm-server", "2.8.3"), Artifact("storm-client", "[2.8.0,2.9.0)")])
    assert "<artifactId>storm-server</artifactId><version>2.8.3</version>" in text
    assert "<version>[2.8.0,2.9.0)</version>" in text
    assert "<artifactId>storm-clojure</artifactId>" in text      # as an exclusion


@pytest.mark.skipif(shutil.which("mvn") is None, reason="needs Maven ('mvn')")
def test_a_release_maven_does_not_have_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(MavenError) as caught:
        copy_dependencies(shutil.which("mvn") or "", [Artifact("storm-client", "2.8.99")],
                          tmp_path / "out", "Storm 2.8.99")
    assert caught.value.message.startswith("Maven could not fetch Storm 2.8.99: ")
    assert "storm-client" in caught.value.message and "2.8.99" in caught.value.message
    assert not caught.value.network
    assert not (tmp_path / "out").exists()


@pytest.mark.skipif(shutil.which("mvn") is None, reason="needs Maven ('mvn')")
def test_an_unreachable_repository_is_a_network_error(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    # Maven reads settings and its local repository from user.home: an empty one whose only
    # mirror is a closed loopback port, as when the network is down.
    m2 = tmp_path / ".m2"
    m2.mkdir()
    (m2 / "settings.xml").write_text(
        "<settings><mirrors><mirror><id>closed</id><mirrorOf>*</mirrorOf>"
        "<url>http://127.0.0.1:9/maven2</url></mirror></mirrors></settings>")
    monkeypatch.setenv("MAVEN_OPTS", f"-Duser.home={tmp_path}")
    with pytest.raises(MavenError) as caught:
        copy_dependencies(shutil.which("mvn") or "", [Artifact("storm-client", "2.8.3")],
                          tmp_path / "out", "Storm 2.8.3")
    assert caught.value.network
    assert caught.value.message.startswith(
        "Maven could not reach its repository while fetching Storm 2.8.3: ")
    assert "Check the network and Maven's settings" in caught.value.message
