"""``petrel build`` stops when a component imports a module of the topology directory (or of
a ``[from DIR]`` directory), directly or through other local modules, that manifest.txt does
not ship; an unlisted logconfig.ini gets a note."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from packaging_helpers import SPLIT_MODULE, write_files

from petrel.errors import PetrelError
from petrel.package.command import build_topology_jar

REPO = Path(__file__).resolve().parents[2]

SPOUT = '''\
from petrel.emitter import Spout


class SentenceSpout(Spout):
    @classmethod
    def declareOutputFields(cls):
        return ["sentence"]
'''

CREATE = '''\
from sentencespout import SentenceSpout
from splitsentence import SplitSentenceBolt


def create(builder):
    builder.setSpout("spout", SentenceSpout(), 1)
    builder.setBolt("split", SplitSentenceBolt(), 1).shuffleGrouping("spout")
'''

USES_TEXTUTIL = "from textutil import clean\n" + SPLIT_MODULE


def topology(tmp_path: Path, files: dict[str, str]) -> Path:
    """The two-component topology, with ``files`` added or replaced."""
    return write_files(tmp_path / "wc", {"create.py": CREATE, "sentencespout.py": SPOUT,
                                         "splitsentence.py": SPLIT_MODULE,
                                         "topology.yaml": "topology.workers: 1\n", **files})


def build_error(topo: Path) -> str:
    with pytest.raises(PetrelError) as info:
        build_topology_jar(topo / "topology.yaml")
    assert not list(topo.glob("*.jar")) and not list(topo.glob(".*.tmp"))
    return info.value.message


def test_an_unlisted_helper_module_stops_the_build_with_the_fix(tmp_path: Path) -> None:
    topo = topology(tmp_path, {"splitsentence.py": USES_TEXTUTIL,
                               "textutil.py": "def clean(s):\n    return s\n"})
    assert build_error(topo) == (
        f"{topo / 'textutil.py'}: imported by splitsentence.py but not listed in "
        "manifest.txt; add `textutil.py` to manifest.txt")
    (topo / "manifest.txt").write_text("textutil.py\n")
    built = build_topology_jar(topo / "topology.yaml")
    assert built.jar.is_file()


def test_a_module_reached_through_another_local_module_is_found(tmp_path: Path) -> None:
    topo = topology(tmp_path, {
        "splitsentence.py": "import helpers\n" + SPLIT_MODULE,
        "helpers.py": "def f():\n    from textutil import clean   # imported lazily\n",
        "textutil.py": "def clean(s):\n    return s\n",
        "manifest.txt": "helpers.py\n",
    })
    assert build_error(topo) == (
        f"{topo / 'textutil.py'}: imported by helpers.py but not listed in manifest.txt; "
        "add `textutil.py` to manifest.txt")


def test_every_unlisted_module_gets_its_own_line(tmp_path: Path) -> None:
    topo = topology(tmp_path, {
        "sentencespout.py": "import sources.twitter\n" + SPOUT,
        "splitsentence.py": "import helpers\n" + SPLIT_MODULE,
        "helpers.py": "from textutil import clean\n",
        "textutil.py": "def clean(s):\n    return s\n",
        "sources/__init__.py": "",
        "sources/twitter.py": "from . import auth\n",
        "sources/auth.py": "",
    })
    lines = build_error(topo).splitlines()
    assert lines[0] == "5 problems:"
    assert lines[1:] == [
        f"  - {topo / 'helpers.py'}: imported by splitsentence.py but not listed in "
        "manifest.txt; add `helpers.py` to manifest.txt",
        f"  - {topo / 'sources/__init__.py'}: imported by sentencespout.py but not listed in "
        "manifest.txt; add `sources/` to manifest.txt",
        f"  - {topo / 'sources/auth.py'}: imported by sources/twitter.py but not listed in "
        "manifest.txt; add `sources/` to manifest.txt",
        f"  - {topo / 'sources/twitter.py'}: imported by sentencespout.py but not listed in "
        "manifest.txt; add `sources/` to manifest.txt",
        f"  - {topo / 'textutil.py'}: imported by helpers.py but not listed in manifest.txt; "
        "add `textutil.py` to manifest.txt",
    ]
    (topo / "manifest.txt").write_text("helpers.py\ntextutil.py\nsources/\n")
    assert build_topology_jar(topo / "topology.yaml").jar.is_file()


def test_a_module_of_a_component_package_names_its_own_file(tmp_path: Path) -> None:
    topo = topology(tmp_path, {
        "create.py": CREATE.replace("from splitsentence", "from bolts.split"),
        "bolts/__init__.py": "",
        "bolts/split.py": "from .words import WORDS\n" + SPLIT_MODULE,
        "bolts/words.py": "WORDS = []\n",
    })
    assert build_error(topo) == (
        f"{topo / 'bolts/words.py'}: imported by bolts/split.py but not listed in "
        "manifest.txt; add `bolts/words.py` to manifest.txt")


def test_a_module_of_a_shared_directory_names_its_section(tmp_path: Path) -> None:
    write_files(tmp_path / "common", {"textutil.py": "def clean(s):\n    return s\n",
                                      "other.txt": "x\n"})
    topo = topology(tmp_path, {"splitsentence.py": USES_TEXTUTIL,
                               "manifest.txt": "[from ../common]\nother.txt\n"})
    assert build_error(topo) == (
        f"{tmp_path / 'common' / 'textutil.py'}: imported by splitsentence.py but not listed "
        "in manifest.txt; add `textutil.py` after the `[from ../common]` line of manifest.txt")


def test_standard_library_installed_and_create_py_imports_are_not_the_manifests(
        tmp_path: Path) -> None:
    topo = topology(tmp_path, {
        "create.py": "import buildtools\n" + CREATE,      # create.py does not ship
        "buildtools.py": "",
        "splitsentence.py": "import json, yaml\nfrom os import path\ntry:\n"
                            "    import optional_missing\nexcept ImportError:\n    pass\n"
                            + SPLIT_MODULE,
        "json.py": "",              # a stray file named like a standard module
    })
    assert build_topology_jar(topo / "topology.yaml").jar.is_file()


def test_an_unlisted_logconfig_ini_gets_a_note(tmp_path: Path) -> None:
    topo = topology(tmp_path, {"logconfig.ini": "[loggers]\nkeys=root\n"})
    out = subprocess.run([sys.executable, "-m", "petrel.cli", "build"], cwd=topo,
                         capture_output=True, text=True, timeout=120,
                         env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr
    assert out.stderr.strip() == (
        "petrel: note: logconfig.ini is not listed in manifest.txt, so workers will not use "
        "it; add a line 'logconfig.ini' to ship it")
