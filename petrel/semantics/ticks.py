"""Tick tuples: which tasks get them, how often, and what one looks like.

A bolt whose component conf sets ``topology.tick.tuple.freq.secs`` gets a tuple on stream
``__tick`` from component ``__system`` (task -1, values ``[secs]``) every that many seconds.
Spouts never get ticks.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional

from petrel.runtime.tuples import TICK_COMPONENT, TICK_STREAM
from petrel.runtime.tuples import Tuple as StormTuple

TICK_CONF = "topology.tick.tuple.freq.secs"


def tick_secs(kind: str, component_conf: Mapping[str, Any]) -> Optional[int]:
    """The tick period of a task of this kind and merged component conf; None: no ticks."""
    secs = component_conf.get(TICK_CONF)
    if kind != "bolt" or not secs:
        return None
    return int(secs)


def next_tick(due: float, secs: float, now: float) -> float:
    """When the tick after the one due at ``due`` is due; a late loop does not catch up."""
    due += secs
    return due if due >= now else now + secs


def tick_values(secs: int) -> list:
    """The values of a tick tuple."""
    return [secs]


def make_tick(tuple_id: str, secs: int) -> StormTuple:
    """A tick tuple as Storm sends it: component __system, stream __tick, task -1, [secs]."""
    return StormTuple(tuple_id, TICK_COMPONENT, TICK_STREAM, -1, tick_values(secs), None)
