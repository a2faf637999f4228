"""From what a test names (create.py, a topology directory, MODULE.FUNCTION, a function)
to a validated TopologyDef plus the component objects create.py declared."""

from __future__ import annotations

import contextlib
import importlib
import sys
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Dict, Iterator, Mapping, Optional, Sequence, Tuple

from petrel.errors import PetrelError
from petrel.mock.errors import MockError
from petrel.package.manifest import section_dirs, section_imports
from petrel.topology import loader
from petrel.topology.builder import ComponentDeclarer, TopologyBuilder
from petrel.topology.model import TopologyDef
from petrel.topology.validate import conf_problems, format_problems, topology_problems

CONFIG_NAME = "topology.yaml"


class RecordingBuilder(TopologyBuilder):
    """The create.py builder, also keeping the object given for each component id.

    With ``check_modules`` False it does not require each component's module to be
    importable by the worker: a test may declare components defined in the test itself.
    """

    def __init__(self, topology_dir: Optional[Path] = None,
                 conf: Optional[Dict[str, Any]] = None, check_modules: bool = True,
                 shared_dirs: Sequence[Path] = ()) -> None:
        super().__init__(topology_dir, conf, shared_dirs=shared_dirs)
        self.objects: Dict[str, Any] = {}
        self._check_modules = check_modules

    def setSpout(self, id: str, spout: Any,
                 parallelism_hint: Optional[int] = None) -> ComponentDeclarer:
        """As ``TopologyBuilder.setSpout``."""
        declarer = super().setSpout(id, spout, parallelism_hint)
        self.objects.setdefault(str(id), spout)
        return declarer

    def setBolt(self, id: str, bolt: Any,
                parallelism_hint: Optional[int] = None) -> ComponentDeclarer:
        """As ``TopologyBuilder.setBolt``."""
        declarer = super().setBolt(id, bolt, parallelism_hint)
        self.objects.setdefault(str(id), bolt)
        return declarer

    def _check_runnable(self, module: str, cls: type, label: str) -> Optional[str]:
        if not self._check_modules:
            return None
        return super()._check_runnable(module, cls, label)


class Definition:
    """A loaded topology: its model, component objects, config and a display name."""

    def __init__(self, topology: TopologyDef, objects: Mapping[str, Any],
                 conf: Dict[str, Any], name: str) -> None:
        self.topology = topology
        self.objects = dict(objects)
        self.conf = conf
        self.name = name


def _problems(source: str, builder: RecordingBuilder, topo: TopologyDef,
              conf: Dict[str, Any]) -> None:
    problems = [f"{source}: {p}" for p in builder.problems]
    problems += [f"{CONFIG_NAME}: {p}" for p in loader.apply_parallelism_overrides(topo, conf)]
    problems += [f"{source}: {p}" for p in topology_problems(topo)]
    problems += conf_problems(conf, "config")
    if problems:
        raise MockError(format_problems(list(dict.fromkeys(problems))))


def _from_function(func: Callable[[Any], Any], conf: Dict[str, Any], name: str) -> Definition:
    builder = RecordingBuilder(None, conf, check_modules=False)
    func(builder)  # a test's own function: let its exceptions show as they are
    topo = builder.createTopology()
    source = getattr(func, "__qualname__", "definition")
    _problems(source, builder, topo, conf)
    return Definition(topo, builder.objects, conf, name)


def _dir_and_definition(path: Path) -> Tuple[Path, str]:
    if path.is_dir():
        return path.resolve(), "create.create"
    if path.suffix == ".py":
        return path.resolve().parent, f"{path.stem}.create"
    raise MockError(f"{path}: give a topology directory, its create.py, a MODULE.FUNCTION "
                    f"string or a function taking the builder")


def _config(topology_dir: Optional[Path], config: Optional[Mapping[str, Any]]) -> Dict[str, Any]:
    if config is not None:
        if not isinstance(config, Mapping):
            raise MockError(f"config must be a dict (the topology config), got "
                            f"{type(config).__name__}")
        return dict(config)
    if topology_dir is not None and (topology_dir / CONFIG_NAME).is_file():
        from petrel.config import load_config  # PyYAML, only needed to read topology.yaml

        try:
            return load_config(topology_dir / CONFIG_NAME)
        except PetrelError as exc:
            raise MockError(exc.message) from exc
    return {}


@contextlib.contextmanager
def load_definition(definition: Any, config: Optional[Mapping[str, Any]]) -> Iterator[Definition]:
    """Load ``definition``; the topology's modules stay importable until the block ends.

    ``definition``: a topology directory (runs ``create.create``), a path to create.py,
    a ``MODULE.FUNCTION`` string importable from sys.path, or a function taking the
    builder. ``config`` None reads topology.yaml from the topology directory, if any.
    """
    if callable(definition):
        name = getattr(definition, "__name__", "mock")
        yield _from_function(definition, _config(None, config), name)
        return
    if not isinstance(definition, (str, Path)):
        raise MockError(f"definition {definition!r}: give a topology directory, its create.py, "
                        f"a MODULE.FUNCTION string or a function taking the builder")
    path = Path(definition)
    if not path.exists():
        text = str(definition)
        module_name, _, func_name = text.rpartition(".")
        if module_name and func_name.isidentifier() and "/" not in text and "\\" not in text:
            func = _import_function(module_name, func_name)
            yield _from_function(func, _config(None, config), module_name.split(".")[0])
            return
        raise MockError(f"{definition}: no such file or directory; give a topology directory, "
                        f"its create.py, a MODULE.FUNCTION string or a function")
    topology_dir, spec = _dir_and_definition(path)
    conf = _config(topology_dir, config)
    shared = section_dirs(topology_dir)
    with topology_imports(topology_dir, shared):
        try:
            module_name, func_name = loader.split_definition(spec)
            func, source = loader._find_definition(topology_dir, module_name, func_name)
            builder = RecordingBuilder(topology_dir, conf, shared_dirs=shared)
            loader._run_definition(func, builder, source, func_name)
        except PetrelError as exc:
            raise MockError(exc.message) from exc
        topo = builder.createTopology()
        _problems(source, builder, topo, conf)
        yield Definition(topo, builder.objects, conf, topology_dir.name)


def _own_modules(directories: Sequence[Path]) -> Dict[str, ModuleType]:
    """Modules already imported from the files of ``directories`` under their own names."""
    own: Dict[str, ModuleType] = {}
    for directory in directories:
        top_names = {p.stem for p in directory.glob("*.py")}
        top_names |= {p.name for p in directory.iterdir() if (p / "__init__.py").is_file()}
        for name, module in list(sys.modules.items()):
            filename = getattr(module, "__file__", None)
            if filename and name.split(".")[0] in top_names and _inside(filename, directory):
                own.setdefault(name, module)
    return own


def _inside(filename: str, directory: Path) -> bool:
    try:
        Path(filename).resolve().relative_to(directory)
    except (ValueError, OSError):
        return False
    return True


@contextlib.contextmanager
def topology_imports(topology_dir: Path, shared_dirs: Sequence[Path] = ()) -> Iterator[None]:
    """The loader's ``topology_imports`` and the packager's ``section_imports`` (the modules
    of the manifest's ``[from DIR]`` directories ``shared_dirs`` import as on a worker),
    keeping the modules the test already imported.

    A module imported from ``topology_dir`` or a shared directory under its own name
    (``import splitsentence`` with the directory on sys.path) is used as it is, so what a
    test monkeypatched in it reaches the run, and the run's classes are the test's.
    Same-named modules of other directories are set aside for the run, and modules first
    imported by the run are dropped after it, as with ``petrel submit``'s loader.
    """
    own = _own_modules([topology_dir, *shared_dirs])
    with section_imports(topology_dir), loader.topology_imports(topology_dir):
        sys.modules.update(own)
        yield


def _import_function(module_name: str, func_name: str) -> Callable[[Any], Any]:
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise MockError(f"definition '{module_name}.{func_name}': cannot import "
                        f"{module_name}: {exc}") from exc
    func = getattr(module, func_name, None)
    if not callable(func):
        raise MockError(f"definition '{module_name}.{func_name}': {module_name} has no "
                        f"function '{func_name}'")
    return func
