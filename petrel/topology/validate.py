"""Nimbus's checks, run before any jar is written (docs/internals/thrift.md#nimbus-checks).

Every rule Storm applies when a topology is submitted, plus the mistakes Storm only finds
at run time (direct grouping on a regular stream, fields missing from the subscribed
stream, non-positive parallelism). Each ``*_problems`` function returns one clear
message per problem; the ``validate_*`` functions raise them together as a PetrelError.
A Nimbus stand-in can call ``validate_topology`` / ``validate_storm_topology`` too.
"""

from __future__ import annotations

import difflib
import json
import math
import re
from dataclasses import dataclass
from typing import Any

from petrel.config import shown_value
from petrel.errors import PetrelError
from petrel.runtime.failures import ON_ERROR_CHOICES, ON_ERROR_KEY
from petrel.topology.model import ComponentDef, TopologyDef
from petrel.topology.serializer import SERIALIZER_KEY, SHELL_COMPONENTS_KEY
from petrel.topology.serializer import key_problem as serializer_key_problem

INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1

TOPOLOGY_NAME_RE = re.compile(r"^[^/.:\\]+$")
# Characters Nimbus refuses in topology names; petrel refuses them in component and
# stream ids too, because ids end up in file names, metric names and the Storm UI's URLs.
_FORBIDDEN_NAME_CHARS = ("/", ".", ":", "\\")


@dataclass(frozen=True)
class ConfType:
    """What Storm's ConfigValidation accepts for one config key."""

    kind: str                 # "int", "bool", "number", "string", "string_or_list", "string_map"
    positive: bool = False    # must be > 0 (or >= 0 with include_zero)
    include_zero: bool = False
    not_null: bool = False


# Typed keys petrel knows, with Storm's annotations (Config.java). petrel also requires
# topology.tick.tuple.freq.secs to be positive: a zero or negative period cannot be timed.
CONF_TYPES: dict[str, ConfType] = {
    "topology.workers": ConfType("int", positive=True),
    "topology.message.timeout.secs": ConfType("int", positive=True, not_null=True),
    "topology.max.spout.pending": ConfType("int", positive=True),
    "topology.shellbolt.max.pending": ConfType("int", positive=True, not_null=True),
    "topology.acker.executors": ConfType("int", positive=True, include_zero=True),
    "topology.eventlogger.executors": ConfType("int", positive=True, include_zero=True),
    "topology.tick.tuple.freq.secs": ConfType("int", positive=True),
    "topology.subprocess.timeout.secs": ConfType("int", positive=True),
    "topology.tasks": ConfType("int", positive=True, include_zero=True),
    "topology.max.task.parallelism": ConfType("int", positive=True),
    "topology.priority": ConfType("int", positive=True, include_zero=True),
    "topology.sleep.spout.wait.strategy.time.ms": ConfType("int", positive=True, include_zero=True),
    "topology.debug": ConfType("bool"),
    "topology.enable.message.timeouts": ConfType("bool"),
    "topology.fall.back.on.java.serialization": ConfType("bool"),
    "topology.backpressure.enable": ConfType("bool"),
    "topology.stats.sample.rate": ConfType("number", positive=True),
    "topology.worker.max.heap.size.mb": ConfType("number", positive=True),
    "topology.multilang.serializer": ConfType("string"),
    "topology.multilang.log.handler": ConfType("string"),
    "topology.name": ConfType("string"),
    "topology.worker.childopts": ConfType("string_or_list"),
    "topology.worker.logwriter.childopts": ConfType("string_or_list"),
    "topology.environment": ConfType("string_map"),
}


def is_int32(value: Any) -> bool:
    """True for a Python int (not bool) that fits Java's Integer."""
    return (isinstance(value, int) and not isinstance(value, bool)
            and INT32_MIN <= value <= INT32_MAX)


def json_round_trips(value: Any) -> bool:
    """True when ``value`` comes back unchanged from a JSON round trip (Storm's isValidConf)."""
    try:
        return json.loads(json.dumps(value, allow_nan=False)) == value
    except (TypeError, ValueError):
        return False


# -- names ------------------------------------------------------------------------------


def topology_name_problem(name: Any) -> str | None:
    """Why ``name`` cannot be a topology name (Storm's ``^[^/.:\\\\]+$``), or None."""
    if isinstance(name, str) and TOPOLOGY_NAME_RE.match(name):
        return None
    if not isinstance(name, str) or not name:
        return "the topology name is empty; give a name such as 'wordcount'"
    bad = sorted({c for c in name if c in _FORBIDDEN_NAME_CHARS})
    suggestion = re.sub(r"[/.:\\]", "-", name)
    return (f"topology name {name!r} contains {' '.join(repr(c) for c in bad)}, which Storm does "
            f"not allow ('/', '.', ':' and '\\\\' are forbidden); use e.g. {suggestion!r}")


def validate_topology_name(name: Any) -> None:
    """Raise PetrelError unless ``name`` is a valid Storm topology name."""
    problem = topology_name_problem(name)
    if problem:
        raise PetrelError(problem)


def _id_problem(what: str, value: Any) -> str | None:
    if not isinstance(value, str) or not value:
        return f"{what} {value!r} must be a non-empty string"
    if value.startswith("__"):
        return (f"{what} '{value}' starts with '__', which Storm reserves for its own "
                "components and streams; rename it")
    bad = sorted({c for c in value if c in _FORBIDDEN_NAME_CHARS})
    if bad:
        return (f"{what} '{value}' contains {' '.join(repr(c) for c in bad)}; use letters, digits, "
                "'-' and '_' ('/', '.', ':' and '\\\\' break Storm's metric names and paths)")
    return None


# -- config -----------------------------------------------------------------------------


def conf_problems(conf: Any, where: str = "config") -> list[str]:
    """The config survives a JSON round trip, and the keys petrel knows have Storm's types."""
    if not isinstance(conf, dict):
        return [f"{where} must be a mapping of config keys, got {type(conf).__name__}"]
    problems = []
    for key, value in conf.items():
        if not isinstance(key, str):
            problems.append(f"{where}: config key {key!r} is not a string; quote it")
            continue
        if not json_round_trips(value):
            problems.append(f"{where}: '{key}' = {shown_value(key, value)} does not survive a "
                            "JSON round trip, which Storm requires; use only strings, numbers, "
                            "booleans, null, lists and mappings with string keys")
            continue
        problem = conf_type_problem(key, value) or petrel_key_problem(key, value)
        if problem:
            problems.append(f"{where}: {problem}")
    return problems


# petrel's own settings (docs/config.md), besides petrel.parallelism.<component>.
# petrel.json_smart_simple: false stops petrel submit adding -DJSON_SMART_SIMPLE=true to
# topology.worker.childopts for a shell component's direct stream (petrel/cluster/jsonsmart.py).
JSON_SMART_KEY = "petrel.json_smart_simple"
# settings of the local runner (restarts, component log rotation): whole numbers >= 0
WHOLE_NUMBER_KEYS = ("petrel.max.start.failures", "petrel.log.max.bytes", "petrel.log.backups")
PETREL_KEYS = ("petrel.python", "petrel.pip_options", "petrel.workdir", ON_ERROR_KEY,
               "petrel.user", "petrel.host", JSON_SMART_KEY, SERIALIZER_KEY,
               SHELL_COMPONENTS_KEY) + WHOLE_NUMBER_KEYS
PARALLELISM_PREFIX = "petrel.parallelism."


def is_command(command: Any) -> bool:
    """True for a program name or path Storm can run as ``[command, script]``: no spaces."""
    return isinstance(command, str) and bool(command) and not any(c.isspace() for c in command)


def petrel_key_problem(key: str, value: Any) -> str | None:
    """Why a ``petrel.*`` key is no setting of petrel's (a typo would be ignored), or None."""
    if not key.startswith("petrel.") or key.startswith(PARALLELISM_PREFIX):
        return None
    if key == ON_ERROR_KEY and value not in ON_ERROR_CHOICES:
        return (f"'{key}' = {shown_value(key, value)} must be one of "
                f"{', '.join(ON_ERROR_CHOICES)}")
    if key == "petrel.python" and not is_command(value):
        return (f"petrel.python must be one interpreter name or path without spaces (Storm "
                f"does not split it), got {shown_value(key, value)}; use e.g. python3 or "
                "/usr/bin/python3.11")
    if key == JSON_SMART_KEY and not isinstance(value, bool):
        return f"'{key}' = {shown_value(key, value)} must be true or false"
    if key in WHOLE_NUMBER_KEYS and (type(value) is not int or value < 0):
        return f"'{key}' = {shown_value(key, value)} must be a whole number >= 0 (0: no limit)"
    if key in PETREL_KEYS:
        return serializer_key_problem(key, value)
    known = [k.split(".")[1] for k in PETREL_KEYS] + ["parallelism"]
    guess = difflib.get_close_matches(key.split(".")[1], known, n=1)
    hint = ""
    if guess:
        rest = key.split(".", 2)[2:] if guess[0] == "parallelism" else []
        hint = f"did you mean 'petrel.{guess[0]}{'.' + rest[0] if rest else ''}'? "
    return (f"'{key}' is not a petrel setting; {hint}petrel reads "
            f"{', '.join(PETREL_KEYS[:4])} and {PARALLELISM_PREFIX}<component>")


def conf_type_problem(key: str, value: Any) -> str | None:
    """Why Nimbus would reject ``key: value`` (InvalidTopologyException), or None."""
    spec = CONF_TYPES.get(key)
    if spec is None:
        return None
    shown = shown_value(key, value)   # never a secret in a message
    if value is None:
        return f"'{key}' must not be null; remove it or give a value" if spec.not_null else None
    text = _quoted_hint(value, spec.kind) \
        if isinstance(value, str) and spec.kind in ("int", "number", "bool") else ""
    if spec.kind == "int":
        if not is_int32(value):
            return (f"'{key}' = {shown} must be an integer between {INT32_MIN} and "
                    f"{INT32_MAX}{text}")
    elif spec.kind == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"'{key}' = {shown} must be a number{text}"
    elif spec.kind == "bool":
        if not isinstance(value, bool):
            return f"'{key}' = {shown} must be true or false{text}"
    elif spec.kind == "string":
        if not isinstance(value, str):
            return f"'{key}' = {shown} must be a string"
    elif spec.kind == "string_or_list":
        if not (isinstance(value, str)
                or (isinstance(value, list) and all(isinstance(v, str) for v in value))):
            return f"'{key}' = {shown} must be a string or a list of strings"
    elif spec.kind == "string_map":
        if not (isinstance(value, dict) and all(isinstance(v, str) for v in value.values())):
            return f"'{key}' = {shown} must be a mapping of strings to strings"
    if key == "topology.name" and isinstance(value, str):
        name_problem = topology_name_problem(value)
        if name_problem:
            return f"'{key}': {name_problem}"
    if spec.positive and value < 0 or (spec.positive and not spec.include_zero and value == 0):
        bound = "zero or more" if spec.include_zero else "greater than zero"
        return f"'{key}' = {shown} must be {bound}"
    return None


def _quoted_hint(value: str, kind: str) -> str:
    """Why a text value is refused: quoted (or from ${VAR}) when it reads as the right type."""
    text = value.strip().lower()
    if kind == "bool":
        fits = text in ("true", "false", "yes", "no", "on", "off")
    else:
        try:
            fits = math.isfinite(float(text))
        except ValueError:
            fits = False
    if fits:
        # YAML quotes and ${VAR} (expanded after parsing) both give text, never a number
        return " (it is text: write the value unquoted, not through ${VAR})"
    return "" if kind == "bool" else " (write a number, e.g. 2)"


def validate_conf_types(conf: dict[str, Any], source: str = "config") -> None:
    """Raise PetrelError listing every config value Nimbus would reject."""
    _raise(conf_problems(conf, source))


# -- topology ---------------------------------------------------------------------------


def topology_problems(topo: TopologyDef) -> list[str]:
    """Every structural problem of ``topo`` (Nimbus's and petrel's extras), one message each."""
    problems: list[str] = []
    comps = topo.components
    if not topo.spouts:
        problems.append("the topology has no spout; declare one with builder.setSpout(...)")
    for key, comp in comps.items():
        label = f"{comp.kind} '{comp.id}'"
        if key != comp.id:
            problems.append(f"{label} is registered under the id '{key}'; the ids must agree")
        problem = _id_problem("component id", comp.id)
        if problem:
            problems.append(problem)
        problems.extend(_component_problems(comp, label))
        for stream_id in comp.streams:
            problem = _id_problem("stream id", stream_id)
            if problem:
                problems.append(f"{label}: {problem}")
        if comp.kind == "spout" and comp.inputs:
            sources = ", ".join(f"'{s}'" for s, _ in comp.inputs)
            problems.append(f"{label} subscribes to {sources}, but a spout may not declare inputs; "
                            "make it a bolt (setBolt) or remove the grouping")
            continue
        for (source, stream_id), grouping in comp.inputs.items():
            problems.extend(_input_problems(topo, label, source, stream_id, grouping))
    return problems


def _implementations(comp: ComponentDef) -> int:
    return sum([comp.execution_command is not None, comp.java is not None,
                comp.serialized_java is not None])


def _component_problems(comp: ComponentDef, label: str) -> list[str]:
    problems = []
    if not is_int32(comp.parallelism) or comp.parallelism <= 0:
        problems.append(f"{label}: parallelism {comp.parallelism!r} must be a positive integer")
    if comp.num_tasks is not None and (not is_int32(comp.num_tasks) or comp.num_tasks <= 0):
        problems.append(f"{label}: setNumTasks({comp.num_tasks!r}) must be a positive integer")
    conf_tasks = comp.conf.get("topology.tasks")
    if comp.num_tasks is None and is_int32(conf_tasks) and conf_tasks == 0:
        problems.append(f"{label}: topology.tasks 0 gives the component no task; use 1 or more")
    impls = _implementations(comp)
    if impls != 1:
        problems.append(f"{label} must have exactly one implementation (shell command, Java "
                        f"class or serialised Java object), found {impls}")
    if comp.execution_command is not None:
        if not comp.execution_command or any(c.isspace() for c in comp.execution_command):
            problems.append(f"{label}: execution command {comp.execution_command!r} must be one "
                            "program name or path without spaces")
        if not comp.script:
            problems.append(f"{label}: a shell component needs a script")
    for stream_id, stream in comp.streams.items():
        if len(set(stream.fields)) != len(stream.fields):
            problems.append(f"{label}: stream '{stream_id}' declares a field twice: "
                            f"{stream.fields}")
    problems.extend(conf_problems(comp.conf, f"{label}: component config"))
    return problems


def _input_problems(topo: TopologyDef, label: str, source: str, stream_id: str,
                    grouping: Any) -> list[str]:
    src = topo.components.get(source)
    if src is None:
        names = ", ".join(topo.components) or "none"
        return [f"{label} subscribes to stream '{stream_id}' of '{source}', which does not exist; "
                f"components are: {names}"]
    stream = src.streams.get(stream_id)
    if stream is None and not src.streams and _implementations(src) == 0:
        return []   # its streams are unknown: the source's own problem is reported
    if stream is None:
        declared = ", ".join(f"'{s}'" for s in src.streams) or "none"
        return [f"{label} subscribes to stream '{stream_id}' of '{source}', which does not exist; "
                f"'{source}' declares the streams: {declared}"]
    problems = []
    if grouping.kind == "fields":
        for f in grouping.fields:
            if f not in stream.fields:
                problems.append(f"{label}: fields grouping on '{f}' but '{source}' declares "
                                f"{stream.fields} on stream '{stream_id}'")
    if grouping.kind == "direct" and not stream.direct:
        problems.append(f"{label}: direct grouping on stream '{stream_id}' of '{source}', which is "
                        "not a direct stream; declare it with petrel.emitter.Stream(fields, "
                        "direct=True) or use another grouping")
    if grouping.kind == "custom_object" and grouping.java_object is None:
        problems.append(f"{label}: custom grouping on '{source}' has no Java object")
    return problems


def validate_topology(topo: TopologyDef, source: str | None = None) -> None:
    """Raise PetrelError listing every problem of ``topo`` and of its config."""
    problems = topology_problems(topo) + conf_problems(topo.conf, "topology config")
    if source:
        problems = [f"{source}: {p}" for p in problems]
    _raise(problems)


def storm_topology_problems(storm_topology: Any) -> list[str]:
    """Problems of a decoded Thrift StormTopology, as Nimbus checks them on submit."""
    from petrel.topology.thrift import from_thrift

    problems = []
    maps = {"spouts": storm_topology.spouts or {}, "bolts": storm_topology.bolts or {},
            "state_spouts": storm_topology.state_spouts or {}}
    seen: dict[str, str] = {}
    for where, specs in maps.items():
        for cid in specs:
            if cid in seen:
                problems.append(f"duplicate component id '{cid}' (in {seen[cid]} and {where})")
            seen[cid] = where
    if problems:
        return problems
    try:
        topo = from_thrift(storm_topology, {})
    except PetrelError as exc:
        return [exc.message]
    return topology_problems(topo)


def validate_storm_topology(storm_topology: Any) -> None:
    """Raise PetrelError for a decoded Thrift StormTopology Nimbus would refuse."""
    _raise(storm_topology_problems(storm_topology))


def format_problems(problems: list[str]) -> str:
    """One problem as is; several as a count followed by one indented line each."""
    if len(problems) == 1:
        return problems[0]
    return f"{len(problems)} problems:\n" + "\n".join(f"  - {p}" for p in problems)


def _raise(problems: list[str]) -> None:
    if problems:
        raise PetrelError(format_problems(problems))
