"""What the three components share: the task ids of a component and the arrival record."""

from __future__ import annotations

import os
from typing import Any, Dict, List


def tasks_of(context: Dict[str, Any], component: str) -> List[int]:
    """The task ids of ``component``, ascending, from the handshake's task->component map."""
    return sorted(int(task) for task, cid in context["task->component"].items()
                  if cid == component)


def record(conf: Dict[str, Any], component: str, task: int, number: int, target: int) -> None:
    """Append ``number target task`` to ``<direct.out_dir>/<component>-<task>.txt``."""
    path = os.path.join(conf["direct.out_dir"], f"{component}-{task}.txt")
    with open(path, "a", encoding="utf-8") as f:
        f.write(f"{number} {target} {task}\n")
