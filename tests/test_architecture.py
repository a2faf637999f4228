"""petrel's architecture, checked from the source: layers, no import cycles, sizes.

The import graph is read from the AST of every module under ``petrel/``: module-level
imports, imports inside functions (a "lazy" import is still a dependency), imports under
``if TYPE_CHECKING:`` and ``importlib.import_module("petrel....")`` with a literal name;
``from . import x`` is resolved to the module or package it names. Only imports of petrel's
own modules count.

The rules:

- no import cycle anywhere (between modules; a package's ``__init__`` is a module too);
- a module imports only from its own layer or a lower one (``LAYERS``, lowest first), and
  the packages of ``INDEPENDENT`` never import each other;
- no class longer than ``MAX_CLASS_LINES`` and no module longer than ``MAX_MODULE_LINES``
  physical lines (``SIZE_ALLOWLIST`` for generated or data files only).
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Set, Tuple

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "petrel"

# Lowest first. A module belongs to the layer of the longest prefix that names it.
LAYERS: List[Tuple[str, ...]] = [
    # petrel itself (the version), errors and configuration: importable by everything.
    ("petrel", "petrel.errors", "petrel.config", "petrel.util"),
    # The worker-side runtime: the protocol, the component classes that user code subclasses
    # and the loops that drive them. petrel.storm belongs here: it is the slot holding the
    # running component, which the component classes set on every delivery (and
    # petrel.mock switches), plus functions that call the component in the slot.
    ("petrel.runtime", "petrel.storm"),
    # What a topology's code imports besides petrel.storm, and the worker's entry point.
    ("petrel.emitter", "petrel.debug", "petrel.rdebug", "petrel.run"),
    # The topology model, the create.py builder, validation, Thrift.
    ("petrel.topology", "petrel.topologybuilder"),
    # The jar packager, with the manifest reader: the mock reads a topology's manifest for
    # the modules it ships from [from DIR] lines, as the packager does.
    ("petrel.package",),
    # Storm's semantics, shared by the local runner and the mock.
    ("petrel.semantics",),
    # The live dashboard of a local run reads the runner; the runner reaches it only through
    # the callbacks ``petrel.local.command`` hands it.
    ("petrel.local", "petrel.mock", "petrel.dashboard"),
    ("petrel.cluster",),
    ("petrel.devstorm",),
    ("petrel.tools", "petrel.submit"),
    ("petrel.cli",),
]

# Packages of one layer that must not import each other (in either direction).
INDEPENDENT: List[Tuple[str, str]] = [("petrel.local", "petrel.mock"),
                                      ("petrel.dashboard", "petrel.mock")]

MAX_CLASS_LINES = 250
MAX_MODULE_LINES = 400
# Generated or data files, exempt from the size limits (path relative to the repository).
# None today; a hand-written module never belongs here: split it instead.
SIZE_ALLOWLIST: Set[str] = set()


def module_name(path: Path) -> str:
    """``petrel/runtime/worker.py`` -> ``petrel.runtime.worker``; an ``__init__`` -> its package."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def petrel_modules() -> Dict[str, Path]:
    """Every module under petrel/, by its dotted name."""
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))
            if "__pycache__" not in p.parts}


def _base_package(name: str, path: Path, level: int) -> str:
    """The package a ``from`` import with ``level`` dots is relative to."""
    parts = name.split(".")
    if path.name != "__init__.py":
        parts = parts[:-1]
    return ".".join(parts[:len(parts) - (level - 1)] if level > 1 else parts)


def imports_of(name: str, path: Path, modules: Dict[str, Path]) -> Iterator[Tuple[str, int]]:
    """The petrel modules ``name`` imports, with the line of each import (anywhere in the file)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                target = _known(alias.name, modules)
                if target:
                    yield target, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = _base_package(name, path, node.level)
                base = f"{package}.{base}" if base else package
            for alias in node.names:
                # `from package import module` imports the module; `from module import name`
                # imports the module that defines the name.
                target = _known(f"{base}.{alias.name}", modules) if alias.name != "*" else None
                if target != f"{base}.{alias.name}":
                    target = _known(base, modules)
                if target:
                    yield target, node.lineno
        elif isinstance(node, ast.Call) and _is_import_module(node.func) and node.args \
                and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
            target = _known(node.args[0].value, modules)
            if target:
                yield target, node.lineno


def _is_import_module(func: ast.expr) -> bool:
    """``import_module`` or ``importlib.import_module``."""
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    return name in ("import_module", "__import__")


def _known(dotted: str, modules: Dict[str, Path]) -> Optional[str]:
    """The longest prefix of ``dotted`` that is a petrel module, or None."""
    parts = dotted.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in modules:
            return candidate
        parts.pop()
    return None


def import_graph() -> Dict[str, Dict[str, int]]:
    """Importer -> {imported: line}, for every petrel module (self-imports left out)."""
    modules = petrel_modules()
    graph: Dict[str, Dict[str, int]] = {}
    for name, path in modules.items():
        edges: Dict[str, int] = {}
        for target, line in imports_of(name, path, modules):
            if target != name:
                edges.setdefault(target, line)
        graph[name] = edges
    return graph


def layer_of(module: str) -> Tuple[int, str]:
    """The layer index of ``module`` and the prefix that put it there."""
    best: Tuple[int, str] = (-1, "")
    for index, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) \
                    and len(prefix) > len(best[1]):
                best = (index, prefix)
    return best


def cycles(graph: Dict[str, Dict[str, int]]) -> List[List[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index: Dict[str, int] = {}
    low: Dict[str, int] = {}
    stack: List[str] = []
    on_stack: Set[str] = set()
    found: List[List[str]] = []
    counter = [0]

    def visit(start: str) -> None:
        # Iterative, so a deep graph never hits the recursion limit.
        work = [(start, iter(sorted(graph.get(start, {}))))]
        index[start] = low[start] = counter[0]
        counter[0] += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter[0]
                    counter[0] += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, {})))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                members = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    members.append(member)
                    if member == node:
                        break
                if len(members) > 1:
                    found.append(sorted(members))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return found


def _cycle_edges(members: List[str], graph: Dict[str, Dict[str, int]]) -> str:
    inside = set(members)
    return "; ".join(f"{a} -> {b} (line {line})" for a in members
                     for b, line in sorted(graph[a].items()) if b in inside)


def test_every_module_has_a_layer() -> None:
    missing = [m for m in petrel_modules() if layer_of(m)[0] < 0]
    assert not missing, f"modules in no layer of LAYERS: {missing}"


def test_no_import_cycles() -> None:
    graph = import_graph()
    found = cycles(graph)
    assert not found, "import cycles:\n" + "\n".join(
        f"  {', '.join(c)}: {_cycle_edges(c, graph)}" for c in found)


def test_imports_go_to_the_same_layer_or_lower() -> None:
    problems = []
    for importer, edges in sorted(import_graph().items()):
        layer, prefix = layer_of(importer)
        for imported, line in sorted(edges.items()):
            target_layer, target_prefix = layer_of(imported)
            if target_layer > layer:
                problems.append(f"  {importer} (layer {layer + 1}, {prefix}) imports "
                                f"{imported} (layer {target_layer + 1}, {target_prefix}) "
                                f"at line {line}")
    assert not problems, "imports from a higher layer:\n" + "\n".join(problems)


def test_independent_packages_do_not_import_each_other() -> None:
    problems = []
    for importer, edges in sorted(import_graph().items()):
        for imported, line in sorted(edges.items()):
            for a, b in INDEPENDENT:
                for one, other in ((a, b), (b, a)):
                    if _within(importer, one) and _within(imported, other):
                        problems.append(f"  {importer} imports {imported} at line {line}")
    assert not problems, "imports between independent packages:\n" + "\n".join(problems)


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def _classes(tree: ast.AST) -> Iterator[ast.ClassDef]:
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            yield node


def test_modules_and_classes_stay_small() -> None:
    problems = []
    for name, path in petrel_modules().items():
        rel = path.relative_to(ROOT).as_posix()
        if rel in SIZE_ALLOWLIST:
            continue
        text = path.read_text(encoding="utf-8")
        lines = len(text.splitlines())
        if lines > MAX_MODULE_LINES:
            problems.append(f"  module {rel}: {lines} lines (at most {MAX_MODULE_LINES})")
        for cls in _classes(ast.parse(text, rel)):
            start = min([cls.lineno] + [d.lineno for d in cls.decorator_list])
            length = (cls.end_lineno or cls.lineno) - start + 1
            if length > MAX_CLASS_LINES:
                problems.append(f"  class {name}.{cls.name} ({rel}:{start}): {length} lines "
                                f"(at most {MAX_CLASS_LINES})")
    assert not problems, "too long (split by responsibility):\n" + "\n".join(problems)
