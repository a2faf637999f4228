"""The repository explains itself: no pointers to documents it does not hold, no dead links.

Facts petrel relies on live in docs/internals/; code, tests and docs point there by section
(``docs/internals/semantics.md#fields-grouping``). This file fails when any file mentions
one of the design notes that were never part of the repository, when a comment refers to a
numbered section or check of them, and when a relative Markdown link in README.md or
docs/ leads to a missing file or heading.
"""

from __future__ import annotations

import os
import re
import subprocess
import unicodedata
from pathlib import Path
from urllib.parse import unquote

import pytest

REPO = Path(__file__).resolve().parents[2]

# Documents outside the repository; written as stems so this file does not name them itself.
OUTSIDE_DOCUMENTS = ("STORM-PROTOCOL", "DESIGN", "PETREL-API", "STYLE")
OUTSIDE_NAME = re.compile(
    rb"(?i)(?<![\w-])(?:" + b"|".join(re.escape(s.encode()) for s in OUTSIDE_DOCUMENTS)
    + rb")\.md\b")

# Their numbering: "A.5", "B.10 #14", "(E.37)", "check 22", "checks 44-47", "section 5" as
# "\u00a7 5". A reader of this repository cannot look any of these up.
SECTION_NUMBER = re.compile(rb"(?<![\w.])[A-E]\.\d+(?:\.\d+)*(?![\w.]*\w)")
CHECK_NUMBER = re.compile(rb"(?i)\bchecks? #?\d+")
PARAGRAPH_NUMBER = re.compile("\u00a7 ?\\d".encode())
NUMBERED_TEXT = (".py", ".md", ".thrift", ".txt", ".toml", ".cfg", ".ini", ".yaml", ".yml",
                 ".java", ".sh", ".tmpl", "Makefile")

# Never part of the sources, even when present in a work tree.
_SKIP_DIRS = {".git", "__pycache__", ".pytest_cache", ".ruff_cache", ".mypy_cache", "build",
              "dist", ".venv", "venv", ".tox", "node_modules"}


def repository_files() -> list[Path]:
    """Every file of the work tree that git tracks or would track (not .git, not ignored)."""
    try:
        out = subprocess.run(
            ["git", "-C", str(REPO), "ls-files", "-z", "--cached", "--others",
             "--exclude-standard"], capture_output=True, check=True, timeout=60).stdout
        names = [n for n in out.decode("utf-8", "surrogateescape").split("\0") if n]
        return [REPO / n for n in names if (REPO / n).is_file()]
    except (OSError, subprocess.SubprocessError):
        files = []
        for root, dirs, names in os.walk(REPO):
            dirs[:] = [d for d in dirs if d not in _SKIP_DIRS and not d.endswith(".egg-info")]
            files += [Path(root) / n for n in names]
        return files


def _lines_matching(patterns: tuple[re.Pattern[bytes], ...], path: Path) -> list[str]:
    data = path.read_bytes()
    if not any(p.search(data) for p in patterns):
        return []
    rel = path.relative_to(REPO)
    return [f"{rel}:{n}: {line.decode('utf-8', 'replace').strip()[:120]}"
            for n, line in enumerate(data.splitlines(), 1)
            if any(p.search(line) for p in patterns)]


def test_no_file_points_at_documents_outside_the_repository() -> None:
    found = [hit for path in repository_files()
             for hit in _lines_matching((OUTSIDE_NAME,), path)]
    assert not found, (
        "these lines point at documents the repository does not hold; point at the section "
        "of docs/internals/ that states the fact instead:\n" + "\n".join(found))


def test_no_numbered_sections_or_checks_of_those_documents() -> None:
    patterns = (SECTION_NUMBER, CHECK_NUMBER, PARAGRAPH_NUMBER)
    found = [hit for path in repository_files()
             if path.name.endswith(NUMBERED_TEXT) and path != Path(__file__).resolve()
             for hit in _lines_matching(patterns, path)]
    assert not found, (
        "these lines cite numbered sections or checks no reader can look up; name the "
        "section of docs/internals/ instead (e.g. docs/internals/protocol.md#framing):\n"
        + "\n".join(found))


# ---------------------------------------------------------------- links in Markdown


FENCE = re.compile(r"^\s*(```|~~~)")
HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
HTML_ANCHOR = re.compile(r"<a\s+(?:[^>]*\s)?(?:id|name)=[\"']([^\"']+)[\"']", re.I)
INLINE_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)")
CODE_SPAN = re.compile(r"(`+)(.+?)\1")


def markdown_pages() -> list[Path]:
    """README.md and every page under docs/."""
    return [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]


def _prose_lines(text: str) -> list[tuple[int, str]]:
    """(line number, line) outside fenced code blocks."""
    lines, fenced = [], False
    for n, line in enumerate(text.splitlines(), 1):
        if FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            lines.append((n, line))
    return lines


def github_slug(heading: str) -> str:
    """The anchor GitHub gives a heading: rendered text, lower case, punctuation dropped."""
    text = CODE_SPAN.sub(lambda m: m.group(2), heading)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)   # links and images: their text
    text = re.sub(r"<[^>]+>", "", text)                        # inline HTML
    text = text.replace("*", "")
    text = text.strip().lower()
    kept = "".join(c for c in text
                   if c in " -_" or unicodedata.category(c)[0] in "LNM")
    return kept.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    """Every anchor a link may use on ``page``: heading slugs (numbered on repeats), HTML ids."""
    seen: dict[str, int] = {}
    out: set[str] = set()
    for _, line in _prose_lines(page.read_text(encoding="utf-8")):
        match = HEADING.match(line)
        if match:
            slug = github_slug(match.group(2))
            count = seen.get(slug, 0)
            seen[slug] = count + 1
            out.add(slug if count == 0 else f"{slug}-{count}")
        out.update(HTML_ANCHOR.findall(line))
    return out


def relative_links(page: Path) -> list[tuple[int, str]]:
    """(line number, target) of every link on ``page`` that is not a URL."""
    links = []
    for n, line in _prose_lines(page.read_text(encoding="utf-8")):
        prose = CODE_SPAN.sub("", line)
        targets = INLINE_LINK.findall(prose)
        definition = REFERENCE_DEFINITION.match(prose)
        if definition:
            targets.append(definition.group(1))
        for target in targets:
            if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", target) or target.startswith("//"):
                continue  # http:, https:, mailto: ...
            links.append((n, target))
    return links


def test_the_slug_rules_follow_github() -> None:
    assert github_slug("Storm's multilang protocol") == "storms-multilang-protocol"
    assert github_slug("need_task_ids") == "need_task_ids"
    assert github_slug("The `--stats-json` document") == "the---stats-json-document"
    assert github_slug("1. The book's tests: `run_simple_topology`") == \
        "1-the-books-tests-run_simple_topology"
    assert github_slug("A real Apache Storm on your machine: `petrel storm`") == \
        "a-real-apache-storm-on-your-machine-petrel-storm"


@pytest.mark.parametrize("page", markdown_pages(), ids=lambda p: str(p.relative_to(REPO)))
def test_relative_links_lead_to_existing_files_and_headings(page: Path) -> None:
    broken = []
    for line, target in relative_links(page):
        path_part, _, fragment = target.partition("#")
        dest = (page.parent / unquote(path_part)).resolve() if path_part else page
        if not dest.exists():
            broken.append(f"{page.relative_to(REPO)}:{line}: {target}: no such file")
            continue
        if fragment and dest.suffix == ".md" and unquote(fragment) not in anchors(dest):
            broken.append(f"{page.relative_to(REPO)}:{line}: {target}: "
                          f"{dest.relative_to(REPO)} has no heading with that anchor")
    assert not broken, "broken links:\n" + "\n".join(broken)
