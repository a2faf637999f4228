"""Writing the topology jar: a plain zip that is byte-for-byte the same for the same input.

Entries are written in sorted order with a fixed timestamp (1980-01-01 00:00:00, the
earliest a zip can hold), fixed permissions (0644, Unix) and fixed compression, so two
builds of an unchanged topology give identical jars. No directory entries are written:
Storm's supervisor creates parent directories itself when it extracts ``resources/``.
The file is written beside its destination and renamed into place, so a failed build
never leaves a truncated jar behind. Files are streamed into the jar in chunks, so
shipping a file of any size takes little memory.
"""

from __future__ import annotations

import contextlib
import os
import stat
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Union

from petrel import __version__
from petrel.errors import PetrelError

FIXED_DATE_TIME = (1980, 1, 1, 0, 0, 0)
_FILE_MODE = (stat.S_IFREG | 0o644) << 16
_UNIX = 3
_COMPRESS_LEVEL = 6
_CHUNK = 1024 * 1024

# Content of one jar entry: the bytes themselves, or a file to read them from.
EntrySource = Union[bytes, Path]

MANIFEST_MF = f"Manifest-Version: 1.0\r\nCreated-By: petrel {__version__}\r\n\r\n".encode()


def _check_name(name: str) -> None:
    """Entry names are relative, '/'-separated and never climb out of the jar root."""
    parts = name.split("/")
    if not name or name.startswith("/") or "\\" in name or any(p in ("", ".", "..") for p in parts):
        raise ValueError(f"invalid jar entry name {name!r}")


def write_jar(dest: Path, entries: Mapping[str, EntrySource]) -> int:
    """Write ``entries`` (jar path -> content) as a reproducible jar at ``dest``; return its size.

    A ``META-INF/MANIFEST.MF`` is added so Java tools treat the file as a jar.
    """
    all_entries: dict[str, EntrySource] = {"META-INF/MANIFEST.MF": MANIFEST_MF}
    all_entries.update(entries)
    for name in all_entries:
        _check_name(name)
    dest = Path(dest)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        zf = zipfile.ZipFile(tmp, "w")
        try:
            for name in sorted(all_entries):
                _write_entry(zf, name, all_entries[name])
        except BaseException:
            _abandon(zf)
            raise
        zf.close()
        os.replace(tmp, dest)
    except BaseException as exc:        # Ctrl+C and SIGTERM too: never leave the temporary
        try:
            tmp.unlink()
        except OSError:
            pass
        if not isinstance(exc, OSError):
            raise
        raise PetrelError(f"cannot write the jar {dest}: {exc.strerror or exc}; "
                          "choose another path with --destjar") from None
    return dest.stat().st_size


def _abandon(zf: zipfile.ZipFile) -> None:
    """Close a jar whose writing failed (its file is deleted next), whatever state an
    interruption left it in, so the original exception is the one reported."""
    # Ctrl+C inside ZipFile.open leaves the archive marked as writing an entry; close()
    # would then raise a ValueError in place of the KeyboardInterrupt.
    zf._writing = False  # type: ignore[attr-defined]
    with contextlib.suppress(Exception):
        zf.close()


def _entry_info(name: str) -> zipfile.ZipInfo:
    """The fixed metadata of every entry: date, Unix mode 0644, deflate at one level."""
    info = zipfile.ZipInfo(name, FIXED_DATE_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = _UNIX
    info.external_attr = _FILE_MODE
    return info


def _write_entry(zf: zipfile.ZipFile, name: str, source: EntrySource) -> None:
    """Write one entry; a file is copied in chunks rather than read whole."""
    info = _entry_info(name)
    if isinstance(source, bytes):
        zf.writestr(info, source, compresslevel=_COMPRESS_LEVEL)
        return
    try:
        src = open(source, "rb")
        size = os.fstat(src.fileno()).st_size
    except OSError as exc:
        raise _unreadable(source, name, exc) from None
    with src:
        # The size known up front lets zipfile pick zip64 headers for files over 2 GiB,
        # as writestr does; the level is set as writestr sets it, so bytes are identical.
        info.file_size = size
        info._compresslevel = _COMPRESS_LEVEL  # type: ignore[attr-defined]
        with zf.open(info, "w") as dest:
            while True:
                try:
                    chunk = src.read(_CHUNK)
                except OSError as exc:
                    raise _unreadable(source, name, exc) from None
                if not chunk:
                    break
                dest.write(chunk)


def _unreadable(source: Path, name: str, exc: OSError) -> PetrelError:
    """The error for a file that cannot be read into the jar, naming it and its entry."""
    return PetrelError(f"cannot read {source} (jar entry {name}): {exc.strerror or exc}")
