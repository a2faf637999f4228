"""``petrel build``: load the topology, validate it, and write its jar.

``build_topology_jar`` is the reusable part (``petrel submit`` calls it for local and
cluster runs); ``run_build`` is the command handler.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from petrel.config import load_config
from petrel.errors import PetrelError
from petrel.package import contents
from petrel.package.jar import write_jar
from petrel.package.manifest import (
    MANIFEST_NAME,
    manifest_files,
    section_dirs,
    section_imports,
)
from petrel.package.serializer_class import msgpack_package_warning
from petrel.topology.model import TopologyDef
from petrel.topology.serializer import storm_conf

DEFAULT_JAR_NAME = "topology.jar"


@dataclass
class BuiltJar:
    """A jar written by ``build_topology_jar`` and what it was built from."""

    jar: Path                  # the jar file
    topology: TopologyDef      # the validated topology it holds
    conf: dict[str, Any]       # the topology config (topology.yaml as loaded)
    topology_dir: Path         # the directory holding topology.yaml and create.py
    name: str = ""             # the topology name recorded for the launcher
    files: int = 0             # number of entries in the jar
    size: int = 0              # jar size in bytes
    seconds: float = 0.0       # build time


def topology_name(conf: dict[str, Any], topology_dir: Path) -> str:
    """The topology's name when none is given: ``topology.name``, else the directory name."""
    name = conf.get("topology.name")
    return name if isinstance(name, str) and name else topology_dir.name


def _display(path: Path) -> str:
    """``path`` relative to the current directory when it is below it, else absolute."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _notes(topology_dir: Path, manifest: Mapping[str, Path]) -> list[str]:
    """Hints about worker set-up files (setup.sh, requirements.txt, logconfig.ini) that
    exist but would not be shipped."""
    out = []
    for extra in (contents.SETUP_SH, contents.REQUIREMENTS, contents.LOG_CONFIG):
        if (topology_dir / extra).is_file() and extra not in manifest:
            out.append(f"{extra} is not listed in {MANIFEST_NAME}, so workers will not use "
                       f"it; add a line '{extra}' to ship it")
    return out


def check_destjar(destjar: str | os.PathLike[str]) -> Path:
    """``--destjar`` as a path petrel may write, or a clear error: it never replaces a file
    that is not a jar (missing directories are created)."""
    text = os.fspath(destjar)
    if not text.strip():
        raise PetrelError("--destjar is empty; give the path of the jar to write, "
                          "e.g. --destjar build/topology.jar")
    path = Path(text)
    if path.is_dir():
        raise PetrelError(f"--destjar {text}: is a directory; give a file path, "
                          f"e.g. {path / DEFAULT_JAR_NAME}")
    if path.exists() and not zipfile.is_zipfile(path):
        raise PetrelError(f"--destjar {text}: the file exists and is not a jar; petrel will "
                          "not replace it: choose another path")
    return path


def build_topology_jar(config_path: str | os.PathLike[str],
                       definition: str = "create.create",
                       destjar: str | os.PathLike[str] | None = None,
                       *, name: str | None = None) -> BuiltJar:
    """Load topology.yaml and create.py, validate the topology, and write its jar.

    ``destjar`` defaults to ``topology.jar`` in the topology directory; ``name`` (the
    topology name for the launcher's fallback environment key) defaults to
    ``topology.name`` or the topology directory's name. Raises PetrelError for bad input.
    """
    from petrel.topology.loader import load_topology
    from petrel.topology.thrift import serialize_topology

    started = time.perf_counter()
    config_file = Path(config_path)
    conf = load_config(config_file)
    topology_dir = config_file.resolve().parent
    jar_path = check_destjar(destjar) if destjar is not None else topology_dir / DEFAULT_JAR_NAME
    # Never ship a jar into itself, nor a stale default jar into one written elsewhere.
    manifest = manifest_files(topology_dir, exclude=[jar_path, topology_dir / DEFAULT_JAR_NAME],
                              display_dir=config_file.parent)
    # create.py imports from the [from DIR] directories too (on a worker they are all one),
    # and a component class may come from one of them.
    shared = section_dirs(topology_dir)
    with section_imports(topology_dir):
        topo = load_topology(topology_dir, definition, conf, config_name=str(config_file),
                             shared_dirs=shared)
    topology_ser = serialize_topology(topo)
    conf = storm_conf(conf)     # petrel.serializer: msgpack names petrel's class for Storm
    for note in _notes(topology_dir, manifest):
        print(f"petrel: note: {note}", file=sys.stderr)
    warning = msgpack_package_warning(conf, manifest)
    if warning:
        print(f"petrel: warning: {warning}", file=sys.stderr)
    top_name = name or topology_name(conf, topology_dir)
    entries = contents.jar_entries(topo=topo, conf=conf, topology_dir=topology_dir,
                                   topology_ser=topology_ser, manifest=manifest,
                                   name=top_name, source=str(config_file),
                                   shared_dirs=shared)
    size = write_jar(jar_path, entries)
    return BuiltJar(jar=jar_path, topology=topo, conf=conf, topology_dir=topology_dir,
                    name=top_name, files=len(entries) + 1, size=size,
                    seconds=time.perf_counter() - started)


def run_build(args: argparse.Namespace) -> int:
    """The ``petrel build`` handler: build the jar and print one summary line."""
    built = build_topology_jar(args.config, args.definition, args.destjar)
    kib = max(1, round(built.size / 1024))
    print(f"petrel build: wrote {_display(built.jar)} ({len(built.topology.components)} "
          f"components, {built.files} files, {kib} KiB) in {built.seconds:.2f} s")
    return 0
