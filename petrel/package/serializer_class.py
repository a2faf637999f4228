"""The MessagePack serializer's Java class in the jar, and the worker's msgpack package.

``petrel.serializer: msgpack`` makes Storm load ``petrel.PetrelMsgpackSerializer`` from the
topology jar, so the jar carries its class at ``petrel/PetrelMsgpackSerializer.class`` (the
jar root is on the worker's classpath; ``resources/`` is not). The class ships compiled in
this package (``classes/``, rebuilt by ``make jvm-classes``), so building needs no JDK.
On the worker the Python side decodes with the msgpack package when the topology's
requirements.txt installs it, else with petrel's pure-Python codec, which is much slower.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from petrel.errors import PetrelError
from petrel.package.jar import EntrySource
from petrel.topology.serializer import MSGPACK_CLASS, uses_msgpack

CLASSES_DIR = Path(__file__).resolve().with_name("classes")
CLASS_FILE = "PetrelMsgpackSerializer.class"
CLASS_ENTRY = MSGPACK_CLASS.replace(".", "/") + ".class"
REQUIREMENTS = "requirements.txt"
# names pip accepts for the package (msgpack-python is its old name), normalised as PEP 503
_MSGPACK_NAMES = ("msgpack", "msgpack-python")
_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def shipped_class() -> Path:
    """The compiled serializer in this petrel installation."""
    path = CLASSES_DIR / CLASS_FILE
    if not path.is_file():
        raise PetrelError(f"this petrel installation lacks {path}, part of the worker "
                          "runtime; reinstall petrel")
    return path


def serializer_entries(conf: dict[str, Any]) -> dict[str, EntrySource]:
    """The jar entries ``petrel.serializer`` needs: the class with msgpack, nothing with json."""
    return {CLASS_ENTRY: shipped_class()} if uses_msgpack(conf) else {}


def lists_msgpack(requirements: str) -> bool:
    """True when a requirements.txt text names the msgpack package on a line of its own."""
    for line in requirements.splitlines():
        line = re.sub(r"(^|\s)#.*", "", line).strip()
        match = _NAME_RE.match(line)
        if match and re.sub(r"[-_.]+", "-", match.group()).lower() in _MSGPACK_NAMES:
            return True
    return False


def msgpack_package_warning(conf: dict[str, Any], manifest: Mapping[str, Path]) -> str | None:
    """A warning when msgpack is chosen but the shipped requirements.txt lacks the package."""
    if not uses_msgpack(conf):
        return None
    file = manifest.get(REQUIREMENTS)
    if file is not None:
        try:
            if lists_msgpack(file.read_text(encoding="utf-8", errors="replace")):
                return None
        except OSError:
            return None     # the jar writer reports an unreadable file
        fix = "add a line 'msgpack' to requirements.txt"
    else:
        fix = "ship a requirements.txt with a line 'msgpack' (list it in manifest.txt)"
    return ("petrel.serializer is msgpack but the workers' requirements.txt does not install "
            "the msgpack package, so components fall back to petrel's pure-Python codec, which "
            f"is much slower; {fix}")
