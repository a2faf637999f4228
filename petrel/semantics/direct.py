"""Direct emits: which task a direct emit may target, as a Storm worker decides.

A direct emit names one task id. Storm drops the tuple silently when that task's component
does not subscribe to the stream, and refuses the emit when it subscribes with a regular
grouping. Each host words the refusal its own way, so ``check_direct`` only classifies.
"""

from __future__ import annotations

from typing import Any, Mapping

NOT_A_TASK_ID = "not a task id"     # not an integer (a bool is not one either)
NOT_SUBSCRIBED = "not subscribed"   # Storm drops the tuple
REGULAR_GROUPING = "regular grouping"  # the target subscribes, but not with directGrouping
DIRECT = "direct"                   # the tuple goes to that task


def check_direct(direct: Any, task_component: Mapping[int, str],
                 subscribers: Mapping[str, bool]) -> str:
    """Classify a direct emit to task ``direct``.

    ``task_component`` maps task ids to component ids; ``subscribers`` maps each component
    subscribing to the stream to True when it subscribes with directGrouping.
    """
    if not isinstance(direct, int) or isinstance(direct, bool):
        return NOT_A_TASK_ID
    cid = task_component.get(direct)
    if cid is None or cid not in subscribers:
        return NOT_SUBSCRIBED
    return DIRECT if subscribers[cid] else REGULAR_GROUPING
