"""Reading manifest.txt line by line: comments, section lines, ``$VAR``, and what to skip.

What each line means, before any file is looked at: ``#`` comments and blank lines are
dropped; ``[from DIR]`` starts a section; ``[strict]`` makes a glob that matches nothing an
error instead of a warning; ``$VAR`` and ``${VAR}`` expand from the environment (an unset
variable is an error naming the line); a line naming petrel's own egg or wheel (the
original Petrel's manifests listed ``../../petrel/dist/petrel-*-py*.egg``) is skipped with a
note, since every jar holds petrel's worker runtime already.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from petrel.errors import PetrelError

MANIFEST_NAME = "manifest.txt"
STRICT_LINE = "[strict]"

_SECTION = re.compile(r"\[\s*from\b(.*)\]")
_VARIABLE = re.compile(r"\$(?:([A-Za-z_][A-Za-z0-9_]*)|\{([^}]*)\})")
_VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PACKAGE_SUFFIXES = (".egg", ".whl")


def strip_comment(line: str) -> str:
    """The entry on one manifest line, without its comment and surrounding whitespace."""
    text = line.strip()
    if text.startswith("#"):
        return ""
    for i, ch in enumerate(text):
        if ch == "#" and text[i - 1] in " \t":
            return text[:i].rstrip()
    return text


def section_dir(entry: str) -> str | None:
    """DIR of a ``[from DIR]`` section line (``""`` when it names none); None for an entry."""
    match = _SECTION.fullmatch(entry)
    return match.group(1).strip() if match else None


def expand_variables(entry: str, where: str, lineno: int,
                     environ: Mapping[str, str] | None = None) -> str:
    """``entry`` with ``$VAR`` and ``${VAR}`` replaced from the environment.

    A ``$`` not followed by a name is kept as it is. An unset variable, or ``${...}`` around
    something that is not a variable name, is a PetrelError naming the line.
    """
    env = os.environ if environ is None else environ

    def value(match: re.Match[str]) -> str:
        name = match.group(1) if match.group(1) is not None else match.group(2)
        if not _VARIABLE_NAME.fullmatch(name):
            raise PetrelError(f"{where} line {lineno}: {entry!r}: {match.group(0)!r} is not a "
                              "variable; write $NAME or ${NAME} with letters, digits and _")
        if name not in env:
            raise PetrelError(f"{where} line {lineno}: {entry!r} uses ${name}, which is not "
                              f"set; set it in the environment (export {name}=...) or write "
                              "the path out")
        return env[name]

    return _VARIABLE.sub(value, entry) if "$" in entry else entry


def names_petrel_itself(entry: str) -> bool:
    """True when ``entry`` names a packaged petrel: an egg or wheel of the 'petrel'
    distribution (``petrel-0.9.4-py2.7.egg``, ``petrel-*-py*.egg``,
    ``petrel-1.0-py3-none-any.whl``)."""
    name = entry.replace("\\", "/").rstrip("/").rpartition("/")[2]
    distribution = name.partition("-")[0]
    return distribution.lower() == "petrel" and name.lower().endswith(_PACKAGE_SUFFIXES)


def special_file_kind(path: str) -> str | None:
    """What ``path`` is when it exists but is neither a regular file nor a directory
    (following symlinks), e.g. 'a FIFO (named pipe)'; None otherwise."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


@dataclass
class ManifestText:
    """manifest.txt as read: how messages name it, its lines, and whether it is strict."""

    where: str
    lines: list[str]
    strict: bool


def read_lines(topology_dir: Path, display_dir: Path | None) -> ManifestText | None:
    """The manifest's lines, or None when there is no manifest."""
    manifest = topology_dir / MANIFEST_NAME
    if not manifest.is_file():
        return None
    where = str((display_dir or topology_dir) / MANIFEST_NAME)
    try:
        text = manifest.read_text(encoding="utf-8-sig")   # a BOM from Windows editors
    except (OSError, UnicodeDecodeError) as exc:
        raise PetrelError(f"{where}: cannot read the manifest: {exc}") from None
    lines = text.splitlines()
    strict = any(strip_comment(line) == STRICT_LINE for line in lines)
    return ManifestText(where, lines, strict)
