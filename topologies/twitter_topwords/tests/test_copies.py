"""The tweet spout, its sources, the splitter and the sample file are copied into
redis_topwords and mongo_citycount (each topology directory ships alone in its jar):
the copies must stay identical to the originals here, and each topology's tests must
import its own copy (topologies/conftest.py switches sys.path and sys.modules)."""

import importlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

TOPOLOGIES = Path(__file__).resolve().parents[2]
SHARED = {
    "twitterstream.py": ["redis_topwords", "mongo_citycount"],
    "tweetsource.py": ["redis_topwords", "mongo_citycount"],
    "tweets_sample.jsonl": ["redis_topwords", "mongo_citycount"],
    "logconfig.ini": ["redis_topwords", "mongo_citycount"],
    "splittweet.py": ["redis_topwords"],
    "tweetwords.py": ["redis_topwords"],
}


@pytest.mark.parametrize("name, other", [(n, o) for n, others in SHARED.items() for o in others])
def test_copy_is_identical(name, other):
    original = TOPOLOGIES / "twitter_topwords" / name
    copy = TOPOLOGIES / other / name
    assert copy.read_bytes() == original.read_bytes(), (
        f"{copy} differs from {original}: edit twitter_topwords/{name}, then copy it over")


def test_each_topology_imports_its_own_copy_and_gets_it_back(topology_modules):
    own = {}
    for name in ["mongo_citycount", "redis_topwords", "twitter_topwords"]:
        topology_modules.use(TOPOLOGIES / name)
        module = importlib.import_module("twitterstream")
        assert Path(module.__file__).parent == TOPOLOGIES / name
        assert sys.path[0] == str(TOPOLOGIES / name)
        assert not any(p in sys.path for p in (str(TOPOLOGIES / other) for other in own))
        own[name] = module
    for name, module in own.items():        # the same module objects, not new imports
        topology_modules.use(TOPOLOGIES / name)
        assert importlib.import_module("twitterstream") is module
    with pytest.raises(ImportError):         # only twitter_topwords has rankings.py
        topology_modules.use(TOPOLOGIES / "redis_topwords")
        importlib.import_module("rankings")
    topology_modules.use(TOPOLOGIES / "twitter_topwords")


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
