"""manifest.txt: the extra files a topology ships in its jar.

One entry per line: a file, a directory (shipped recursively) or a glob (``*``, ``?``,
``[...]``, and ``**`` for any depth). ``#`` starts a comment (at the start of a line or
after whitespace); blank lines are ignored. Paths are relative to the topology directory
and keep that relative path in the jar. Names starting with a dot and ``__pycache__``
directories are only shipped when a line names them explicitly. An entry that matches
nothing, or that leads outside the topology directory (``..``, an absolute path, a
symlink), is an error naming the file and line.

A section line ``[from DIR]`` names one directory outside the topology directory (DIR is
relative to the topology directory, e.g. ``../common``): the entries after it, up to the
next section, are resolved inside DIR, may not leave it (no ``..``, no absolute path, no
symlink out of it) and ship at their path relative to DIR, at the jar's root. Two
entries giving the same jar path from different files are an error.
"""

from __future__ import annotations

import contextlib
import fnmatch
import glob
import importlib
import os
import re
import sys
from collections.abc import Iterable, Iterator
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
    """Expands manifest entries into files, checking every path stays inside one root.

    The root is the topology directory, or the directory of a ``[from DIR]`` section
    (``section`` is then DIR as written, and entries may not use ``..`` or absolute paths).
    """

    def __init__(self, root: Path, where: str, exclude: Iterable[Path] = (),
                 section: str | None = None) -> None:
        self.root = os.path.abspath(root)
        self.real_root = os.path.realpath(root)
        self.where = where
        self.section = section
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


_SECTION = re.compile(r"\[\s*from\b(.*)\]")


def section_dir(entry: str) -> str | None:
    """DIR of a ``[from DIR]`` section line (``""`` when it names none); None for an entry."""
    match = _SECTION.fullmatch(entry)
    return match.group(1).strip() if match else None


def _read_lines(topology_dir: Path, display_dir: Path | None) -> tuple[str, list[str]] | None:
    """How messages name manifest.txt, and its lines; None when there is no manifest."""
    manifest = topology_dir / MANIFEST_NAME
    if not manifest.is_file():
        return None
    where = str((display_dir or topology_dir) / MANIFEST_NAME)
    try:
        text = manifest.read_text(encoding="utf-8-sig")   # a BOM from Windows editors
    except (OSError, UnicodeDecodeError) as exc:
        raise PetrelError(f"{where}: cannot read the manifest: {exc}") from None
    return where, text.splitlines()


def _section_root(topology_dir: Path, directory: str, where: str, lineno: int) -> Path:
    """The directory a ``[from DIR]`` line names, checked: relative, existing, a directory."""
    line = f"{where} line {lineno}: [from {directory}]"
    if not directory:
        raise PetrelError(f"{line} names no directory; write e.g. [from ../common]")
    if os.path.isabs(directory):
        raise PetrelError(f"{line}: the directory must be relative to the topology directory "
                          "(so the jar builds the same from any checkout), e.g. ../common")
    root = Path(os.path.normpath(os.path.join(os.path.abspath(topology_dir), directory)))
    if not root.is_dir():
        raise PetrelError(f"{line}: {root} is not a directory; fix the path or remove "
                          "the section")
    return root


def manifest_files(topology_dir: Path, *, exclude: Iterable[Path] = (),
                   display_dir: Path | None = None) -> dict[str, Path]:
    """The files manifest.txt lists: '/'-separated jar path (under resources/) -> file, sorted.

    A missing manifest.txt means no extra files. ``exclude`` holds files never shipped even
    when a pattern matches them (the jar being written). ``display_dir`` is how error
    messages spell the topology directory (default: as given).
    """
    lines = _read_lines(topology_dir, display_dir)
    if lines is None:
        return {}
    where, text = lines
    exclude = list(exclude)
    resolver = _Resolver(topology_dir, where, exclude)
    files: dict[str, Path] = {}
    given_by: dict[str, tuple[int, str]] = {}    # jar path -> (line, where it came from)
    for lineno, line in enumerate(text, start=1):
        entry = strip_comment(line)
        if not entry:
            continue
        directory = section_dir(entry)
        if directory is not None:
            root = _section_root(topology_dir, directory, where, lineno)
            same = root == Path(os.path.abspath(topology_dir))
            resolver = _Resolver(root, where, exclude, None if same else directory)
            continue
        for path in resolver.expand(lineno, entry):
            source = Path(resolver.root) / path
            if path in files and files[path] != source:
                first_line, first_label = given_by[path]
                raise resolver.error(
                    lineno, entry, f"gives the jar path {path!r} from {resolver.label}, which "
                                   f"line {first_line} already gives from {first_label}; "
                                   "rename one of the files or remove one of the lines")
            files[path] = source
            given_by.setdefault(path, (lineno, resolver.label))
    return dict(sorted(files.items()))


def read_manifest(topology_dir: Path, *, exclude: Iterable[Path] = (),
                  display_dir: Path | None = None) -> list[str]:
    """The jar paths manifest.txt lists (see ``manifest_files``), sorted."""
    return list(manifest_files(topology_dir, exclude=exclude, display_dir=display_dir))


def section_dirs(topology_dir: Path) -> list[Path]:
    """The existing directories named by the manifest's ``[from DIR]`` lines, in order.

    Lenient on purpose: ``manifest_files`` reports a wrong line with its number.
    """
    lines = _read_lines(topology_dir, None)
    out: list[Path] = []
    for line in lines[1] if lines else []:
        directory = section_dir(strip_comment(line))
        if directory and not os.path.isabs(directory):
            root = Path(os.path.normpath(os.path.join(os.path.abspath(topology_dir),
                                                      directory)))
            if root.is_dir() and root not in out and root != Path(
                    os.path.abspath(topology_dir)):
                out.append(root)
    return out


@contextlib.contextmanager
def section_imports(topology_dir: Path) -> Iterator[list[Path]]:
    """Make the ``[from DIR]`` directories importable (after whatever comes first on
    ``sys.path``, e.g. the topology directory the loader inserts), as the jar's flat
    ``resources/`` makes their modules importable on a worker.

    Modules of those directories imported meanwhile are dropped afterwards, and same-named
    modules imported before are set aside and restored, so two topologies loaded in one
    process never share a module by accident.
    """
    dirs = section_dirs(topology_dir)
    if not dirs:                            # most topologies: nothing to add or forget
        yield dirs
        return
    names: set[str] = set()
    for directory in dirs:
        names |= {p.stem for p in directory.glob("*.py")}
        names |= {p.name for p in directory.iterdir() if (p / "__init__.py").is_file()}
    names -= set(sys.builtin_module_names) | {"petrel"}
    saved = {n: m for n, m in sys.modules.items() if n.partition(".")[0] in names}
    for name in saved:
        del sys.modules[name]
    entries = [str(d) for d in dirs]
    sys.path[0:0] = entries
    importlib.invalidate_caches()
    try:
        yield dirs
    finally:
        for entry in entries:
            with contextlib.suppress(ValueError):
                sys.path.remove(entry)
        for name, module in list(sys.modules.items()):
            filename = getattr(module, "__file__", None) or ""
            if name.partition(".")[0] in names or any(
                    filename.startswith(entry + os.sep) for entry in entries):
                del sys.modules[name]
        sys.modules.update(saved)
