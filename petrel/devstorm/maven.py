"""Resolving Apache Storm's artifacts into plain directories of jars with Maven.

petrel writes a throw-away ``pom.xml`` naming the artifacts and runs Maven's
``dependency:copy-dependencies`` on it, so Maven's own resolver, settings, mirrors and
local repository (``~/.m2``) apply, and a second run downloads nothing. A version series
(``2.8``) becomes a version range; when the newest release in the range cannot be
resolved (a release whose parent pom the repository lacks), the range is narrowed below
that release and tried again, so the result is the newest release that resolves.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable
from xml.sax.saxutils import escape

from petrel.devstorm.versions import StormVersion, version_of_jar
from petrel.errors import PetrelError

GROUP = "org.apache.storm"
Progress = Callable[[str], None]

# Storm's Clojure support pulls artifacts that live only outside Maven Central, and no
# daemon petrel starts needs it.
_NOT_NEEDED = (("org.apache.storm", "storm-clojure"), ("ring-cors", "ring-cors"))
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_NETWORK_WORDS = ("Unknown host", "transfer failed", "Connection refused", "Network is unreachable",
                  "Connect to", "timed out", "No route to host", "Could not transfer",
                  # Maven's own dependency plugin could not be fetched (a new ~/.m2, offline)
                  "No plugin found for prefix")
_FAILED_AT = re.compile(r"org\.apache\.storm:storm[\w-]*:(?:jar|pom):(\d+\.\d+\.\d+)")


@dataclass(frozen=True)
class Artifact:
    """One Maven dependency: ``org.apache.storm:ARTIFACT:VERSION`` (version may be a range)."""

    artifact: str
    version: str
    group: str = GROUP

    def xml(self) -> str:
        """The ``<dependency>`` element, with the exclusions petrel never needs."""
        exclusions = "".join(
            f"<exclusion><groupId>{g}</groupId><artifactId>{a}</artifactId></exclusion>"
            for g, a in _NOT_NEEDED)
        return (f"<dependency><groupId>{escape(self.group)}</groupId>"
                f"<artifactId>{escape(self.artifact)}</artifactId>"
                f"<version>{escape(self.version)}</version>"
                f"<exclusions>{exclusions}</exclusions></dependency>")


class MavenError(PetrelError):
    """Maven could not resolve what was asked; the message carries Maven's own reason."""

    def __init__(self, message: str, *, missing: StormVersion | None = None,
                 network: bool = False) -> None:
        super().__init__(message)
        self.missing = missing       # the Storm release that failed to resolve, when known
        self.network = network       # the Maven repository could not be reached


def pom(artifacts: list[Artifact]) -> str:
    """A minimal pom.xml that depends on ``artifacts``."""
    deps = "".join(a.xml() for a in artifacts)
    return ('<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>'
            '<groupId>petrel.devstorm</groupId><artifactId>storm-home</artifactId>'
            f'<version>1</version><dependencies>{deps}</dependencies></project>\n')


def copy_dependencies(mvn: str, artifacts: list[Artifact], dest: Path, what: str,
                      progress: Progress = lambda line: None) -> None:
    """Put ``artifacts`` and their runtime dependencies as jars into ``dest``."""
    with tempfile.TemporaryDirectory(prefix="petrel-mvn-") as tmp:
        pom_path = Path(tmp) / "pom.xml"
        pom_path.write_text(pom(artifacts), encoding="utf-8")
        cmd = [mvn, "-B", "-f", str(pom_path), "dependency:copy-dependencies",
               f"-DoutputDirectory={dest}", "-DincludeScope=runtime"]
        output = _run(cmd, progress, what)
    if output is not None:
        raise _error(output, what)


def _run(cmd: list[str], progress: Progress, what: str) -> str | None:
    """Run Maven, reporting downloads; None on success, else its output."""
    lines: list[str] = []
    downloads = 0
    try:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                stdin=subprocess.DEVNULL, errors="replace")
    except OSError as exc:
        raise PetrelError(f"cannot run Maven ({cmd[0]}): {exc.strerror}") from None
    assert proc.stdout is not None
    for raw in proc.stdout:
        line = _ANSI.sub("", raw.rstrip())
        lines.append(line)
        if "Downloaded from" in line:
            downloads += 1
            if downloads % 20 == 1:
                progress(f"{what}: {downloads} files downloaded so far")
    code = proc.wait()
    if downloads:
        progress(f"{what}: {downloads} files downloaded")
    return None if code == 0 else "\n".join(lines)


def _error(output: str, what: str) -> MavenError:
    errors = [line.replace("[ERROR]", "").strip() for line in output.splitlines()
              if line.startswith("[ERROR]") and line.replace("[ERROR]", "").strip()]
    reason = errors[0] if errors else (output.strip().splitlines() or ["no output"])[-1]
    reason = re.sub(r" -> \[Help \d+\]$", "", reason)
    reason = re.sub(r"^Failed to execute goal .*?: Could not resolve dependencies for project "
                    r"[^ ]+?:jar:1: ", "", reason)
    reason = reason.split(" during a previous attempt")[0]
    failed = _FAILED_AT.findall(reason)
    missing = StormVersion.parse(failed[-1]) if failed else None
    if any(word in reason for word in _NETWORK_WORDS) and "Could not find" not in reason:
        return MavenError(f"Maven could not reach its repository while fetching {what}: {reason}. "
                          "Check the network and Maven's settings (~/.m2/settings.xml), or give "
                          "--home with an unpacked Storm distribution", network=True,
                          missing=missing)
    return MavenError(f"Maven could not fetch {what}: {reason}", missing=missing)


def newest_release(mvn: str, series: StormVersion, scratch: Path,
                   progress: Progress = lambda line: None) -> StormVersion:
    """The newest release of ``series`` (e.g. 2.8) whose server jars resolve with Maven."""
    upper = f"{series.major}.{series.minor + 1}.0"
    for _ in range(20):
        dest = scratch / "probe"
        rng = f"[{series.major}.{series.minor}.0,{upper})"
        try:
            copy_dependencies(mvn, [Artifact("storm-client", rng)], dest,
                              f"Storm {series}.x", progress)
        except MavenError as exc:
            if exc.missing is None or not series.contains(exc.missing) or exc.network:
                raise MavenError(f"no Storm {series}.x release could be resolved: {exc.message}",
                                 network=exc.network) from None
            progress(f"Storm {exc.missing} does not resolve here; trying older {series}.x releases")
            upper = str(exc.missing)
            continue
        for jar in sorted(dest.glob("storm-client-*.jar")):
            found = version_of_jar(jar.name, "storm-client")
            if found is not None:
                return found
        break
    raise MavenError(f"no Storm {series}.x release could be resolved with Maven")
