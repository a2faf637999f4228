"""Storm version numbers: parsing, series, the Java each release needs."""

from __future__ import annotations

import pytest

from petrel.devstorm.versions import StormVersion, version_of_jar
from petrel.errors import PetrelError


def test_a_release_and_a_series_parse() -> None:
    assert StormVersion.parse("2.8.3") == StormVersion(2, 8, 3)
    series = StormVersion.parse("2.8")
    assert series.is_series and str(series) == "2.8"
    assert series.contains(StormVersion(2, 8, 3)) and not series.contains(StormVersion(2, 7, 1))
    assert StormVersion(2, 8, 3).contains(StormVersion(2, 8, 3))


@pytest.mark.parametrize("text", ["latest", "2", "2.8.3.1", "v2.8.3", ""])
def test_anything_else_is_a_clear_error(text: str) -> None:
    with pytest.raises(PetrelError, match="is not a Storm version"):
        StormVersion.parse(text)


@pytest.mark.parametrize("version, java", [("2.8.3", 17), ("2.6.0", 11), ("2.7.1", 11),
                                           ("2.5.0", 8), ("1.2.4", 8)])
def test_each_release_names_the_oldest_java_it_runs_on(version: str, java: int) -> None:
    assert StormVersion.parse(version).java_needed == java


def test_storm_1_is_a_single_jar_release() -> None:
    assert StormVersion.parse("1.2.4").single_jar
    assert not StormVersion.parse("2.5.0").single_jar


def test_releases_sort_by_number_not_text() -> None:
    versions = [StormVersion.parse(v) for v in ("2.8.10", "2.8.3", "2.10.0")]
    assert [str(v) for v in sorted(versions)] == ["2.8.3", "2.8.10", "2.10.0"]


def test_the_version_is_read_from_a_jar_name() -> None:
    assert version_of_jar("storm-client-2.8.3.jar", "storm-client") == StormVersion(2, 8, 3)
    assert version_of_jar("storm-client-2.8.3-tests.jar", "storm-client") is None
    assert version_of_jar("storm-core-1.2.4.jar", "storm-client") is None
