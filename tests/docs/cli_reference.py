"""The option reference of docs/cli.md, generated from petrel's argparse parser.

``python3 tests/docs/cli_reference.py`` rewrites the generated part of docs/cli.md;
``test_cli_doc.py`` fails when the page and the parser disagree.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PAGE = REPO / "docs" / "cli.md"
MARKER = "<!-- generated from petrel/cli.py by tests/docs/cli_reference.py: do not edit below -->"


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _option_row(action: argparse.Action) -> str:
    names = ", ".join(f"`{s}`" for s in action.option_strings) if action.option_strings \
        else f"`{action.metavar or action.dest}`"
    if action.option_strings and action.nargs != 0:
        names += f" `{action.metavar or action.dest.upper()}`"
    if action.choices and action.option_strings:
        names += " (" + " | ".join(str(c) for c in action.choices) + ")"
    help_text = (action.help or "").replace("|", "\\|").replace("\n", " ")
    if action.default not in (None, False, [], argparse.SUPPRESS) and "default" not in help_text:
        help_text += f" (default: {action.default})"
    names = names.replace("|", "\\|")
    return f"| {names} | {help_text.strip()} |"


def render() -> str:
    """The generated Markdown: one section per command with a table of its arguments."""
    from petrel.cli import build_parser

    parser = build_parser()
    out: list[str] = []
    for name, sub in _subparsers(parser).items():
        _section(out, f"petrel {name}", sub)
    return "\n".join(out)


def _section(out: list[str], title: str, parser: argparse.ArgumentParser) -> None:
    """A command's section; a command with actions of its own (``petrel storm up``) gets one
    section per action after its own description."""
    out.append(f"{'###' if title.count(' ') == 1 else '####'} {title}\n")
    if parser.description:
        out.append(parser.description.strip() + "\n")
    actions = _subparsers(parser)
    rows = [a for a in parser._actions if not isinstance(a, (argparse._HelpAction,
                                                              argparse._SubParsersAction))]
    if rows or not actions:
        out.append("| argument | meaning |")
        out.append("|---|---|")
        out.extend(_option_row(action) for action in rows)
        out.append("")
    for name, sub in actions.items():
        _section(out, f"{title} {name}", sub)


def page_with_reference(page_text: str) -> str:
    """``page_text`` with everything after MARKER replaced by ``render()``."""
    head = page_text.split(MARKER)[0]
    return head + MARKER + "\n\n" + render()


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    PAGE.write_text(page_with_reference(PAGE.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"wrote {PAGE}")
