"""The kinds of component a worker runs, as each component class names its own.

The loops, the profiles and the keep-alive differ between a spout, a bolt and a
``BasicBolt``. They read the kind from the component (``kind_of``) instead of testing
its class, because the component classes import the worker to ``run()``: testing the
class would make the worker import them back.
"""

from __future__ import annotations

from typing import Any, Optional

SPOUT = "spout"
BOLT = "bolt"
BASIC_BOLT = "basic bolt"   # a bolt whose inputs petrel acks when process() returns


def kind_of(component: Any) -> Optional[str]:
    """SPOUT, BOLT or BASIC_BOLT for a petrel component; None for anything else."""
    return getattr(component, "_petrel_kind", None)


def is_spout(component: Any) -> bool:
    """True for a petrel Spout."""
    return kind_of(component) == SPOUT
