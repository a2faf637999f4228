"""Storm version numbers: parsing, series (``2.8`` = the newest 2.8.x), and the Java each needs.

Storm 2.8 is compiled for Java 17, 2.6 and 2.7 for Java 11, older 2.x and 1.x for Java 8
(their poms' ``maven.compiler.target``); Storm 1.x also needs a Java older than 14. Storm
1.x ships one jar (``storm-core``) for daemons and workers; 2.x splits it into
``storm-client`` (workers) and ``storm-server``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from petrel.errors import PetrelError

DEFAULT_SERIES = "2.8"

_VERSION = re.compile(r"^(\d+)\.(\d+)(?:\.(\d+))?$")


@dataclass(frozen=True, order=True)
class StormVersion:
    """A Storm release number; ``patch`` is None for a series such as ``2.8``."""

    major: int
    minor: int
    patch: int | None = None

    @classmethod
    def parse(cls, text: str) -> StormVersion:
        """``2.8.3`` or the series ``2.8``; anything else is a clear error."""
        m = _VERSION.match(text.strip())
        if not m:
            raise PetrelError(f"--version: {text!r} is not a Storm version; give MAJOR.MINOR.PATCH "
                              f"(2.8.3) or a series (2.8 for its newest release)")
        patch = int(m.group(3)) if m.group(3) is not None else None
        return cls(int(m.group(1)), int(m.group(2)), patch)

    @property
    def is_series(self) -> bool:
        """True for ``2.8`` (any patch release), False for ``2.8.3``."""
        return self.patch is None

    @property
    def java_needed(self) -> int:
        """The oldest Java major version this Storm runs on."""
        if (self.major, self.minor) >= (2, 8):
            return 17
        if (self.major, self.minor) >= (2, 6):
            return 11
        return 8

    @property
    def java_newest(self) -> int | None:
        """The newest Java major version this Storm runs on (None: no known limit).

        Storm 1.x shades a ZooKeeper 3.4 client that cannot connect on Java 14 and newer
        (it formats unresolved addresses the way Java 14 changed).
        """
        return 13 if self.major < 2 else None

    @property
    def single_jar(self) -> bool:
        """Storm 1.x: daemons and workers share ``storm-core`` and ``lib/``."""
        return self.major < 2

    def contains(self, other: StormVersion) -> bool:
        """Whether ``other`` is this version, or a release of this series."""
        if self.is_series:
            return (other.major, other.minor) == (self.major, self.minor)
        return other == self

    def __str__(self) -> str:
        base = f"{self.major}.{self.minor}"
        return base if self.patch is None else f"{base}.{self.patch}"


def version_of_jar(name: str, artifact: str) -> StormVersion | None:
    """The version in a jar file name such as ``storm-client-2.8.3.jar``, else None."""
    m = re.match(re.escape(artifact) + r"-(\d+\.\d+\.\d+)\.jar$", name)
    return StormVersion.parse(m.group(1)) if m else None
