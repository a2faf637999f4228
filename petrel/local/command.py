"""``petrel submit`` without a topology name: run the built jar on this machine."""

from __future__ import annotations

import argparse
import glob
import json
import os
import re
import shutil
import sys
import tempfile
import time
import urllib.parse
import zipfile
from pathlib import Path
from typing import Any, Dict, List, Optional

from petrel.errors import PetrelError
from petrel.local.debug_tuples import TupleDebug, debug_wanted
from petrel.local.runner import LocalRunner, RunOptions
from petrel.local.stats import task_counts
from petrel.semantics.layout import assign_tasks, make_storm_id
from petrel.topology.model import TopologyDef
from petrel.topology.serializer import uses_msgpack


def extract_resources(jar: Path, dest: Path) -> None:
    """Extract the jar's ``resources/`` entries into ``dest`` as a supervisor does."""
    dest.mkdir(parents=True, exist_ok=True)
    root = dest.resolve()
    try:
        with zipfile.ZipFile(jar) as zf:
            for info in zf.infolist():
                name = info.filename
                if not name.startswith("resources/") or name.endswith("/"):
                    continue
                target = (dest / name[len("resources/"):]).resolve()
                if root not in target.parents:
                    continue  # an entry escaping the directory is skipped, as Storm does
                target.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(info) as src, open(target, "wb") as out:
                    shutil.copyfileobj(src, out)
    except (OSError, zipfile.BadZipFile) as exc:
        raise PetrelError(f"cannot extract the topology jar {jar}: {exc}") from None


def jar_topology(resources: Path, conf: Dict[str, Any], fallback: TopologyDef) -> TopologyDef:
    """The topology the jar carries (``resources/topology.ser``), as a cluster would read it."""
    ser = resources / "topology.ser"
    if not ser.is_file():
        return fallback
    try:
        from petrel.topology.thrift import deserialize_topology, from_thrift
    except ImportError:  # pragma: no cover - the Thrift part is not installed
        return fallback
    return from_thrift(deserialize_topology(ser.read_bytes()), conf)


def check_runnable(topology: TopologyDef) -> None:
    """Refuse what only a JVM can run, naming every such component and grouping."""
    problems: List[str] = []
    for cid, comp in topology.components.items():
        if comp.java is not None or comp.serialized_java is not None or not comp.is_shell:
            what = f"JVM class {comp.java.class_name}" if comp.java else "a serialized Java object"
            problems.append(f"{comp.kind} '{cid}' is {what}")
        elif not comp.script:
            problems.append(f"{comp.kind} '{cid}' has no script to run")
        for (src, stream), grouping in comp.inputs.items():
            if grouping.kind in ("custom_object", "custom_serialized"):
                cls = grouping.java_object.class_name if grouping.java_object else "serialized"
                problems.append(f"bolt '{cid}' subscribes to '{src}' stream '{stream}' with a "
                                f"custom Java grouping ({cls})")
    if problems:
        raise PetrelError("the local runner runs multilang components only, and this topology "
                          "has JVM parts:\n  " + "\n  ".join(problems)
                          + "\nsubmit it to a Storm cluster instead ('petrel submit --config "
                            "topology.yaml NAME')")


def envs_dir() -> Path:
    """Where ``--venv new`` keeps topology environments between runs (PETREL_WORKDIR)."""
    chosen = os.environ.get("PETREL_WORKDIR")
    if chosen:
        return Path(chosen).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    for candidate in (Path(cache) / "petrel" / "envs",
                      Path(tempfile.gettempdir()) / "petrel-envs"):
        try:
            candidate.mkdir(parents=True, exist_ok=True)
            if os.access(candidate, os.W_OK | os.X_OK):
                return candidate
        except OSError:
            continue
    raise PetrelError("--venv new: neither ~/.cache/petrel/envs nor the temporary directory "
                      "is writable; set PETREL_WORKDIR to a writable directory")


def stable_env_key(resources: Path, name: str) -> str:
    """The environment key of a topology, the same on every run with the same requirements."""
    try:
        from petrel.runtime.launcher import load_settings
        settings = load_settings(str(resources))
    except Exception:  # an unreadable settings file: the launcher reports it at start
        settings = {}
    key = str(settings.get("topology_name") or name)
    if settings.get("env_hash"):
        key += "-" + str(settings["env_hash"])
    return re.sub(r"[^A-Za-z0-9._-]", "_", key)


def component_env(venv: Optional[str], logdir: Path, profile: bool,
                  workdir: Optional[Path] = None) -> Dict[str, str]:
    """The environment every task starts with (the launcher reads the PETREL_* variables)."""
    env = dict(os.environ)
    env["PETREL_LOGDIR"] = str(logdir)
    env.pop("PETREL_PYTHON", None)
    choice = venv or "self"
    if choice == "self":
        env["PETREL_PYTHON"] = sys.executable
    elif choice != "new":
        path = Path(choice).expanduser()
        python = path / "bin" / "python"
        if not python.exists():
            raise PetrelError(f"--venv {choice}: {python} does not exist; give the directory of "
                              f"an existing virtual environment, 'self' or 'new'")
        env["PETREL_PYTHON"] = str(python.absolute())
    elif workdir is not None:
        env["PETREL_WORKDIR"] = str(workdir)
    if profile:
        env["PETREL_PROFILE"] = "1"
    return env


def _make_dir(path: Path, what: str) -> Path:
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / f".petrel-write-test-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise PetrelError(f"cannot use {path} as the {what}: {exc.strerror or exc}; "
                          f"choose another with --logdir") from None
    return path.resolve()


def _task_summary(topology: TopologyDef, tasks_of: Dict[str, List[int]]) -> str:
    return ", ".join(f"{cid} x{len(tasks_of[cid])}" for cid in topology.components)


def check_stats_json(path: Path) -> None:
    """Fail before the run, not after it, when ``--stats-json`` cannot be written."""
    parent = path.parent
    if path.is_dir():
        raise PetrelError(f"cannot write --stats-json {path}: it is a directory; give a file "
                          "path")
    if not parent.is_dir() or not os.access(parent, os.W_OK) \
            or (path.exists() and not os.access(path, os.W_OK)):
        raise PetrelError(f"cannot write --stats-json {path}: the directory {parent} is "
                          "missing or not writable; choose another path")


def watch_tuples(runner: LocalRunner, forced: bool) -> Optional[TupleDebug]:
    """Show emitted tuples (``--debug-tuples``, or ``topology.debug`` in a task's conf)."""
    tasks = [t for t in runner.tasks.values() if forced or debug_wanted(t)]
    if not tasks:
        return None
    debug = TupleDebug(runner.opts.out)
    runner.router.watch_emits(tasks, debug.emitted)
    return debug


def announce_environment(workdir: Path, resources: Path, logdir: Path) -> None:
    """Say so when ``--venv new`` has to build the environment first (tens of seconds)."""
    from petrel.runtime.launcher import ENV_PREFIX, is_complete, load_settings, topology_key

    try:
        env_dir = workdir / (ENV_PREFIX + topology_key(str(resources),
                                                       load_settings(str(resources))))
    except Exception:  # an unreadable settings file: the launcher reports it at start
        return
    if not is_complete(str(env_dir)):
        print(f"petrel submit: building the topology's Python environment in {env_dir} "
              f"(once per set of requirements; often 20 s or more); its log: "
              f"{logdir}/petrel<pid>_virtualenv.log", flush=True)


def remove_work_dir(work: Path, keep_logs: bool, quiet: bool) -> None:
    """Remove a local run's temporary directory; when ``keep_logs`` and the logs are in it
    (no --logdir), keep only them and say where."""
    for part in ("stormdist", "pids", "profile"):
        shutil.rmtree(work / part, ignore_errors=True)
    logs = work / "logs"
    if not logs.is_dir():
        shutil.rmtree(work, ignore_errors=True)
    elif keep_logs:
        print(f"petrel submit: the logs stay in {logs}; remove {work} when done", flush=True)
    else:
        shutil.rmtree(work, ignore_errors=True)
        if not quiet:
            print(f"petrel submit: removed {work} with the logs of this clean run (--logdir DIR "
                  "keeps them)", flush=True)


def run_local(args: argparse.Namespace, built: Any) -> int:
    """Run the built jar with the embedded local runner; returns the exit code."""
    t0 = time.monotonic()
    if getattr(args, "stats_json", None):
        check_stats_json(Path(args.stats_json))
    conf: Dict[str, Any] = dict(built.conf or {})
    name = getattr(built, "name", "") or conf.get("topology.name") or Path(
        built.topology_dir).name
    storm_id = make_storm_id(name)
    work = Path(tempfile.mkdtemp(prefix=f"petrel-{storm_id}-"))
    keep_logs = False   # a run that never started has no logs worth keeping
    dashboard: Any = None   # --ui
    runner: Optional[LocalRunner] = None
    resources = work / "stormdist" / urllib.parse.quote(storm_id, safe="") / "resources"
    try:
        if getattr(args, "ui", None) is not None:
            from petrel.dashboard import start_dashboard

            dashboard = start_dashboard(args.ui, getattr(args, "ui_host", None))
        logdir = _make_dir(Path(args.logdir) if getattr(args, "logdir", None) else work / "logs",
                           "log directory")
        extract_resources(Path(built.jar), resources)
        venv = getattr(args, "venv", None)
        workdir = None
        if venv == "new":
            # The launcher keys an environment by the directory above resources/: a stable
            # name there (topology name + requirements hash) lets every run reuse it.
            workdir = envs_dir()
            stable = work / "stormdist" / stable_env_key(resources, name) / "resources"
            stable.parent.mkdir(parents=True, exist_ok=True)
            resources.rename(stable)
            resources = stable
        topology = jar_topology(resources, conf, built.topology)
        check_runnable(topology)
        layout = assign_tasks(topology, conf)
        options = RunOptions(
            resources=resources, logdir=logdir, piddir=work / "pids",
            env=component_env(venv, logdir, bool(getattr(args, "profile", False)), workdir),
            duration=getattr(args, "duration", None),
            fail_fast=bool(getattr(args, "fail_fast", False)),
            quiet=bool(getattr(args, "quiet", False)),
            start_timeout=900.0 if venv == "new" else 60.0,
            profile_dir=work / "profile",
        )
        keep_logs = True    # until the run ends without failures
        runner = LocalRunner(topology, layout, conf, name, storm_id, options)
        runner.pace_status(options.progress_secs)   # a slow start is reported after 2 s
        debug = watch_tuples(runner, bool(getattr(args, "debug_tuples", False)))
        ntasks = sum(len(v) for c, v in layout.component_tasks.items() if c != "__acker")
        print(f"petrel submit: running topology '{name}' locally ({storm_id}): {ntasks} tasks "
              f"({_task_summary(topology, layout.component_tasks)})"
              + ("; multilang in MessagePack" if uses_msgpack(conf) else "")
              + f"; logs in {logdir}"
              + (f"; environments in {workdir}" if workdir is not None else ""),
              flush=True)
        if dashboard is not None:
            dashboard.attach(runner)   # after watch_tuples: it samples the emits shown
            print(f"petrel submit: live dashboard at {dashboard.url}", flush=True)
        if workdir is not None:
            announce_environment(workdir, resources, logdir)
        try:
            code = runner.run()
        finally:
            if debug is not None:
                debug.flush()
        stats = runner.finish_stats()
        keep_logs = bool(code or stats.restarts or getattr(args, "profile", False)
                         or any(c.errors for c in stats.components.values()))
        if runner.first_ack_at is not None:
            first_ack = runner.first_ack_at - runner.started + (runner.started - t0)
        else:
            first_ack = None
        print(f"petrel submit: stopped ({runner.stop_reason or 'finished'}) after "
              f"{stats.duration_s:.1f} s", flush=True)
        print(stats.table(), flush=True)
        lat = stats.percentiles()
        if lat["p50"] is not None:
            print(f"complete latency: p50 {lat['p50']:.1f} ms, p99 {lat['p99']:.1f} ms; "
                  f"tuple trees acked {stats.spout_acked:,}, failed {stats.spout_failed:,}; "
                  f"restarts {stats.restarts}", flush=True)
        if getattr(args, "profile", False):
            profs = sorted(glob.glob(str(logdir / "petrel*_*.prof")))
            if profs:
                print(f"cProfile output: {len(profs)} file(s) in {logdir} (petrel<pid>_<module>"
                      f".prof), e.g. python3 -m pstats {profs[0]}", flush=True)
            else:
                print(f"cProfile output: none written in {logdir} (only petrel components "
                      f"write it)", flush=True)
        if getattr(args, "stats_json", None):
            doc = stats.to_json({"exit_code": code, "stop_reason": runner.stop_reason,
                                 "pending_at_stop": len(runner.acker.pending),
                                 "timed_out": stats.spout_timed_out,
                                 "first_ack_s": None if first_ack is None else round(first_ack, 3),
                                 "logdir": str(logdir)})
            doc["tasks"] = task_counts(runner.tasks.values())
            try:
                Path(args.stats_json).write_text(json.dumps(doc, indent=2) + "\n")
            except OSError as exc:
                raise PetrelError(f"cannot write --stats-json {args.stats_json}: "
                                  f"{exc.strerror or exc}") from None
        if dashboard is not None:
            dashboard.finish(code)
            dashboard.linger(getattr(args, "ui_linger", None), sys.stdout)
        return code
    except KeyboardInterrupt:
        # Ctrl+C or SIGTERM before the runner took over the signals, or a second one: the
        # user stopped the run; its logs stay only when a component had failed in it.
        keep_logs = runner is not None and bool(runner.stats.restarts or any(
            c.errors for c in runner.stats.components.values()))
        raise
    finally:
        if dashboard is not None:
            dashboard.close()
        remove_work_dir(work, keep_logs, bool(getattr(args, "quiet", False)))
