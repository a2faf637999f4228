"""docs/cli.md documents every command and option of the real parser."""

from __future__ import annotations

from cli_reference import PAGE, page_with_reference

from petrel.cli import HANDLERS


def test_cli_page_matches_the_parser() -> None:
    text = PAGE.read_text(encoding="utf-8")
    assert text == page_with_reference(text), (
        "docs/cli.md is out of date with petrel/cli.py: run 'python3 tests/docs/cli_reference.py'")


def test_every_command_has_a_section() -> None:
    text = PAGE.read_text(encoding="utf-8")
    for command in HANDLERS:
        assert f"### petrel {command}\n" in text
