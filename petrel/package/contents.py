"""What goes into the topology jar, entry by entry (docs/packaging.md shows the layout).

Everything lives under ``resources/``, which Storm's supervisor extracts and runs shell
components in:

- ``petrel/``: the worker runtime, copied from this installation (standard library only);
- ``topology.ser``: the StormTopology (Thrift binary);
- ``__topology__.yaml``: the topology config; ``__submitter__.yaml``: who built the jar;
- ``__petrel__.json``: the launcher's settings (JSON: workers have no YAML parser);
- ``_petrel_launch_<module>.py``: one launcher script per component module;
- the component modules (with their packages' ``__init__.py``), at their paths relative
  to the topology directory or to the ``[from DIR]`` directory holding them, and every
  manifest file at the jar path manifest.txt gives it
  (relative to the topology directory, or to the directory of its ``[from DIR]`` section).

With ``petrel.serializer: msgpack`` the jar also holds ``petrel/PetrelMsgpackSerializer.class``
at its root, where the worker's classpath finds it.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import shlex
import socket
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

import petrel
from petrel import __version__
from petrel.errors import PetrelError
from petrel.package.jar import EntrySource
from petrel.package.local_imports import suggestion, unlisted_modules
from petrel.package.serializer_class import serializer_entries
from petrel.runtime.logs import LOG_CONFIG_FILE
from petrel.topology.model import TopologyDef, launcher_script
from petrel.topology.validate import format_problems, petrel_key_problem

RESOURCES = "resources/"
SETTINGS_FILE = "__petrel__.json"
TOPOLOGY_SER = "topology.ser"
TOPOLOGY_YAML = "__topology__.yaml"
SUBMITTER_YAML = "__submitter__.yaml"
REQUIREMENTS = "requirements.txt"
SETUP_SH = "setup.sh"
LOG_CONFIG = LOG_CONFIG_FILE     # read by the component runtime's logging set-up
DEFAULT_PYTHON = "python3"

# The worker side of petrel: what a component needs at run time, nothing of the CLI side.
RUNTIME_MODULES = ("__init__.py", "emitter.py", "storm.py", "run.py", "debug.py")
RUNTIME_PACKAGES = ("runtime",)


def runtime_files() -> dict[str, Path]:
    """The worker runtime of this petrel installation: jar path (under petrel/) -> file."""
    root = Path(petrel.__file__).resolve().parent
    out: dict[str, Path] = {}
    for name in RUNTIME_MODULES:
        path = root / name
        if not path.is_file():
            raise PetrelError(f"this petrel installation lacks {path}, part of the worker "
                              "runtime; reinstall petrel")
        out[f"petrel/{name}"] = path
    for package in RUNTIME_PACKAGES:
        base = root / package
        for path in sorted(base.rglob("*")):
            rel = path.relative_to(root)
            if (path.is_file() and "__pycache__" not in rel.parts
                    and path.suffix not in (".pyc", ".pyo")):
                out["petrel/" + rel.as_posix()] = path
    if "petrel/runtime/launcher.py" not in out:
        raise PetrelError(f"this petrel installation lacks {root}/runtime/launcher.py; "
                          "reinstall petrel")
    return out


def module_files(topo: TopologyDef, topology_dir: Path,
                 shared_dirs: Sequence[Path] = ()) -> dict[str, Path]:
    """Each petrel component's module file, plus the ``__init__.py`` of its packages.

    A module is looked for as the worker's import finds it: in the topology directory,
    then in each ``[from DIR]`` directory of the manifest (``shared_dirs``), in order.
    """
    out: dict[str, Path] = {}
    roots = [topology_dir, *shared_dirs]
    for comp in topo.components.values():
        if not comp.module:
            continue
        parts = comp.module.split(".")
        candidates = ["/".join(parts) + ".py", "/".join(parts) + "/__init__.py"]
        found = next(((root, c) for root in roots for c in candidates
                      if (root / c).is_file()), None)
        if found is None:
            raise PetrelError(
                f"component '{comp.id}': module '{comp.module}' not found in {topology_dir} "
                f"(looked for {' and '.join(candidates)}); a component module lives in the "
                "topology directory or in a directory its manifest ships with [from DIR]")
        root, rel = found
        out[rel] = root / rel
        for depth in range(1, len(parts)):
            init = "/".join(parts[:depth]) + "/__init__.py"
            if (root / init).is_file():
                out[init] = root / init
    return out


# Standard-library names nothing on a worker imports: shipping a module so named is harmless.
_UNUSED_STDLIB_NAMES = frozenset({"test", "this", "antigravity", "idlelib", "turtledemo"})


def check_module_names(shipped: set[str], topology_dir: Path) -> None:
    """Refuse a shipped top-level module or package named like a standard-library module.

    ``resources/`` comes first on the worker's ``sys.path``, so a ``json.py`` there replaces
    the real ``json`` for Python itself and petrel's runtime, and every task dies at start.
    """
    stdlib: frozenset[str] = getattr(sys, "stdlib_module_names", frozenset())
    stdlib -= _UNUSED_STDLIB_NAMES
    for path in sorted(shipped):
        top, _, rest = path.partition("/")
        name = top[:-3] if not rest and top.endswith(".py") else top
        if (rest.endswith(".py") or not rest) and name in stdlib:
            raise PetrelError(
                f"{topology_dir / path}: '{name}' is the name of a Python standard-library "
                f"module; on the worker this file would replace it and break Python itself: "
                f"rename it (e.g. '{name}_bolt') and update its imports")


def check_local_imports(shipped: Mapping[str, EntrySource], modules: Mapping[str, Path],
                        roots: Sequence[Path]) -> None:
    """Refuse a jar lacking a local module that a component imports, directly or through
    other local modules: the task would die on the worker with an ImportError."""
    missing = unlisted_modules(shipped, modules, roots)
    if missing:
        raise PetrelError(format_problems([
            f"{m.file}: imported by {m.importer} but not listed in manifest.txt; "
            f"{suggestion(m, shipped, roots[0])}" for m in missing]))


def launcher_source(module: str) -> bytes:
    """The 3-line script Storm runs for ``module``: hand over to petrel's worker launcher."""
    return (
        "import os, sys\n"
        "sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))\n"
        f"from petrel.runtime.launcher import main; main({module!r})\n"
    ).encode()


def launcher_files(topo: TopologyDef) -> dict[str, bytes]:
    """One launcher script per distinct component module."""
    modules = sorted({c.module for c in topo.components.values() if c.module})
    return {launcher_script(m): launcher_source(m) for m in modules}


def pip_options(conf: dict[str, Any], source: str) -> list[str]:
    """``petrel.pip_options`` as an argument list (a string is split like a shell would)."""
    value = conf.get("petrel.pip_options")
    if value is None:
        return []
    if isinstance(value, str):
        try:
            return shlex.split(value)
        except ValueError as exc:
            raise PetrelError(f"{source}: petrel.pip_options: {exc}; fix the quoting") from None
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    raise PetrelError(f"{source}: petrel.pip_options must be a string or a list of strings, "
                      f"not {type(value).__name__}")


def python_command(conf: dict[str, Any], source: str) -> str:
    """``petrel.python``: the interpreter Storm starts on each worker (no spaces allowed)."""
    value = conf.get("petrel.python", DEFAULT_PYTHON)
    problem = petrel_key_problem("petrel.python", value)
    if problem:
        raise PetrelError(f"{source}: {problem}")
    return value


def launcher_settings(conf: dict[str, Any], name: str, shipped: Mapping[str, EntrySource],
                      source: str) -> bytes:
    """``__petrel__.json``: everything the worker launcher needs from the topology config.

    ``shipped`` maps the topology's own jar paths (manifest files and modules) to their
    sources; the shipped requirements.txt and setup.sh go into the environment key.
    """
    workdir = conf.get("petrel.workdir")
    if workdir is not None and (not isinstance(workdir, str) or not workdir):
        raise PetrelError(f"{source}: petrel.workdir must be a directory path, got {workdir!r}")
    python = python_command(conf, source)
    options = pip_options(conf, source)
    # The environment key changes whenever what goes into the environment changes, so a
    # local run never reuses an environment built for other requirements.
    digest = hashlib.sha256(json.dumps([python, options]).encode())
    for extra in (REQUIREMENTS, SETUP_SH):
        content = shipped.get(extra)
        if content is not None:
            data = content if isinstance(content, bytes) else content.read_bytes()
            digest.update(extra.encode() + b"\0" + data)
    settings = {
        "env_hash": digest.hexdigest()[:12],
        "petrel_version": __version__,
        "pip_options": options,
        "python": python,
        "requirements": REQUIREMENTS in shipped,
        "setup_sh": SETUP_SH in shipped,
        "topology_name": name,
        "workdir": workdir,
    }
    return (json.dumps(settings, indent=1, sort_keys=True) + "\n").encode()


def config_yaml(conf: dict[str, Any]) -> bytes:
    """``__topology__.yaml``: the topology config as loaded, keys sorted."""
    return yaml.safe_dump(conf, sort_keys=True, default_flow_style=False,
                          allow_unicode=True).encode("utf-8")


def submitter_yaml() -> bytes:
    """``__submitter__.yaml``: the user and host that built the jar."""
    try:
        user = getpass.getuser()
    except Exception:  # no passwd entry and no USER variable (containers)
        user = "unknown"
    return yaml.safe_dump({"petrel.host": socket.gethostname(), "petrel.user": user},
                          sort_keys=True).encode("utf-8")


def _is_generated(path: str) -> bool:
    """True for resources/ paths petrel writes itself; a manifest file may not replace them."""
    return (path.startswith("petrel/") or path.startswith("_petrel_launch_")
            or path in (SETTINGS_FILE, TOPOLOGY_SER, TOPOLOGY_YAML, SUBMITTER_YAML))


def check_shell_scripts(topo: TopologyDef, shipped: set[str]) -> None:
    """A non-petrel shell component's script must be in the jar, or Storm cannot start it."""
    for comp in topo.components.values():
        if comp.is_shell and not comp.module and comp.script:
            script = comp.script
            if script.startswith("/") or script in shipped:
                continue
            raise PetrelError(
                f"component '{comp.id}': script '{script}' is not in the jar; list it in "
                "manifest.txt (paths relative to the topology directory)")


def jar_entries(*, topo: TopologyDef, conf: dict[str, Any], topology_dir: Path,
                topology_ser: bytes, manifest: Mapping[str, Path], name: str,
                source: str, shared_dirs: Sequence[Path] = ()) -> dict[str, EntrySource]:
    """Every jar entry (full jar path -> bytes or file) for one topology.

    ``manifest`` maps each manifest jar path to its file (``manifest.manifest_files``);
    ``shared_dirs`` are its ``[from DIR]`` directories (``manifest.section_dirs``), where
    component modules may live too. A component module the manifest ships already (the
    same file) goes into the jar once.
    """
    where = topology_dir / "manifest.txt"
    resources: dict[str, EntrySource] = {}
    for path, file in manifest.items():
        if _is_generated(path):
            raise PetrelError(
                f"{where}: '{path}' would replace a file petrel "
                "writes into the jar (petrel/, _petrel_launch_*, __petrel__.json, "
                "__topology__.yaml, __submitter__.yaml, topology.ser); rename it")
        resources[path] = file
    modules = module_files(topo, topology_dir, shared_dirs)
    for path, file in modules.items():
        listed = manifest.get(path)
        if listed is not None and os.path.realpath(listed) != os.path.realpath(file):
            raise PetrelError(
                f"{where}: '{path}' is both the component module {file} and {listed}, which "
                "the manifest ships at the same jar path; rename one of them")
        resources[path] = file
    check_local_imports(resources, modules, [topology_dir, *shared_dirs])
    shipped = set(resources)
    check_module_names(shipped, topology_dir)
    check_shell_scripts(topo, shipped)
    settings = launcher_settings(conf, name, resources, source)
    resources.update(runtime_files())
    resources.update(launcher_files(topo))
    resources[SETTINGS_FILE] = settings
    resources[TOPOLOGY_SER] = topology_ser
    resources[TOPOLOGY_YAML] = config_yaml(conf)
    resources[SUBMITTER_YAML] = submitter_yaml()
    entries = {RESOURCES + path: content for path, content in resources.items()}
    entries.update(serializer_entries(conf))    # outside resources/: on the classpath
    return entries
