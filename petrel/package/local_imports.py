"""Local modules a component imports that the jar would not hold.

``create.py`` runs with the topology directory on ``sys.path``, so a helper module
(``textutil.py``) that a bolt imports loads fine at build time even when manifest.txt does
not list it; on a worker the import then fails and the task dies. The build reads the
component modules' ``import`` statements instead (``ast``: imports inside functions count
too), follows them through every local module they reach, and names each module of the
topology directory, or of a ``[from DIR]`` directory, that a worker would import but the
jar does not hold. Modules not found there (the standard library, installed packages) are
not the manifest's business.
"""

from __future__ import annotations

import ast
import os
import sys
import tokenize
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class UnlistedModule:
    """A local module the jar lacks: its jar path, the file, the directory holding it, and
    the jar path of the first shipped or local module found importing it."""

    jar_path: str
    file: Path
    root: Path
    importer: str


def unlisted_modules(shipped: Mapping[str, object], start: Iterable[str],
                     roots: Sequence[Path]) -> list[UnlistedModule]:
    """The local modules reachable by imports from ``start`` that ``shipped`` lacks.

    ``shipped`` holds the jar paths (under ``resources/``) of what the jar holds; ``start``
    the jar paths of the component modules; ``roots`` the topology directory followed by the
    ``[from DIR]`` directories, where a jar path is looked for in that order (as the build
    imported it).
    """
    stdlib = set(getattr(sys, "stdlib_module_names", ())) | {"petrel"}
    found: dict[str, UnlistedModule] = {}
    queue = [path for path in start if path.endswith(".py")]
    seen = set(queue)
    while queue:
        importer = queue.pop(0)
        source = _local_file(importer, roots)
        if source is None:
            continue
        for name in _imported_names(source, _package_of(importer)):
            if name.partition(".")[0] in stdlib:
                continue
            jar_path, file, root = _find(name, shipped, roots)
            if jar_path is None or jar_path in seen:
                continue
            seen.add(jar_path)
            queue.append(jar_path)
            if jar_path not in shipped and file is not None and root is not None:
                found[jar_path] = UnlistedModule(jar_path, file, root, importer)
    return sorted(found.values(), key=lambda m: m.jar_path)


def suggestion(module: UnlistedModule, shipped: Mapping[str, object], topology_dir: Path) -> str:
    """What to add to manifest.txt: the module's file, or its top-level package directory
    when no part of that package ships yet, and the ``[from DIR]`` line it goes under."""
    top, _, rest = module.jar_path.partition("/")
    package_ships = any(path.startswith(top + "/") for path in shipped)
    entry = module.jar_path if not rest or package_ships else top + "/"
    if module.root == topology_dir:
        return f"add `{entry}` to manifest.txt"
    directory = os.path.relpath(module.root, topology_dir).replace(os.sep, "/")
    return f"add `{entry}` after the `[from {directory}]` line of manifest.txt"


def _package_of(jar_path: str) -> str:
    """The dotted package a module's relative imports start from."""
    parts = jar_path[:-3].split("/")
    return ".".join(parts[:-1])


def _local_file(jar_path: str, roots: Sequence[Path]) -> Path | None:
    return next((root / jar_path for root in roots if (root / jar_path).is_file()), None)


def _find(name: str, shipped: Mapping[str, object],
          roots: Sequence[Path]) -> tuple[str | None, Path | None, Path | None]:
    """Where a worker would find module ``name``: its jar path, and the local file and root
    when the jar lacks it. All None when the module is not local."""
    base = name.replace(".", "/")
    candidates = [base + ".py", base + "/__init__.py"]
    for candidate in candidates:
        if candidate in shipped:
            return candidate, None, None
    for root in roots:
        for candidate in candidates:
            if (root / candidate).is_file():
                return candidate, root / candidate, root
    return None, None, None


def _imported_names(source: Path, package: str) -> Iterator[str]:
    """Every module an ``import`` statement of ``source`` may load, parent packages included
    (``from a.b import c`` may load ``a``, ``a.b`` and the submodule ``a.b.c``)."""
    try:
        with tokenize.open(source) as f:
            tree = ast.parse(f.read(), filename=str(source))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return              # the loader reports a component module it cannot import
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield from _with_parents(alias.name)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node.module, node.level, package)
            if base is None:
                continue
            if base:
                yield from _with_parents(base)
            for alias in node.names:
                if alias.name != "*":
                    yield f"{base}.{alias.name}" if base else alias.name


def _absolute(module: str | None, level: int, package: str) -> str | None:
    """The absolute name a ``from`` import refers to; None when it climbs above the top."""
    if level == 0:
        return module or ""
    parts = package.split(".") if package else []
    if level - 1 > len(parts) or not parts:
        return None
    base = parts[:len(parts) - (level - 1)]
    return ".".join(base + ([module] if module else []))


def _with_parents(name: str) -> Iterator[str]:
    parts = name.split(".")
    for depth in range(1, len(parts) + 1):
        yield ".".join(parts[:depth])
