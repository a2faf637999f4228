"""The names a topology's code imports: ``from petrel.emitter import Spout, Bolt, BasicBolt``.

The classes user components subclass live in the worker runtime (``petrel.runtime.spout``,
``petrel.runtime.bolt``, ``petrel.runtime.basic_bolt``, their base
``petrel.runtime.component``) and are re-exported here, with ``Stream`` and
``OutputFields`` (``petrel.runtime.outputs``). Defined here: the declarations of components
petrel does not run itself (``ShellSpout``/``ShellBolt`` for other multilang languages,
``JavaSpout``/``JavaBolt`` for JVM classes), which only create.py reads.

Old Petrel's names: ``EmitterBase`` is ``Component`` (the base of ``Spout``, ``Bolt`` and
``BasicBolt``); every component has ``DEFAULT_PYTHON``, ``execution_command`` and ``_json``
(what ``getComponentConfiguration`` returns by default) as before.

Worker side: standard library only, importable on Python 3.9+.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from petrel.runtime.basic_bolt import BasicBolt
from petrel.runtime.bolt import Bolt
from petrel.runtime.component import Component, carried_unchanged, storm_log_level
from petrel.runtime.outputs import OutputFields, Stream
from petrel.runtime.spout import Spout

# Old Petrel's name for the base of its Spout, Bolt and BasicBolt.
EmitterBase = Component

__all__ = [
    "BasicBolt", "Bolt", "Component", "EmitterBase", "JavaBolt", "JavaSpout", "OutputFields",
    "ShellBolt", "ShellSpout", "Spout", "Stream", "carried_unchanged", "storm_log_level",
]


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
