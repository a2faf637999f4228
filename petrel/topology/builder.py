"""The create.py builder: Storm's ``TopologyBuilder`` API, filling a ``TopologyDef``.

``create(builder)`` calls ``setSpout``/``setBolt`` and chains groupings on the returned
declarer, exactly as with Storm's Java ``TopologyBuilder`` (and old Petrel's builder).
Mistakes are collected in ``builder.problems`` instead of raised one at a time, so the
user sees every problem of create.py at once; ``petrel.topology.loader`` reports them.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any, Sequence

from petrel.emitter import (
    Bolt,
    Component,
    JavaBolt,
    JavaSpout,
    ShellBolt,
    ShellSpout,
    Spout,
    Stream,
)
from petrel.topology.java import JavaArg, java_arg, java_object
from petrel.topology.model import (
    DEFAULT_STREAM,
    ComponentDef,
    GroupingDef,
    JavaObjectDef,
    StreamDef,
    TopologyDef,
    launcher_script,
)
from petrel.topology.validate import is_command

__all__ = ["ComponentDeclarer", "JavaArg", "TopologyBuilder", "java_arg", "parse_output_fields"]


def parse_output_fields(declared: Any, where: str) -> tuple[dict[str, StreamDef], list[str]]:
    """Streams from what ``declareOutputFields()`` returned (list, Stream, or dict of streams)."""
    if declared is None:
        return {}, []
    if isinstance(declared, dict):
        streams: dict[str, StreamDef] = {}
        problems: list[str] = []
        for stream_id, spec in declared.items():
            if not isinstance(stream_id, str):
                problems.append(f"{where}: stream id {stream_id!r} is not a string")
                continue
            stream, problem = _stream_def(spec, f"{where}: stream '{stream_id}'")
            if problem:
                problems.append(problem)
            else:
                streams[stream_id] = stream
        return streams, problems
    stream, problem = _stream_def(declared, where)
    if problem:
        return {}, [problem]
    return {DEFAULT_STREAM: stream}, []


def _stream_def(spec: Any, where: str) -> tuple[StreamDef, str | None]:
    direct = False
    if isinstance(spec, Stream):
        spec, direct = spec.fields, spec.direct
    if isinstance(spec, str):
        return StreamDef([]), (f"{where}: output fields must be a list of names, got the "
                               f"string {spec!r}; write [{spec!r}]")
    if not isinstance(spec, (list, tuple)):
        return StreamDef([]), (f"{where}: output fields must be a list of names (or "
                               f"petrel.emitter.Stream), got {type(spec).__name__}")
    bad = [f for f in spec if not isinstance(f, str) or not f]
    if bad:
        return StreamDef([]), f"{where}: field names must be non-empty strings, got {bad[0]!r}"
    seen: set[str] = set()
    for f in spec:
        if f in seen:
            return StreamDef([]), (f"{where}: field '{f}' is declared twice; "
                                   "field names must be unique")
        seen.add(f)
    return StreamDef(list(spec), bool(direct)), None


class ComponentDeclarer:
    """What ``setSpout``/``setBolt`` return: groupings (bolts), task count and configuration.

    Every method returns the declarer, so calls chain as in Java. Grouping methods take
    the source component id, then (where relevant) the fields, then an optional stream id
    (old Petrel order); Java's order ``fieldsGrouping(src, stream, fields)`` works too.
    """

    def __init__(self, builder: TopologyBuilder, component: ComponentDef) -> None:
        self._builder = builder
        self._component = component

    # -- groupings ---------------------------------------------------------------------

    def shuffleGrouping(self, componentId: str, streamId: str = DEFAULT_STREAM, *,
                        stream: str | None = None) -> ComponentDeclarer:
        """Send each tuple to a random task, spreading load evenly."""
        return self._subscribe(componentId, stream or streamId, GroupingDef("shuffle"),
                               "shuffleGrouping")

    def localOrShuffleGrouping(self, componentId: str, streamId: str = DEFAULT_STREAM, *,
                               stream: str | None = None) -> ComponentDeclarer:
        """Prefer tasks in the same worker process, otherwise shuffle."""
        return self._subscribe(componentId, stream or streamId, GroupingDef("local_or_shuffle"),
                               "localOrShuffleGrouping")

    def fieldsGrouping(self, componentId: str, fields: Sequence[str] | str,
                       streamId: str | Sequence[str] = DEFAULT_STREAM, *,
                       stream: str | None = None) -> ComponentDeclarer:
        """Send tuples with equal values of ``fields`` to the same task."""
        if isinstance(fields, str) and isinstance(streamId, (list, tuple)):
            fields, streamId = streamId, fields  # Java order: (componentId, streamId, fields)
        stream_id = stream or streamId
        if not isinstance(fields, (list, tuple)) or not all(isinstance(f, str) for f in fields):
            self._problem(f"fieldsGrouping({componentId!r}, {fields!r}): fields must be a list of "
                          f"field names, e.g. ['word']")
            return self
        if not fields:
            self._problem(f"fieldsGrouping({componentId!r}, []) has no fields; use "
                          f"globalGrouping({componentId!r}) to send everything to one task")
            return self
        return self._subscribe(componentId, stream_id, GroupingDef("fields", list(fields)),
                               "fieldsGrouping")

    def globalGrouping(self, componentId: str, streamId: str = DEFAULT_STREAM, *,
                       stream: str | None = None) -> ComponentDeclarer:
        """Send every tuple to the component's task with the lowest id."""
        return self._subscribe(componentId, stream or streamId, GroupingDef("global"),
                               "globalGrouping")

    def allGrouping(self, componentId: str, streamId: str = DEFAULT_STREAM, *,
                    stream: str | None = None) -> ComponentDeclarer:
        """Send every tuple to every task."""
        return self._subscribe(componentId, stream or streamId, GroupingDef("all"), "allGrouping")

    def noneGrouping(self, componentId: str, streamId: str = DEFAULT_STREAM, *,
                     stream: str | None = None) -> ComponentDeclarer:
        """Let Storm choose (currently the same as shuffle)."""
        return self._subscribe(componentId, stream or streamId, GroupingDef("none"), "noneGrouping")

    def directGrouping(self, componentId: str, streamId: str = DEFAULT_STREAM, *,
                       stream: str | None = None) -> ComponentDeclarer:
        """The emitter picks the task (``emitDirect``); the stream must be declared direct."""
        return self._subscribe(componentId, stream or streamId, GroupingDef("direct"),
                               "directGrouping")

    def customGrouping(self, componentId: str, grouping: JavaObjectDef | str | bytes,
                       streamId: str = DEFAULT_STREAM, *, args: Sequence[Any] | None = None,
                       stream: str | None = None) -> ComponentDeclarer:
        """A Java ``CustomStreamGrouping``: a class name (+ ``args``), a JavaObjectDef, or
        the bytes of a Java-serialised grouping object."""
        where = f"customGrouping({componentId!r}, {grouping!r})"
        if isinstance(grouping, JavaObjectDef):
            obj, problems = java_object(grouping.class_name, [], where)
            obj.args = list(grouping.args)
            group = GroupingDef("custom_object", java_object=obj)
        elif isinstance(grouping, str):
            obj, problems = java_object(grouping, args, where)
            group = GroupingDef("custom_object", java_object=obj)
        elif isinstance(grouping, (bytes, bytearray)):
            problems = []
            group = GroupingDef("custom_serialized", serialized=bytes(grouping))
        else:
            self._problem(f"{where}: give the Java class name of a CustomStreamGrouping, a "
                          "JavaObjectDef, or the bytes of a serialised grouping")
            return self
        for p in problems:
            self._problem(p)
        return self._subscribe(componentId, stream or streamId, group, "customGrouping")

    # -- tasks and configuration ---------------------------------------------------------

    def setNumTasks(self, num_tasks: int) -> ComponentDeclarer:
        """Run the component as ``num_tasks`` tasks spread over its executors."""
        self._component.num_tasks = num_tasks  # validation checks the value
        return self

    def addConfiguration(self, key: str, value: Any) -> ComponentDeclarer:
        """Set one component-specific Storm config key (e.g. topology.tick.tuple.freq.secs)."""
        if not isinstance(key, str):
            self._problem(f"addConfiguration({key!r}, ...): config keys must be strings")
            return self
        self._component.conf[key] = value
        return self

    def addConfigurations(self, conf: dict[str, Any]) -> ComponentDeclarer:
        """Set several component-specific config keys at once."""
        if not isinstance(conf, dict):
            self._problem(f"addConfigurations({conf!r}): give a dict of config keys")
            return self
        for key, value in conf.items():
            self.addConfiguration(key, value)
        return self

    def setDebug(self, debug: bool) -> ComponentDeclarer:
        """Set ``topology.debug`` for this component."""
        return self.addConfiguration("topology.debug", debug)

    def setMaxTaskParallelism(self, value: int) -> ComponentDeclarer:
        """Set ``topology.max.task.parallelism`` for this component."""
        return self.addConfiguration("topology.max.task.parallelism", value)

    def setMaxSpoutPending(self, value: int) -> ComponentDeclarer:
        """Set ``topology.max.spout.pending`` for this component (spouts)."""
        return self.addConfiguration("topology.max.spout.pending", value)

    # -- internals -------------------------------------------------------------------------

    def _problem(self, text: str) -> None:
        self._builder.problems.append(f"{self._component.kind} '{self._component.id}': {text}")

    def _subscribe(self, source: Any, stream_id: Any, grouping: GroupingDef,
                   method: str) -> ComponentDeclarer:
        if not isinstance(source, str) or not isinstance(stream_id, str):
            self._problem(f"{method}({source!r}, ...): the component id and stream id "
                          "must be strings")
            return self
        key = (source, stream_id)
        if key in self._component.inputs:
            self._problem(f"subscribes to stream '{stream_id}' of '{source}' twice; "
                          "keep one grouping per source stream")
            return self
        self._component.inputs[key] = grouping
        return self


class TopologyBuilder:
    """Storm's TopologyBuilder for create.py: ``setSpout``, ``setBolt``, ``addOutputStream``.

    ``topology_dir`` is where petrel component modules must live (they ship in the jar);
    ``conf`` is the topology config (``petrel.python`` picks the workers' interpreter).
    """

    def __init__(self, topology_dir: str | Path | None = None,
                 conf: dict[str, Any] | None = None) -> None:
        self.topology_dir = Path(topology_dir).resolve() if topology_dir is not None else None
        self.conf: dict[str, Any] = dict(conf or {})
        self.problems: list[str] = []
        self._components: dict[str, ComponentDef] = {}
        self._python = self.conf.get("petrel.python", "python3")
        if not is_command(self._python):   # the config check reports it, naming the file
            self._python = "python3"

    def setSpout(self, id: str, spout: Any,
                 parallelism_hint: int | None = None) -> ComponentDeclarer:
        """Declare a spout; returns its declarer (for setNumTasks, addConfiguration...)."""
        return self._declare(id, spout, parallelism_hint, "spout")

    def setBolt(self, id: str, bolt: Any, parallelism_hint: int | None = None) -> ComponentDeclarer:
        """Declare a bolt; chain groupings on the returned declarer to give its inputs."""
        return self._declare(id, bolt, parallelism_hint, "bolt")

    def addOutputStream(self, id: str, streamId: str, output_fields: Sequence[str],
                        direct: bool = False) -> None:
        """Declare one more output stream of a component (old Petrel's API)."""
        comp = self._components.get(id) if isinstance(id, str) else None
        where = f"addOutputStream({id!r}, {streamId!r}, ...)"
        if comp is None:
            self.problems.append(f"{where}: no component '{id}' has been declared; call it after "
                                 "setSpout/setBolt, with the component id")
            return
        if not isinstance(streamId, str):
            self.problems.append(f"{where}: the stream id must be a string")
            return
        spec = (Stream(output_fields, direct) if isinstance(output_fields, (list, tuple))
                else output_fields)
        stream, problem = _stream_def(spec, f"{comp.kind} '{id}': stream '{streamId}'")
        if problem:
            self.problems.append(problem)
            return
        old = comp.streams.get(streamId)
        if old is not None and old != stream:
            self.problems.append(
                f"{comp.kind} '{id}': stream '{streamId}' is declared twice with different "
                f"fields ({old.fields} by declareOutputFields, {stream.fields} by "
                "addOutputStream); keep one")
            return
        comp.streams[streamId] = stream

    def createTopology(self) -> TopologyDef:
        """The TopologyDef declared so far (not validated: see ``petrel.topology.validate``)."""
        return TopologyDef(components=dict(self._components), conf=dict(self.conf))

    # -- internals -------------------------------------------------------------------------

    def _declare(self, id: Any, obj: Any, parallelism: Any, kind: str) -> ComponentDeclarer:
        call = "setSpout" if kind == "spout" else "setBolt"
        label = f"{kind} '{id}'"
        if not isinstance(id, str):
            self.problems.append(f"{call}({id!r}, ...): the component id must be a string")
            id = str(id)
        comp = ComponentDef(id=id, kind=kind)  # type: ignore[arg-type]
        if parallelism is not None:
            comp.parallelism = parallelism  # validation checks the value
        self._describe(comp, obj, call, label)
        if id in self._components:
            earlier = self._components[id].kind
            self.problems.append(f"{label}: the component id '{id}' is already used by the "
                                 f"{earlier} declared earlier; ids must be unique")
            return ComponentDeclarer(self, comp)  # chained calls still work, result discarded
        self._components[id] = comp
        return ComponentDeclarer(self, comp)

    def _describe(self, comp: ComponentDef, obj: Any, call: str, label: str) -> None:
        if isinstance(obj, type):
            self.problems.append(f"{label}: {call} got the class {obj.__name__}, not an instance; "
                                 f"write {obj.__name__}()")
            return
        if isinstance(obj, (ShellSpout, JavaSpout)):
            self._describe_foreign(comp, obj, label)
        elif isinstance(obj, Component):
            self._describe_petrel(comp, obj, label)
        else:
            self.problems.append(
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
            self.problems.append(f"{label}: a {cls} is a {kind}; declare it with {call}")
        if isinstance(obj, ShellSpout):
            command, script = obj.execution_command, obj.script
            if not is_command(command):
                self.problems.append(
                    f"{label}: {cls} execution_command {command!r} must be one program name or "
                    "path without spaces (Storm runs [execution_command, script] without a shell)")
            if not isinstance(script, str) or not script:
                self.problems.append(f"{label}: {cls} script {script!r} must be the path of the "
                                     "script, relative to the topology directory")
            comp.execution_command = str(command)
            comp.script = str(script)
        else:
            obj_def, problems = java_object(obj.class_name, obj.args, f"{label}: {cls}")
            self.problems.extend(problems)
            comp.java = obj_def

    def _describe_petrel(self, comp: ComponentDef, obj: Component, label: str) -> None:
        cls = type(obj)
        if comp.kind == "spout" and not isinstance(obj, Spout):
            self.problems.append(f"{label}: {cls.__name__} is not a Spout; declare it with setBolt "
                                 "or subclass petrel.emitter.Spout")
        if comp.kind == "bolt" and not isinstance(obj, Bolt):
            self.problems.append(f"{label}: {cls.__name__} is not a Bolt; declare it with setSpout "
                                 "or subclass petrel.emitter.Bolt/BasicBolt")
        module, problem = self._component_module(obj, label)
        if problem:
            self.problems.append(problem)
            return
        comp.module = module
        comp.execution_command = self._python
        comp.script = launcher_script(module)

    def _component_module(self, obj: Component, label: str) -> tuple[str, str | None]:
        """The dotted module name (relative to the topology dir) that runs ``obj``."""
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
                return "", (f"{label}: script={script!r} is outside the topology directory "
                            f"{self.topology_dir}; move the module into it so it ships in the jar")
            parts = list(rel.with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            module = ".".join(parts)
            if not all(p.isidentifier() for p in parts):
                return "", (f"{label}: {rel} cannot be imported as a Python module; use a file "
                            "name made of letters, digits and underscores")
        else:
            module = cls.__module__
            if module == "__main__":
                return "", (f"{label}: {cls.__name__} is defined in __main__; put it in a module "
                            "of the topology directory and import it in create.py")
            mod = sys.modules.get(module)
            mod_file = getattr(mod, "__file__", None)
            if self.topology_dir is not None:
                rel = self._relative(Path(mod_file).resolve()) if mod_file else None
                if rel is None:
                    return "", (f"{label}: {cls.__name__} comes from module '{module}' "
                                f"({mod_file or 'no file'}), outside the topology directory "
                                f"{self.topology_dir}; subclass it in a module of the topology "
                                "directory so it ships in the jar")
        problem = self._check_runnable(module, cls, label)
        return module, problem

    def _check_runnable(self, module: str, cls: type, label: str) -> str | None:
        """The worker imports ``module`` and calls its ``run()`` or its one component class."""
        try:
            mod = importlib.import_module(module)
        except Exception as exc:  # noqa: BLE001 - user code; reported, not raised
            return f"{label}: module '{module}' cannot be imported: {type(exc).__name__}: {exc}"
        if callable(getattr(mod, "run", None)) or getattr(mod, cls.__name__, None) is cls:
            return None
        return (f"{label}: module '{module}' neither defines {cls.__name__} nor a run() function, "
                "so the worker cannot find the component; fix script= or move the class there")

    def _relative(self, path: Path) -> Path | None:
        if self.topology_dir is None:
            return Path(path.name)
        try:
            return path.relative_to(self.topology_dir)
        except ValueError:
            return None

    def _declare_streams_and_conf(self, comp: ComponentDef, obj: Any, label: str) -> None:
        try:
            declared = obj.declareOutputFields()
        except Exception as exc:  # noqa: BLE001 - user code
            self.problems.append(f"{label}: {type(obj).__name__}.declareOutputFields() raised "
                                 f"{type(exc).__name__}: {exc}")
            declared = None
        streams, problems = parse_output_fields(declared, f"{label}: declareOutputFields()")
        self.problems.extend(problems)
        comp.streams.update(streams)
        try:
            conf = obj.getComponentConfiguration()
        except Exception as exc:  # noqa: BLE001 - user code
            self.problems.append(f"{label}: {type(obj).__name__}.getComponentConfiguration() "
                                 f"raised {type(exc).__name__}: {exc}")
            conf = None
        if conf is None:
            return
        if not isinstance(conf, dict):
            self.problems.append(f"{label}: getComponentConfiguration() must return a dict or "
                                 f"None, got {type(conf).__name__}")
            return
        comp.conf.update(conf)
