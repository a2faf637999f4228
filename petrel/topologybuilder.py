"""Old Petrel's ``petrel.topologybuilder``: a TopologyBuilder whose topology is Thrift.

``TopologyBuilder`` is create.py's builder (``petrel.topology.builder``) with old Petrel's
extras: ``createTopology()`` returns Storm's Thrift ``StormTopology``, ``write(file)``
writes it in Thrift's binary protocol (a path or a binary stream) and ``read(file)`` reads
one back; bolt declarers also have the generic ``grouping(componentId, kind, grouping,
streamId)``. As in old Petrel, a petrel component appears as the shell command its object
names, ``[component.execution_command, <module>.py]``; the jar ``petrel build`` writes
runs petrel's launcher with the topology's ``petrel.python`` instead.

Mistakes are collected as in create.py; ``createTopology`` and ``write`` raise one
``TopologyError`` listing them all.
"""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path
from typing import Any, BinaryIO, Sequence, Union

from petrel.errors import PetrelError
from petrel.topology.builder import TopologyBuilder as _Builder
from petrel.topology.declarer import ComponentDeclarer
from petrel.topology.java import java_object
from petrel.topology.model import DEFAULT_STREAM, GroupingDef, JavaObjectDef, TopologyDef
from petrel.topology.thrift import deserialize_topology, serialize_topology, to_thrift

__all__ = ["BoltDeclarer", "TopologyBuilder", "TopologyError"]

# The members of Storm's Thrift Grouping union that carry no value (a NullStruct).
_VALUELESS = {"shuffle": "shuffle", "all": "all", "none": "none", "direct": "direct",
              "local_or_shuffle": "local_or_shuffle"}


class TopologyError(PetrelError, ValueError):
    """The declared topology has mistakes; the message lists every one."""


class BoltDeclarer(ComponentDeclarer):
    """What ``setBolt`` returns: create.py's declarer plus old Petrel's ``grouping``."""

    def grouping(self, componentId: str, attr: str, grouping: Any = None,
                 streamId: str = DEFAULT_STREAM) -> BoltDeclarer:
        """Subscribe with the Thrift Grouping member ``attr`` ('fields', 'shuffle', ...)."""
        where = f"grouping({componentId!r}, {attr!r}, ...)"
        if attr == "fields":
            if isinstance(grouping, (list, tuple)) and not grouping:
                self.globalGrouping(componentId, streamId)   # Storm's global grouping
            else:
                self.fieldsGrouping(componentId, grouping, streamId)
        elif attr in _VALUELESS:
            self._subscribe(componentId, streamId, GroupingDef(_VALUELESS[attr]),  # type: ignore
                            "grouping")
        elif attr == "custom_object" and isinstance(grouping, (str, JavaObjectDef)):
            self.customGrouping(componentId, grouping, streamId)
        elif attr == "custom_object" and hasattr(grouping, "full_class_name"):
            obj, problems = java_object(grouping.full_class_name, [], where)
            for problem in problems:
                self._problem(problem)
            self.customGrouping(componentId, obj, streamId)
        elif attr == "custom_serialized" and isinstance(grouping, (bytes, bytearray)):
            self.customGrouping(componentId, bytes(grouping), streamId)
        else:
            self._problem(f"{where}: {attr!r} is not a grouping petrel can declare; use "
                          f"'fields' (with a list of fields), {', '.join(map(repr, _VALUELESS))}"
                          f", 'custom_object' (a Java class name) or 'custom_serialized' "
                          f"(bytes)")
        return self


class TopologyBuilder(_Builder):
    """Storm's TopologyBuilder, old Petrel's way: ``createTopology()`` gives Thrift.

    ``topology_dir`` (default: none) is where component modules live; without it a
    component's module is named after its file alone, as old Petrel did. Modules are not
    imported to check them: that is ``petrel build``'s job.
    """

    def __init__(self, topology_dir: Union[str, Path, None] = None,
                 conf: Union[dict, None] = None, *,
                 shared_dirs: Sequence[Union[str, Path]] = ()) -> None:
        super().__init__(topology_dir, conf, shared_dirs=shared_dirs)
        self._objects: dict = {}

    def setSpout(self, id: str, spout: Any,
                 parallelism_hint: Union[int, None] = None) -> ComponentDeclarer:
        """Declare a spout; returns its declarer."""
        declarer = super().setSpout(id, spout, parallelism_hint)
        self._objects.setdefault(id, spout)
        return declarer

    def setBolt(self, id: str, bolt: Any,
                parallelism_hint: Union[int, None] = None) -> BoltDeclarer:
        """Declare a bolt; chain groupings (or ``grouping(...)``) on the returned declarer."""
        declarer = super().setBolt(id, bolt, parallelism_hint)
        self._objects.setdefault(id, bolt)
        return BoltDeclarer(self, declarer._component)

    def _check_runnable(self, module: str, cls: type, label: str) -> Union[str, None]:
        return None   # old Petrel never imported component modules here

    def declared(self) -> TopologyDef:
        """The topology as declared, petrel components as their objects' shell commands."""
        if self.problems:
            raise TopologyError("the topology has mistakes:\n- " + "\n- ".join(self.problems))
        topology = super().createTopology()
        for cid, comp in topology.components.items():
            if comp.module is not None:
                command = getattr(self._objects[cid], "execution_command", None)
                topology.components[cid] = dataclasses.replace(
                    comp, execution_command=command or comp.execution_command,
                    script=comp.module.replace(".", "/") + ".py")
        return topology

    def createTopology(self) -> Any:
        """The Thrift ``StormTopology`` declared so far; TopologyError listing any mistake."""
        return to_thrift(self.declared())

    def write(self, stream: Union[str, Path, BinaryIO]) -> Any:
        """Write the topology (Thrift binary protocol) to a path or binary stream; return it."""
        declared = self.declared()
        data = serialize_topology(declared)
        if isinstance(stream, (str, Path)):
            Path(stream).write_bytes(data)
        elif isinstance(stream, io.TextIOBase):
            raise TopologyError("write() writes Thrift's binary bytes: give a path, a file "
                                "opened with 'wb', or io.BytesIO (not a text stream)")
        else:
            stream.write(data)
        return to_thrift(declared)

    def read(self, stream: Union[str, Path, BinaryIO]) -> Any:
        """The Thrift ``StormTopology`` stored in a path or binary stream (as ``write``)."""
        if isinstance(stream, (str, Path)):
            data = Path(stream).read_bytes()
        else:
            data = stream.read()
        if isinstance(data, str):
            raise TopologyError("read() reads Thrift's binary bytes: give a path, a file "
                                "opened with 'rb', or io.BytesIO (not a text stream)")
        return deserialize_topology(data)

