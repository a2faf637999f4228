"""manifest.txt: the extra files a topology ships in its jar.

One entry per line: a file, a directory (shipped recursively) or a glob (``*``, ``?``,
``[...]``, and ``**`` for any depth); ``manifest_lines`` reads the lines (comments,
``$VAR``, ``[strict]``, petrel's own egg skipped) and ``manifest_resolve`` turns each entry
into files. Paths are relative to the topology directory and keep that relative path in
the jar. Names starting with a dot and ``__pycache__`` directories are only shipped when a
line names them explicitly. An entry that matches nothing (a glob: only in a strict
manifest, otherwise a warning), or that leads outside the topology directory (``..``, an
absolute path, a symlink), is an error naming the file and line.

A section line ``[from DIR]`` names one directory outside the topology directory (DIR is
relative to the topology directory, e.g. ``../common``): the entries after it, up to the
next section, are resolved inside DIR, may not leave it (no ``..``, no absolute path, no
symlink out of it) and ship at their path relative to DIR, at the jar's root. Two
entries giving the same jar path from different files are an error.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from petrel.errors import PetrelError
from petrel.package.manifest_lines import (
    MANIFEST_NAME,
    STRICT_LINE,
    expand_variables,
    names_petrel_itself,
    read_lines,
    section_dir,
    strip_comment,
)
from petrel.package.manifest_resolve import Resolver

__all__ = ["MANIFEST_NAME", "manifest_files", "read_manifest", "section_dir", "section_dirs",
           "section_imports", "strip_comment"]


def _print(message: str) -> None:
    """Where manifest notes and warnings go unless the caller collects them."""
    print(f"petrel: {message}", file=sys.stderr)


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
                   display_dir: Path | None = None,
                   report: Callable[[str], None] = _print) -> dict[str, Path]:
    """The files manifest.txt lists: '/'-separated jar path (under resources/) -> file, sorted.

    A missing manifest.txt means no extra files. ``exclude`` holds files never shipped even
    when a pattern matches them (the jar being written). ``display_dir`` is how error
    messages spell the topology directory (default: as given). ``report`` receives the
    lines the user should see even when the build succeeds ('note: ...', 'warning: ...');
    by default they go to stderr.
    """
    manifest = read_lines(topology_dir, display_dir)
    if manifest is None:
        return {}
    where = manifest.where
    exclude = list(exclude)

    def resolver_for(root: Path, section: str | None = None) -> Resolver:
        return Resolver(root, where, exclude, section, strict=manifest.strict,
                        warn=lambda message: report(f"warning: {message}"))

    resolver = resolver_for(topology_dir)
    files: dict[str, Path] = {}
    given_by: dict[str, tuple[int, str]] = {}    # jar path -> (line, where it came from)
    for lineno, line in enumerate(manifest.lines, start=1):
        entry = strip_comment(line)
        if not entry or entry == STRICT_LINE:
            continue
        directory = section_dir(entry)
        if directory is not None:
            directory = expand_variables(directory, where, lineno)
            root = _section_root(topology_dir, directory, where, lineno)
            same = root == Path(os.path.abspath(topology_dir))
            resolver = resolver_for(root, None if same else directory)
            continue
        entry = expand_variables(entry, where, lineno)
        if names_petrel_itself(entry):
            report(f"note: {where} line {lineno}: {entry!r} is a packaged petrel; skipped, "
                   "since every jar holds petrel's worker runtime already (remove the line)")
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
                  display_dir: Path | None = None,
                  report: Callable[[str], None] = _print) -> list[str]:
    """The jar paths manifest.txt lists (see ``manifest_files``), sorted."""
    return list(manifest_files(topology_dir, exclude=exclude, display_dir=display_dir,
                               report=report))


def section_dirs(topology_dir: Path) -> list[Path]:
    """The existing directories named by the manifest's ``[from DIR]`` lines, in order.

    Lenient on purpose: ``manifest_files`` reports a wrong line with its number.
    """
    manifest = read_lines(topology_dir, None)
    out: list[Path] = []
    for lineno, line in enumerate(manifest.lines if manifest else [], start=1):
        directory = section_dir(strip_comment(line))
        if directory:
            try:
                directory = expand_variables(directory, "", lineno)
            except PetrelError:
                continue
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
