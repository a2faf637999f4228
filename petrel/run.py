"""The worker entry point: ``python -m petrel.run <module>`` runs one spout or bolt module.

The original Petrel's form ``python -m petrel.run <module> <logfile>`` works too: the log
goes to the log file's directory (as ``petrel<pid>_<module>.log``, the name the original's
launcher gave it), with a one-line note on stderr.

Storm (through petrel's launcher) starts every petrel task this way, in the topology's
``resources/`` directory. ``main`` starts the worker (``petrel.runtime.worker.start``:
stdio protected, log set up) before any user code runs, imports the module and calls its
``run()`` function, or else instantiates its single component class and calls the
component's ``run()``. Standard library only.
"""

from __future__ import annotations

import importlib
import inspect
import logging
import os
import sys
from typing import Any, List, Optional, Sequence

from petrel.runtime.basic_bolt import BasicBolt
from petrel.runtime.bolt import Bolt
from petrel.runtime.logs import LOGDIR_ENV, log_path
from petrel.runtime.spout import Spout
from petrel.runtime.worker import Worker, fail_startup, start

log = logging.getLogger("storm")
# Set to anything but "" or "0": the whole process runs under cProfile (a .prof beside the log).
PROFILE_ENV = "PETREL_PROFILE"


def component_classes(module: Any) -> List[type]:
    """The Spout/Bolt subclasses defined in ``module`` itself (not imported into it)."""
    bases = (Spout, Bolt, BasicBolt)
    return [obj for _, obj in inspect.getmembers(module, inspect.isclass)
            if issubclass(obj, (Spout, Bolt)) and obj not in bases
            and obj.__module__ == module.__name__]


def _run_module(worker: Worker, name: str) -> None:
    if os.getcwd() not in sys.path[:1]:
        sys.path.insert(0, os.getcwd())
    try:
        module = importlib.import_module(name)
    except Exception as exc:
        fail_startup(worker, "could not be imported", exc)
    except SystemExit as exc:
        fail_startup(worker, f"called sys.exit({exc.code!r}) while being imported")
    entry = getattr(module, "run", None)
    if callable(entry):
        try:
            entry()
        except Exception as exc:
            if not worker.handshake_done:
                fail_startup(worker, "failed before the handshake (in run() or the "
                                     "component's constructor)", exc)
            fail_startup(worker, "run() raised after the component ended", exc)
    else:
        classes = component_classes(module)
        if len(classes) != 1:
            found = ", ".join(c.__name__ for c in classes) or "none"
            fail_startup(worker, f"has no run() function and not exactly one component class "
                                 f"(found: {found}); add 'def run(): MyBolt().run()'")
        try:
            component = classes[0]()
        except Exception as exc:
            fail_startup(worker, f"{classes[0].__name__}() failed", exc)
        component.run()
    if not worker.component_started:
        fail_startup(worker, "run() returned without running a component; end it with "
                             "MyComponent().run()")


def _use_log_file_directory(log_file: str, module: str) -> None:
    """The original's ``<logfile>`` argument: log in its directory, and say so on stderr."""
    directory = os.path.dirname(os.path.abspath(log_file))
    os.environ[LOGDIR_ENV] = directory
    sys.stderr.write(f"petrel.run: note: the <logfile> argument is the original Petrel's form; "
                     f"the log is {log_path(module, directory=directory)} (PETREL_LOGDIR sets "
                     f"its directory)\n")
    sys.stderr.flush()


def main(argv: Optional[Sequence[str]] = None) -> int:
    """``python -m petrel.run <module> [<logfile>]``: run the component module as a Storm
    subprocess."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) not in (1, 2) or any(a.startswith("-") or not a for a in args):
        sys.stderr.write("usage: python -m petrel.run <module>\n"
                         "Runs a petrel spout or bolt module as a Storm multilang subprocess.\n")
        return 2
    name = args[0][:-3] if args[0].endswith(".py") else args[0]
    if len(args) == 2:
        _use_log_file_directory(args[1], name)
    worker = start(name)
    profiler = None
    if os.environ.get(PROFILE_ENV, "") not in ("", "0"):
        import cProfile
        profiler = cProfile.Profile()
        profiler.enable()
    try:
        _run_module(worker, name)
    finally:
        if profiler is not None:
            profiler.disable()
            out = os.path.splitext(worker.log_path)[0] + ".prof"
            profiler.dump_stats(out)
            log.info("cProfile statistics written to %s", out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
