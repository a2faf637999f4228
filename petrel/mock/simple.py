"""``run_simple_topology``: old Petrel's linear chain, a spout followed by bolts."""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Sequence

from petrel.emitter import Bolt, JavaSpout, ShellSpout, Spout
from petrel.mock.engine import Engine
from petrel.mock.errors import MockError
from petrel.mock.results import NAMEDTUPLE, SimpleResult, TopologyResult, check_result_type
from petrel.topology.builder import parse_output_fields
from petrel.topology.model import ComponentDef, GroupingDef, TopologyDef


def unique_ids(names: Sequence[str]) -> List[str]:
    """``names`` with ``-2``, ``-3``... appended to repeats (component ids must be unique)."""
    seen: Dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name}-{seen[name]}")
    return out


def _describe(component: Any, position: int) -> str:
    return f"component {position} ({type(component).__name__})"


def _check_chain(components: Sequence[Any]) -> None:
    if isinstance(components, (str, bytes)) or not isinstance(components, Sequence):
        raise MockError(f"run_simple_topology takes a list of components (a spout, then "
                        f"bolts), got {type(components).__name__}")
    if not components:
        raise MockError("run_simple_topology got no components; give a spout (e.g. "
                        "mock.MockSpout(['field'], rows)) followed by bolts")
    first = components[0]
    if isinstance(first, type):
        raise MockError(f"{_describe(first, 1)}: got the class {first.__name__}, not an "
                        f"instance; write {first.__name__}()")
    if not isinstance(first, Spout):
        raise MockError(f"{_describe(first, 1)} is not a spout: the chain must start with a "
                        f"petrel Spout, e.g. mock.MockSpout(['sentence'], [['the bart the']])")
    seen: Dict[int, int] = {}
    for position, component in enumerate(components, start=1):
        if isinstance(component, type):
            raise MockError(f"{_describe(component, position)}: got the class "
                            f"{component.__name__}, not an instance; write "
                            f"{component.__name__}()")
        if id(component) in seen:
            raise MockError(f"{_describe(component, position)} is the same object as component "
                            f"{seen[id(component)]}; create one instance per place in the chain")
        seen[id(component)] = position
        if position > 1 and not isinstance(component, Bolt):
            if isinstance(component, Spout):
                kind = "a spout"
            elif isinstance(component, (ShellSpout, JavaSpout)):
                kind = "a shell or JVM component, which cannot run in-process"
            else:
                kind = "not a petrel component"
            raise MockError(f"{_describe(component, position)} is {kind}: after the first "
                            f"spout a chain holds only petrel Bolt/BasicBolt instances")


def component_def(cid: str, kind: str, component: Any) -> ComponentDef:
    """A ComponentDef from a component object's own declarations (no create.py)."""
    comp = ComponentDef(id=cid, kind=kind)  # type: ignore[arg-type]
    label = f"{kind} '{cid}' ({type(component).__name__})"
    try:
        declared = component.declareOutputFields()
    except Exception as exc:
        raise MockError(f"{label}: declareOutputFields() raised {type(exc).__name__}: "
                        f"{exc}") from exc
    streams, problems = parse_output_fields(declared, f"{label}: declareOutputFields()")
    if problems:
        raise MockError("; ".join(problems))
    comp.streams = streams
    try:
        conf = component.getComponentConfiguration()
    except Exception as exc:
        raise MockError(f"{label}: getComponentConfiguration() raised "
                        f"{type(exc).__name__}: {exc}") from exc
    if conf is not None and not isinstance(conf, dict):
        raise MockError(f"{label}: getComponentConfiguration() must return a dict or None, "
                        f"got {type(conf).__name__}")
    comp.conf = dict(conf or {})
    return comp


def chain_topology(components: Sequence[Any]) -> TopologyDef:
    """A TopologyDef of the chain: ids are class names; each bolt takes every stream of the
    component before it (shuffle grouping, or direct grouping for a direct stream)."""
    _check_chain(components)
    ids = unique_ids([type(c).__name__ for c in components])
    topo = TopologyDef()
    previous: Optional[ComponentDef] = None
    for position, (cid, component) in enumerate(zip(ids, components), start=1):
        comp = component_def(cid, "spout" if position == 1 else "bolt", component)
        if previous is not None:
            if not previous.streams:
                raise MockError(f"bolt '{cid}' ({type(component).__name__}) follows "
                                f"'{previous.id}', which declares no output fields, so it "
                                f"would receive nothing; return the fields from its "
                                f"declareOutputFields()")
            for stream_id, sdef in previous.streams.items():
                grouping = "direct" if sdef.direct else "shuffle"
                comp.inputs[(previous.id, stream_id)] = GroupingDef(grouping)  # type: ignore
        topo.components[cid] = comp
        previous = comp
    return topo


def run_simple_topology(config: Optional[Mapping[str, Any]], components: Sequence[Any],
                        result_type: int = NAMEDTUPLE, max_spout_emits: Optional[int] = None, *,
                        on_error: str = "raise",
                        spout_timeout: Optional[float] = None) -> SimpleResult:
    """Run a linear chain in-process; returns {component object: the tuples it emitted}.

    The first component is a spout; each component's output (all its streams) feeds the
    next. ``config`` None skips ``initialize`` (old Petrel). The spout's ``nextTuple`` is
    called until a call emits nothing, or until it has emitted ``max_spout_emits`` tuples
    (a spout that never stops needs it). ``result_type``: ``mock.NAMEDTUPLE`` (default, as
    in old Petrel: ``row.word``; such a row also equals the list of its values),
    ``mock.LIST``, ``mock.TUPLE`` or ``mock.STORM_TUPLE``. ``on_error`` 'raise' stops
    at the first exception in a component; 'continue' fails the tuple and goes on.
    ``spout_timeout`` (seconds) keeps calling a spout that emits nothing until it reaches
    ``max_spout_emits`` or the time passes (see ``run_topology``).
    """
    check_result_type(result_type)
    if config is not None and not isinstance(config, Mapping):
        raise MockError(f"config must be a dict (the topology config) or None, got "
                        f"{type(config).__name__}")
    topo = chain_topology(components)
    instances = dict(zip(topo.components, components))
    engine = Engine(topo, instances, config, initialize=config is not None,
                    on_error=on_error, max_spout_emits=max_spout_emits,
                    spout_timeout=spout_timeout)
    engine.run()
    result = TopologyResult(engine, result_type)
    return SimpleResult([(component, cid) for cid, component in instances.items()], result)


class Mock:
    """Old Petrel's ``mock.Mock``: its ``run_simple_topology`` classmethod works as before.

    Old Petrel's instances recorded emits by replacing ``storm.emit``; petrel attaches each
    component to a recording collector instead, so ``Mock()`` itself is refused with a
    message naming ``MockTask`` and ``run_simple_topology``.
    """

    def __init__(self) -> None:
        raise MockError("mock.Mock() is gone: petrel.mock attaches components instead of "
                        "replacing storm.emit. Drive one component with "
                        "mock.MockTask(component) (send(), next_tuple(), take()), or a chain "
                        "with mock.run_simple_topology(config, [spout, bolt, ...])")

    @classmethod
    def run_simple_topology(cls, config: Optional[Mapping[str, Any]],
                            components: Sequence[Any], result_type: int = NAMEDTUPLE,
                            max_spout_emits: Optional[int] = None,
                            **options: Any) -> SimpleResult:
        """``mock.run_simple_topology`` (old Petrel's ``Mock.run_simple_topology``)."""
        return run_simple_topology(config, components, result_type, max_spout_emits, **options)
