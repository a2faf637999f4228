"""Storm's ``StormTopology`` in Thrift: petrel's IDL, and conversion to and from the model.

``storm.thrift`` next to this file is petrel's own description of Storm's IDL
(docs/internals/thrift.md). ``to_thrift``/``serialize_topology`` turn a ``TopologyDef``
into the bytes of ``resources/topology.ser`` (strict binary protocol, unions with exactly
one member, required fields always written); ``deserialize_topology``/``from_thrift`` read
them back, e.g. for the local runner.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from types import ModuleType
from typing import Any

from petrel.errors import PetrelError
from petrel.topology.model import (
    ComponentDef,
    GroupingDef,
    JavaObjectDef,
    StreamDef,
    TopologyDef,
)

IDL_PATH = Path(__file__).with_name("storm.thrift")

# Grouping kinds whose Thrift union member is a NullStruct.
_NULL_GROUPINGS = ("shuffle", "all", "none", "direct", "local_or_shuffle")
_GROUPING_MEMBERS = ("fields", "shuffle", "all", "none", "direct", "custom_object",
                     "custom_serialized", "local_or_shuffle")
_JAVA_ARG_MEMBERS = ("int_arg", "long_arg", "string_arg", "bool_arg", "binary_arg", "double_arg")
_LAUNCHER_PREFIX, _LAUNCHER_SUFFIX = "_petrel_launch_", ".py"


@functools.cache
def load_idl() -> ModuleType:
    """The thriftpy2 module built from petrel's ``storm.thrift`` (loaded once)."""
    import thriftpy2

    return thriftpy2.load(str(IDL_PATH), module_name="storm_thrift")


def _protocol_factory() -> Any:
    from thriftpy2.protocol import TBinaryProtocolFactory

    return TBinaryProtocolFactory(strict_read=False, strict_write=True)


# -- model -> Thrift --------------------------------------------------------------------


def to_thrift(topo: TopologyDef) -> Any:
    """The thriftpy2 ``StormTopology`` for ``topo`` (spouts and bolts in declaration order)."""
    t = load_idl()
    spouts, bolts = {}, {}
    for comp in topo.components.values():
        obj, common = _component_object(t, comp), _component_common(t, comp)
        if comp.kind == "spout":
            spouts[comp.id] = t.SpoutSpec(spout_object=obj, common=common)
        else:
            bolts[comp.id] = t.Bolt(bolt_object=obj, common=common)
    # state_spouts is required and never used; storm_version stays unset
    # (docs/internals/thrift.md#stormtopology).
    return t.StormTopology(spouts=spouts, bolts=bolts, state_spouts={})


def _component_object(t: ModuleType, comp: ComponentDef) -> Any:
    if comp.execution_command is not None:
        shell = t.ShellComponent(execution_command=comp.execution_command, script=comp.script or "")
        return t.ComponentObject(shell=shell)
    if comp.java is not None:
        return t.ComponentObject(java_object=_java_object(t, comp.java))
    if comp.serialized_java is not None:
        return t.ComponentObject(serialized_java=comp.serialized_java)
    raise PetrelError(f"{comp.kind} '{comp.id}' has no implementation (no shell command, Java "
                      "class or serialised object)")


def _java_object(t: ModuleType, obj: JavaObjectDef) -> Any:
    args = [t.JavaObjectArg(**{f"{type_name}_arg": value}) for type_name, value in obj.args]
    return t.JavaObject(full_class_name=obj.class_name, args_list=args)


def _grouping(t: ModuleType, g: GroupingDef) -> Any:
    if g.kind == "fields":
        return t.Grouping(fields=list(g.fields))
    if g.kind == "global":
        return t.Grouping(fields=[])
    if g.kind in _NULL_GROUPINGS:
        return t.Grouping(**{g.kind: t.NullStruct()})
    if g.kind == "custom_object" and g.java_object is not None:
        return t.Grouping(custom_object=_java_object(t, g.java_object))
    if g.kind == "custom_serialized" and g.serialized is not None:
        return t.Grouping(custom_serialized=g.serialized)
    raise PetrelError(f"grouping {g.kind!r} is incomplete or unknown")


def _component_common(t: ModuleType, comp: ComponentDef) -> Any:
    inputs = {t.GlobalStreamId(componentId=src, streamId=stream): _grouping(t, g)
              for (src, stream), g in comp.inputs.items()}
    streams = {sid: t.StreamInfo(output_fields=list(s.fields), direct=bool(s.direct))
               for sid, s in comp.streams.items()}
    conf = dict(comp.conf)
    if comp.num_tasks is not None:
        conf["topology.tasks"] = comp.num_tasks
    try:
        json_conf = json.dumps(conf, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise PetrelError(f"{comp.kind} '{comp.id}': the component config cannot be written as "
                          f"JSON ({exc}); use only strings, numbers, booleans, null, lists and "
                          "mappings with string keys") from None
    return t.ComponentCommon(inputs=inputs, streams=streams, parallelism_hint=comp.parallelism,
                             json_conf=json_conf)


def serialize_topology(topo: TopologyDef) -> bytes:
    """The bytes of ``resources/topology.ser``: ``StormTopology`` in strict binary protocol."""
    from thriftpy2.utils import serialize

    storm_topology = to_thrift(topo)
    check_required(storm_topology)
    return serialize(storm_topology, _protocol_factory())


def check_required(obj: Any, path: str = "StormTopology") -> None:
    """Raise PetrelError if a required field is unset anywhere inside a Thrift struct.

    thriftpy2 silently skips unset required fields on write, and Storm's reader then
    rejects the whole message, so petrel checks before writing.
    """
    spec = getattr(obj, "thrift_spec", None)
    if spec is not None:
        for field_spec in spec.values():
            name, required = field_spec[1], field_spec[-1]
            value = getattr(obj, name, None)
            if value is None:
                if required is True:
                    raise PetrelError(f"{path}.{name} is required but unset")
                continue
            check_required(value, f"{path}.{name}")
    elif isinstance(obj, dict):
        for key, value in obj.items():
            check_required(key, f"{path}[{key!r}]")
            check_required(value, f"{path}[{key!r}]")
    elif isinstance(obj, (list, set, tuple)):
        for i, value in enumerate(obj):
            check_required(value, f"{path}[{i}]")


# -- Thrift -> model --------------------------------------------------------------------


def deserialize_topology(data: bytes) -> Any:
    """Decode ``topology.ser`` bytes into a thriftpy2 ``StormTopology``."""
    from thriftpy2.utils import deserialize

    t = load_idl()
    try:
        topo = deserialize(t.StormTopology(), bytes(data), _protocol_factory())
    except Exception as exc:  # noqa: BLE001 - any decoding failure means the same thing
        raise PetrelError(f"not a valid Thrift StormTopology ({type(exc).__name__}: {exc}); "
                          "rebuild the jar with 'petrel build'") from None
    if topo.spouts is None or topo.bolts is None:
        raise PetrelError("not a valid Thrift StormTopology (required spouts/bolts missing); "
                          "rebuild the jar with 'petrel build'")
    return topo


def from_thrift(storm_topology: Any, conf: dict[str, Any] | None = None) -> TopologyDef:
    """The ``TopologyDef`` of a decoded ``StormTopology``; ``conf`` becomes its config.

    Shell components whose script is a petrel launcher get their ``module`` back, and
    ``topology.tasks`` in a component's json_conf becomes ``num_tasks``.
    """
    topo = TopologyDef(conf=dict(conf or {}))
    for kind, specs, obj_attr in (("spout", storm_topology.spouts, "spout_object"),
                                  ("bolt", storm_topology.bolts, "bolt_object")):
        for cid, spec in (specs or {}).items():
            if cid in topo.components:
                raise PetrelError(f"component id '{cid}' is used twice (spout and bolt)")
            comp = ComponentDef(id=cid, kind=kind)  # type: ignore[arg-type]
            _read_object(comp, getattr(spec, obj_attr))
            _read_common(comp, spec.common)
            topo.components[cid] = comp
    return topo


def _only_member(union: Any, members: tuple[str, ...], what: str) -> str:
    set_members = [m for m in members if getattr(union, m, None) is not None] if union else []
    if len(set_members) != 1:
        raise PetrelError(f"{what}: a Thrift union must have exactly one member set, found "
                          f"{set_members or 'none'}")
    return set_members[0]


def _read_object(comp: ComponentDef, obj: Any) -> None:
    label = f"{comp.kind} '{comp.id}'"
    member = _only_member(obj, ("serialized_java", "shell", "java_object"), f"{label} object")
    if member == "shell":
        comp.execution_command = obj.shell.execution_command or ""
        comp.script = obj.shell.script or ""
        script = comp.script
        if script.startswith(_LAUNCHER_PREFIX) and script.endswith(_LAUNCHER_SUFFIX):
            comp.module = script[len(_LAUNCHER_PREFIX):-len(_LAUNCHER_SUFFIX)]
    elif member == "java_object":
        comp.java = _read_java_object(obj.java_object, label)
    else:
        comp.serialized_java = bytes(obj.serialized_java)


def _read_java_object(obj: Any, label: str) -> JavaObjectDef:
    args = []
    for arg in obj.args_list or []:
        member = _only_member(arg, _JAVA_ARG_MEMBERS, f"{label} Java argument")
        args.append((member[: -len("_arg")], getattr(arg, member)))
    return JavaObjectDef(obj.full_class_name, args)


def _read_grouping(g: Any, label: str) -> GroupingDef:
    member = _only_member(g, _GROUPING_MEMBERS, f"{label} grouping")
    if member == "fields":
        fields = list(g.fields)
        return GroupingDef("fields", fields) if fields else GroupingDef("global")
    if member == "custom_object":
        return GroupingDef("custom_object", java_object=_read_java_object(g.custom_object, label))
    if member == "custom_serialized":
        return GroupingDef("custom_serialized", serialized=bytes(g.custom_serialized))
    return GroupingDef(member)  # type: ignore[arg-type]


def _read_common(comp: ComponentDef, common: Any) -> None:
    label = f"{comp.kind} '{comp.id}'"
    if common is None:
        raise PetrelError(f"{label}: the required ComponentCommon is missing")
    for gsid, grouping in (common.inputs or {}).items():
        comp.inputs[(gsid.componentId, gsid.streamId)] = _read_grouping(grouping, label)
    for sid, info in (common.streams or {}).items():
        comp.streams[sid] = StreamDef(list(info.output_fields or []), bool(info.direct))
    if common.parallelism_hint is not None:
        comp.parallelism = common.parallelism_hint
    if common.json_conf:
        try:
            conf = json.loads(common.json_conf)
        except ValueError as exc:
            raise PetrelError(f"{label}: json_conf is not valid JSON ({exc})") from None
        if not isinstance(conf, dict):
            raise PetrelError(f"{label}: json_conf must be a JSON object")
        tasks = conf.pop("topology.tasks", None)
        if isinstance(tasks, int) and not isinstance(tasks, bool):
            comp.num_tasks = tasks
        elif tasks is not None:
            conf["topology.tasks"] = tasks
        comp.conf = conf
