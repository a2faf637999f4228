"""``run_topology``: a whole create.py run in-process, every grouping, stream and task."""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Sequence

from petrel.emitter import Stream
from petrel.mock.definition import load_definition
from petrel.mock.engine import Engine
from petrel.mock.errors import MockError
from petrel.mock.results import LIST, TopologyResult, check_result_type
from petrel.mock.spout import MockSpout
from petrel.semantics.layout import assign_tasks
from petrel.topology.model import TopologyDef


def _mock_spouts(topo: TopologyDef, conf: Dict[str, Any],
                 spout_data: Mapping[str, Sequence[Any]]) -> Dict[str, List[MockSpout]]:
    """One MockSpout per task of each spout in ``spout_data``, rows dealt round robin."""
    spouts = list(topo.spouts)
    unknown = [k for k in spout_data if k not in spouts]
    if unknown:
        raise MockError(f"spout_data names {unknown}, which are not spouts of the topology; "
                        f"spouts: {spouts}")
    layout = assign_tasks(topo, conf)
    out: Dict[str, List[MockSpout]] = {}
    for cid, rows in spout_data.items():
        if isinstance(rows, (str, bytes, Mapping)) or not isinstance(rows, Sequence):
            raise MockError(f"spout_data['{cid}'] must be a list of rows (each a list of "
                            f"values), got {type(rows).__name__}")
        streams = {s: Stream(d.fields, d.direct) for s, d in topo.components[cid].streams.items()}
        count = len(layout.component_tasks[cid])
        indexes = list(range(len(rows)))
        out[cid] = [MockSpout(streams, [rows[i] for i in indexes[n::count]], ids=indexes[n::count])
                    for n in range(count)]
    return out


def run_topology(definition: Any, spout_data: Optional[Mapping[str, Sequence[Any]]] = None,
                 config: Optional[Mapping[str, Any]] = None, *, ticks: Any = None,
                 max_spout_emits: Any = None, result_type: int = LIST,
                 initialize: bool = True, on_error: str = "raise",
                 seed: int = 0, spout_timeout: Optional[float] = None) -> TopologyResult:
    """Run a whole topology in-process and return what every component and task did.

    ``definition``: a topology directory (its ``create.create``), a create.py path, a
    ``MODULE.FUNCTION`` string, or a function taking the builder. ``spout_data``
    {spout_id: rows} replaces those spouts by MockSpouts (rows dealt round robin over the
    spout's tasks; message ids are the row indexes); other spouts run for real, bounded by
    ``max_spout_emits`` (per spout task; an int, or {spout_id: n}). ``config`` None reads
    the directory's topology.yaml. ``ticks``: tick rounds delivered once the spouts are
    done, an int for every bolt with ``topology.tick.tuple.freq.secs`` or {bolt_id: n}.
    ``on_error`` 'raise' stops at the first exception in a component; 'continue' fails the
    tuple and goes on, as a worker does. ``seed`` fixes shuffle grouping choices.
    ``spout_timeout`` (seconds): a real spout whose ``nextTuple`` emits nothing is called
    again (a spout fed by a thread or a queue) until it reaches ``max_spout_emits`` or the
    time passes; a spout still short of its ``max_spout_emits`` then fails the run.
    """
    check_result_type(result_type)
    if spout_data is not None and not isinstance(spout_data, Mapping):
        raise MockError(f"spout_data must be a dict {{spout_id: rows}}, got "
                        f"{type(spout_data).__name__}")
    with load_definition(definition, config) as loaded:
        task_objects = _mock_spouts(loaded.topology, loaded.conf, spout_data or {})
        engine = Engine(loaded.topology, loaded.objects, loaded.conf, initialize=initialize,
                        on_error=on_error, max_spout_emits=max_spout_emits, seed=seed,
                        name=loaded.name, task_objects=task_objects,
                        spout_timeout=spout_timeout)
        engine.run(ticks)
    return TopologyResult(engine, result_type)
