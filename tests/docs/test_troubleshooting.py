"""docs/troubleshooting.md lists every error message petrel's commands can print."""

from __future__ import annotations

import re

from error_catalog import REPO, error_sites

PAGE = REPO / "docs" / "troubleshooting.md"


def normalized(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_every_petrel_error_has_an_entry() -> None:
    page = normalized(PAGE.read_text(encoding="utf-8"))
    sites = [s for s in error_sites() if s.key]
    assert len(sites) > 50, "the error catalogue found too few messages: is the parser broken?"
    missing = [f"{s.path}:{s.line}: {s.key!r}" for s in sites if normalized(s.key) not in page]
    assert not missing, ("docs/troubleshooting.md has no entry for these messages (quote the "
                         "phrase, then give the cause and fix):\n" + "\n".join(missing))


def test_catalogue_reads_f_strings_and_concatenations() -> None:
    graph = [s for s in error_sites() if s.path == "petrel/tools/graph.py"]
    assert any(s.key.startswith("needs Graphviz's 'dot' program") for s in graph)
    assert any(s.template.startswith("--format {} is not one of") for s in graph)
