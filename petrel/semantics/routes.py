"""Where the tuples of one stream go: its subscribers, their groupers and direct subscribers.

Both hosts build the same plan for every (component, stream) and keep what they need of it
in their own route objects; ``regular_targets`` is Storm's pick for a regular emit.
"""

from __future__ import annotations

import random
from typing import Any, Dict, List, Optional, Sequence

from petrel.semantics.groupings import Grouper, make_grouper
from petrel.semantics.layout import TaskLayout
from petrel.topology.model import TopologyDef


class StreamPlan:
    """The subscriptions of one stream, in subscription order."""

    __slots__ = ("stream", "fields", "groupers", "direct_of", "grouping_of", "grouped")

    def __init__(self, stream: str, fields: List[str]) -> None:
        self.stream = stream
        self.fields = fields
        self.groupers: List[Grouper] = []       # one per consumer with a regular grouping
        self.grouped: List[str] = []            # those consumers, in the same order
        self.direct_of: Dict[str, bool] = {}    # consumer id -> subscribes with directGrouping
        self.grouping_of: Dict[str, str] = {}   # consumer id -> grouping kind

    @property
    def has_direct(self) -> bool:
        """True when some consumer subscribes with directGrouping."""
        return any(self.direct_of.values())


def plan_stream(topology: TopologyDef, layout: TaskLayout, component_id: str, stream_id: str,
                rng: Optional[random.Random] = None) -> StreamPlan:
    """The plan of ``component_id``'s stream ``stream_id`` over the task layout."""
    fields = list(topology.components[component_id].streams[stream_id].fields)
    plan = StreamPlan(stream_id, fields)
    for consumer, grouping in topology.subscribers(component_id, stream_id).items():
        plan.grouping_of[consumer] = grouping.kind
        if grouping.kind == "direct":
            plan.direct_of[consumer] = True
            continue
        plan.direct_of[consumer] = False
        plan.groupers.append(make_grouper(grouping.kind, layout.component_tasks[consumer],
                                          fields, grouping.fields, rng))
        plan.grouped.append(consumer)
    return plan


def regular_targets(groupers: Sequence[Grouper], values: Any) -> List[int]:
    """The target tasks of a regular (not direct) emit of ``values``."""
    if len(groupers) == 1:
        return groupers[0](values)
    targets: List[int] = []
    for grouper in groupers:
        targets += grouper(values)
    return targets
