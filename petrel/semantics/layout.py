"""The task layout: task ids, the conf every task sees and each task's topology context.

Task ids run from 1 over the components of the *system* topology (the user's components
plus ``__acker`` when acking is on) in Java ``String`` order; ``__system`` takes none.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from petrel.semantics.groupings import java_string_sort_key
from petrel.topology.model import TopologyDef

ACKER = "__acker"

# Storm's defaults for the keys a multilang component may read.
STORM_DEFAULTS: dict[str, Any] = {
    "storm.cluster.mode": "local",
    "topology.message.timeout.secs": 30,
    "topology.max.spout.pending": None,
    "topology.shellbolt.max.pending": 100,
    "topology.multilang.serializer": "org.apache.storm.multilang.JsonSerializer",
    "supervisor.worker.timeout.secs": 30,
    "topology.tick.tuple.freq.secs": None,
    "topology.acker.executors": None,
    "topology.workers": 1,
    "topology.debug": False,
    "topology.enable.message.timeouts": True,
    "topology.eventlogger.executors": 0,
    "topology.tasks": None,
    "topology.max.task.parallelism": None,
    "topology.fall.back.on.java.serialization": False,
    "topology.builtin.metrics.bucket.size.secs": 60,
}

# Storm config keys a component's own conf may override (Executor.normalizedComponentConf).
COMPONENT_WHITELIST = frozenset({
    "topology.debug", "topology.max.spout.pending", "topology.max.task.parallelism",
    "topology.transactional.id", "topology.tick.tuple.freq.secs",
    "topology.sleep.spout.wait.strategy.time.ms", "topology.spout.wait.strategy",
    "topology.bolts.window.length.count", "topology.bolts.window.length.duration.ms",
    "topology.bolts.sliding.interval.count", "topology.bolts.sliding.interval.duration.ms",
    "topology.bolts.tuple.timestamp.field.name", "topology.bolts.tuple.timestamp.max.lag.ms",
    "topology.bolts.message.id.field.name", "topology.bolts.late.tuple.stream",
    "topology.state.provider", "topology.state.provider.config",
    "topology.state.checkpoint.interval.ms",
})

# Prefixes of Storm's own config keys; other keys are the user's and always reach components.
_STORM_KEY_PREFIXES = ("topology.", "storm.", "nimbus.", "supervisor.", "worker.", "drpc.",
                       "ui.", "logviewer.", "pacemaker.", "transactional.", "dev.zookeeper.",
                       "java.library.path", "zmq.", "task.", "executor.")


def acker_count(conf: dict[str, Any]) -> int:
    """Number of ``__acker`` tasks: topology.acker.executors, else topology.workers."""
    value = conf.get("topology.acker.executors")
    if value is None:
        value = conf.get("topology.workers") or 1
    return max(0, int(value))


def component_task_count(comp_tasks: int, conf: dict[str, Any]) -> int:
    """A component's task count with the topology-wide caps (topology.tasks, max parallelism)."""
    n = conf.get("topology.tasks") or comp_tasks
    cap = conf.get("topology.max.task.parallelism")
    if isinstance(cap, int) and cap > 0:
        n = min(n, cap)
    return int(n)


@dataclass
class TaskLayout:
    """Task id -> component id, and each component's sorted task ids."""

    task_component: dict[int, str] = field(default_factory=dict)
    component_tasks: dict[str, list[int]] = field(default_factory=dict)

    def context_map(self) -> dict[str, str]:
        """``task->component`` as the handshake shows it (string keys)."""
        return {str(t): c for t, c in sorted(self.task_component.items())}


def assign_tasks(topology: TopologyDef, conf: dict[str, Any]) -> TaskLayout:
    """Number the tasks of the system topology from 1, components in Java String order."""
    counts = {cid: component_task_count(c.tasks, conf) for cid, c in topology.components.items()}
    ackers = acker_count(conf)
    if ackers:
        counts[ACKER] = ackers
    layout = TaskLayout()
    next_id = 1
    for cid in sorted(counts, key=java_string_sort_key):
        ids = list(range(next_id, next_id + counts[cid]))
        next_id += counts[cid]
        layout.component_tasks[cid] = ids
        for t in ids:
            layout.task_component[t] = cid
    return layout


def is_storm_key(key: str) -> bool:
    """True for Storm's own config keys (dropped from component conf unless whitelisted)."""
    return key.startswith(_STORM_KEY_PREFIXES)


def topology_conf(user_conf: dict[str, Any], name: str, storm_id: str) -> dict[str, Any]:
    """The executor conf every task sees: Storm defaults, the topology conf, ids."""
    conf = dict(STORM_DEFAULTS)
    conf.update(user_conf)
    conf["topology.name"] = name
    conf["storm.id"] = storm_id
    conf["storm.cluster.mode"] = "local"
    return conf


def component_conf(base: dict[str, Any], comp_conf: dict[str, Any]) -> dict[str, Any]:
    """Merge a component's json_conf over the topology conf as Storm's executor does."""
    merged = dict(base)
    for key, value in comp_conf.items():
        if key in COMPONENT_WHITELIST or not is_storm_key(key):
            merged[key] = value
    return merged


def make_storm_id(name: str) -> str:
    """A topology id like Nimbus makes: ``<name>-1-<epoch seconds>``."""
    return f"{name}-1-{int(time.time())}"


def build_context(topology: TopologyDef, layout: TaskLayout, task_id: int) -> dict[str, Any]:
    """The handshake ``context`` of one task: only user-declared streams appear."""
    cid = layout.task_component[task_id]
    comp = topology.components[cid]
    stream_target_grouping: dict[str, dict[str, Any]] = {}
    for stream_id in comp.streams:
        subs = topology.subscribers(cid, stream_id)
        if subs:
            stream_target_grouping[stream_id] = {t: g.context_json() for t, g in subs.items()}
    source_stream_grouping: dict[str, dict[str, Any]] = {}
    source_stream_fields: dict[str, dict[str, list[str]]] = {}
    for (src, stream_id), grouping in comp.inputs.items():
        source_stream_grouping.setdefault(src, {})[stream_id] = grouping.context_json()
        source = topology.components.get(src)
        if source is not None:
            source_stream_fields[src] = {s: list(d.fields) for s, d in source.streams.items()}
    return {
        "task->component": layout.context_map(),
        "taskid": task_id,
        "componentid": cid,
        "streams": list(comp.streams),
        "stream->outputfields": {s: list(d.fields) for s, d in comp.streams.items()},
        "stream->target->grouping": stream_target_grouping,
        "source->stream->grouping": source_stream_grouping,
        "source->stream->fields": source_stream_fields,
    }
