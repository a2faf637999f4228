"""The worker launcher: prepare the topology's Python environment, then become the component.

Storm starts each task as ``[execution_command, script]`` in the jar's extracted
``resources/`` directory; for a petrel component the script is a 3-line
``_petrel_launch_<module>.py`` that calls :func:`main`. The launcher then:

1. with ``PETREL_PYTHON`` set (the local runner's ``--venv self`` / ``--venv PATH``), uses
   that interpreter as it is;
2. otherwise finds the topology's environment under the work directory
   (``PETREL_WORKDIR``, else ``petrel.workdir``, else the system temp dir), keyed by the
   topology id (the name of the directory above ``resources/``). A complete environment is
   reused without locking. Otherwise, under an ``fcntl.flock`` lock next to it, so that
   concurrent tasks on one machine build it once, it removes any half-built environment,
   creates a new one (``virtualenv`` when importable, else ``venv``), installs a shipped
   ``requirements.txt`` (with ``petrel.pip_options``), runs a shipped ``setup.sh`` as
   ``bash setup.sh 1``, and writes the completion marker last;
3. ``exec``s ``<env python> -m petrel.run <module>``, so the pid Storm knows is the
   component's pid and the handshake waiting on stdin reaches the component.

Under the local runner (``PETREL_RUNNER_PID`` set) on Linux, the launcher first asks the
kernel to SIGKILL it when the runner dies (``prctl(PR_SET_PDEATHSIG)``, kept across
``exec``, so it holds for the component whatever it is doing), and exits at once when the
runner died before that; the set-up commands it runs get the same signal. Doing it here
rather than in the runner's ``fork`` avoids ``preexec_fn``, which is unsafe with threads.

Everything it does goes to ``<logdir>/petrel<pid>_virtualenv.log`` (``PETREL_LOGDIR``, else
the current directory). It never reads stdin and never writes stdout: both belong to
Storm's protocol. A failure ends the task with the reason in the log and on stderr, where
Storm shows it. Standard library only; runs on Python 3.9+.
"""

from __future__ import annotations

import collections
import fcntl
import importlib.util
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from typing import Any, Dict, List, Optional

SETTINGS_FILE = "__petrel__.json"
MARKER_FILE = ".petrel-complete"
ENV_PREFIX = "petrel-env-"
_TAIL_LINES = 25
RUNNER_PID_ENV = "PETREL_RUNNER_PID"
_PR_SET_PDEATHSIG = 1


class LaunchError(Exception):
    """The environment could not be prepared; the message says why and what to do."""


class EnvLog:
    """The launcher's log file: timestamped lines, also the sink of every child's output."""

    def __init__(self, logdir: str, pid: int) -> None:
        self.path = os.path.join(logdir, f"petrel{pid}_virtualenv.log")
        self.file: Optional[Any] = None
        try:
            os.makedirs(logdir, exist_ok=True)
            self.file = open(self.path, "a", encoding="utf-8")
        except OSError as exc:
            sys.stderr.write(f"petrel launcher: cannot write the log {self.path} ({exc}); "
                             "logging to stderr only\n")

    def write(self, message: str, level: str = "INFO") -> None:
        """Append one log line."""
        if self.file is None:
            return
        now = time.time()
        stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(now))
        millis = int(now * 1000) % 1000
        self.file.write(f"[{stamp},{millis:03d}][petrel.launcher][{level}]{message}\n")
        self.file.flush()

    def raw(self, text: str) -> None:
        """Append a child process's output as it is."""
        if self.file is not None:
            self.file.write(text)

    def close(self) -> None:
        """Flush and close the file (before exec)."""
        if self.file is not None:
            self.file.close()
            self.file = None


def default_resources_dir() -> str:
    """The ``resources/`` directory this launcher was loaded from (``resources/petrel/runtime``)."""
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.dirname(os.path.dirname(here))


def load_settings(resources: str) -> Dict[str, Any]:
    """``__petrel__.json`` from the jar; built-in defaults when it is absent."""
    path = os.path.join(resources, SETTINGS_FILE)
    settings: Dict[str, Any] = {"pip_options": [], "requirements": False, "setup_sh": False,
                                "topology_name": "topology", "workdir": None, "env_hash": ""}
    try:
        with open(path, encoding="utf-8") as f:
            settings.update(json.load(f))
    except FileNotFoundError:
        pass
    except (OSError, ValueError) as exc:
        raise LaunchError(f"cannot read {path}: {exc}; rebuild the jar with petrel build"
                          ) from None
    return settings


def topology_key(resources: str, settings: Dict[str, Any]) -> str:
    """The name of the topology's environment: its Storm id, else name + content hash.

    On a worker the jar is extracted to ``.../stormdist/<topology-id>/resources``; the id is
    unique per submission, so each submission gets a fresh environment.
    """
    real = os.path.realpath(resources)
    parent = os.path.dirname(real)
    if os.path.basename(real) == "resources" and os.path.basename(
            os.path.dirname(parent)) == "stormdist":
        key = os.path.basename(parent)
    else:
        key = str(settings.get("topology_name") or "topology")
        if settings.get("env_hash"):
            key += "-" + str(settings["env_hash"])
    return re.sub(r"[^A-Za-z0-9._-]", "_", key)


def workdir_for(settings: Dict[str, Any]) -> str:
    """Where environments live: ``PETREL_WORKDIR``, ``petrel.workdir``, the system temp dir."""
    chosen = os.environ.get("PETREL_WORKDIR") or settings.get("workdir") or tempfile.gettempdir()
    return os.path.abspath(os.path.expandvars(os.path.expanduser(str(chosen))))


def env_python(env_dir: str) -> str:
    """The interpreter of an environment."""
    return os.path.join(env_dir, "bin", "python")


def is_complete(env_dir: str) -> bool:
    """True when the environment was fully built and nothing it recorded has gone missing."""
    try:
        with open(os.path.join(env_dir, MARKER_FILE), encoding="utf-8") as f:
            marker = json.load(f)
    except (OSError, ValueError):
        return False
    for rel in marker.get("paths", []):
        if not os.path.exists(os.path.join(env_dir, rel)):
            return False
    python = env_python(env_dir)
    return os.path.isfile(python) and os.access(python, os.X_OK)


def _child_env(env_dir: str) -> Dict[str, str]:
    """The environment variables of a process running inside ``env_dir`` (as ``activate``)."""
    env = dict(os.environ)
    env.pop("PYTHONHOME", None)
    env["VIRTUAL_ENV"] = env_dir
    env["PATH"] = os.path.join(env_dir, "bin") + os.pathsep + env.get("PATH", os.defpath)
    return env


def _set_death_signal() -> bool:
    """Linux: SIGKILL this process when its parent dies; False where that is not possible."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes  # only here: most launches on a Storm worker never need it

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def die_with_runner() -> None:
    """Under the local runner: die with it, and exit now if it is already gone."""
    runner = os.environ.get(RUNNER_PID_ENV, "")
    if not runner.isdigit():
        return  # not started by the local runner (a Storm worker manages its own)
    if _set_death_signal() and os.getppid() != int(runner):
        os._exit(1)  # the runner died before the signal was set: nobody reads our output


def run_step(what: str, argv: List[str], cwd: str, env: Dict[str, str], log: EnvLog) -> None:
    """Run one set-up command with its output in the log; LaunchError with its tail on failure."""
    log.write(f"{what}: {' '.join(argv)}")
    started = time.time()
    tail: collections.deque = collections.deque(maxlen=_TAIL_LINES)
    try:
        # the launcher is single-threaded, so preexec_fn is safe here
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                preexec_fn=_set_death_signal)
    except OSError as exc:
        raise LaunchError(f"{what} failed to start: {exc}") from None
    assert proc.stdout is not None
    for raw in proc.stdout:
        line = raw.decode("utf-8", "replace")
        log.raw(line)
        tail.append(line.rstrip("\n"))
    code = proc.wait()
    if code != 0:
        last = "\n".join(tail)
        raise LaunchError(f"{what} failed with exit code {code}; its last output:\n{last}")
    log.write(f"{what} done in {time.time() - started:.1f} s")


def create_env(env_dir: str, resources: str, settings: Dict[str, Any], log: EnvLog) -> None:
    """Build a new environment in ``env_dir`` (which does not exist) and mark it complete."""
    base = sys.executable
    need_pip = bool(settings.get("requirements") or settings.get("setup_sh"))
    env = dict(os.environ)
    env.pop("PYTHONHOME", None)
    if importlib.util.find_spec("virtualenv") is not None:
        seed = ["--no-download"] if need_pip else ["--no-seed"]
        argv = [base, "-m", "virtualenv", "--no-periodic-update", "--quiet", *seed,
                "--python", base, env_dir]
        try:
            run_step("creating the environment with virtualenv", argv, resources, env, log)
        except LaunchError as exc:
            log.write(f"virtualenv did not work ({exc}); trying venv", "WARNING")
            shutil.rmtree(env_dir, ignore_errors=True)
            argv = []
    else:
        log.write(f"virtualenv is not importable by {base}; using venv")
        argv = []
    if not argv:
        argv = [base, "-m", "venv", *([] if need_pip else ["--without-pip"]), env_dir]
        run_step("creating the environment with venv", argv, resources, env, log)
    python = env_python(env_dir)
    child_env = _child_env(env_dir)
    child_env.setdefault("PIP_DISABLE_PIP_VERSION_CHECK", "1")
    child_env.setdefault("PIP_NO_INPUT", "1")
    if settings.get("requirements"):
        options = [str(o) for o in settings.get("pip_options") or []]
        run_step("installing requirements.txt",
                 [python, "-m", "pip", "install", *options, "-r", "requirements.txt"],
                 resources, child_env, log)
    if settings.get("setup_sh"):
        bash = shutil.which("bash") or "/bin/bash"
        run_step("running setup.sh", [bash, "setup.sh", "1"], resources, child_env, log)
    recorded = ["pyvenv.cfg", os.path.join("bin", "python")]
    recorded += [os.path.relpath(p, env_dir) for p in _site_dirs(env_dir)]
    marker = {"created": time.time(), "by_pid": os.getpid(), "base_python": base,
              "paths": recorded}
    tmp = os.path.join(env_dir, MARKER_FILE + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(marker, f)
    os.replace(tmp, os.path.join(env_dir, MARKER_FILE))


def _site_dirs(env_dir: str) -> List[str]:
    """The environment's site-packages directories (recorded so their loss is noticed)."""
    out = []
    for lib in ("lib", "lib64"):
        base = os.path.join(env_dir, lib)
        if os.path.isdir(base) and not os.path.islink(base):
            for name in sorted(os.listdir(base)):
                site = os.path.join(base, name, "site-packages")
                if name.startswith("python") and os.path.isdir(site):
                    out.append(site)
    return out


def prepare_env(resources: str, settings: Dict[str, Any], log: EnvLog) -> str:
    """Find or build the topology's environment; return its directory."""
    workdir = workdir_for(settings)
    env_dir = os.path.join(workdir, ENV_PREFIX + topology_key(resources, settings))
    if is_complete(env_dir):
        log.write(f"reusing the environment {env_dir}")
        return env_dir
    try:
        os.makedirs(workdir, exist_ok=True)
        lock = open(env_dir + ".lock", "a")
    except OSError as exc:
        raise LaunchError(f"cannot use the work directory {workdir}: {exc}; set "
                          "petrel.workdir in topology.yaml to a writable directory") from None
    with lock:
        try:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            log.write(f"another task is building the environment; waiting for {env_dir}.lock")
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        if is_complete(env_dir):
            log.write(f"reusing the environment {env_dir} (built by another task)")
            return env_dir
        if os.path.lexists(env_dir):
            log.write(f"removing the half-built environment {env_dir}", "WARNING")
            try:
                if os.path.isdir(env_dir) and not os.path.islink(env_dir):
                    shutil.rmtree(env_dir)
                else:
                    os.unlink(env_dir)
            except OSError as exc:
                raise LaunchError(f"cannot remove the half-built environment {env_dir}: "
                                  f"{exc}") from None
        log.write(f"creating the environment {env_dir} for {sys.executable}")
        started = time.time()
        try:
            create_env(env_dir, resources, settings, log)
        except BaseException:
            shutil.rmtree(env_dir, ignore_errors=True)
            raise
        log.write(f"environment ready in {time.time() - started:.1f} s")
    return env_dir


def _interpreter(value: str) -> str:
    """``PETREL_PYTHON`` as an executable path (an environment directory is accepted too)."""
    if os.path.isdir(value):
        value = env_python(value)
    path = value if os.sep in value else (shutil.which(value) or value)
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        raise LaunchError(f"PETREL_PYTHON={value} is not an executable Python interpreter")
    return path


def _exec_component(python: str, module: str, env: Dict[str, str], resources: str) -> None:
    """Replace this process with ``python -m petrel.run <module>``, cwd unchanged."""
    if (os.path.realpath(os.getcwd()) != os.path.realpath(resources)
            or env.get("PYTHONSAFEPATH")):
        # -m puts the cwd first on sys.path (unless PYTHONSAFEPATH); otherwise the jar's
        # code needs a hint.
        env["PYTHONPATH"] = resources + (os.pathsep + env["PYTHONPATH"]
                                         if env.get("PYTHONPATH") else "")
    os.execve(python, [python, "-m", "petrel.run", module], env)


def _fail(message: str, log: Optional[EnvLog]) -> None:
    """End the task: the reason goes to the log and to stderr (Storm shows stderr)."""
    if log is not None:
        log.write(message, "ERROR")
        where = f" (log: {log.path})" if log.file is not None else ""
        log.close()
    else:
        where = ""
    sys.stderr.write(f"petrel launcher: {message}{where}\n")
    sys.stderr.flush()
    sys.exit(1)


def main(module: str, resources_dir: Optional[str] = None) -> None:
    """Prepare the environment for ``module`` and exec it; never returns on success."""
    sys.stdout = sys.stderr  # stdout is Storm's protocol channel: nothing of ours goes there
    die_with_runner()
    if sys.version_info < (3, 9):  # noqa: UP036 - workers may run anything called python3
        _fail(f"petrel needs Python 3.9 or newer on the workers, but {sys.executable} is "
              f"{sys.version.split()[0]}; set petrel.python in topology.yaml", None)
    resources = resources_dir or default_resources_dir()
    override = os.environ.get("PETREL_PYTHON")
    if override:
        try:
            python = _interpreter(override)
            _exec_component(python, module, dict(os.environ), resources)
        except (LaunchError, OSError) as exc:
            _fail(f"cannot start the component with PETREL_PYTHON: {exc}", None)
        return
    log = EnvLog(os.environ.get("PETREL_LOGDIR") or os.getcwd(), os.getpid())
    try:
        settings = load_settings(resources)
        log.write(f"task for component module {module}, resources {resources}")
        env_dir = prepare_env(resources, settings, log)
    except LaunchError as exc:
        _fail(str(exc), log)
    except Exception as exc:  # anything unexpected still ends with a readable reason
        _fail(f"unexpected {type(exc).__name__} while preparing the environment: {exc}", log)
    log.write(f"starting {env_python(env_dir)} -m petrel.run {module}")
    log.close()
    try:
        _exec_component(env_python(env_dir), module, _child_env(env_dir), resources)
    except OSError as exc:
        _fail(f"cannot start {env_python(env_dir)}: {exc}", None)
