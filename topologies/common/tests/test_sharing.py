"""The tweet topologies share topologies/common instead of copying it: each manifest ships
the shared files with a ``[from ../common]`` section, create.py declares the shared spout
and splitter as they are (no wrapper module per topology), every jar still stands alone,
and each topology's tests import its own same-named modules (topologies/conftest.py
switches sys.path and sys.modules)."""

import importlib
import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from petrel.package.command import build_topology_jar
from petrel.package.manifest import manifest_files

TOPOLOGIES = Path(__file__).resolve().parents[2]
COMMON = TOPOLOGIES / "common"
TWEET_TOPOLOGIES = ["mongo_citycount", "redis_topwords", "twitter_topwords"]
SHARED_FILES = sorted(p.name for p in COMMON.iterdir() if p.is_file() and p.name != "README.md")


@pytest.mark.parametrize("name", TWEET_TOPOLOGIES + ["wordcount"])
def test_no_topology_holds_a_copy_of_a_shared_file(name):
    copies = [f for f in SHARED_FILES if (TOPOLOGIES / name / f).is_file()
              and (TOPOLOGIES / name / f).read_bytes() == (COMMON / f).read_bytes()]
    assert copies == [], f"{name} copies {copies}: edit topologies/common instead"


def test_no_two_topologies_hold_the_same_python_file():
    seen = {}
    for path in sorted(TOPOLOGIES.glob("*/*.py")):
        if path.parent != COMMON and path.name != "conftest.py":
            seen.setdefault(path.read_bytes(), []).append(str(path.relative_to(TOPOLOGIES)))
    copies = [paths for paths in seen.values() if len(paths) > 1]
    assert copies == [], f"identical files {copies}: keep one in topologies/common"


@pytest.mark.parametrize("name", TWEET_TOPOLOGIES)
def test_each_manifest_ships_the_shared_files_it_uses_from_common(name):
    files = manifest_files(TOPOLOGIES / name)
    from_common = {path for path, source in files.items() if source.parent == COMMON}
    assert {"tweets_sample.jsonl", "tweetsource.py", "tweetspout.py", "logconfig.ini",
            "topology_settings.py"} <= from_common
    assert all(source.is_file() for source in files.values())


@pytest.mark.parametrize("name", TWEET_TOPOLOGIES)
def test_each_jar_stands_alone_with_the_shared_files_at_its_root(name, tmp_path):
    built = build_topology_jar(TOPOLOGIES / name / "topology.yaml",
                               destjar=tmp_path / "topology.jar")
    with zipfile.ZipFile(built.jar) as jar:
        names = set(jar.namelist())
        assert (jar.read("resources/tweetsource.py")
                == (COMMON / "tweetsource.py").read_bytes())
        spout = built.topology.components["spout"]
        assert spout.module == "tweetspout"          # the shared class, declared as it is
        assert jar.namelist().count("resources/tweetspout.py") == 1
    assert {"resources/tweets_sample.jsonl", f"resources/{spout.script}",
            "resources/logconfig.ini"} <= names
    assert spout.script == "_petrel_launch_tweetspout.py"
    assert not any(".." in n.split("/") for n in names)


def test_each_topology_imports_its_own_create_and_gets_it_back(topology_modules):
    own = {}
    for name in TWEET_TOPOLOGIES:
        topology_modules.use(TOPOLOGIES / name)
        module = importlib.import_module("create")
        assert Path(module.__file__).parent == TOPOLOGIES / name
        assert sys.path[0] == str(TOPOLOGIES / name)
        assert not any(p in sys.path for p in (str(TOPOLOGIES / other) for other in own))
        own[name] = module
    for name, module in own.items():        # the same module objects, not new imports
        topology_modules.use(TOPOLOGIES / name)
        assert importlib.import_module("create") is module
    with pytest.raises(ImportError):         # only twitter_topwords has slidingwindow.py
        topology_modules.use(TOPOLOGIES / "redis_topwords")
        importlib.import_module("slidingwindow")
    topology_modules.use(TOPOLOGIES / "twitter_topwords")
    shared = importlib.import_module("tweetsource")  # common comes after the topology
    assert Path(shared.__file__).parent == COMMON
    assert sys.path[:2] == [str(TOPOLOGIES / "twitter_topwords"), str(COMMON)]


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))


def test_test_modules_of_two_topologies_import_their_own_same_named_module(tmp_path):
    """pytest over two topologies that both have ``same.py``, named on the command line (so
    both conftests load first): each test module, and each test at run time, gets its own."""
    root = tmp_path / "topologies"
    root.mkdir()
    (root / "conftest.py").write_bytes((TOPOLOGIES / "conftest.py").read_bytes())
    for name in ["alpha", "beta"]:
        write(root / name / "create.py", "def create(builder):\n    pass\n")
        write(root / name / "same.py", f"WHERE = {name!r}\n")
        write(root / name / "tests" / "conftest.py", "import sys\n")
        write(root / name / "tests" / "test_it.py", f"""
            from same import WHERE


            def test_collected_with_its_own_module():
                assert WHERE == {name!r}


            def test_imports_its_own_module_at_run_time():
                import same
                assert same.WHERE == {name!r}
            """)
    (tmp_path / "pytest.ini").write_text("[pytest]\naddopts = --import-mode=importlib\n")
    env = dict(os.environ, PYTEST_DISABLE_PLUGIN_AUTOLOAD="1",   # hypothesis' plugin: 1.5 s
               PYTHONPATH=str(TOPOLOGIES.parent))                   # this checkout's petrel
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         str(root / "beta" / "tests"), str(root / "alpha" / "tests")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and "4 passed" in proc.stdout, proc.stdout + proc.stderr
