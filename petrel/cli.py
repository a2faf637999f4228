"""The ``petrel`` command: argument parsing for every sub-command, dispatch, and error display.

Every option of every sub-command is declared here, so this file is the CLI reference;
the work itself lives in the feature packages (``petrel.package``, ``petrel.local``,
``petrel.cluster``, ``petrel.tools``), imported only when their command runs.
"""

from __future__ import annotations

import argparse
import importlib
import math
import os
import sys
import traceback
from typing import Callable, Sequence

from petrel import __version__
from petrel.errors import PetrelError

# The worker runtime supports Python 3.9; the CLI does not.
if sys.version_info < (3, 10):  # pragma: no cover
    sys.exit("petrel: the petrel command needs Python 3.10 or newer (workers may run 3.9)")


def _common_topology(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", "-c", metavar="FILE", default="topology.yaml",
                   help="the topology's YAML config (default: topology.yaml); its directory "
                        "is the topology directory")
    p.add_argument("--definition", "-d", metavar="MOD.FUNC", default="create.create",
                   help="function that receives the builder (default: create.create)")


def _common_nimbus(p: argparse.ArgumentParser, *, config: bool = True) -> None:
    p.add_argument("--nimbus", metavar="HOST[:PORT]",
                   help="Nimbus seed to contact (default: nimbus.seeds from the config, "
                        "then storm.yaml, then localhost:6627)")
    if config:
        p.add_argument("--config", "-c", metavar="FILE", default=None,
                       help="topology.yaml to read nimbus.seeds / nimbus.thrift.port from")
    p.add_argument("--timeout", type=_positive_float, default=30.0, metavar="S",
                   help="network timeout in seconds for each Nimbus call (default: 30)")


# Seconds petrel accepts for --duration and --timeout (about 31 years).
MAX_SECONDS = 1e9
# Storm's counts and waits are Thrift i32.
INT32_MAX = 2**31 - 1


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value) or value > MAX_SECONDS:
        raise argparse.ArgumentTypeError(f"{text!r} must be a number of seconds up to "
                                         f"{MAX_SECONDS:.0f}")
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be greater than 0")
    return value


def _int32(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if abs(value) > INT32_MAX:
        raise argparse.ArgumentTypeError(f"{text!r} is too large (Storm's limit is "
                                         f"{INT32_MAX})")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argparse tree for ``petrel`` and all its sub-commands."""
    parser = argparse.ArgumentParser(
        prog="petrel",
        description="Write, test, run and ship Apache Storm topologies in 100% Python.",
        epilog="Run 'petrel COMMAND --help' for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"petrel {__version__}")
    parser.add_argument("--debug", action="store_true",
                        help="show Python tracebacks for errors (for bug reports)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("build", help="build the topology jar",
                       description="Load create.py, validate the topology as Nimbus would, "
                                   "and write the jar Storm runs.")
    _common_topology(p)
    p.add_argument("--destjar", metavar="PATH", default=None,
                   help="where to write the jar (default: topology.jar in the topology directory)")

    p = sub.add_parser(
        "submit", help="run locally (no NAME) or submit to a Storm cluster (with NAME)",
        description="Without NAME: build the jar and run it on this machine with the embedded "
                    "local runner until Ctrl+C, SIGTERM or --duration. With NAME: build the jar, "
                    "upload it to Nimbus and submit it as topology NAME.")
    p.add_argument("name", nargs="?", metavar="NAME",
                   help="topology name on the cluster; omit it to run locally")
    _common_topology(p)
    p.add_argument("--destjar", metavar="PATH", default=None,
                   help="where to write the jar (default: a temporary file)")
    p.add_argument("--logdir", metavar="DIR", default=None,
                   help="directory for component logs (default: one the start line names)")
    p.add_argument("--venv", metavar="self|new|PATH", default=None,
                   help="Python environment for the components: 'self' (this interpreter; "
                        "the local default), 'new' (build it as a worker would), or a path")
    p.add_argument("--duration", type=_positive_float, metavar="S", default=None,
                   help="local run: stop cleanly after S seconds")
    p.add_argument("--stats-json", metavar="FILE", default=None,
                   help="local run: write the final statistics as JSON to FILE")
    p.add_argument("--fail-fast", action="store_true",
                   help="local run: stop the topology at the first component failure "
                        "instead of restarting the task")
    p.add_argument("--quiet", "-q", action="store_true",
                   help="local run: no progress lines, only errors and the final table")
    p.add_argument("--profile", action="store_true",
                   help="local run: write a cProfile file per component task to the log directory")
    p.add_argument("--inactive", action="store_true",
                   help="cluster: submit the topology deactivated")
    p.add_argument("--force", action="store_true",
                   help="cluster: kill a running topology of the same name first")
    p.add_argument("--via-storm-cli", action="store_true",
                   help="cluster or local: go through the installed 'storm' command (jvm/)")
    _common_nimbus(p, config=False)

    p = sub.add_parser("kill", help="kill a running topology")
    p.add_argument("name", metavar="NAME", help="the topology's name on the cluster")
    p.add_argument("--wait", type=_int32, metavar="S", default=None,
                   help="seconds Storm waits before removing it (default: its message timeout)")
    _common_nimbus(p)

    p = sub.add_parser("list", help="list the topologies on the cluster")
    _common_nimbus(p)

    p = sub.add_parser("status", help="per-component statistics and errors of topologies")
    p.add_argument("name", nargs="?", metavar="NAME", help="one topology (default: all)")
    _common_nimbus(p)

    for verb in ("activate", "deactivate"):
        p = sub.add_parser(verb, help=f"{verb} a running topology")
        p.add_argument("name", metavar="NAME", help="the topology's name on the cluster")
        _common_nimbus(p)

    p = sub.add_parser("rebalance", help="change workers or executors of a running topology")
    p.add_argument("name", metavar="NAME", help="the topology's name on the cluster")
    p.add_argument("--workers", "-n", type=_int32, metavar="N", default=None,
                   help="new number of worker processes (default: unchanged)")
    p.add_argument("--executors", "-e", action="append", metavar="COMP=N", default=[],
                   help="new executor count for a component (repeatable)")
    p.add_argument("--wait", type=_int32, metavar="S", default=None,
                   help="seconds to wait before rebalancing (default: the message timeout)")
    _common_nimbus(p)

    p = sub.add_parser("graph", help="draw the topology (dot, mermaid, svg, png)")
    _common_topology(p)
    p.add_argument("--format", "-f", choices=["dot", "mermaid", "svg", "png"], default=None,
                   help="picture format (default: from the -o suffix .svg/.png/.mmd, else dot)")
    p.add_argument("--output", "-o", metavar="FILE", default=None,
                   help="write to FILE instead of standard output")

    p = sub.add_parser("init", help="create a new topology directory from the word-count template")
    p.add_argument("name", metavar="NAME", help="directory to create")
    return parser


# Command name -> "module:function". Each function takes the parsed arguments and returns
# the exit code. The module is imported only when its command runs.
HANDLERS: dict[str, str] = {
    "build": "petrel.package.command:run_build",
    "submit": "petrel.submit:run_submit",
    "kill": "petrel.cluster.commands:run_kill",
    "list": "petrel.cluster.commands:run_list",
    "status": "petrel.cluster.commands:run_status",
    "activate": "petrel.cluster.commands:run_activate",
    "deactivate": "petrel.cluster.commands:run_deactivate",
    "rebalance": "petrel.cluster.commands:run_rebalance",
    "graph": "petrel.tools.graph:run_graph",
    "init": "petrel.tools.init:run_init",
}


def _handler(command: str) -> Callable[[argparse.Namespace], int]:
    module_name, func_name = HANDLERS[command].split(":")
    module = importlib.import_module(module_name)
    return getattr(module, func_name)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``petrel`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    debug = args.debug or os.environ.get("PETREL_DEBUG") == "1"
    try:
        return int(_handler(args.command)(args) or 0)
    except PetrelError as exc:
        if debug:
            traceback.print_exc()
        print(f"petrel {args.command}: error: {exc.message}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"petrel {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
