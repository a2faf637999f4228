"""The create.py builder: Storm's ``TopologyBuilder`` API, filling a ``TopologyDef``.

``create(builder)`` calls ``setSpout``/``setBolt`` and chains groupings on the returned
declarer (``petrel.topology.declarer``), exactly as with Storm's Java ``TopologyBuilder``
(and old Petrel's builder). What each component object declares is read by
``petrel.topology.describe``. Mistakes are collected in ``builder.problems`` instead of
raised one at a time, so the user sees every problem of create.py at once;
``petrel.topology.loader`` reports them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

from petrel.emitter import Stream
from petrel.topology.declarer import ComponentDeclarer
from petrel.topology.describe import ComponentDescriber, check_runnable
from petrel.topology.java import JavaArg, java_arg
from petrel.topology.model import ComponentDef, TopologyDef
from petrel.topology.output_fields import parse_output_fields, stream_def
from petrel.topology.validate import is_command

__all__ = ["ComponentDeclarer", "JavaArg", "TopologyBuilder", "java_arg", "parse_output_fields"]


class TopologyBuilder:
    """Storm's TopologyBuilder for create.py: ``setSpout``, ``setBolt``, ``addOutputStream``.

    ``topology_dir`` is where petrel component modules live (they ship in the jar), besides
    ``shared_dirs``: the directories the topology's manifest ships at the jar's root with
    ``[from DIR]`` lines (the caller reads the manifest). ``conf`` is the topology config
    (``petrel.python`` picks the workers' interpreter).
    """

    def __init__(self, topology_dir: str | Path | None = None,
                 conf: dict[str, Any] | None = None, *,
                 shared_dirs: Sequence[str | Path] = ()) -> None:
        self.topology_dir = Path(topology_dir).resolve() if topology_dir is not None else None
        self.conf: dict[str, Any] = dict(conf or {})
        self.problems: list[str] = []
        self._components: dict[str, ComponentDef] = {}
        python = self.conf.get("petrel.python", "python3")
        if not is_command(python):   # the config check reports it, naming the file
            python = "python3"
        self._describer = ComponentDescriber(self.topology_dir, python, self.problems.append,
                                             self._check_runnable,
                                             [Path(d) for d in shared_dirs])

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
        stream, problem = stream_def(spec, f"{comp.kind} '{id}': stream '{streamId}'")
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
        self._describer.describe(comp, obj, call, label)
        if id in self._components:
            earlier = self._components[id].kind
            self.problems.append(f"{label}: the component id '{id}' is already used by the "
                                 f"{earlier} declared earlier; ids must be unique")
            return ComponentDeclarer(self, comp)  # chained calls still work, result discarded
        self._components[id] = comp
        return ComponentDeclarer(self, comp)

    def _check_runnable(self, module: str, cls: type, label: str) -> str | None:
        """The worker finds the component in ``module`` (a subclass may relax the check)."""
        return check_runnable(module, cls, label)
