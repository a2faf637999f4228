"""Resolving manifest entries to files: globs, directories, and the checks on every path.

Each entry is resolved inside one root, the topology directory or a ``[from DIR]``
directory, and every file it yields must stay inside that root after resolving ``..`` and
symlinks. A glob that matches nothing is skipped with a warning (an error when the
manifest is strict); any other entry that matches nothing is an error. Only regular files
and directories are packaged: an entry naming a FIFO, socket or device says what it is.
"""

from __future__ import annotations

import fnmatch
import glob
import os
from collections.abc import Callable, Iterable
from pathlib import Path

from petrel.errors import PetrelError
from petrel.package.manifest_lines import special_file_kind

_GLOB_CHARS = ("*", "?", "[")


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


class Resolver:
    """Expands manifest entries into files, checking every path stays inside one root.

    The root is the topology directory, or the directory of a ``[from DIR]`` section
    (``section`` is then DIR as written, and entries may not use ``..`` or absolute paths).
    """

    def __init__(self, root: Path, where: str, exclude: Iterable[Path] = (),
                 section: str | None = None, *, strict: bool = False,
                 warn: Callable[[str], None] = lambda message: None) -> None:
        self.root = os.path.abspath(root)
        self.real_root = os.path.realpath(root)
        self.where = where
        self.section = section
        self.strict = strict
        self.warn = warn
        self.label = (f"the [from {section}] directory" if section is not None
                      else "the topology directory")
        self.exclude: set[str] = set()
        for path in exclude:
            rel = os.path.relpath(os.path.abspath(path), self.root)
            if rel != os.pardir and not rel.startswith(os.pardir + os.sep):
                self.exclude.add(rel.replace(os.sep, "/"))

    def error(self, lineno: int, entry: str, problem: str) -> PetrelError:
        """The error for one manifest line: file, line, entry, and what is wrong with it."""
        return PetrelError(f"{self.where} line {lineno}: {entry!r} {problem}")

    def relative(self, lineno: int, entry: str, path: str) -> str:
        """The jar path of ``path``: relative to the root, '/'-separated."""
        norm = os.path.normpath(path)
        rel = os.path.relpath(norm, self.root)
        if rel == os.curdir:
            return ""
        if rel == os.pardir or rel.startswith(os.pardir + os.sep) or os.path.isabs(rel):
            fix = ("move the file into it or remove the line" if self.section is None
                   else "entries of a [from DIR] section stay inside DIR")
            raise self.error(lineno, entry, f"is outside {self.label} {self.root}; {fix}")
        real = os.path.realpath(norm)
        if os.path.commonpath([real, self.real_root]) != self.real_root:
            raise self.error(lineno, entry, f"leads to {real}, outside {self.label} "
                                            f"{self.root} (through a symlink); copy the file "
                                            "into that directory instead")
        try:
            rel.encode("utf-8")
        except UnicodeEncodeError:
            shown = os.fsencode(rel).decode("utf-8", errors="replace")
            raise self.error(lineno, entry, f"matches {shown!r}, whose name is not valid "
                                            "UTF-8, which a jar entry name must be; rename the "
                                            "file or leave it out of the manifest") from None
        return rel.replace(os.sep, "/")

    def check_section_entry(self, lineno: int, entry: str) -> None:
        """In a ``[from DIR]`` section, an entry names a path inside DIR, spelled plainly."""
        if self.section is None:
            return
        if os.path.isabs(entry) or entry.startswith(("/", "\\")):
            raise self.error(lineno, entry, f"is an absolute path; entries of [from "
                                            f"{self.section}] are relative to {self.root}")
        if os.pardir in entry.replace("\\", "/").split("/"):
            raise self.error(lineno, entry, f"uses '..'; entries of [from {self.section}] "
                                            f"stay inside {self.root}: name another "
                                            "directory in its own [from DIR] line")

    def expand(self, lineno: int, entry: str) -> list[str]:
        """Every file one manifest entry stands for, as jar-relative paths."""
        self.check_section_entry(lineno, entry)
        path = entry if os.path.isabs(entry) else os.path.join(self.root, entry)
        is_glob = any(ch in entry for ch in _GLOB_CHARS)
        if is_glob:
            matches = (self.recursive_glob(lineno, entry, path) if "**" in entry
                       else sorted(glob.glob(path)))
            if "__pycache__" not in entry and ".pyc" not in entry:
                matches = [m for m in matches if not _in_bytecode_cache(m)]
        elif os.path.lexists(path):
            matches = [path]
            kind = special_file_kind(path)
            if kind is not None:
                raise self.error(lineno, entry, f"is {kind}; only regular files and "
                                                "directories are packaged: remove the line")
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
            elif os.path.islink(match) and not os.path.exists(match):
                raise self.error(lineno, entry, f"includes {match}, a broken symlink; "
                                                "fix or remove it")
        found = [f for f in found if f not in self.exclude]
        if not found:
            problem = f"matches no file in {self.root}"
            if not is_glob:
                raise self.error(lineno, entry, f"{problem}; fix the path or remove the line")
            if self.strict:
                raise self.error(lineno, entry, f"{problem}, and the manifest is strict; fix "
                                                "the pattern or remove the line")
            self.warn(f"{self.where} line {lineno}: {entry!r} {problem}; skipped (a "
                      "[strict] line in the manifest makes this an error)")
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
                elif child.is_symlink() and not os.path.exists(child.path):
                    raise self.error(lineno, entry, f"includes {child.path}, a broken symlink; "
                                                    "fix or remove it")
        return out
