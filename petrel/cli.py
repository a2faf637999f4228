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
import signal
import sys
import threading
import traceback
from typing import Any, Callable, Sequence

from petrel.cli_parser import PetrelParser, VersionAction, accept_global_flags
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


def _common_nimbus(p: argparse.ArgumentParser, *, config: bool = True,
                   nimbus: Any = None) -> None:
    (nimbus or p).add_argument("--nimbus", metavar="HOST[:PORT]",
                   help="Nimbus seed to contact (default: nimbus.seeds from the config, "
                        "then storm.yaml, then localhost:6627)")
    if config:
        p.add_argument("--config", "-c", metavar="FILE", default=None,
                       help="topology.yaml to read nimbus.seeds / nimbus.thrift.port from")
    p.add_argument("--timeout", type=_positive_float, default=30.0, metavar="S",
                   help="network timeout in seconds for each Nimbus call (default: 30)")


# Seconds petrel accepts for --duration and --timeout (about 31 years).
MAX_SECONDS = 1e9


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


def _non_negative_float(text: str) -> float:
    try:
        if float(text) == 0:
            return 0.0
    except ValueError:
        pass
    return _positive_float(text)


def _int32(text: str) -> int:
    from petrel.topology.validate import INT32_MAX  # Storm's counts and waits are Thrift i32

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if abs(value) > INT32_MAX:
        raise argparse.ArgumentTypeError(f"{text!r} is too large (Storm's limit is "
                                         f"{INT32_MAX})")
    return value


def _port(text: str) -> int:
    value = _int32(text)
    if not 0 < value < 65536:
        raise argparse.ArgumentTypeError(f"{text!r} is not a TCP port (1-65535)")
    return value


def _slots(text: str) -> int:
    value = _int32(text)
    if not 1 <= value <= 64:
        raise argparse.ArgumentTypeError(f"{text!r}: give 1 to 64 worker slots")
    return value


def _storm_parser(sub: argparse._SubParsersAction) -> None:
    """``petrel storm up | status | down | logs``: a real Apache Storm on this machine."""
    storm = sub.add_parser(
        "storm", help="run a real Apache Storm cluster on this machine (up/status/down/logs)",
        description="A single-machine Apache Storm cluster from Storm's own jars (fetched with "
                    "Maven and cached), for trying topologies on the real thing.")
    actions = storm.add_subparsers(dest="storm_action", metavar="ACTION", required=True)
    ups = actions.add_parser(
        "up", help="start ZooKeeper, Nimbus, a Supervisor and the UI",
        description="Start Storm's development ZooKeeper, Nimbus, one Supervisor and the UI as "
                    "background processes, and wait until Nimbus answers and the supervisor "
                    "has registered. A cluster that is already running is left as it is.")
    ups.add_argument("--version", dest="storm_version", metavar="V", default=None,
                     help="Storm release (2.8.3) or series (2.8: its newest release that "
                          "resolves; the default)")
    ups.add_argument("--home", metavar="DIR", default=None,
                     help="use an unpacked Apache Storm distribution instead of Maven's jars")
    ups.add_argument("--nimbus-port", type=_port, default=6627, metavar="N",
                     help="Nimbus Thrift port (default: 6627)")
    ups.add_argument("--ui-port", type=_port, default=8080, metavar="N",
                     help="Storm UI port, on 127.0.0.1 (default: 8080)")
    ups.add_argument("--no-ui", action="store_true", help="do not start the Storm UI")
    ups.add_argument("--slots", type=_slots, default=4, metavar="N",
                     help="worker slots of the supervisor (default: 4)")
    ups.add_argument("--first-slot-port", type=_port, default=6700, metavar="N",
                     help="port of the first worker slot; the others follow (default: 6700)")
    ups.add_argument("--zookeeper-port", type=_port, default=2181, metavar="N",
                     help="development ZooKeeper port (default: 2181)")
    ups.add_argument("--supervisor-port", type=_port, default=6628, metavar="N",
                     help="supervisor Thrift port (default: 6628)")
    ups.add_argument("--standby-nimbus-port", type=_port, action="append", default=[],
                     metavar="N", help="also start a standby Nimbus on port N, for Nimbus HA "
                                      "(repeatable)")
    ups.add_argument("--timeout", type=_positive_float, default=180.0, metavar="S",
                     help="seconds each daemon may take to answer (default: 180)")
    actions.add_parser("status", help="what runs: daemons, supervisors, topologies",
                       description="Daemons with their pids and ports, the Storm version, the "
                                   "supervisors and topologies Nimbus reports. Exit code 3 when "
                                   "no cluster runs.")
    actions.add_parser("down", help="stop the cluster and remove its state (logs are kept)",
                       description="Stop exactly the processes 'up' started (by their pid "
                                   "files), with their workers, and remove the cluster's state.")
    logs = actions.add_parser("logs", help="where the logs are, or the end of one daemon's log",
                              description="Without DAEMON: the logs directory and its files. "
                                          "With DAEMON: the end of its log.")
    logs.add_argument("daemon", nargs="?", metavar="DAEMON",
                      help="zookeeper, nimbus, supervisor, ui or worker (every worker's log)")
    logs.add_argument("--lines", "-n", type=_at_least_one, default=40, metavar="N",
                      help="how many lines to show (default: 40)")
    logs.add_argument("--follow", "-f", action="store_true",
                      help="keep printing what is appended, until Ctrl+C")
    for p in (ups, *[actions.choices[a] for a in ("status", "down", "logs")]):
        p.add_argument("--dir", metavar="DIR", default=None,
                       help="the cluster's directory (default: $PETREL_STORM_DIR, else "
                            "~/.local/state/petrel/storm-cluster)")


def _at_least_one(text: str) -> int:
    value = _int32(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be at least 1")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argparse tree for ``petrel`` and all its sub-commands."""
    parser = PetrelParser(
        prog="petrel",
        description="Write, test, run and ship Apache Storm topologies in 100% Python.",
        epilog="Run 'petrel COMMAND --help' for a command's options.",
    )
    parser.add_argument("--version", "-V", action=VersionAction, nargs=0,
                        help="print petrel's version and exit")
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
    p.add_argument("--debug-tuples", action="store_true",
                   help="local run: print the tuples each component emits, as topology.debug: "
                        "true does (at most 10 lines per component and second)")
    p.add_argument("--ui", type=_port, nargs="?", const=0, default=None, metavar="PORT",
                   help="local run: serve a live dashboard of the run in the browser (a free "
                        "port when PORT is not given; the URL is printed at start)")
    p.add_argument("--ui-host", metavar="HOST", default=None,
                   help="local run: the address the dashboard listens on (default: 127.0.0.1, "
                        "this machine only)")
    p.add_argument("--ui-linger", type=_non_negative_float, metavar="S", default=None,
                   help="local run: keep serving the dashboard's final state S seconds after "
                        "the run (default: 60 at a terminal, else 0; Ctrl+C ends it)")
    p.add_argument("--inactive", action="store_true",
                   help="cluster: submit the topology deactivated")
    p.add_argument("--force", action="store_true",
                   help="cluster: kill a running topology of the same name first")
    p.add_argument("--via-storm-cli", action="store_true",
                   help="cluster or local: go through the installed 'storm' command (jvm/)")
    p.add_argument("--sourcejar", metavar="JAR", default=None,
                   help="original Petrel's base jar; ignored with a note: petrel writes the "
                        "whole topology jar itself")
    p.add_argument("--extrastormcp", metavar="PATH", default=None,
                   help="original Petrel's extra Storm classpath; ignored with a note: a local "
                        "run starts no JVM, and workers take topology.classpath from the config")
    _common_nimbus(p, config=False)

    p = sub.add_parser("kill", help="kill a running topology")
    p.add_argument("name", metavar="NAME", help="the topology's name on the cluster")
    p.add_argument("--wait", type=_int32, metavar="S", default=None,
                   help="seconds Storm waits before removing it (default: its message timeout)")
    _common_nimbus(p)

    p = sub.add_parser("list", help="list the topologies on the cluster")
    _common_nimbus(p)

    p = sub.add_parser("status", help="per-component statistics and errors of topologies",
                       description="Per-component executors, counts and latest errors. The "
                                   "original Petrel's form 'petrel status NIMBUS_HOST' still "
                                   "works (with a note) when no --nimbus is given.")
    p.add_argument("name", nargs="?", metavar="NAME", help="one topology (default: all)")
    original = p.add_mutually_exclusive_group()
    original.add_argument("--topology", metavar="NAME", default=None,
                          help="one topology, in the original Petrel's form 'petrel status "
                               "NIMBUS_HOST --topology NAME'")
    p.add_argument("--worker", metavar="HOST", default=None,
                   help="count only the executors on this supervisor host")
    p.add_argument("--port", type=_port, metavar="N", default=None,
                   help="count only the executors in the worker on this port")
    _common_nimbus(p, nimbus=original)

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

    _storm_parser(sub)

    p = sub.add_parser("init", help="create a new topology directory from the word-count template")
    p.add_argument("name", metavar="NAME", help="directory to create")

    _pipe_parser(sub)
    accept_global_flags(parser)
    return parser


def _pipe_parser(sub: argparse._SubParsersAction) -> None:
    """``petrel pipe MODULE[:Class]``: one component between stdin and stdout."""
    p = sub.add_parser(
        "pipe", help="run one spout or bolt between stdin and stdout, for Unix pipes",
        description="Run one component outside Storm: a bolt gets each input line as a tuple, "
                    "a spout runs until --count or Ctrl+C; each emit is written to stdout as "
                    "one line. Chain components with pipes: petrel pipe randomsentence --count "
                    "100 | petrel pipe splitsentence | sort | petrel pipe wordcount.")
    p.add_argument("component", metavar="MODULE[:CLASS]",
                   help="the component's module, importable from the current directory (as "
                        "with python -m); name the class when the module defines several")
    p.add_argument("--format", "-f", choices=["jsonl", "text", "tsv"], default="jsonl",
                   help="lines in and out: a JSON list of values, plain text (one field), or "
                        "tab-separated values (default: jsonl)")
    p.add_argument("--fields", metavar="A,B", default=None,
                   help="names of the input tuple's fields (tup.A); a line of another width "
                        "is skipped")
    p.add_argument("--streams", action="store_true",
                   help="write each emit's stream name too")
    p.add_argument("--all-streams", action="store_true",
                   help="write the emits of every stream, not only of 'default'")
    p.add_argument("--count", "-n", type=_at_least_one, default=None, metavar="N",
                   help="spouts: stop after N lines out (default: until Ctrl+C)")
    p.add_argument("--tick-every", type=_positive_float, default=None, metavar="S",
                   help="bolts: deliver a tick tuple every S seconds")
    p.add_argument("--config", "-c", metavar="FILE", default=None,
                   help="topology.yaml whose config the component's initialize receives")
    p.add_argument("--fail-fast", action="store_true",
                   help="stop at the first bad line or component error instead of going on")
    p.add_argument("--log", metavar="FILE", default=None,
                   help="write the component's logs to FILE (default: stderr)")
    p.add_argument("--log-level", choices=["debug", "info", "warning", "error"],
                   default="info", help="lowest level logged (default: info)")
    p.add_argument("--quiet", "-q", action="store_true",
                   help="no closing summary line unless lines were skipped or errors reported")


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
    "pipe": "petrel.tools.pipe:run_pipe",
    "storm": "petrel.devstorm.command:run_storm",
}


def _handler(command: str) -> Callable[[argparse.Namespace], int]:
    module_name, func_name = HANDLERS[command].split(":")
    module = importlib.import_module(module_name)
    return getattr(module, func_name)


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the command is so its clean-up runs as for Ctrl+C."""


def _on_sigterm(signum: int, frame: Any) -> None:
    raise Terminated()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``petrel`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    debug = args.debug or os.environ.get("PETREL_DEBUG") == "1"
    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _on_sigterm) if in_main else None
    try:
        return int(_handler(args.command)(args) or 0)
    except PetrelError as exc:
        if debug:
            traceback.print_exc()
        print(f"petrel {args.command}: error: {exc.message}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt as exc:
        if isinstance(exc, Terminated):
            print(f"petrel {args.command}: terminated (SIGTERM)", file=sys.stderr)
            return 143
        print(f"petrel {args.command}: interrupted", file=sys.stderr)
        return 130
    finally:
        if in_main:
            signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
