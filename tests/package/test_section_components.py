"""A component class defined in a module of a manifest ``[from DIR]`` directory: the jar
ships that module once, at its root, with a launcher, and a worker runs it from there."""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

import pytest
from packaging_helpers import (
    SPLIT_MODULE,
    extract_resources,
    finish,
    handshake_message,
    launch,
    read_message,
    write_files,
)

from petrel.errors import PetrelError
from petrel.package.command import build_topology_jar
from petrel.package.contents import launcher_source
from petrel.topology.model import launcher_script

# A spout every topology of the repository declares as it is, without a subclass of its own.
SHARED_SPOUT = '''\
from petrel import storm
from petrel.emitter import Spout


class SentenceSpout(Spout):
    """Emits the same sentence again and again."""

    @classmethod
    def declareOutputFields(cls):
        return ["sentence"]

    def nextTuple(self):
        storm.emit(["the cow jumped over the moon"])
'''

CREATE = '''\
from sentencespout import SentenceSpout
from splitsentence import SplitSentenceBolt


def create(builder):
    builder.setSpout("spout", SentenceSpout(), 1)
    builder.setBolt("split", SplitSentenceBolt(), 2).shuffleGrouping("spout")
'''


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """topologies/common (the shared spout) and topologies/wc, whose create.py declares it."""
    root = tmp_path / "topologies"
    write_files(root / "common", {"sentencespout.py": SHARED_SPOUT, "phrases.py": "X = 1\n"})
    write_files(root / "wc", {
        "create.py": CREATE,
        "splitsentence.py": SPLIT_MODULE,
        "topology.yaml": "topology.workers: 1\n",
        "manifest.txt": "[from ../common]\nsentencespout.py\n",
    })
    return root


def jar_names(jar: Path) -> list[str]:
    with zipfile.ZipFile(jar) as zf:
        return zf.namelist()


def test_a_section_component_ships_once_at_the_jar_root_with_its_launcher(repo: Path) -> None:
    built = build_topology_jar(repo / "wc" / "topology.yaml")
    spout = built.topology.components["spout"]
    assert spout.module == "sentencespout"
    assert spout.script == launcher_script("sentencespout")
    names = jar_names(built.jar)
    assert names.count("resources/sentencespout.py") == 1
    with zipfile.ZipFile(built.jar) as zf:
        assert (zf.read("resources/sentencespout.py")
                == (repo / "common" / "sentencespout.py").read_bytes())
        assert (zf.read("resources/" + launcher_script("sentencespout"))
                == launcher_source("sentencespout"))
    assert "resources/" + launcher_script("splitsentence") in names
    assert "sentencespout" not in sys.modules


def test_a_section_component_ships_even_when_its_section_does_not_list_it(repo: Path) -> None:
    (repo / "wc" / "manifest.txt").write_text("[from ../common]\nphrases.py\n")
    names = jar_names(build_topology_jar(repo / "wc" / "topology.yaml").jar)
    assert {"resources/sentencespout.py", "resources/phrases.py",
            "resources/" + launcher_script("sentencespout")} <= set(names)


def test_a_component_from_an_unrelated_directory_is_refused_naming_both_fixes(
        repo: Path) -> None:
    (repo / "wc" / "manifest.txt").write_text("# nothing shared\n")
    (repo / "wc" / "create.py").write_text(
        f"import sys\nsys.path.append({str(repo / 'common')!r})\n" + CREATE)
    with pytest.raises(PetrelError) as info:
        build_topology_jar(repo / "wc" / "topology.yaml")
    message = info.value.message
    assert "spout 'spout': SentenceSpout comes from module 'sentencespout'" in message
    assert "move the module into the topology directory" in message
    assert "ship its directory with a '[from DIR]' line in manifest.txt" in message


def test_a_different_file_at_the_component_module_jar_path_is_refused(repo: Path) -> None:
    # The import finds common/sentencespout.py first; a later section ships another file there.
    write_files(repo / "other", {"sentencespout.py": "# another spout\n"})
    (repo / "wc" / "manifest.txt").write_text(
        "[from ../common]\nphrases.py\n[from ../other]\nsentencespout.py\n")
    with pytest.raises(PetrelError, match="'sentencespout.py' is both the component module"):
        build_topology_jar(repo / "wc" / "topology.yaml")


def test_a_worker_runs_the_section_component_from_the_jar_root(repo: Path,
                                                               tmp_path: Path) -> None:
    built = build_topology_jar(repo / "wc" / "topology.yaml")
    resources = extract_resources(built.jar, tmp_path / "stormdist" / "wc-1-1")
    proc = launch(resources, "sentencespout", env={"PETREL_PYTHON": sys.executable})
    pid_dir = tmp_path / "pids"
    pid_dir.mkdir()
    assert proc.stdin is not None
    proc.stdin.write(handshake_message(pid_dir, component="spout", task=2))
    proc.stdin.flush()
    reply = read_message(proc, 60)
    code, err = finish(proc)
    assert reply == {"pid": proc.pid}, err
    assert code == 0, err
