"""The multilang_all topology on a real Storm: submit a copy, read what its tasks recorded.

tests/storm/topologies/multilang_all uses every multilang feature petrel offers; its tasks
record what they did in JSON lines files. The same topology runs with Storm's JSON
serializer and with ``petrel.serializer: msgpack``, and the records must agree.
"""

from __future__ import annotations

import importlib.util
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from storm_helpers import HERE, RealStorm, copy_test_topology, wait_until

TOPOLOGY = "multilang_all"
MSGPACK = {"petrel.serializer": "msgpack"}
PETREL_SERIALIZER = "petrel.PetrelMsgpackSerializer"
STORM_SERIALIZER = "org.apache.storm.multilang.JsonSerializer"


def _load_common() -> ModuleType:
    path = HERE / "topologies" / TOPOLOGY / "features_common.py"
    spec = importlib.util.spec_from_file_location("multilang_features_common", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


COMMON = _load_common()


def expected_counts() -> Counter:
    """The words of the topology's lines, split as its split bolt splits them."""
    return Counter(w for line in COMMON.LINES for w in line.lower().split())


@dataclass
class Records:
    """One submitted copy of the topology: its name, record directory and submit output."""

    name: str
    directory: Path
    output: str

    def lines(self, name: str) -> list[dict[str, Any]]:
        """The records of ``<name>.jsonl``, in the order written."""
        path = self.directory / f"{name}.jsonl"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]

    def spout(self, what: str) -> list[dict[str, Any]]:
        """The spout's records of one kind: start, emit, ack, fail, activate, deactivate."""
        return [r for r in self.lines("spout") if r["what"] == what]

    def acked(self) -> set[int]:
        """The indexes of the lines whose tuple trees were acked."""
        return {r["index"] for r in self.spout("ack")}

    def all_acked(self) -> bool:
        """True once every line was acked."""
        return self.acked() == set(range(len(COMMON.LINES)))

    def counts_by_task(self) -> dict[str, dict[str, int]]:
        """``counts-<task>.json`` -> the counts that count task wrote last."""
        return {p.name: json.loads(p.read_text(encoding="utf-8"))
                for p in sorted(self.directory.glob("counts-*.json"))}

    def total_counts(self) -> Counter:
        """Every count task's counts, added up."""
        out: Counter = Counter()
        for counts in self.counts_by_task().values():
            out.update(counts)
        return out

    def word_tasks(self) -> dict[str, list[list[int]]]:
        """Word -> the distinct task-id lists Storm returned for its emits."""
        out: dict[str, list[list[int]]] = {}
        for r in self.lines("split"):
            if r["tasks"] not in out.setdefault(r["word"], []):
                out[r["word"]].append(r["tasks"])
        return out

    def sink_arrivals(self) -> list[tuple[int, int, int, str]]:
        """``(index, target, own task, extras as sorted JSON)``, sorted."""
        return sorted((r["index"], r["target"], r["task"], json.dumps(r["extras"],
                                                                      sort_keys=True))
                      for r in self.lines("sink"))

    def ticks_by_task(self) -> Counter:
        """Count task -> tick tuples it received."""
        return Counter(r["task"] for r in self.lines("ticks"))

    def starts(self) -> Counter:
        """Component -> how many task processes started (the spout's included)."""
        out = Counter(r["component"] for r in self.lines("starts"))
        out["lines"] = len(self.spout("start"))
        return out


def submit_copy(storm: RealStorm, dest: Path, name: str, settings: dict[str, Any]) -> Records:
    """A copy of the topology with ``settings``, submitted as ``name``."""
    record_dir = dest / f"{name}-records"
    record_dir.mkdir(parents=True)
    topo = copy_test_topology(TOPOLOGY, dest / name, {
        "multilang.record_dir": str(record_dir), "petrel.workdir": str(dest / f"{name}-envs"),
        **settings})
    return Records(name, record_dir, storm.submit(topo, name))


def wait_done(storm: RealStorm, run: Records, timeout: float = 240) -> None:
    """Until every line was acked, every word counted and each count task ticked twice."""
    words = sum(expected_counts().values())
    wait_until(run.all_acked, timeout, f"{run.name}: the spout was told every line was acked")
    wait_until(lambda: sum(run.total_counts().values()) >= words, 60,
               f"{run.name}: the count tasks counted every word")
    wait_until(lambda: len(run.ticks_by_task()) == 2 and min(run.ticks_by_task().values()) >= 2,
               60, f"{run.name}: both count tasks got tick tuples")


def serializer_at_nimbus(storm: RealStorm, name: str) -> Any:
    """``topology.multilang.serializer`` as Nimbus holds it for running topology ``name``."""
    topology_id = storm.topology_id(name)
    assert topology_id is not None, f"{name} is not running"
    with storm.connect() as conn:
        return json.loads(conn.call("getTopologyConf", topology_id)).get(
            "topology.multilang.serializer")


def check_results(storm: RealStorm, run: Records) -> None:
    """What one run must show whatever its serializer: every word, fail, error, direct
    tuple, tick and log line where it belongs."""
    assert run.total_counts() == expected_counts()
    assert sorted(r["index"] for r in run.spout("fail")) == [COMMON.FAIL_ONCE, COMMON.RAISE_ONCE]
    split_tasks = {t for t in storm_tasks(storm, run.name, "split")}
    for emit in run.spout("emit"):
        assert len(emit["tasks"]) == 1 and emit["tasks"][0] in split_tasks, emit
    count_tasks = storm_tasks(storm, run.name, "count")
    for word, lists in run.word_tasks().items():
        assert len(lists) == 1 and len(lists[0]) == 1 and lists[0][0] in count_tasks, (word, lists)
    arrivals = run.sink_arrivals()
    assert [a[0] for a in arrivals] == list(range(len(COMMON.LINES)))
    assert all(a[1] == a[2] for a in arrivals), arrivals
    assert [json.loads(a[3]) for a in arrivals] == [COMMON.extras(i)
                                                    for i in range(len(COMMON.LINES))]
    errors = storm.errors(run.name)
    assert set(errors) == {"split"}, errors
    assert any(f"ValueError: split refuses line {COMMON.RAISE_ONCE} on purpose" in text
               for text in errors["split"]), errors
    logs = storm.worker_logs(run.name)
    marker = COMMON.LOG_MARKER
    assert f"{marker} line {COMMON.FAIL_ONCE} failed; emitting it again" in logs
    for task in count_tasks:
        assert f"{marker} count task {task} got its first tick" in logs
    assert f"{marker} spout task" in logs


def storm_tasks(storm: RealStorm, name: str, component: str) -> set[int]:
    """The task ids Nimbus lists for ``component`` of running topology ``name``."""
    tasks: set[int] = set()
    for ex in storm.info(name).executors or []:
        if ex.component_id == component:
            tasks.update(range(ex.executor_info.task_start, ex.executor_info.task_end + 1))
    return tasks
