"""From the object create.py hands ``setSpout``/``setBolt`` to the ``ComponentDef`` it declares.

A petrel component (a ``Spout``/``Bolt``/``BasicBolt`` subclass instance) becomes a shell
component that runs its module through the launcher script; a ``ShellSpout``/``ShellBolt``
keeps its command and script; a ``JavaSpout``/``JavaBolt`` becomes a Java object. Every
kind also gives its output streams and component configuration. Mistakes are reported, not
raised, so create.py sees them all at once.
"""

from __future__ import annotations

import importlib
import inspect
import sys
from pathlib import Path
from typing import Any, Callable, Sequence

from petrel.emitter import (
    BasicBolt,
    Bolt,
    Component,
    JavaBolt,
    JavaSpout,
    ShellBolt,
    ShellSpout,
    Spout,
)
from petrel.topology.java import java_object
from petrel.topology.model import ComponentDef, launcher_script
from petrel.topology.output_fields import parse_output_fields
from petrel.topology.validate import is_command

# petrel's own classes: a component is an instance of a subclass defined in the topology.
PETREL_CLASSES = (Spout, Bolt, BasicBolt)

CheckRunnable = Callable[[str, type, str], "str | None"]


def _dotted(rel: Path) -> str:
    """The module name of a file at ``rel`` on the import path (a package: its directory)."""
    parts = list(rel.with_suffix("").parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts.pop()
    return ".".join(parts)


def check_runnable(module: str, cls: type, label: str) -> str | None:
    """The worker imports ``module`` and calls its ``run()`` or its one component class."""
    try:
        mod = importlib.import_module(module)
    except Exception as exc:  # noqa: BLE001 - user code; reported, not raised
        return f"{label}: module '{module}' cannot be imported: {type(exc).__name__}: {exc}"
    if callable(getattr(mod, "run", None)) or getattr(mod, cls.__name__, None) is cls:
        return None
    return (f"{label}: module '{module}' neither defines {cls.__name__} nor a run() function, "
            "so the worker cannot find the component; fix script= or move the class there")


def run_override_problem(cls: type) -> str | None:
    """What is wrong with a ``run`` a component class defines that cannot be called as
    ``obj.run()`` (the book's module-level ``def run():`` indented into the class)."""
    if inspect.getattr_static(cls, "run", None) is inspect.getattr_static(Component, "run"):
        return None
    static = inspect.getattr_static(cls, "run", None)
    if isinstance(static, (staticmethod, classmethod)) or not inspect.isfunction(static):
        return None
    params = list(inspect.signature(static).parameters.values())
    if any(p.kind is p.VAR_POSITIONAL for p in params):
        return None
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    required = [p for p in positional[1:] if p.default is p.empty]
    required += [p for p in params if p.kind is p.KEYWORD_ONLY and p.default is p.empty]
    if positional and not required:
        return None
    name = cls.__name__
    return (f"{name}.run() overrides petrel's run loop with the wrong signature; remove it or "
            f"rename it (a module-level 'def run(): {name}().run()' belongs outside the class)")


class ComponentDescriber:
    """Fills ``ComponentDef`` objects for one builder; problems go to ``report``.

    ``python`` is the workers' interpreter (``petrel.python``); ``check_runnable`` checks
    that the worker will find a petrel component in its module (the mock relaxes it).
    ``shared_dirs`` are the directories the manifest ships at the jar's root with
    ``[from DIR]`` lines: component modules may live there too.
    """

    def __init__(self, topology_dir: Path | None, python: str,
                 report: Callable[[str], None], check: CheckRunnable,
                 shared_dirs: Sequence[Path] = ()) -> None:
        self.topology_dir = topology_dir
        self.shared_dirs = [Path(d).resolve() for d in shared_dirs]
        self._python = python
        self._report = report
        self._check_runnable = check

    def describe(self, comp: ComponentDef, obj: Any, call: str, label: str) -> None:
        """Fill ``comp`` from ``obj``, given to ``call`` (setSpout/setBolt) as ``label``."""
        if isinstance(obj, type):
            self._report(f"{label}: {call} got the class {obj.__name__}, not an instance; "
                         f"write {obj.__name__}()")
            return
        if isinstance(obj, (ShellSpout, JavaSpout)):
            self._describe_foreign(comp, obj, label)
        elif isinstance(obj, Component):
            self._describe_petrel(comp, obj, label)
        else:
            self._report(
                f"{label}: {call} got {type(obj).__name__}, which is not a component; give an "
                "instance of a petrel.emitter Spout/Bolt/BasicBolt subclass, or a ShellSpout/"
                "ShellBolt/JavaSpout/JavaBolt")
            return
        self._declare_streams_and_conf(comp, obj, label)

    def _describe_foreign(self, comp: ComponentDef, obj: ShellSpout | JavaSpout,
                          label: str) -> None:
        is_bolt = isinstance(obj, (ShellBolt, JavaBolt))
        cls = type(obj).__name__
        if (comp.kind == "bolt") != is_bolt:
            kind, call = ("bolt", "setBolt") if is_bolt else ("spout", "setSpout")
            self._report(f"{label}: a {cls} is a {kind}; declare it with {call}")
        if isinstance(obj, ShellSpout):
            command, script = obj.execution_command, obj.script
            if not is_command(command):
                self._report(
                    f"{label}: {cls} execution_command {command!r} must be one program name or "
                    "path without spaces (Storm runs [execution_command, script] without a shell)")
            if not isinstance(script, str) or not script:
                self._report(f"{label}: {cls} script {script!r} must be the path of the "
                             "script, relative to the topology directory")
            comp.execution_command = str(command)
            comp.script = str(script)
        else:
            obj_def, problems = java_object(obj.class_name, obj.args, f"{label}: {cls}")
            for problem in problems:
                self._report(problem)
            comp.java = obj_def

    def _describe_petrel(self, comp: ComponentDef, obj: Component, label: str) -> None:
        cls = type(obj)
        if comp.kind == "spout" and not isinstance(obj, Spout):
            self._report(f"{label}: {cls.__name__} is not a Spout; declare it with setBolt "
                         "or subclass petrel.emitter.Spout")
        if comp.kind == "bolt" and not isinstance(obj, Bolt):
            self._report(f"{label}: {cls.__name__} is not a Bolt; declare it with setSpout "
                         "or subclass petrel.emitter.Bolt/BasicBolt")
        bad_run = run_override_problem(cls)
        if bad_run:
            self._report(f"{label}: {bad_run}")
        module, problem = self._component_module(obj, label)
        if problem:
            self._report(problem)
            return
        comp.module = module
        comp.execution_command = self._python
        comp.script = launcher_script(module)

    def _component_module(self, obj: Component, label: str) -> tuple[str, str | None]:
        """The dotted module name the worker imports to run ``obj``, and any problem.

        The module's file must be in the topology directory (the name is its path there)
        or in one of the shared directories the manifest ships with ``[from DIR]`` lines
        (the name is its path in that directory, as the jar's root holds it).
        """
        cls = type(obj)
        script = getattr(obj, "script", None)
        if script:
            path = Path(script)
            if not path.is_absolute() and self.topology_dir is not None:
                path = self.topology_dir / path
            path = path.resolve()
            if path.suffix != ".py":
                return "", (f"{label}: script={script!r} is not a .py file; pass "
                            "script=__file__ from the component's module")
            rel = self._relative(path)
            if rel is None:
                given = Path(script)
                if not given.is_absolute() and self.topology_dir is not None:
                    given = self.topology_dir / given
                what = "is" if given.absolute() == path else f"is a symlink to {path}, which is"
                return "", f"{label}: script={script!r} {what} {self._outside()}"
            module = _dotted(rel)
            if not all(p.isidentifier() for p in module.split(".")):
                return "", (f"{label}: {rel} cannot be imported as a Python module; use a file "
                            "name made of letters, digits and underscores")
        else:
            module = cls.__module__
            if module == "__main__":
                return "", (f"{label}: {cls.__name__} is defined in __main__; put it in a module "
                            "of the topology directory and import it in create.py")
            if cls in PETREL_CLASSES:
                return "", (f"{label}: {cls.__name__} is petrel's own class (petrel.emitter), "
                            "outside the topology directory; subclass it in a module of the "
                            "topology directory so it ships in the jar")
            mod_file = getattr(sys.modules.get(module), "__file__", None)
            if self.topology_dir is not None:
                rel = self._relative(Path(mod_file).resolve()) if mod_file else None
                if rel is None:
                    return "", (f"{label}: {cls.__name__} comes from module '{module}' "
                                f"({mod_file or 'no file'}), which is {self._outside()}")
                if _dotted(rel) != module:
                    return "", (f"{label}: {cls.__name__} comes from module '{module}', but a "
                                f"worker imports {rel} as '{_dotted(rel)}'; import it in "
                                f"create.py as {_dotted(rel)}")
        problem = self._check_runnable(module, cls, label)
        return module, problem

    def _outside(self) -> str:
        """Where a component module was found wanting, and the two ways to ship it."""
        return (f"outside the topology directory {self.topology_dir} and the directories "
                "its manifest ships with [from DIR] lines; move the module into the topology "
                "directory, or ship its directory with a '[from DIR]' line in manifest.txt")

    def _relative(self, path: Path) -> Path | None:
        """``path`` relative to the topology directory, else to a shared directory; None
        when it is in neither (the file name alone when there is no topology directory)."""
        if self.topology_dir is None:
            return Path(path.name)
        try:
            return path.relative_to(self.topology_dir)
        except ValueError:
            pass
        for shared in self.shared_dirs:
            try:
                return path.relative_to(shared)
            except ValueError:
                continue
        return None

    def _declare_streams_and_conf(self, comp: ComponentDef, obj: Any, label: str) -> None:
        try:
            declared = obj.declareOutputFields()
        except Exception as exc:  # noqa: BLE001 - user code
            self._report(f"{label}: {type(obj).__name__}.declareOutputFields() raised "
                         f"{type(exc).__name__}: {exc}")
            declared = None
        streams, problems = parse_output_fields(declared, f"{label}: declareOutputFields()")
        for problem in problems:
            self._report(problem)
        comp.streams.update(streams)
        try:
            conf = obj.getComponentConfiguration()
        except Exception as exc:  # noqa: BLE001 - user code
            self._report(f"{label}: {type(obj).__name__}.getComponentConfiguration() "
                         f"raised {type(exc).__name__}: {exc}")
            conf = None
        if conf is None:
            return
        if not isinstance(conf, dict):
            self._report(f"{label}: getComponentConfiguration() must return a dict or "
                         f"None, got {type(conf).__name__}")
            return
        comp.conf.update(conf)
