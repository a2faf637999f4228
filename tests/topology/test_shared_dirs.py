"""Component modules in a shared directory (one a manifest ships with ``[from DIR]``): the
builder accepts them when its caller names the directory, under the module name a worker
imports them by at the jar's root, and refuses them otherwise, naming both fixes."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable, Iterator

import pytest

from petrel.errors import PetrelError
from petrel.topology.loader import load_topology
from petrel.topology.model import launcher_script

WriteFiles = Callable[[Path, dict[str, str]], Path]
MakeTopology = Callable[[str], Path]

SHARED_SPLIT = """
from petrel.emitter import BasicBolt

class SharedSplitBolt(BasicBolt):
    def declareOutputFields(self):
        return ['word']
"""

# Old Petrel's style: the component names its own file.
SCRIPTED_SPLIT = """
from petrel.emitter import BasicBolt

class SharedSplitBolt(BasicBolt):
    def __init__(self):
        super().__init__(script=__file__)

    def declareOutputFields(self):
        return ['word']
"""

SPOUT = """
from petrel.emitter import Spout

class LineSpout(Spout):
    def declareOutputFields(self):
        return ['line']
"""

CREATE = """
from lines import LineSpout
from {module} import SharedSplitBolt

def create(builder):
    builder.setSpout("lines", LineSpout(), 1)
    builder.setBolt("split", SharedSplitBolt(), 2).shuffleGrouping("lines")
"""


@pytest.fixture
def shared(tmp_path: Path, write_files: WriteFiles) -> Iterator[Path]:
    """tmp/shared, importable as a worker finds it (the packager's section_imports does
    this for petrel build); its modules are forgotten afterwards."""
    directory = write_files(tmp_path / "shared", {
        "sharedsplit.py": SHARED_SPLIT,
        "scripted.py": SCRIPTED_SPLIT,
        "pkg/__init__.py": "",
        "pkg/deep.py": SHARED_SPLIT,
    })
    sys.path.insert(1, str(directory))
    yield directory
    sys.path.remove(str(directory))
    for name in ("sharedsplit", "scripted", "pkg", "pkg.deep", "shared.sharedsplit"):
        sys.modules.pop(name, None)


@pytest.fixture
def topology(tmp_path: Path, write_files: WriteFiles) -> Callable[[str], Path]:
    """``topology(module)``: a topology directory whose bolt comes from ``module``."""
    def make(module: str) -> Path:
        return write_files(tmp_path / "topo", {
            "lines.py": SPOUT, "create.py": CREATE.format(module=module)})
    return make


@pytest.mark.parametrize("module", ["sharedsplit", "scripted", "pkg.deep"])
def test_a_component_module_of_a_shared_directory_is_named_as_at_the_jar_root(
        topology: MakeTopology, shared: Path, module: str) -> None:
    topo = load_topology(topology(module), shared_dirs=[shared])
    split = topo.components["split"]
    assert split.module == module
    assert split.script == launcher_script(module)
    assert topo.components["lines"].module == "lines"


def test_without_the_shared_directory_the_module_is_refused_naming_both_fixes(
        topology: MakeTopology, shared: Path) -> None:
    with pytest.raises(PetrelError) as info:
        load_topology(topology("sharedsplit"))
    message = info.value.message
    assert (f"bolt 'split': SharedSplitBolt comes from module 'sharedsplit' "
            f"({shared / 'sharedsplit.py'}), which is outside the topology directory") in message
    assert ("move the module into the topology directory, or ship its directory with a "
            "'[from DIR]' line in manifest.txt") in message


def test_a_script_outside_both_is_refused_naming_both_fixes(topology: MakeTopology,
                                                             shared: Path) -> None:
    with pytest.raises(PetrelError, match=r"script=.*scripted.py' is outside the topology "
                                          r"directory .* \[from DIR\]"):
        load_topology(topology("scripted"))


def test_a_shared_module_imported_under_another_name_is_refused(
        tmp_path: Path, topology: MakeTopology, shared: Path) -> None:
    sys.path.insert(1, str(tmp_path))     # shared/ becomes a namespace package
    try:
        with pytest.raises(PetrelError, match="comes from module 'shared.sharedsplit', but a "
                                              "worker imports sharedsplit.py as 'sharedsplit'"):
            load_topology(topology("shared.sharedsplit"), shared_dirs=[shared])
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("shared", None)
