"""Loading create.py: import the definition, run it with a builder, apply overrides, validate.

``load_topology`` is what ``petrel build``/``submit``/``graph`` call. The definition
module is imported with the topology directory first on ``sys.path`` (as the worker
will import the component modules), and every way create.py can go wrong ends in one
PetrelError naming the file and the fix; the original exception stays chained for
``--debug``.
"""

from __future__ import annotations

import contextlib
import importlib
import sys
import sysconfig
import traceback
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from petrel.errors import PetrelError
from petrel.topology.builder import TopologyBuilder
from petrel.topology.model import TopologyDef
from petrel.topology.serializer import serializer_problems
from petrel.topology.validate import conf_problems, format_problems, is_int32, topology_problems

PARALLELISM_PREFIX = "petrel.parallelism."
_PETREL_DIR = str(Path(__file__).resolve().parent.parent) + "/"


def load_topology(topology_dir: str | Path, definition: str = "create.create",
                  conf: dict[str, Any] | None = None, *,
                  config_name: str = "topology.yaml",
                  shared_dirs: Sequence[str | Path] = ()) -> TopologyDef:
    """Run ``definition`` (``MODULE.FUNCTION``) with a builder and return the validated topology.

    ``conf`` is the topology config (already loaded); ``config_name`` is how messages
    name it. ``shared_dirs`` are the directories the manifest's ``[from DIR]`` lines ship
    (the packager's ``section_dirs``): component modules may live there too. Raises
    PetrelError listing every problem found.
    """
    topology_dir = Path(topology_dir).resolve()
    conf = dict(conf or {})
    if not topology_dir.is_dir():
        raise PetrelError(f"{topology_dir}: the topology directory does not exist")
    module_name, func_name = split_definition(definition)
    with topology_imports(topology_dir):
        func, source = _find_definition(topology_dir, module_name, func_name)
        builder = TopologyBuilder(topology_dir, conf, shared_dirs=shared_dirs)
        _run_definition(func, builder, source, func_name)
        topo = builder.createTopology()
    problems = [f"{source}: {p}" for p in builder.problems]
    problems += [f"{config_name}: {p}" for p in apply_parallelism_overrides(topo, conf)]
    problems += [f"{source}: {p}" for p in _not_yet_explained(topo, builder.problems,
                                                              topology_problems(topo))]
    problems += conf_problems(conf, config_name)
    problems += [f"{config_name}: {p}" for p in serializer_problems(topo, conf)]
    if problems:
        raise PetrelError(format_problems(_unique(problems)))
    return topo


def split_definition(definition: str) -> tuple[str, str]:
    """``'pkg.mod.func'`` -> ``('pkg.mod', 'func')``; PetrelError if it is not MODULE.FUNCTION."""
    module_name, _, func_name = (definition or "").rpartition(".")
    if not module_name or not func_name or not all(
            p.isidentifier() for p in [*module_name.split("."), func_name]):
        raise PetrelError(f"--definition {definition!r} must be MODULE.FUNCTION, "
                          "e.g. create.create")
    return module_name, func_name


@contextlib.contextmanager
def topology_imports(topology_dir: Path) -> Iterator[None]:
    """Import from ``topology_dir`` first, without leaking its modules into later loads.

    Modules of the topology directory that are already imported (for example another
    topology's ``create``) are set aside, and the ones imported here are dropped
    afterwards, so loading two topologies in one process never mixes them up.
    """
    local_names = {p.stem for p in topology_dir.glob("*.py")}
    local_names |= {p.name for p in topology_dir.iterdir() if (p / "__init__.py").is_file()}
    local_names -= set(sys.builtin_module_names) | {"petrel"}
    saved = {name: mod for name, mod in sys.modules.items()
             if name.split(".")[0] in local_names}
    for name in saved:
        del sys.modules[name]
    before = set(sys.modules)
    sys.path.insert(0, str(topology_dir))
    importlib.invalidate_caches()
    try:
        yield
    finally:
        with contextlib.suppress(ValueError):
            sys.path.remove(str(topology_dir))
        for name, mod in list(sys.modules.items()):
            if name.split(".")[0] in local_names:
                del sys.modules[name]
            elif name not in before:    # only modules this load imported can be its own
                mod_file = getattr(mod, "__file__", None)
                if mod_file and _inside(mod_file, topology_dir):
                    del sys.modules[name]
        sys.modules.update(saved)


def _inside(path: str, directory: Path) -> bool:
    try:
        Path(path).resolve().relative_to(directory)
    except (ValueError, OSError):
        return False
    return True


def _find_definition(topology_dir: Path, module_name: str,
                     func_name: str) -> tuple[Callable[..., Any], str]:
    """Import the definition module and return its function and a display name for messages."""
    default_source = module_name.replace(".", "/") + ".py"
    top = module_name.split(".")[0]
    # Only the topology directory counts: another directory on sys.path may hold a
    # create.py too, and silently loading that one would build the wrong topology.
    if not ((topology_dir / f"{top}.py").is_file() or (topology_dir / top).is_dir()):
        raise PetrelError(
            f"{topology_dir / default_source}: not found; write {default_source} with "
            f"'def {func_name}(builder): ...' in the topology directory, or pass "
            "--definition MODULE.FUNCTION")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and (module_name == exc.name or module_name.startswith(exc.name + ".")):
            raise PetrelError(
                f"{topology_dir / default_source}: not found; write {default_source} with "
                f"'def {func_name}(builder): ...' in the topology directory, or pass "
                "--definition MODULE.FUNCTION") from None
        raise _user_code_error(exc, default_source, f"importing {module_name}") from exc
    except SyntaxError as exc:
        where = Path(exc.filename or default_source).name
        raise PetrelError(f"{where} line {exc.lineno}: SyntaxError: {exc.msg}; "
                          "fix the file") from exc
    except BaseException as exc:  # noqa: BLE001 - user code may raise anything, even SystemExit
        if isinstance(exc, KeyboardInterrupt):
            raise
        raise _user_code_error(exc, default_source, f"importing {module_name}") from exc
    module_file = getattr(module, "__file__", None)
    if module_file and not _inside(module_file, topology_dir):
        raise PetrelError(f"--definition {module_name}.{func_name}: {module_name} was imported "
                          f"from {module_file}, outside the topology directory {topology_dir}; "
                          "rename the module or move it into the topology directory")
    source = _display_name(module_file, topology_dir, default_source)
    func = getattr(module, func_name, None)
    if func is None:
        raise PetrelError(f"{source} has no function '{func_name}'; define "
                          f"'def {func_name}(builder): ...' or pass --definition MODULE.FUNCTION")
    if not callable(func):
        raise PetrelError(f"{source}: '{func_name}' is a {type(func).__name__}, not a function; "
                          f"define 'def {func_name}(builder): ...'")
    return func, source


def _display_name(path: str | None, topology_dir: Path, default: str) -> str:
    if not path:
        return default
    try:
        return str(Path(path).resolve().relative_to(topology_dir))
    except ValueError:
        return path


def _run_definition(func: Callable[..., Any], builder: TopologyBuilder, source: str,
                    func_name: str) -> None:
    try:
        func(builder)
    except PetrelError as exc:
        raise PetrelError(f"{source}: {exc.message}", exit_code=exc.exit_code) from exc
    except BaseException as exc:  # noqa: BLE001 - user code may raise anything, even SystemExit
        if isinstance(exc, KeyboardInterrupt):
            raise
        raise _user_code_error(exc, source, f"{func_name}(builder)") from exc


# Frames from these places are never the user's: petrel itself, the standard library and
# installed packages (e.g. a debugger's import hook wrapping every import).
_NOT_USER_CODE = ("<frozen", _PETREL_DIR, *sorted({sysconfig.get_paths()[k]
                                                  for k in ("stdlib", "purelib", "platlib")}))


def _user_code_error(exc: BaseException, source: str, doing: str) -> PetrelError:
    """One line for an exception raised by the user's code: what, where, and how to see more."""
    where = ""
    frames = traceback.extract_tb(exc.__traceback__)
    user_frames = [f for f in frames if not f.filename.startswith(_NOT_USER_CODE)
                   and "importlib" not in f.filename]
    if user_frames:
        last = user_frames[-1]
        where = f" ({Path(last.filename).name} line {last.lineno}, in {last.name})"
    text = str(exc)
    kind = type(exc).__name__ + (f": {text}" if text else "")
    return PetrelError(f"{source}: {doing} raised {kind}{where}; fix it, or run "
                       "'petrel --debug ...' for the traceback")


def apply_parallelism_overrides(topo: TopologyDef, conf: dict[str, Any]) -> list[str]:
    """Apply ``petrel.parallelism.<name>: N``; name is a component id or its module name.

    Returns the problems (unknown name, bad value) instead of raising.
    """
    problems = []
    for key, value in conf.items():
        if not isinstance(key, str) or not key.startswith(PARALLELISM_PREFIX):
            continue
        name = key[len(PARALLELISM_PREFIX):]
        targets = [c for c in topo.components.values() if c.id == name]
        targets = targets or [c for c in topo.components.values() if name in _override_names(c)]
        if not is_int32(value) or value <= 0:
            problems.append(f"'{key}' = {value!r} must be a positive integer")
            continue
        if not targets:
            names = sorted({n for c in topo.components.values() for n in _override_names(c)})
            problems.append(f"'{key}' matches no component; use a component id or module name: "
                            f"{', '.join(names) or 'none'}")
            continue
        for comp in targets:
            comp.parallelism = value
    return problems


def _override_names(comp: Any) -> set[str]:
    names = {comp.id}
    if comp.module:
        names.add(comp.module)
    elif comp.script:
        names.add(Path(comp.script).stem)
    return names


_NO_IMPLEMENTATION = " must have exactly one implementation "


def _not_yet_explained(topo: TopologyDef, builder_problems: list[str],
                       problems: list[str]) -> list[str]:
    """``problems`` without the validator's 'no implementation' line for a component whose
    description the builder already refused (a class instead of an instance, a module
    outside the topology directory): that line would only repeat the same mistake."""
    explained = set()
    for comp in topo.components.values():
        label = f"{comp.kind} '{comp.id}'"
        described = (comp.execution_command is not None or comp.java is not None
                     or comp.serialized_java is not None)
        if not described and any(p.startswith(label + ":") for p in builder_problems):
            explained.add(label + _NO_IMPLEMENTATION)
    return [p for p in problems if not any(p.startswith(e) for e in explained)]


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))
