"""manifest.txt's ``[from DIR]`` sections: files shared from a named directory beside the
topology, shipped at the jar's root, and every way such a line or entry can be wrong."""

from __future__ import annotations

import os
import sys
import zipfile
from pathlib import Path

import pytest
from packaging_helpers import SPLIT_MODULE, write_files

from petrel.errors import PetrelError
from petrel.package.command import build_topology_jar
from petrel.package.manifest import (
    manifest_files,
    read_manifest,
    section_dir,
    section_dirs,
    section_imports,
)

SHARED_SPOUT = '''\
from petrel import storm
from petrel.emitter import Spout

from phrases import PHRASE


class SharedSpout(Spout):
    """The spout every topology of the repository uses."""

    @classmethod
    def declareOutputFields(cls):
        return ["sentence"]

    def nextTuple(self):
        storm.emit([PHRASE])
'''

# The topology's own component module: a thin subclass of the shared spout.
OWN_SPOUT = '''\
from sharedspout import SharedSpout


class SentenceSpout(SharedSpout):
    def __init__(self):
        super().__init__(script=__file__)


def run():
    SentenceSpout().run()
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
    """topologies/common (shared modules and data) and topologies/wc, which ships them."""
    root = tmp_path / "topologies"
    write_files(root / "common", {
        "sharedspout.py": SHARED_SPOUT,
        "phrases.py": "PHRASE = 'the cow jumped over the moon'\n",
        "data/sample.txt": "one\n",
        "data/.hidden": "no\n",
        "README.md": "shared\n",
    })
    write_files(root / "wc", {
        "create.py": CREATE,
        "sentencespout.py": OWN_SPOUT,
        "splitsentence.py": SPLIT_MODULE,
        "topology.yaml": "topology.workers: 1\n",
        "logconfig.ini": "[loggers]\nkeys=root\n",
        "manifest.txt": "logconfig.ini\n\n[from ../common]   # shared with the other "
                        "topologies\nsharedspout.py\nphrases.py\ndata\n",
    })
    return root


def manifest(topo: Path, text: str) -> dict[str, Path]:
    (topo / "manifest.txt").write_text(text)
    return manifest_files(topo)


def test_section_entries_ship_at_the_jar_root_from_the_named_directory(repo: Path) -> None:
    files = manifest_files(repo / "wc")
    common = repo / "common"
    assert files == {"data/sample.txt": common / "data" / "sample.txt",
                     "logconfig.ini": repo / "wc" / "logconfig.ini",
                     "phrases.py": common / "phrases.py",
                     "sharedspout.py": common / "sharedspout.py"}
    assert read_manifest(repo / "wc") == sorted(files)


def test_globs_double_star_and_hidden_files_follow_the_usual_rules(repo: Path) -> None:
    files = manifest(repo / "wc", "[from ../common]\n*.py\n**/*.txt\ndata/.hidden\n")
    assert sorted(files) == ["data/.hidden", "data/sample.txt", "phrases.py", "sharedspout.py"]


def test_from_dot_returns_to_the_topology_directory(repo: Path) -> None:
    files = manifest(repo / "wc", "[from ../common]\nphrases.py\n[from .]\nlogconfig.ini\n")
    assert files["logconfig.ini"] == repo / "wc" / "logconfig.ini"
    assert files["phrases.py"] == repo / "common" / "phrases.py"


def test_two_sections_and_the_same_file_listed_twice(repo: Path) -> None:
    write_files(repo / "more", {"extra.py": "X = 1\n"})
    files = manifest(repo / "wc", "[from ../common]\nphrases.py\n[ from ../more ]\nextra.py\n"
                                  "[from ../common]\nphrases.py\n*.py\n")
    assert sorted(files) == ["extra.py", "phrases.py", "sharedspout.py"]
    assert section_dirs(repo / "wc") == [repo / "common", repo / "more"]


def test_section_line_is_told_from_a_glob(repo: Path) -> None:
    assert section_dir("[from ../common]") == "../common"
    assert section_dir("[from]") == ""
    assert section_dir("[fl]ogconfig.ini") is None
    assert section_dir("[abc]") is None


def test_a_missing_directory_names_file_and_line(repo: Path) -> None:
    with pytest.raises(PetrelError) as err:
        manifest(repo / "wc", "logconfig.ini\n[from ../shared]\nphrases.py\n")
    assert err.value.message.startswith(f"{repo / 'wc' / 'manifest.txt'} line 2: "
                                        "[from ../shared]")
    assert "is not a directory" in err.value.message


def test_a_file_is_not_a_section_directory(repo: Path) -> None:
    with pytest.raises(PetrelError, match="line 1: .*is not a directory"):
        manifest(repo / "wc", "[from ../common/phrases.py]\nphrases.py\n")


@pytest.mark.parametrize("line, problem", [
    ("[from]", "names no directory"),
    ("[from /etc]", "must be relative to the topology directory"),
])
def test_a_section_must_name_a_relative_directory(repo: Path, line: str, problem: str) -> None:
    with pytest.raises(PetrelError, match=f"line 1: .*{problem}"):
        manifest(repo / "wc", f"{line}\nphrases.py\n")


def test_an_entry_matching_nothing_in_the_section_names_file_and_line(repo: Path) -> None:
    with pytest.raises(PetrelError) as err:
        manifest(repo / "wc", "[from ../common]\nphrases.py\nsetup.sh\n")
    assert "manifest.txt line 3: 'setup.sh' matches no file in" in err.value.message
    assert str(repo / "common") in err.value.message


@pytest.mark.parametrize("entry, problem", [
    ("../wc/logconfig.ini", "uses '..'"),
    ("data/../phrases.py", "uses '..'"),
    ("../../secret.txt", "uses '..'"),
])
def test_an_entry_may_not_use_dotdot(repo: Path, entry: str, problem: str) -> None:
    with pytest.raises(PetrelError, match=f"line 2: .*{problem}"):
        manifest(repo / "wc", f"[from ../common]\n{entry}\n")


def test_an_entry_may_not_be_absolute_even_inside(repo: Path) -> None:
    with pytest.raises(PetrelError, match="line 2: .*is an absolute path"):
        manifest(repo / "wc", f"[from ../common]\n{repo / 'common' / 'phrases.py'}\n")


def test_a_symlink_leaving_the_section_directory_is_refused(repo: Path) -> None:
    secret = repo.parent / "secret.txt"
    secret.write_text("password\n")
    os.symlink(secret, repo / "common" / "data" / "link.txt")
    for entry in ("data/link.txt", "data", "data/*.txt", "**/*.txt"):
        with pytest.raises(PetrelError, match=r"line 2: .*outside the \[from \.\./common\] "
                                              r"directory .*through a symlink"):
            manifest(repo / "wc", f"[from ../common]\n{entry}\n")


def test_a_symlinked_directory_leaving_the_section_is_refused(repo: Path) -> None:
    (repo.parent / "elsewhere").mkdir()
    (repo.parent / "elsewhere" / "m.py").write_text("")
    os.symlink(repo.parent / "elsewhere", repo / "common" / "lib")
    with pytest.raises(PetrelError, match="outside the \\[from ../common\\] directory"):
        manifest(repo / "wc", "[from ../common]\nlib\n")


def test_two_sources_for_one_jar_path_name_both_lines(repo: Path) -> None:
    (repo / "wc" / "phrases.py").write_text("PHRASE = 'mine'\n")
    with pytest.raises(PetrelError) as err:
        manifest(repo / "wc", "phrases.py\n[from ../common]\nphrases.py\n")
    message = err.value.message
    assert message.startswith(f"{repo / 'wc' / 'manifest.txt'} line 3: 'phrases.py' gives "
                              "the jar path 'phrases.py' from the [from ../common] directory")
    assert "line 1 already gives from the topology directory" in message


def test_two_sections_for_one_jar_path_are_refused(repo: Path) -> None:
    write_files(repo / "more", {"phrases.py": "PHRASE = 'more'\n"})
    with pytest.raises(PetrelError, match="line 4: 'phrases.py' gives the jar path"):
        manifest(repo / "wc", "[from ../common]\nphrases.py\n[from ../more]\nphrases.py\n")


def test_the_jar_being_written_is_excluded_in_a_section_too(repo: Path) -> None:
    (repo / "common" / "topology.jar").write_bytes(b"old")
    (repo / "wc" / "manifest.txt").write_text("[from ../common]\n*\n")
    files = manifest_files(repo / "wc", exclude=[repo / "common" / "topology.jar"])
    assert "topology.jar" not in files and "phrases.py" in files


def test_section_imports_put_the_directories_on_the_path_and_clean_up(repo: Path) -> None:
    before = list(sys.path)
    with section_imports(repo / "wc") as dirs:
        assert dirs == [repo / "common"]
        import phrases
        assert phrases.PHRASE.startswith("the cow")
    assert sys.path == before and "phrases" not in sys.modules


def test_build_ships_the_section_files_at_the_jar_root(repo: Path) -> None:
    built = build_topology_jar(repo / "wc" / "topology.yaml")
    with zipfile.ZipFile(built.jar) as jar:
        names = set(jar.namelist())
        assert jar.read("resources/phrases.py") == (repo / "common" / "phrases.py").read_bytes()
    for name in ["resources/sharedspout.py", "resources/phrases.py",
                 "resources/data/sample.txt", "resources/sentencespout.py",
                 "resources/splitsentence.py", "resources/logconfig.ini",
                 "resources/_petrel_launch_sentencespout.py"]:
        assert name in names
    assert "resources/data/.hidden" not in names and "resources/README.md" not in names
    assert not any(".." in n.split("/") for n in names)
    assert "phrases" not in sys.modules and "sharedspout" not in sys.modules


def test_build_refuses_a_section_file_shadowing_a_component_module(repo: Path) -> None:
    (repo / "common" / "splitsentence.py").write_text("# another splitter\n")
    (repo / "wc" / "manifest.txt").write_text("[from ../common]\n*.py\n")
    with pytest.raises(PetrelError, match="'splitsentence.py' is both the component module"):
        build_topology_jar(repo / "wc" / "topology.yaml")


def test_requirements_from_a_section_key_the_environment(repo: Path) -> None:
    (repo / "common" / "requirements.txt").write_text("requests\n")
    (repo / "wc" / "manifest.txt").write_text("[from ../common]\n*.py\nrequirements.txt\n")
    first = build_topology_jar(repo / "wc" / "topology.yaml")
    with zipfile.ZipFile(first.jar) as jar:
        settings = jar.read("resources/__petrel__.json")
    (repo / "common" / "requirements.txt").write_text("requests==2.0\n")
    second = build_topology_jar(repo / "wc" / "topology.yaml")
    with zipfile.ZipFile(second.jar) as jar:
        assert b'"requirements": true' in jar.read("resources/__petrel__.json")
        assert jar.read("resources/__petrel__.json") != settings
