"""Shared helpers for the local runner tests: hand-made topologies over test components."""

from __future__ import annotations

import io
import shutil
import sys
from pathlib import Path
from typing import Any, Dict, Optional, Tuple

from petrel.local.runner import LocalRunner, RunOptions
from petrel.semantics.layout import assign_tasks
from petrel.topology.model import ComponentDef, GroupingDef, StreamDef, TopologyDef

COMPONENTS = Path(__file__).parent / "components"


def shell(cid: str, kind: str, script: str, streams: Dict[str, list], *, parallelism: int = 1,
          inputs: Optional[Dict[Tuple[str, str], GroupingDef]] = None,
          conf: Optional[Dict[str, Any]] = None) -> ComponentDef:
    """A shell component run as ``[python, script]``."""
    return ComponentDef(
        id=cid, kind=kind, streams={s: StreamDef(f) for s, f in streams.items()},
        inputs=inputs or {}, parallelism=parallelism, conf=conf or {},
        execution_command=sys.executable, script=script)


def topology(*components: ComponentDef, conf: Optional[Dict[str, Any]] = None) -> TopologyDef:
    """A TopologyDef from components."""
    return TopologyDef(components={c.id: c for c in components}, conf=conf or {})


def wordcount(split_tasks: int = 2, count_tasks: int = 2, split_mode: str = "split",
              count_mode: str = "count") -> TopologyDef:
    """spout -> split (shuffle) -> count (fields on word), all raw test components."""
    return topology(
        shell("spout", "spout", "raw_spout.py", {"default": ["sentence"]}),
        shell("split", "bolt", "raw_bolt.py", {"default": ["word"]}, parallelism=split_tasks,
              inputs={("spout", "default"): GroupingDef("shuffle")}),
        shell("count", "bolt", "raw_bolt.py", {"default": ["word", "count"]},
              parallelism=count_tasks,
              inputs={("split", "default"): GroupingDef("fields", ["word"])}),
        conf={"test.mode.split": split_mode, "test.mode.count": count_mode})


class Run:
    """The outcome of one runner run."""

    def __init__(self, code: int, runner: LocalRunner, out: str, err: str, logdir: Path):
        self.code = code
        self.runner = runner
        self.stats = runner.finish_stats()
        self.out = out
        self.err = err
        self.logdir = logdir


def run_topology(topo: TopologyDef, tmp_path: Path, conf: Optional[Dict[str, Any]] = None,
                 duration: Optional[float] = 3.0, fail_fast: bool = False,
                 resources: Optional[Path] = None) -> Run:
    """Run ``topo`` with the runner over a copy of the test components."""
    res = tmp_path / "resources"
    if not res.exists():
        shutil.copytree(resources or COMPONENTS, res)
    logdir = tmp_path / "logs"
    logdir.mkdir(exist_ok=True)
    full_conf = dict(topo.conf)
    full_conf.update(conf or {})
    out, err = io.StringIO(), io.StringIO()
    opts = RunOptions(resources=res, logdir=logdir, piddir=tmp_path / "pids",
                      env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(Path(__file__).parents[2])},
                      duration=duration, fail_fast=fail_fast, out=out, err=err,
                      progress_secs=1.0, start_timeout=20.0)
    layout = assign_tasks(topo, full_conf)
    runner = LocalRunner(topo, layout, full_conf, "test", "test-1-1", opts)
    code = runner.run()
    return Run(code, runner, out.getvalue(), err.getvalue(), logdir)


def acked_ids(record_prefix: Path) -> Tuple[Dict[int, int], Dict[int, int]]:
    """(ack count per id, fail count per id) from the raw spout's record files."""
    acks: Dict[int, int] = {}
    fails: Dict[int, int] = {}
    for path in record_prefix.parent.glob(record_prefix.name + ".*"):
        if not path.name[len(record_prefix.name) + 1:].isdigit():
            continue
        for line in path.read_text().splitlines():
            what, i = line.split()[:2]
            if what not in ("ack", "fail"):
                continue
            d = acks if what == "ack" else fails
            d[int(i)] = d.get(int(i), 0) + 1
    return acks, fails


def stdout_of(run: Run) -> str:
    """Everything the runner printed (both streams)."""
    return run.out + run.err


__all__ = ["io", "shell", "topology", "wordcount", "run_topology", "acked_ids", "Run"]
