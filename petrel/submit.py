"""``petrel submit``: build the jar, then run it locally (no name) or send it to Nimbus (a name)."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from petrel.errors import PetrelError
from petrel.topology.validate import validate_topology_name

# Options that only make sense on one side; used to reject a mix with one clear message.
_LOCAL_ONLY = {"duration": "--duration", "stats_json": "--stats-json", "fail_fast": "--fail-fast",
               "quiet": "--quiet", "profile": "--profile", "logdir": "--logdir",
               "debug_tuples": "--debug-tuples", "ui": "--ui", "ui_host": "--ui-host",
               "ui_linger": "--ui-linger"}
_CLUSTER_ONLY = {"inactive": "--inactive", "force": "--force", "nimbus": "--nimbus"}


def _check_options(args: argparse.Namespace) -> None:
    if args.name is not None:   # "" too: an empty "$NAME" must not mean a local run
        if args.name.endswith((".yaml", ".yml")):
            raise PetrelError(f"{args.name!r} looks like a config file, not a topology name; "
                              f"write 'petrel submit --config {args.name} [NAME]'")
        validate_topology_name(args.name)
        # 'is not': a bare --ui stores 0, which is not an absent option
        used = [flag for attr, flag in _LOCAL_ONLY.items()
                if getattr(args, attr, None) is not None and getattr(args, attr) is not False]
        if used:
            raise PetrelError(
                f"{', '.join(used)}: only for a local run; drop "
                f"{'them' if len(used) > 1 else 'it'}, or drop the topology name "
                f"{args.name!r} to run locally"
            )
        if args.venv == "new":
            raise PetrelError("--venv new only applies to a local run; on a cluster each worker "
                              "builds the topology's environment itself")
    else:
        used = [flag for attr, flag in _CLUSTER_ONLY.items() if getattr(args, attr, None)]
        if used:
            verb = "apply" if len(used) > 1 else "applies"
            raise PetrelError(
                f"{', '.join(used)} only {verb} when submitting to a cluster; add the topology "
                "name, e.g. 'petrel submit --config topology.yaml NAME'"
            )


def _original_option_notes(args: argparse.Namespace) -> None:
    """One line on stderr for each original Petrel option that no longer does anything."""
    if getattr(args, "sourcejar", None):
        print("petrel submit: note: --sourcejar is ignored: petrel writes the whole topology jar "
              "itself, no base jar is needed; drop the option", file=sys.stderr)
    if getattr(args, "extrastormcp", None):
        print("petrel submit: note: --extrastormcp is ignored: a local run starts no JVM (set "
              "its logging in logconfig.ini); for the workers' classpath on a cluster, set "
              "topology.classpath in topology.yaml", file=sys.stderr)


def run_submit(args: argparse.Namespace) -> int:
    """Handler of ``petrel submit``."""
    _check_options(args)
    _original_option_notes(args)
    from petrel.package.command import build_topology_jar

    with tempfile.TemporaryDirectory(prefix="petrel-submit-") as tmp:
        destjar = Path(args.destjar) if args.destjar else Path(tmp) / "topology.jar"
        if args.name is None and not args.quiet and Path(args.config).is_file():
            where = Path(args.config).resolve().parent
            print(f"petrel submit: building the jar from {where}", file=sys.stderr)
        built = build_topology_jar(args.config, args.definition, destjar=destjar)
        if args.name is not None:
            from petrel.cluster.commands import submit_to_cluster

            return submit_to_cluster(args, built)
        if args.via_storm_cli:
            from petrel.cluster.stormcli import submit_via_storm_cli

            return submit_via_storm_cli(args, built, local=True)
        from petrel.local.command import run_local

        return run_local(args, built)
