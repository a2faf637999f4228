"""Test set-up shared by the example topologies' tests (topologies/*/tests).

- Each test imports the modules of its own topology. The topologies have same-named
  modules (every one has a ``create``), and an import is answered from ``sys.modules``
  first, so without care the first topology to import ``create`` would silently serve
  the others' tests. ``TopologyModules`` switches
  ``sys.path`` and ``sys.modules`` to a topology before its test modules are imported
  and before each of its tests runs, as a worker sees them: that topology's directory,
  then topologies/common (the code and data the topologies share, which their
  manifest.txt ships with a ``[from ../common]`` section), for the tests of
  topologies/common too.
- ``mock_task`` and ``mock_topology`` (petrel.mock's fixtures), ``topology_dir``,
  ``sample_texts`` (the tweets of the topology's own replay file), ``replay_once``
  (settings replaying that file once, as fast as possible).
- ``local_run`` runs a copy of the topology with ``petrel submit`` (the real CLI, one
  subprocess per task) until a condition on its logs holds, stops it as Ctrl+C does and
  returns its exit code, logs and statistics.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Dict, Iterator, List, Optional

import pytest
import yaml

import petrel
from petrel.mock.fixtures import mock_task, mock_topology  # noqa: F401

TOPOLOGIES_DIR = Path(__file__).resolve().parent
COMMON_DIR = TOPOLOGIES_DIR / "common"
REPO_ROOT = Path(petrel.__file__).resolve().parents[1]
SAMPLE_NAME = "tweets_sample.jsonl"
EMITTING = re.compile(r"\]Emitting: \['(\w+)', (\d+)\]$")


def topology_dir_of(path: Any) -> Optional[Path]:
    """The topology directory (topologies/NAME, holding create.py) that ``path`` is in."""
    try:
        rel = Path(path).resolve().relative_to(TOPOLOGIES_DIR)
    except ValueError:
        return None
    if len(rel.parts) < 2:
        return None
    directory = TOPOLOGIES_DIR / rel.parts[0]
    return directory if (directory / "create.py").is_file() else None


def in_examples(path: Any) -> bool:
    """True for a file below topologies/ (a topology's or topologies/common's tests)."""
    try:
        Path(path).resolve().relative_to(TOPOLOGIES_DIR)
    except ValueError:
        return False
    return True


class TopologyModules:
    """Gives each topology its own modules in one pytest process.

    ``use(topology_dir)`` leaves that directory the only topology directory on
    ``sys.path`` (first) and sets the other topologies' modules aside; they come back,
    the same module objects, when their topology is used again. Modules that are not in
    a topology directory are never touched.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.dirs = sorted(d for d in root.iterdir() if (d / "create.py").is_file())
        self.names = {p.stem for d in self.dirs for p in d.glob("*.py")}
        self.names |= {p.name for d in self.dirs for p in d.iterdir()
                       if (p / "__init__.py").is_file()}
        self.names.discard("conftest")
        self.parked: Dict[Path, Dict[str, ModuleType]] = {}
        self._prefixes = [(d, str(d) + os.sep) for d in self.dirs]

    def owner(self, filename: Optional[str]) -> Optional[Path]:
        """The topology directory holding the file ``filename``, if any."""
        if not filename:
            return None
        filename = os.path.realpath(filename)
        for directory, prefix in self._prefixes:
            if filename.startswith(prefix):
                return directory
        return None

    def use(self, topology_dir: Optional[Path], shared: bool = True) -> None:
        """Make ``import NAME`` resolve to ``topology_dir``'s modules only (None: to no
        topology's), then to topologies/common's when ``shared`` (not for the tests
        outside topologies/)."""
        for name in [n for n in sys.modules if n.partition(".")[0] in self.names]:
            module = sys.modules[name]
            owner = self.owner(getattr(module, "__file__", None))
            if owner is not None and owner != topology_dir:
                self.parked.setdefault(owner, {})[name] = sys.modules.pop(name)
        entries = {str(d) for d in self.dirs} | {str(COMMON_DIR)}
        sys.path[:] = [p for p in sys.path if p not in entries]
        if shared:
            sys.path.insert(0, str(COMMON_DIR))
        if topology_dir is not None:
            sys.modules.update(self.parked.pop(topology_dir, {}))
            sys.path.insert(0, str(topology_dir))


MODULES = TopologyModules(TOPOLOGIES_DIR)


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Iterator[Any]:
    """Switch to the test module's topology before the module is imported."""
    if isinstance(collector, pytest.Module) and in_examples(collector.path):
        MODULES.use(topology_dir_of(collector.path))
    return (yield)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Leave no topology importable for the tests outside topologies/ that run next."""
    MODULES.use(None, shared=False)


@pytest.fixture(autouse=True)
def _own_topology_modules(request: pytest.FixtureRequest) -> None:
    """Switch to the test's topology before it runs (imports made inside tests included)."""
    if in_examples(request.path):
        MODULES.use(topology_dir_of(request.path))


@pytest.fixture
def topology_modules() -> TopologyModules:
    """The switch between the topologies' modules."""
    return MODULES


@pytest.fixture
def topology_dir(request: pytest.FixtureRequest) -> Path:
    """The directory of the topology this test belongs to."""
    directory = topology_dir_of(request.path)
    assert directory is not None, f"{request.path} is not inside a topology directory"
    return directory


@pytest.fixture
def closed_port() -> int:
    """A port of 127.0.0.1 where nothing listens: a server that is down."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def read_sample_texts(directory: Path = COMMON_DIR) -> List[str]:
    """The text of every tweet in the replay file (the shared one by default), in order."""
    lines = (directory / SAMPLE_NAME).read_text("utf-8").splitlines()
    return [json.loads(line)["data"]["text"] for line in lines]


@pytest.fixture
def sample_texts() -> List[str]:
    """The tweets of the replay file the tweet topologies ship (topologies/common)."""
    return read_sample_texts()


@pytest.fixture
def replay_once() -> Dict[str, Any]:
    """Spout settings replaying the shared sample file once, as fast as possible."""
    return {"twitter.mode": "replay", "twitter.replay_file": str(COMMON_DIR / SAMPLE_NAME),
            "twitter.replay_rate": 0, "twitter.replay_loop": False}


class LocalRun:
    """A ``petrel submit`` run of a copy of the topology: logs while it runs, then the outcome."""

    def __init__(self, logdir: Path, stats_path: Path) -> None:
        self.logdir = logdir
        self.stats_path = stats_path
        self.code: Optional[int] = None
        self.stdout = self.stderr = ""
        self.stats: Dict[str, Any] = {}

    def log_lines(self, module: str) -> List[str]:
        """Every line of the logs of ``module``'s tasks (petrel<pid>_<module>.log)."""
        lines: List[str] = []
        for path in sorted(self.logdir.glob(f"petrel*_{module}.log")):
            lines += path.read_text(encoding="utf-8", errors="replace").splitlines()
        return lines

    def last_rankings(self, module: str) -> Optional[List[List[Any]]]:
        """The ``[word, count]`` pairs ``module`` logged (the book's ``Emitting: ['like', 31]``
        lines) after its last ``Top N words:`` line; None before the first."""
        lines = self.log_lines(module)
        starts = [i for i, line in enumerate(lines) if line.endswith(" words:")]
        if not starts:
            return None
        found = (EMITTING.search(line) for line in lines[starts[-1] + 1:])
        return [[m.group(1), int(m.group(2))] for m in found if m]

    def explain(self) -> str:
        """Output and component logs, for assertion messages."""
        logs = "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}"
                         for p in sorted(self.logdir.glob("*.log")))
        return f"exit {self.code}\n{self.stdout}\n{self.stderr}\n{logs}"


def run_topology_copy(topology_dir: Path, tmp_path: Path, settings: Dict[str, Any],
                      until: Callable[[LocalRun], bool], timeout: float = 60.0,
                      env: Optional[Dict[str, str]] = None) -> LocalRun:
    """Copy the topology (and topologies/common beside it, which its manifest's
    ``[from ../common]`` section names) to ``tmp_path``, apply ``settings`` to its
    topology.yaml and run it with ``petrel submit`` until ``until(run)`` is true (or
    ``timeout``), then stop it the way Ctrl+C does and collect exit code, output and
    statistics."""
    topo = tmp_path / topology_dir.name
    for directory in (topology_dir, COMMON_DIR):
        shutil.copytree(directory, tmp_path / directory.name, ignore=shutil.ignore_patterns(
            "tests", "__pycache__", "*.jar", "*.log"))
    conf = yaml.safe_load((topo / "topology.yaml").read_text(encoding="utf-8"))
    conf.update(settings)
    (topo / "topology.yaml").write_text(yaml.safe_dump(conf), encoding="utf-8")
    run = LocalRun(tmp_path / "logs", tmp_path / "stats.json")
    run_env = {k: v for k, v in os.environ.items() if k != "TWITTER_BEARER_TOKEN"}
    run_env["PYTHONPATH"] = os.pathsep.join(
        p for p in [str(REPO_ROOT), run_env.get("PYTHONPATH", "")] if p)
    run_env.update(env or {})
    cmd = [sys.executable, "-m", "petrel.cli", "submit", "--config", str(topo / "topology.yaml"),
           "--venv", "self", "--logdir", str(run.logdir), "--stats-json", str(run.stats_path)]
    out_path, err_path = tmp_path / "submit.out", tmp_path / "submit.err"
    with open(out_path, "w") as out, open(err_path, "w") as err:
        proc = subprocess.Popen(cmd, cwd=topo, env=run_env, stdout=out, stderr=err,
                                stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while proc.poll() is None and time.monotonic() < deadline and not until(run):
            time.sleep(0.2)
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
        try:
            run.code = proc.wait(90)
        except subprocess.TimeoutExpired:
            proc.kill()
            run.code = proc.wait()
    run.stdout, run.stderr = out_path.read_text(), err_path.read_text()
    if run.stats_path.exists():
        run.stats = json.loads(run.stats_path.read_text())
    return run


@pytest.fixture
def local_run(topology_dir: Path, tmp_path: Path) -> Callable[..., LocalRun]:
    """``local_run(settings, until, timeout, env)`` -> LocalRun of a copy of this topology."""
    def run(settings: Dict[str, Any], until: Callable[[LocalRun], bool],
            timeout: float = 60.0, env: Optional[Dict[str, str]] = None) -> LocalRun:
        return run_topology_copy(topology_dir, tmp_path, settings, until, timeout, env)
    return run


@pytest.fixture
def word_counts(sample_texts: List[str]) -> Dict[str, int]:
    """How often each countable word occurs in the replay file (the topology's tweetwords)."""
    import collections

    from tweetwords import TweetWords

    splitter = TweetWords()
    return collections.Counter(w for text in sample_texts for w in splitter.words(text))
