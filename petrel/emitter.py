"""The classes users subclass (Spout, Bolt, BasicBolt) and the declarations of foreign components.

Worker side: standard library only, importable on Python 3.9+. The same classes are
instantiated on the developer's machine by create.py, where only their declarations
(``declareOutputFields``, ``getComponentConfiguration``, the module they live in) are read.
The protocol loops that drive them on a worker live in ``petrel.runtime``.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Union

# What declareOutputFields may return: a list of fields for the 'default' stream, or a
# mapping of stream id to fields (or to a petrel.emitter.Stream for direct streams).
OutputFields = Union[Sequence[str], Dict[str, Any]]


class Stream:
    """An output stream declaration: its fields and whether it is a direct stream."""

    def __init__(self, fields: Sequence[str], direct: bool = False) -> None:
        self.fields = list(fields)
        self.direct = bool(direct)

    def __repr__(self) -> str:
        return f"Stream({self.fields!r}, direct={self.direct!r})"

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Stream) and other.fields == self.fields
                and other.direct == self.direct)


class Component:
    """What every petrel component shares: its declarations and its module."""

    def __init__(self, script: Optional[str] = None) -> None:
        # Old Petrel passed script=__file__ so the builder knows which module runs the
        # component; without it the builder uses the class's __module__.
        self.script = script

    def declareOutputFields(self) -> OutputFields:
        """Fields of the 'default' stream as a list, or {stream_id: fields} for several."""
        return []

    def getComponentConfiguration(self) -> Optional[Dict[str, Any]]:
        """Component-specific Storm config, e.g. {"topology.tick.tuple.freq.secs": 60}."""
        return None

    def initialize(self, conf: Dict[str, Any], context: Dict[str, Any]) -> None:
        """Called once on the worker after the handshake; heavy set-up belongs here."""


class Spout(Component):
    """A source of tuples. Storm calls nextTuple() repeatedly; emit with id= to be reliable."""

    def nextTuple(self) -> None:
        """Emit zero or more tuples; return quickly (sleep briefly when there is nothing)."""

    def ack(self, id: Any) -> None:
        """The tuple tree emitted with message id ``id`` was fully processed."""

    def fail(self, id: Any) -> None:
        """The tuple tree emitted with message id ``id`` failed or timed out."""

    def activate(self) -> None:
        """The topology was activated (Storm 1.1+ sends this before the first nextTuple)."""

    def deactivate(self) -> None:
        """The topology was deactivated; nextTuple will not be called until activate."""


class Bolt(Component):
    """A bolt that acks or fails each input itself (``storm.ack(tup)`` / ``storm.fail(tup)``)."""

    def process(self, tup: Any) -> None:
        """Handle one input tuple."""


class BasicBolt(Bolt):
    """A bolt whose emits inside process() are anchored to the input, acked when it returns."""


class ShellSpout:
    """A spout written in any multilang language: Storm runs ``[execution_command, script]``."""

    def __init__(self, execution_command: str, script: str, output_fields: OutputFields) -> None:
        self.execution_command = execution_command
        self.script = script
        self.output_fields = output_fields

    def declareOutputFields(self) -> OutputFields:
        """The output fields given to the constructor."""
        return self.output_fields

    def getComponentConfiguration(self) -> Optional[Dict[str, Any]]:
        """Shell components carry no component configuration of their own."""
        return None


class ShellBolt(ShellSpout):
    """A bolt written in any multilang language: Storm runs ``[execution_command, script]``."""


class JavaSpout:
    """A JVM spout on the cluster's classpath, built from its class name and constructor args."""

    def __init__(self, class_name: str, args: Optional[List[Any]] = None,
                 output_fields: OutputFields = ()) -> None:
        self.class_name = class_name
        self.args = list(args or [])
        self.output_fields = output_fields

    def declareOutputFields(self) -> OutputFields:
        """The output fields given to the constructor."""
        return self.output_fields

    def getComponentConfiguration(self) -> Optional[Dict[str, Any]]:
        """JVM components carry no component configuration of their own."""
        return None


class JavaBolt(JavaSpout):
    """A JVM bolt on the cluster's classpath, built from its class name and constructor args."""
