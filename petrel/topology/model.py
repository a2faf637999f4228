"""The topology model every other part reads: components, streams, inputs and groupings.

The builder fills it, validation checks it, the Thrift module converts it to and from
Storm's ``StormTopology``, and the local runner and the mock run it. Names follow Storm.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

DEFAULT_STREAM = "default"

GroupingKind = Literal[
    "fields", "global", "shuffle", "all", "none", "direct", "local_or_shuffle",
    "custom_object", "custom_serialized",
]

# Thrift/context names of the grouping kinds: upper-case union names, and global grouping
# travels as FIELDS with no fields (docs/internals/protocol.md#grouping-objects).
CONTEXT_GROUPING_TYPE: dict[str, str] = {
    "fields": "FIELDS", "global": "FIELDS", "shuffle": "SHUFFLE", "all": "ALL", "none": "NONE",
    "direct": "DIRECT", "local_or_shuffle": "LOCAL_OR_SHUFFLE",
    "custom_object": "CUSTOM_OBJECT", "custom_serialized": "CUSTOM_SERIALIZED",
}


@dataclass
class JavaObjectDef:
    """A JVM object Storm builds by reflection: class name plus boxed constructor arguments.

    Each argument is a (thrift_type, value) pair, thrift_type one of
    'int', 'long', 'string', 'bool', 'binary', 'double'.
    """

    class_name: str
    args: list[tuple[str, Any]] = field(default_factory=list)


@dataclass
class StreamDef:
    """An output stream: its field names and whether emits on it are direct."""

    fields: list[str]
    direct: bool = False


@dataclass
class GroupingDef:
    """How a bolt subscribes to one (component, stream)."""

    kind: GroupingKind
    fields: list[str] = field(default_factory=list)   # for kind == "fields"
    java_object: JavaObjectDef | None = None           # for kind == "custom_object"
    serialized: bytes | None = None                    # for kind == "custom_serialized"

    def context_json(self) -> dict[str, Any]:
        """The grouping as the multilang handshake context shows it."""
        out: dict[str, Any] = {"type": CONTEXT_GROUPING_TYPE[self.kind]}
        if self.kind in ("fields", "global"):
            out["fields"] = list(self.fields) if self.kind == "fields" else []
        return out


@dataclass
class ComponentDef:
    """One spout or bolt of the topology, however it is implemented.

    Exactly one implementation is set: a shell component (``execution_command`` +
    ``script``; petrel's own components are shell components whose script is the worker
    launcher and whose ``module`` names the Python module), or a JVM object (``java``).
    """

    id: str
    kind: Literal["spout", "bolt"]
    streams: dict[str, StreamDef] = field(default_factory=dict)
    inputs: dict[tuple[str, str], GroupingDef] = field(default_factory=dict)
    parallelism: int = 1
    num_tasks: int | None = None
    conf: dict[str, Any] = field(default_factory=dict)
    execution_command: str | None = None
    script: str | None = None
    module: str | None = None          # petrel component: dotted module name under resources/
    java: JavaObjectDef | None = None  # JVM component
    serialized_java: bytes | None = None  # a Java-serialised component (only from decoding)

    @property
    def is_shell(self) -> bool:
        """True when Storm runs this component as a ``[execution_command, script]`` process."""
        return self.execution_command is not None

    @property
    def tasks(self) -> int:
        """Number of tasks Storm gives the component (topology.tasks, else parallelism)."""
        if self.num_tasks is not None:
            return self.num_tasks
        conf_tasks = self.conf.get("topology.tasks")
        if isinstance(conf_tasks, int):
            return conf_tasks
        return self.parallelism


@dataclass
class TopologyDef:
    """A whole topology: components in declaration order, plus the topology config."""

    components: dict[str, ComponentDef] = field(default_factory=dict)
    conf: dict[str, Any] = field(default_factory=dict)

    @property
    def spouts(self) -> dict[str, ComponentDef]:
        """The spouts, by id."""
        return {k: c for k, c in self.components.items() if c.kind == "spout"}

    @property
    def bolts(self) -> dict[str, ComponentDef]:
        """The bolts, by id."""
        return {k: c for k, c in self.components.items() if c.kind == "bolt"}

    def subscribers(self, component_id: str, stream_id: str) -> dict[str, GroupingDef]:
        """Consuming component id -> grouping, for one source stream."""
        return {
            c.id: g
            for c in self.components.values()
            for (src, stream), g in c.inputs.items()
            if src == component_id and stream == stream_id
        }


def launcher_script(module: str) -> str:
    """The file under the jar's ``resources/`` that Storm runs for a petrel component module.

    It is the ShellComponent ``script``; the jar builder writes it, and it hands over to the
    worker launcher (``petrel.runtime.launcher``) with the module name baked in.
    """
    return f"_petrel_launch_{module}.py"
