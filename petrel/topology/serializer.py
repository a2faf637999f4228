"""``petrel.serializer``: which multilang serializer the topology's shell components speak.

Storm picks one serializer for the whole topology (``topology.multilang.serializer``, read
by every ShellSpout and ShellBolt). ``json`` is Storm's own; ``msgpack`` is petrel's
``petrel.PetrelMsgpackSerializer``, which the packager puts into the jar. With msgpack, a
shell component that is not petrel's own (storm.py, Node, Ruby...) must speak MessagePack
too; the user says so by listing it in ``petrel.serializer.shell_components``, otherwise
the topology is refused. Java components do not use the multilang protocol.
"""

from __future__ import annotations

from typing import Any

from petrel.config import shown_value
from petrel.topology.model import TopologyDef

SERIALIZER_KEY = "petrel.serializer"
SHELL_COMPONENTS_KEY = "petrel.serializer.shell_components"
SERIALIZERS = ("json", "msgpack")
DEFAULT_SERIALIZER = "json"
STORM_SERIALIZER_KEY = "topology.multilang.serializer"
MSGPACK_CLASS = "petrel.PetrelMsgpackSerializer"


def key_problem(key: str, value: Any) -> str | None:
    """Why ``value`` is no valid ``petrel.serializer*`` setting, or None."""
    if key == SERIALIZER_KEY and value not in SERIALIZERS:
        return (f"'{key}' = {shown_value(key, value)} must be json or msgpack "
                "(json is Storm's default; msgpack is petrel's faster MessagePack serializer)")
    if key == SHELL_COMPONENTS_KEY and not (
            isinstance(value, list) and all(isinstance(v, str) for v in value)):
        return (f"'{key}' = {shown_value(key, value)} must be a list of component ids, "
                "e.g. [split-node, count-ruby]: the shell components that speak MessagePack")
    return None


def serializer(conf: dict[str, Any]) -> str:
    """The topology's serializer, ``json`` or ``msgpack`` (a bad value counts as json)."""
    value = conf.get(SERIALIZER_KEY, DEFAULT_SERIALIZER)
    return value if value in SERIALIZERS else DEFAULT_SERIALIZER


def uses_msgpack(conf: dict[str, Any]) -> bool:
    """True when ``petrel.serializer`` is msgpack."""
    return serializer(conf) == "msgpack"


def serializer_problems(topo: TopologyDef, conf: dict[str, Any]) -> list[str]:
    """What stops the topology from running with its ``petrel.serializer``, one line each."""
    if key_problem(SERIALIZER_KEY, conf.get(SERIALIZER_KEY, DEFAULT_SERIALIZER)):
        return []   # the config check reports the value
    value = conf.get(SHELL_COMPONENTS_KEY, [])
    declared: list[str] = value if key_problem(SHELL_COMPONENTS_KEY, value) is None else []
    problems = [_declared_problem(topo, cid) for cid in declared]
    storm_value = conf.get(STORM_SERIALIZER_KEY)
    if not uses_msgpack(conf):
        if storm_value == MSGPACK_CLASS:
            problems.append(
                f"'{STORM_SERIALIZER_KEY}' = {MSGPACK_CLASS} is set by "
                f"'{SERIALIZER_KEY}: msgpack', which also puts the class into the jar; "
                f"write that instead")
        return [p for p in problems if p]
    if storm_value is not None and storm_value != MSGPACK_CLASS:
        problems.append(
            f"'{STORM_SERIALIZER_KEY}' = {shown_value(STORM_SERIALIZER_KEY, storm_value)} "
            f"conflicts with '{SERIALIZER_KEY}: msgpack', which sets it to {MSGPACK_CLASS}; "
            "remove one of the two (Storm has one serializer per topology)")
    foreign = [c.id for c in topo.components.values()
               if c.is_shell and not c.module and c.id not in declared]
    if foreign:
        problems.append(
            f"'{SERIALIZER_KEY}: msgpack' makes Storm talk MessagePack to every shell "
            f"component, and these are not written with petrel: "
            f"{', '.join(repr(cid) for cid in foreign)}; if they speak MessagePack, list them "
            f"in '{SHELL_COMPONENTS_KEY}: [{', '.join(foreign)}]', else use "
            f"'{SERIALIZER_KEY}: json'")
    return [p for p in problems if p]


def _declared_problem(topo: TopologyDef, cid: str) -> str | None:
    """Why ``cid`` cannot be listed in ``petrel.serializer.shell_components``, or None."""
    comp = topo.components.get(cid)
    if comp is None:
        names = ", ".join(c.id for c in topo.components.values() if c.is_shell and not c.module)
        return (f"'{SHELL_COMPONENTS_KEY}' lists '{cid}', which is no component of the topology; "
                f"its shell components not written with petrel are: {names or 'none'}")
    if comp.module:
        return (f"'{SHELL_COMPONENTS_KEY}' lists '{cid}', a petrel component (petrel's own "
                "components follow petrel.serializer by themselves); remove it from the list")
    if not comp.is_shell:
        return (f"'{SHELL_COMPONENTS_KEY}' lists '{cid}', a Java component, which does not "
                "use the multilang serializer; remove it from the list")
    return None


def storm_conf(conf: dict[str, Any]) -> dict[str, Any]:
    """``conf`` with ``topology.multilang.serializer`` set as ``petrel.serializer`` asks.

    With msgpack it names petrel's class; with json ``conf`` is returned as it is (Storm's
    default, or whatever serializer the user chose).
    """
    if not uses_msgpack(conf):
        return conf
    return {**conf, STORM_SERIALIZER_KEY: MSGPACK_CLASS}
