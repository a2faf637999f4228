"""Benchmarks of the jar builder and the worker launcher (``make bench``).

1. Building the word-count jar: ``build_topology_jar`` in-process (target < 0.5 s), and
   the whole ``petrel build`` command in a fresh interpreter, shown next to the start-up
   of a bare interpreter measured in the same run.
2. A worker task starting from an existing environment: the launcher script started as
   Storm starts it (``[python3, _petrel_launch_<module>.py]`` in ``stormdist/<id>/resources``),
   timed from spawn to the component's pid reply to the handshake (target < 1 s), next to
   a bare interpreter doing the same handshake.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
WORDCOUNT = REPO / "topologies" / "wordcount"
BUILD_TARGET_S = 0.5
START_TARGET_S = 1.0
RUNS = 5

# Used when topologies/wordcount is not there: the book's word count, reduced to its shape.
_FALLBACK = {
    "create.py": (
        "from randomsentence import RandomSentenceSpout\n"
        "from splitsentence import SplitSentenceBolt\n"
        "from wordcount import WordCountBolt\n\n\n"
        "def create(builder):\n"
        "    builder.setSpout('spout', RandomSentenceSpout(), 1)\n"
        "    builder.setBolt('split', SplitSentenceBolt(), 1).shuffleGrouping('spout')\n"
        "    builder.setBolt('count', WordCountBolt(), 1).fieldsGrouping('split', ['word'])\n"),
    "topology.yaml": "topology.workers: 1\n",
    "manifest.txt": "logconfig.ini\n",
    "logconfig.ini": "[loggers]\nkeys=root\n",
}
for _name, _cls, _base, _fields in [("randomsentence", "RandomSentenceSpout", "Spout", "sentence"),
                                    ("splitsentence", "SplitSentenceBolt", "BasicBolt", "word"),
                                    ("wordcount", "WordCountBolt", "BasicBolt", "word', 'count")]:
    _FALLBACK[f"{_name}.py"] = (
        f"from petrel.emitter import {_base}\n\n\n"
        f"class {_cls}({_base}):\n"
        "    def __init__(self):\n"
        "        super().__init__(script=__file__)\n\n"
        "    @classmethod\n"
        f"    def declareOutputFields(cls):\n        return ['{_fields}']\n\n\n"
        f"def run():\n    {_cls}().run()\n")


def _topology_dir(scratch: Path) -> tuple[Path, str]:
    """A private copy of the word-count topology (so the bench never writes into the repo)."""
    dest = scratch / "wordcount"
    if (WORDCOUNT / "create.py").is_file():
        shutil.copytree(WORDCOUNT, dest, ignore=shutil.ignore_patterns(
            "__pycache__", "*.jar", "petrel*.log"))
        return dest, "topologies/wordcount"
    dest.mkdir()
    for name, text in _FALLBACK.items():
        (dest / name).write_text(text)
    return dest, "built-in copy of word count (topologies/wordcount not found)"


def _handshake(pid_dir: Path, component: str) -> bytes:
    setup = {"conf": {"topology.name": "wordcount"}, "pidDir": str(pid_dir),
             "context": {"task->component": {"1": "__acker", "2": component}, "taskid": 2,
                         "componentid": component, "streams": ["default"],
                         "stream->outputfields": {"default": ["word"]},
                         "stream->target->grouping": {}, "source->stream->grouping": {},
                         "source->stream->fields": {}}}
    return json.dumps(setup).encode() + b"\nend\n"


def _time_to_pid(argv: list[str], cwd: Path, env: dict[str, str], pid_dir: Path,
                 component: str) -> float:
    """Spawn ``argv`` with the handshake on stdin; seconds until its pid reply arrives."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
    proc.stdin.write(_handshake(pid_dir, component))
    proc.stdin.flush()
    buf = b""
    deadline = started + 60
    while b"\nend\n" not in buf and time.perf_counter() < deadline:
        ready, _, _ = select.select([proc.stdout], [], [], 1.0)
        if ready:
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                break
            buf += chunk
    elapsed = time.perf_counter() - started
    proc.stdin.close()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    err = proc.stderr.read().decode(errors="replace")
    proc.stdout.close()
    proc.stderr.close()
    reply = json.loads(buf.split(b"\nend\n")[0]) if b"\nend\n" in buf else None
    if not reply or reply.get("pid") != proc.pid:
        raise RuntimeError(f"no pid reply from {argv}: {buf[:200]!r} {err[-2000:]}")
    return elapsed


_BARE_COMPONENT = (
    "import json, os, sys\n"
    "buf = b''\n"
    "while not buf.endswith(b'\\nend\\n'):\n"
    "    buf += os.read(0, 65536)\n"
    "os.write(1, json.dumps({'pid': os.getpid()}).encode() + b'\\nend\\n')\n"
)


def _fmt(seconds: float, target: float) -> str:
    verdict = "OK" if seconds < target else "OVER TARGET"
    return f"{seconds:.3f} s (target < {target} s, {verdict})"


def main() -> None:
    """Print the build time and the worker start time, each against its target."""
    from petrel.package.command import build_topology_jar
    from petrel.topology.model import launcher_script

    with tempfile.TemporaryDirectory(prefix="petrel-bench-build-") as tmp:
        scratch = Path(tmp)
        topo_dir, origin = _topology_dir(scratch)
        config = topo_dir / "topology.yaml"
        print(f"bench_build: topology = {origin}")

        build_topology_jar(config, destjar=scratch / "warm.jar")  # imports, caches
        times = []
        for i in range(RUNS):
            built = build_topology_jar(config, destjar=scratch / f"b{i}.jar")
            times.append(built.seconds)
        jar = built.jar
        same = len({(scratch / f"b{i}.jar").read_bytes() for i in range(RUNS)}) == 1
        print(f"  build_topology_jar (median of {RUNS}): "
              f"{_fmt(statistics.median(times), BUILD_TARGET_S)}; "
              f"{len(built.topology.components)} components, {built.files} files, "
              f"{built.size // 1024} KiB; identical jars: {same}")

        env = dict(os.environ)
        env.pop("PETREL_PYTHON", None)
        env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "petrel.cli", "build", "--config", str(config),
                        "--destjar", str(scratch / "cli.jar")], env=env, check=True,
                       stdout=subprocess.DEVNULL)
        cli_s = time.perf_counter() - started
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        bare_s = time.perf_counter() - started
        print(f"  petrel build command (fresh interpreter): {cli_s:.3f} s "
              f"= {cli_s / bare_s:.1f}x a bare interpreter start ({bare_s:.3f} s)")

        # Extract the jar as a supervisor does, then start tasks from an existing environment.
        resources = scratch / "supervisor" / "stormdist" / "wordcount-1-1700000000" / "resources"
        with zipfile.ZipFile(jar) as zf:
            for name in zf.namelist():
                if name.startswith("resources/"):
                    target = resources / name[len("resources/"):]
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(zf.read(name))
        comp = next(c for c in built.topology.components.values() if c.module)
        script = launcher_script(comp.module or "")
        pid_dir = scratch / "pids"
        pid_dir.mkdir()
        (scratch / "logs").mkdir()
        task_env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PETREL_PYTHON")}
        task_env.update(PETREL_WORKDIR=str(scratch / "work"), PETREL_LOGDIR=str(scratch / "logs"))
        argv = [sys.executable, script]
        first = _time_to_pid(argv, resources, task_env, pid_dir, comp.id)  # builds the env
        starts = [_time_to_pid(argv, resources, task_env, pid_dir, comp.id) for _ in range(RUNS)]
        (scratch / "bare.py").write_text(_BARE_COMPONENT)
        bare = [_time_to_pid([sys.executable, str(scratch / "bare.py")], resources, task_env,
                             pid_dir, comp.id) for _ in range(RUNS)]
        start_s, bare_s = statistics.median(starts), statistics.median(bare)
        print(f"  worker task start from an existing env to pid reply (median of {RUNS}): "
              f"{_fmt(start_s, START_TARGET_S)}; {start_s / bare_s:.1f}x a bare interpreter's "
              f"handshake ({bare_s:.3f} s); first start, building the env: {first:.2f} s")


if __name__ == "__main__":
    main()
