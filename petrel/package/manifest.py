"""manifest.txt: the extra files a topology ships in its jar.

One entry per line: a file, a directory (shipped recursively) or a glob (``*``, ``?``,
``[...]``, and ``**`` for any depth). ``#`` starts a comment (at the start of a line or
after whitespace); blank lines are ignored. Paths are relative to the topology directory
and keep that relative path in the jar. Names starting with a dot and ``__pycache__``
directories are only shipped when a line names them explicitly. An entry that matches
nothing, or that leads outside the topology directory (``..``, an absolute path, a
symlink), is an error naming the file and line.
"""

from __future__ import annotations

import fnmatch
import glob
import os
from collections.abc import Iterable
from pathlib import Path

from petrel.errors import PetrelError

MANIFEST_NAME = "manifest.txt"
_GLOB_CHARS = ("*", "?", "[")


def strip_comment(line: str) -> str:
    """The entry on one manifest line, without its comment and surrounding whitespace."""
    text = line.strip()
    if text.startswith("#"):
        return ""
    for i, ch in enumerate(text):
        if ch == "#" and text[i - 1] in " \t":
            return text[:i].rstrip()
    return text


def _is_skipped_name(name: str) -> bool:
    """Hidden files and byte-code caches are shipped only when named explicitly."""
    return name.startswith(".") or name == "__pycache__" or name.endswith((".pyc", ".pyo"))


def _in_bytecode_cache(path: str) -> bool:
    """True for compiled files and anything inside a ``__pycache__`` directory."""
    return path.endswith((".pyc", ".pyo")) or "__pycache__" in Path(path).parts


def _segments_match(names: list[str], patterns: list[str]) -> bool:
    """True when path segments ``names`` match glob segments ``patterns`` (``**``: any depth).

    As in ``glob``, wildcards do not match names starting with a dot.
    """
    if not patterns:
        return not names
    if patterns[0] == "**":
        for skip in range(len(names) + 1):
            if _segments_match(names[skip:], patterns[1:]):
                return True
            if skip < len(names) and names[skip].startswith("."):
                return False
        return False
    if not names or (names[0].startswith(".") and not patterns[0].startswith(".")):
        return False
    return fnmatch.fnmatchcase(names[0], patterns[0]) and _segments_match(names[1:], patterns[1:])


class _Resolver:
    """Expands manifest entries into files, checking every path stays inside the topology dir."""

    def __init__(self, topology_dir: Path, where: str, exclude: set[str]) -> None:
        self.root = os.path.abspath(topology_dir)
        self.real_root = os.path.realpath(topology_dir)
        self.where = where
        self.exclude = exclude

    def error(self, lineno: int, entry: str, problem: str) -> PetrelError:
        return PetrelError(f"{self.where} line {lineno}: {entry!r} {problem}")

    def relative(self, lineno: int, entry: str, path: str) -> str:
        """The jar path of ``path``: relative to the topology directory, '/'-separated."""
        norm = os.path.normpath(path)
        rel = os.path.relpath(norm, self.root)
        if rel == os.curdir:
            return ""
        if rel == os.pardir or rel.startswith(os.pardir + os.sep) or os.path.isabs(rel):
            raise self.error(lineno, entry, f"is outside the topology directory {self.root}; "
                                            "move the file into it or remove the line")
        real = os.path.realpath(norm)
        if os.path.commonpath([real, self.real_root]) != self.real_root:
            raise self.error(lineno, entry, f"leads to {real}, outside the topology directory "
                                            f"{self.root} (through a symlink); copy the file "
                                            "into the topology directory instead")
        return rel.replace(os.sep, "/")

    def expand(self, lineno: int, entry: str) -> list[str]:
        """Every file one manifest entry stands for, as jar-relative paths."""
        path = entry if os.path.isabs(entry) else os.path.join(self.root, entry)
        if any(ch in entry for ch in _GLOB_CHARS):
            matches = (self.recursive_glob(lineno, entry, path) if "**" in entry
                       else sorted(glob.glob(path)))
            if "__pycache__" not in entry and ".pyc" not in entry:
                matches = [m for m in matches if not _in_bytecode_cache(m)]
        elif os.path.lexists(path):
            matches = [path]
        else:
            raise self.error(lineno, entry, f"matches no file in {self.root}; "
                                            "fix the path or remove the line")
        found: list[str] = []
        for match in matches:
            self.relative(lineno, entry, match)  # checks the match itself stays inside
            if os.path.isdir(match):
                found.extend(self.walk(lineno, entry, match))
            elif os.path.isfile(match):
                found.append(self.relative(lineno, entry, match))
            elif os.path.islink(match):
                raise self.error(lineno, entry, f"includes {match}, a broken symlink; "
                                                "fix or remove it")
        found = [f for f in found if f not in self.exclude]
        if not found:
            raise self.error(lineno, entry, f"matches no file in {self.root}; "
                                            "fix the path or remove the line")
        return found

    def scan(self, lineno: int, entry: str, directory: str) -> list[os.DirEntry[str]]:
        """The entries of ``directory`` by name, or an error naming the unreadable directory."""
        try:
            with os.scandir(directory) as it:
                return sorted(it, key=lambda e: e.name)
        except OSError as exc:
            raise self.error(lineno, entry, f"includes {directory}, which cannot be read "
                                            f"({exc.strerror}); fix its permissions or "
                                            "remove it") from None

    def recursive_glob(self, lineno: int, entry: str, path: str) -> list[str]:
        """The paths a ``**`` pattern matches, entering each real directory once.

        ``glob`` would follow a symlink back into its own directory again and again.
        """
        parts = path.split(os.sep)
        fixed = next(i for i, part in enumerate(parts) if any(ch in part for ch in _GLOB_CHARS))
        base = os.sep.join(parts[:fixed]) or os.sep
        patterns = parts[fixed:]
        if not os.path.isdir(base):
            return []
        found: list[str] = []
        seen = {os.path.realpath(base)}
        stack: list[tuple[str, list[str]]] = [(base, [])]
        while stack:
            directory, names = stack.pop()
            # a directory a final ``**`` matches needs no walk: its files are listed here
            if names and patterns[-1] != "**" and _segments_match(names, patterns):
                found.append(directory)
            for child in self.scan(lineno, entry, directory):
                child_names = names + [child.name]
                if child.is_dir():
                    real = os.path.realpath(child.path)
                    if real not in seen:
                        seen.add(real)
                        stack.append((child.path, child_names))
                elif _segments_match(child_names, patterns):
                    found.append(child.path)
        return sorted(found)

    def walk(self, lineno: int, entry: str, directory: str) -> list[str]:
        """Every file below ``directory``, following symlinks once, skipping hidden names."""
        out: list[str] = []
        seen: set[str] = set()
        stack = [directory]
        while stack:
            current = stack.pop()
            real = os.path.realpath(current)
            if real in seen:
                continue
            seen.add(real)
            self.relative(lineno, entry, current)
            for child in self.scan(lineno, entry, current):
                if _is_skipped_name(child.name):
                    continue
                if child.is_dir():
                    stack.append(child.path)
                elif child.is_file():
                    out.append(self.relative(lineno, entry, child.path))
                elif child.is_symlink():
                    raise self.error(lineno, entry, f"includes {child.path}, a broken symlink; "
                                                    "fix or remove it")
        return out


def read_manifest(topology_dir: Path, *, exclude: Iterable[Path] = (),
                  display_dir: Path | None = None) -> list[str]:
    """The files manifest.txt lists, as sorted '/'-separated paths relative to the topology dir.

    A missing manifest.txt means no extra files. ``exclude`` holds files never shipped even
    when a pattern matches them (the jar being written). ``display_dir`` is how error
    messages spell the topology directory (default: as given).
    """
    manifest = topology_dir / MANIFEST_NAME
    if not manifest.is_file():
        return []
    where = str((display_dir or topology_dir) / MANIFEST_NAME)
    try:
        text = manifest.read_text(encoding="utf-8-sig")   # a BOM from Windows editors
    except (OSError, UnicodeDecodeError) as exc:
        raise PetrelError(f"{where}: cannot read the manifest: {exc}") from None
    root = os.path.abspath(topology_dir)
    excluded: set[str] = set()
    for path in exclude:
        rel = os.path.relpath(os.path.abspath(path), root)
        if not rel.startswith(os.pardir):
            excluded.add(rel.replace(os.sep, "/"))
    resolver = _Resolver(topology_dir, where, excluded)
    files: set[str] = set()
    for lineno, line in enumerate(text.splitlines(), start=1):
        entry = strip_comment(line)
        if entry:
            files.update(resolver.expand(lineno, entry))
    return sorted(files)
