"""The ``petrel`` command's argparse behaviour: ``--version``, global flags after the
sub-command, and an unknown option answered with the sub-command's usage and a guess."""

from __future__ import annotations

import argparse
import difflib
from typing import Any, NoReturn, Sequence

from petrel import __version__


def petrel_version() -> str:
    """The installed distribution's version, else ``petrel.__version__``."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        installed = version("petrel")
    except PackageNotFoundError:
        return __version__
    # An unrelated old release named petrel may be installed beside a checkout of this one.
    return installed if installed.split(".")[0] == __version__.split(".")[0] else __version__


class VersionAction(argparse.Action):
    """``--version``/``-V``: print ``petrel <version>`` and exit 0 (looked up only when asked)."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> NoReturn:
        print(f"petrel {petrel_version()}")
        parser.exit(0)


class PetrelParser(argparse.ArgumentParser):
    """argparse, with an unknown option reported by the sub-command it was given to."""

    def parse_args(self, args: Sequence[str] | None = None,  # type: ignore[override]
                   namespace: argparse.Namespace | None = None) -> argparse.Namespace:
        """Parse ``args``; an unknown option exits 2 with the sub-command's usage and a guess."""
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:
            leaf = _leaf_parser(self, parsed)
            leaf.error(unrecognized_message(leaf, extras))
        return parsed


def _subparsers_action(parser: argparse.ArgumentParser) -> argparse._SubParsersAction | None:
    return next((a for a in parser._actions if isinstance(a, argparse._SubParsersAction)), None)


def _leaf_parser(parser: argparse.ArgumentParser,
                 parsed: argparse.Namespace) -> argparse.ArgumentParser:
    """The innermost sub-command parser that ``parsed`` went through."""
    action = _subparsers_action(parser)
    chosen = getattr(parsed, action.dest, None) if action is not None else None
    if action is None or chosen not in action.choices:
        return parser
    return _leaf_parser(action.choices[chosen], parsed)


def unrecognized_message(parser: argparse.ArgumentParser, extras: Sequence[str]) -> str:
    """argparse's message for ``extras``, plus the closest option of ``parser`` if any."""
    text = f"unrecognized arguments: {' '.join(extras)}"
    option = next((e.split("=", 1)[0] for e in extras if e.startswith("-") and e != "-"), None)
    if option is None:
        return text
    known = [s for a in parser._actions for s in a.option_strings]
    guess = difflib.get_close_matches(option, known, n=1, cutoff=0.6)
    if guess:
        return f"{text}; did you mean {guess[0]}?"
    return f"{text}; '{parser.prog} --help' lists the options"


def accept_global_flags(parser: argparse.ArgumentParser) -> None:
    """Let every sub-command take ``--debug`` after its name too (``petrel build --debug``)."""
    action = _subparsers_action(parser)
    for sub in (action.choices.values() if action is not None else ()):
        # SUPPRESS: when absent here, the value given before the command (or False) stays.
        sub.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                         help="show Python tracebacks for errors (also accepted before COMMAND)")
        accept_global_flags(sub)
