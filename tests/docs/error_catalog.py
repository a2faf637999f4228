"""Every ``PetrelError(...)`` message in petrel's code, reduced to a stable key phrase.

The key phrase of a message is its longest literal fragment (the text between the
``{...}`` placeholders of an f-string, or of concatenated literals); docs/troubleshooting.md
must quote each key phrase, so a new error message without an entry fails the docs tests.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "petrel"
MIN_KEY = 12
MAX_KEY = 48


@dataclass(frozen=True)
class ErrorSite:
    """One ``PetrelError(...)`` call: where it is and its message's key phrase."""

    path: str
    line: int
    key: str
    template: str


def _fragments(node: ast.AST) -> list[str] | None:
    """The literal pieces of a message expression, '{}' for each placeholder."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        out: list[str] = []
        for value in node.values:
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                out.append(value.value)
            else:
                out.append("{}")
        return out
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _fragments(node.left), _fragments(node.right)
        if left is not None and right is not None:
            return left + right
    return None


def key_phrase(template: str) -> str:
    """What the docs must quote for a message template (placeholders are '{}').

    The longest literal run, cut to at most MAX_KEY characters at a word boundary; when
    that is shorter than MIN_KEY, the whole template with '...' for each placeholder; ''
    when the message has (almost) no literal text of its own.
    """
    pieces = [p.strip(" ;:,.'\"()\n") for p in template.split("{}")]
    key = max(pieces, key=len) if pieces else ""
    if len(key) > MAX_KEY:
        key = key[:MAX_KEY].rsplit(" ", 1)[0]
    if len(key) < MIN_KEY:
        literal = "".join(ch for ch in template.replace("{}", "") if ch.isalnum())
        key = template.replace("{}", "...").strip() if len(literal) >= 6 else ""
    return key


def error_sites() -> list[ErrorSite]:
    """Every PetrelError raised with a message built from literals, in file order."""
    sites = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "PetrelError"
                    and node.args):
                continue
            pieces = _fragments(node.args[0])
            if pieces is None:
                continue  # a message passed through from elsewhere (already documented)
            template = "".join(pieces)
            sites.append(ErrorSite(path.relative_to(REPO).as_posix(), node.lineno,
                                   key_phrase(template), template))
    return sorted(sites, key=lambda s: (s.path, s.line))
