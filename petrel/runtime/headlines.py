"""The first line a worker writes when its component cannot run: what failed and the fix.

Storm (and petrel's local runner) show the end of a task's stderr, and a traceback through
``importlib`` pushes the useful part out of view. So a failing worker writes one headline
first, naming the module and, for the usual mistakes, the fix; then a traceback trimmed of
the import machinery's frames (the full one goes to the component log).
"""

from __future__ import annotations

import importlib
import os
import re
import runpy
import traceback
from typing import List, Optional

# "SplitBolt.run() takes 0 positional arguments but 1 was given" (3.10+ names the class)
_RUN_WITHOUT_SELF = re.compile(r"^(?:[\w.<>]*?(\w+)\.)?run\(\) takes 0 positional arguments "
                               r"but 1 was given$")


def missing_module_fix(exc: BaseException) -> Optional[str]:
    """What to do about a module the component imports but the worker cannot find."""
    missing = _missing_module(exc)
    if missing is None:
        return None
    path = missing.replace(".", "/") + ".py"
    top = missing.split(".")[0]
    return (f"add {path} to manifest.txt if it is in the topology directory, or '{top}' to "
            f"requirements.txt if it comes from a package")


def _missing_module(exc: BaseException) -> Optional[str]:
    seen = set()
    current: Optional[BaseException] = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ModuleNotFoundError) and current.name:
            return current.name
        current = current.__cause__ or current.__context__
    return None


def wrong_run_signature(exc: BaseException, component_class: str = "") -> Optional[str]:
    """The headline for a ``run`` defined in a component class without ``self``.

    The book's ``def run():``, indented into the class by mistake, replaces the component's
    own ``run`` (petrel's protocol loop); calling it then fails with this TypeError.
    """
    if not isinstance(exc, TypeError):
        return None
    match = _RUN_WITHOUT_SELF.match(str(exc))
    if match is None:
        return None
    name = match.group(1) or component_class or "the component class"
    return (f"{name}.run() overrides petrel's run loop with the wrong signature; remove it or "
            f"rename it (a module-level 'def run(): {name}().run()' belongs outside the class)")


def short_traceback(exc: BaseException) -> str:
    """The traceback without the frames of Python's import and ``-m`` machinery."""
    lines: List[str] = []
    for line in traceback.format_exception(type(exc), exc, exc.__traceback__):
        where = line.lstrip()
        if where.startswith('File "<frozen ') or any(
                where.startswith(f'File "{d}') for d in _MACHINERY):
            continue
        lines.append(line)
    return "".join(lines)


_MACHINERY = (os.path.dirname(importlib.__file__ or "") + os.sep, runpy.__file__ or "<runpy>")
