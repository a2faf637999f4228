"""``petrel pipe MODULE[:Class]``: find the component class and make one instance of it.

MODULE is imported as ``python -m`` would (the current directory first on ``sys.path``).
Without ``:Class`` the module must define exactly one Spout, Bolt or BasicBolt subclass.
Every way this can fail is one PetrelError naming the fix.
"""

from __future__ import annotations

import importlib
import os
import re
import sys
from typing import Any, List, Tuple

from petrel.emitter import Bolt, Spout
from petrel.errors import PetrelError

_DOTTED = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


def _import(module_name: str) -> Any:
    cwd = os.getcwd()
    if cwd not in sys.path and "" not in sys.path:
        sys.path.insert(0, cwd)
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and (module_name == exc.name or module_name.startswith(exc.name + ".")):
            raise PetrelError(
                f"module '{module_name}' not found in {cwd}; run petrel pipe from the "
                f"directory that holds {module_name.replace('.', '/')}.py (as with "
                f"python -m)") from exc
        raise PetrelError(f"importing module '{module_name}' failed: {exc}; install what it "
                          f"imports") from exc
    except SyntaxError as exc:
        raise PetrelError(f"{exc.filename} line {exc.lineno}: SyntaxError: {exc.msg}; "
                          f"fix the file") from exc
    except Exception as exc:
        raise PetrelError(f"importing module '{module_name}' raised {type(exc).__name__}: "
                          f"{exc}; run 'petrel --debug pipe ...' for the traceback") from exc


def _components_of(module: Any) -> List[type]:
    """The Spout/Bolt subclasses ``module`` defines itself (not those it imports)."""
    return [obj for obj in vars(module).values()
            if isinstance(obj, type) and issubclass(obj, (Spout, Bolt))
            and obj.__module__ == module.__name__]


def component_class(spec: str) -> Tuple[str, type]:
    """``MODULE[:Class]`` -> (module name, the component class)."""
    module_name, _, class_name = spec.partition(":")
    if not _DOTTED.match(module_name) or (class_name and not class_name.isidentifier()):
        raise PetrelError(f"'{spec}' is not MODULE or MODULE:CLASS (for example splitsentence "
                          f"or splitsentence:SplitSentenceBolt)")
    module = _import(module_name)
    if not class_name:
        found = _components_of(module)
        if len(found) != 1:
            what = "no Spout, Bolt or BasicBolt class" if not found else \
                "several components (" + ", ".join(c.__name__ for c in found) + ")"
            raise PetrelError(f"module '{module_name}' defines {what}; name the class to run "
                              f"as {module_name}:CLASS")
        return module_name, found[0]
    cls = getattr(module, class_name, None)
    if cls is None:
        names = ", ".join(c.__name__ for c in _components_of(module)) or "none"
        raise PetrelError(f"module '{module_name}' has no class '{class_name}'; its "
                          f"components: {names}")
    if not (isinstance(cls, type) and issubclass(cls, (Spout, Bolt))):
        raise PetrelError(f"'{spec}' is not a petrel Spout, Bolt or BasicBolt class")
    return module_name, cls


def make_component(spec: str) -> Tuple[str, Any]:
    """(component id, a new instance) for ``MODULE[:Class]``; the id is the module's name."""
    module_name, cls = component_class(spec)
    try:
        return module_name, cls()
    except Exception as exc:
        raise PetrelError(f"{cls.__name__}() raised {type(exc).__name__}: {exc}; petrel pipe "
                          f"makes the component without arguments") from exc
