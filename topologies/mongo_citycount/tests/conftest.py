"""Test set-up shared by the example topologies' tests (this file is identical in each).

Puts the topology directory first on sys.path, so tests import its modules as the worker
does. Fixtures: ``host_factory`` gives ``ComponentHost``, one component run in-process
through petrel's collector seam (petrel.runtime) with every emit, ack, fail and reported
error recorded; ``local_run`` runs a copy of the topology with ``petrel submit`` (the real
CLI, one subprocess per task) until a condition on its logs holds, then stops it as
Ctrl+C does and returns its exit code, logs and statistics.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

import pytest
import yaml

import petrel
from petrel.runtime.collector import Collector

TOPOLOGY_DIR = Path(__file__).resolve().parents[1]
REPO_ROOT = Path(petrel.__file__).resolve().parents[1]
if str(TOPOLOGY_DIR) not in sys.path:
    sys.path.insert(0, str(TOPOLOGY_DIR))


class Recorder(Collector):
    """A collector that keeps everything the component sends."""

    def __init__(self) -> None:
        self.emitted: List[Dict[str, Any]] = []
        self.acked: List[Any] = []
        self.failed: List[Any] = []
        self.errors: List[str] = []
        self.logs: List[str] = []

    def emit(self, stream: str, values: List[Any], encoded: bytes,
             anchors: Optional[List[str]], msg_id: Any, task: Optional[int],
             need_task_ids: bool) -> Optional[List[int]]:
        self.emitted.append({"stream": stream, "values": list(values), "anchors": anchors,
                             "id": msg_id})
        return [] if need_task_ids and task is None else None

    def ack(self, tuple_id: Any) -> None:
        self.acked.append(tuple_id)

    def fail(self, tuple_id: Any) -> None:
        self.failed.append(tuple_id)

    def log(self, msg: str, level: int) -> None:
        self.logs.append(msg)

    def report_error(self, msg: str) -> None:
        self.errors.append(msg)

    def sync(self) -> None:
        pass


class ComponentHost:
    """Attaches ``component`` to a Recorder, initializes it with ``conf``, delivers work."""

    def __init__(self, component: Any, conf: Optional[Dict[str, Any]] = None,
                 initialize: bool = True) -> None:
        self.component = component
        self.out = Recorder()
        self.conf = dict(conf or {})
        self._ids = itertools.count(1)
        component.attach(self.out, self.conf, None)
        if initialize:
            component.initialize(self.conf, {})

    def values(self) -> List[List[Any]]:
        """The values of every tuple emitted so far, in order."""
        return [e["values"] for e in self.out.emitted]

    def take(self) -> List[List[Any]]:
        """The values emitted since the last take()."""
        values = self.values()
        self.out.emitted.clear()
        return values

    def send(self, values: List[Any], source: str = "upstream", task: int = 1,
             stream: str = "default") -> Any:
        """Deliver one input tuple to the bolt; returns the tuple."""
        tup = self.component.make_tuple(str(next(self._ids)), source, stream, task, values)
        self.component.deliver(tup)
        return tup

    def tick(self, secs: int = 60) -> Any:
        """Deliver a tick tuple as Storm does (component __system, stream __tick, task -1)."""
        return self.send([secs], source="__system", task=-1, stream="__tick")

    def next(self) -> None:
        """Call the spout's nextTuple once."""
        self.component.deliver_next()


@pytest.fixture
def host_factory() -> Any:
    """``host_factory(component, conf)`` -> ComponentHost."""
    return ComponentHost


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

    def explain(self) -> str:
        """Output and component logs, for assertion messages."""
        logs = "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}"
                         for p in sorted(self.logdir.glob("*.log")))
        return f"exit {self.code}\n{self.stdout}\n{self.stderr}\n{logs}"


def run_topology_copy(tmp_path: Path, settings: Dict[str, Any],
                      until: Callable[[LocalRun], bool], timeout: float = 60.0,
                      env: Optional[Dict[str, str]] = None) -> LocalRun:
    """Copy the topology to ``tmp_path``, apply ``settings`` to its topology.yaml and run it
    with ``petrel submit`` until ``until(run)`` is true (or ``timeout``), then stop it the
    way Ctrl+C does and collect exit code, output and statistics."""
    topo = tmp_path / TOPOLOGY_DIR.name
    shutil.copytree(TOPOLOGY_DIR, topo, ignore=shutil.ignore_patterns(
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
def local_run(tmp_path: Path) -> Any:
    """``local_run(settings, until, timeout)`` -> LocalRun of a copy of this topology."""
    def run(settings: Dict[str, Any], until: Callable[[LocalRun], bool],
            timeout: float = 60.0, env: Optional[Dict[str, str]] = None) -> LocalRun:
        return run_topology_copy(tmp_path, settings, until, timeout, env)
    return run


# -- MongoDB (this topology only) -----------------------------------------------------------

MONGODB_URL = os.environ.get("PETREL_TEST_MONGODB_URL", "")
MONGO_BACKEND = "mongodb" if MONGODB_URL else "mongomock"
_mongo_used: List[str] = []


class MongoBackend:
    """Where the Mongo tests write: a real server (PETREL_TEST_MONGODB_URL) or mongomock."""

    def __init__(self, kind: str, client: Any, url: str, database: str) -> None:
        self.kind = kind
        self.client = client
        self.url = url
        self.database = database

    def conf(self, **extra: Any) -> Dict[str, Any]:
        """Topology settings pointing the components at this backend."""
        conf = {"mongo_citycount.mongodb_url": self.url,
                "mongo_citycount.database": self.database}
        conf.update(extra)
        return conf

    @property
    def collection(self) -> Any:
        """The cities.minute collection of this test."""
        return self.client[self.database]["minute"]


@pytest.fixture(params=[MONGO_BACKEND])
def mongo(request: Any, monkeypatch: Any) -> Any:
    """A MongoBackend with an empty database; the test id says which backend ran."""
    import uuid

    _mongo_used.append(request.param)
    database = f"petrel_test_{uuid.uuid4().hex[:12]}"
    if request.param == "mongodb":
        import pymongo

        client = pymongo.MongoClient(MONGODB_URL, serverSelectionTimeoutMS=5000)
        backend = MongoBackend("mongodb", client, MONGODB_URL, database)
    else:
        import cityminutes
        import mongomock

        client = mongomock.MongoClient()
        backend = MongoBackend("mongomock", client, "mongodb://mongomock.invalid:27017",
                               database)
        monkeypatch.setattr(cityminutes, "open_client", lambda settings: client)
    try:
        yield backend
    finally:
        client.drop_database(database)
        client.close()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say which MongoDB the mongo_citycount tests used."""
    if _mongo_used:
        where = (f"a real MongoDB ({MONGODB_URL})" if MONGO_BACKEND == "mongodb"
                 else "mongomock (set PETREL_TEST_MONGODB_URL to use a real MongoDB)")
        terminalreporter.write_line(f"mongo_citycount: {len(_mongo_used)} tests ran against "
                                    f"{where}")
