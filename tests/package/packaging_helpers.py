"""Shared helpers of the packaging tests: hand-made topologies, Storm-style extraction, launches.

Imported by the test modules as ``packaging_helpers`` (conftest.py puts this directory on
sys.path, since pytest runs in importlib mode)."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from petrel.topology.model import ComponentDef, GroupingDef, StreamDef, TopologyDef, launcher_script

SPLIT_MODULE = '''\
from petrel import storm
from petrel.emitter import BasicBolt


class SplitSentenceBolt(BasicBolt):
    def __init__(self):
        super().__init__(script=__file__)

    @classmethod
    def declareOutputFields(cls):
        return ["word"]

    def process(self, tup):
        for word in tup.values[0].split(" "):
            storm.emit([word])


def run():
    SplitSentenceBolt().run()
'''


def petrel_component(cid: str, kind: str, module: str, fields: list[str]) -> ComponentDef:
    """A petrel component as the builder describes it."""
    return ComponentDef(id=cid, kind=kind, streams={"default": StreamDef(fields)},
                        execution_command="python3", script=launcher_script(module),
                        module=module)


def make_topology(*modules: str) -> TopologyDef:
    """A spout followed by one bolt per extra module, each module a petrel component."""
    spout, *bolts = modules or ("randomsentence", "splitsentence")
    comps = {"spout": petrel_component("spout", "spout", spout, ["sentence"])}
    previous = "spout"
    for i, module in enumerate(bolts):
        cid = f"bolt{i}"
        comp = petrel_component(cid, "bolt", module, ["word"])
        comp.inputs[(previous, "default")] = GroupingDef("shuffle")
        comps[cid] = comp
        previous = cid
    return TopologyDef(components=comps, conf={})


def write_files(root: Path, files: dict[str, str]) -> Path:
    """Create ``files`` (relative path -> text) below ``root``; return ``root``."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def extract_resources(jar: Path, topology_root: Path) -> Path:
    """Extract ``resources/`` of a jar into ``<topology_root>/resources`` as a supervisor does."""
    dest = topology_root / "resources"
    with zipfile.ZipFile(jar) as zf:
        for info in zf.infolist():
            if info.is_dir() or not info.filename.startswith("resources/"):
                continue
            target = dest / info.filename[len("resources/"):]
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(zf.read(info))  # permissions are not kept, as on Storm
    return dest


def handshake_message(pid_dir: Path, component: str = "split", task: int = 3) -> bytes:
    """Storm's first message to a bolt subprocess: the multilang handshake."""
    setup = {
        "conf": {"topology.name": "wc"},
        "pidDir": str(pid_dir),
        "context": {
            "task->component": {"1": "__acker", "2": "spout", "3": component},
            "taskid": task,
            "componentid": component,
            "streams": ["default"],
            "stream->outputfields": {"default": ["word"]},
            "stream->target->grouping": {},
            "source->stream->grouping": {"spout": {"default": {"type": "SHUFFLE"}}},
            "source->stream->fields": {"spout": {"default": ["sentence"]}},
        },
    }
    return json.dumps(setup).encode() + b"\nend\n"


def read_message(proc: subprocess.Popen, timeout: float) -> dict | None:
    """The next multilang message on ``proc``'s stdout, or None at EOF; fails on timeout."""
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    deadline = time.monotonic() + timeout
    buf = b""
    while b"\nend\n" not in buf:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"no message from pid {proc.pid} within {timeout} s; got {buf!r}")
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            chunk = os.read(fd, 65536)
            if not chunk:
                return None if not buf.strip() else json.loads(buf)
            buf += chunk
    return json.loads(buf.split(b"\nend\n", 1)[0])


def launch(resources: Path, module: str, *, env: dict[str, str] | None = None,
           python: str = sys.executable) -> subprocess.Popen:
    """Start a component exactly as Storm does: ``[execution_command, script]`` in resources/."""
    full_env = {k: v for k, v in os.environ.items()
                if k not in ("PETREL_PYTHON", "PETREL_WORKDIR", "PETREL_LOGDIR", "PYTHONPATH")}
    full_env.update(env or {})
    return subprocess.Popen([python, launcher_script(module)], cwd=resources, env=full_env,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)


def finish(proc: subprocess.Popen, timeout: float = 30) -> tuple[int, str]:
    """Close stdin, wait for the process, return (exit code, stderr text)."""
    assert proc.stdin is not None and proc.stderr is not None
    try:
        proc.stdin.close()
    except BrokenPipeError:
        pass
    try:
        code = proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise
    err = proc.stderr.read().decode()
    proc.stderr.close()
    if proc.stdout is not None:
        proc.stdout.close()
    return code, err
