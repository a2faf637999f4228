"""Finding a ``java`` that can run a given Storm, and the ``mvn`` that fetches its jars.

The Java is chosen in this order: ``$JAVA_HOME``, ``java`` on PATH, then the JDKs installed
in the usual places (``/usr/lib/jvm``, ``/Library/Java/JavaVirtualMachines``); the first
whose major version is at least what the Storm version needs wins. Daemons get that JDK as
``JAVA_HOME``, so the supervisor starts workers with it too.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from petrel.errors import PetrelError

_JDK_DIRS = ("/usr/lib/jvm/*/bin/java",
             "/Library/Java/JavaVirtualMachines/*/Contents/Home/bin/java")


@dataclass(frozen=True)
class Java:
    """A ``java`` executable and its major version (8, 11, 17, ...)."""

    path: str
    major: int

    @property
    def home(self) -> str:
        """The JDK directory (``.../bin/java`` without ``bin/java``)."""
        return str(Path(self.path).resolve().parent.parent)


def java_major(path: str) -> int | None:
    """The major version ``path -version`` reports, or None when it does not run."""
    try:
        proc = subprocess.run([path, "-version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    m = re.search(r'version "(\d+)(?:\.(\d+))?', proc.stderr + proc.stdout)
    if not m:
        return None
    first = int(m.group(1))
    return int(m.group(2) or 0) if first == 1 else first   # "1.8.0_392" is Java 8


def _candidates() -> list[str]:
    found: list[str] = []
    home = os.environ.get("JAVA_HOME")
    if home:
        found.append(os.path.join(home, "bin", "java"))
    on_path = shutil.which("java")
    if on_path:
        found.append(on_path)
    for pattern in _JDK_DIRS:
        found.extend(sorted(glob.glob(pattern)))
    unique: dict[str, str] = {}            # real path -> first name it was found under
    for path in found:
        if os.path.isfile(path):
            unique.setdefault(os.path.realpath(path), path)
    return list(unique.values())


def find_java(needed: int, storm: str, newest: int | None = None) -> Java:
    """The first Java from version ``needed`` to ``newest``, or an error saying what Storm
    needs."""
    seen: list[str] = []
    for path in _candidates():
        major = java_major(path)
        if major is None:
            continue
        if major >= needed and (newest is None or major <= newest):
            return Java(path, major)
        seen.append(f"{path} is Java {major}")
    have = "; ".join(seen) if seen else "no java on PATH, none in $JAVA_HOME or /usr/lib/jvm"
    if newest is not None:
        raise PetrelError(f"Storm {storm} needs Java {needed} to {newest} ({have}); install such "
                          f"a JDK (for example Java 11) and point JAVA_HOME at it")
    raise PetrelError(f"Storm {storm} needs Java {needed} or newer ({have}); install a JDK "
                      f"{needed}+ (Debian: apt-get install openjdk-{max(needed, 17)}-jdk-headless) "
                      f"or point JAVA_HOME at one")


def find_mvn() -> str:
    """The ``mvn`` on PATH, or an error saying how to get it."""
    mvn = shutil.which("mvn")
    if mvn is None:
        raise PetrelError("'petrel storm up' fetches Storm's jars with Maven, and 'mvn' is not on "
                          "PATH: install Maven (Debian: apt-get install maven; macOS: brew "
                          "install maven), or give --home with an unpacked Storm distribution")
    return mvn
