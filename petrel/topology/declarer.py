"""``ComponentDeclarer``: what create.py chains on ``setSpout``/``setBolt`` (groupings, config).

Each grouping method records one input of the component (source component, stream,
``GroupingDef``); mistakes go to the builder's ``problems`` list, so create.py sees them
all at once.
"""

from __future__ import annotations

from typing import Any, List, Protocol, Sequence

from petrel.topology.java import java_object
from petrel.topology.model import DEFAULT_STREAM, ComponentDef, GroupingDef, JavaObjectDef


class ProblemCollector(Protocol):
    """What a declarer reports to: the builder's list of problems."""

    problems: List[str]


class ComponentDeclarer:
    """What ``setSpout``/``setBolt`` return: groupings (bolts), task count and configuration.

    Every method returns the declarer, so calls chain as in Java. Grouping methods take
    the source component id, then (where relevant) the fields, then an optional stream id
    (old Petrel order); Java's order ``fieldsGrouping(src, stream, fields)`` works too.
    """

    def __init__(self, builder: ProblemCollector, component: ComponentDef) -> None:
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
