"""A Storm home: Storm's jars laid out as the binary distribution lays them out.

``lib/`` holds the daemons' classpath (``storm-server``, ``storm-core`` and their
dependencies), ``lib-worker/`` the workers' (``storm-client`` and its dependencies),
``lib-webapp/`` the UI's (``storm-webapp``), ``log4j2/`` the daemon (``cluster.xml``) and
worker (``worker.xml``) logging set-up. Storm's supervisor builds each worker's classpath
from ``lib-worker/`` and its logging from ``log4j2/worker.xml`` under ``-Dstorm.home``, so
this layout is what Storm itself expects. Storm 1.x has only ``lib/`` (``storm-core``).

Homes petrel builds live in ``<cache>/petrel/storm/<version>/`` and are written into a
temporary directory that is renamed into place when complete, so an interrupted download
never leaves a half home behind. A ``--home`` is the user's unpacked distribution, used as
it is.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from petrel.devstorm.maven import Artifact, MavenError, Progress, copy_dependencies, newest_release
from petrel.devstorm.versions import StormVersion, version_of_jar
from petrel.errors import PetrelError

# Written last: its presence marks a complete home.
COMPLETE = "petrel-storm-home.txt"
# Written when storm-webapp could not be fetched: the reason the UI is unavailable.
NO_UI = "petrel-no-ui.txt"
# petrel's own log4j2 files for the daemons and workers of homes it lays out.
LOG4J2 = Path(__file__).with_name("log4j2")


def cache_root() -> Path:
    """``$PETREL_CACHE_DIR``, else ``$XDG_CACHE_HOME/petrel``, else ``~/.cache/petrel``."""
    if os.environ.get("PETREL_CACHE_DIR"):
        return Path(os.environ["PETREL_CACHE_DIR"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "petrel"


@dataclass(frozen=True)
class StormHome:
    """A directory Storm's daemons can run from, and the Storm version it holds."""

    path: Path
    version: StormVersion

    @property
    def lib(self) -> Path:
        """The daemons' jars."""
        return self.path / "lib"

    @property
    def lib_worker(self) -> Path:
        """The workers' jars (``lib/`` on Storm 1.x)."""
        worker = self.path / "lib-worker"
        return worker if worker.is_dir() else self.lib

    @property
    def lib_webapp(self) -> Path | None:
        """The UI's jars, or None when this home has no UI."""
        webapp = self.path / "lib-webapp"
        if self.version.single_jar:
            return self.lib
        return webapp if webapp.is_dir() and any(webapp.glob("storm-webapp-*.jar")) else None

    @property
    def no_ui_reason(self) -> str:
        """Why this home has no UI ('' when it has one)."""
        if self.lib_webapp is not None:
            return ""
        note = self.path / NO_UI
        if note.is_file():
            return note.read_text(encoding="utf-8").strip()
        return f"{self.path} has no lib-webapp/ with storm-webapp"

    @property
    def log4j2(self) -> Path:
        """The directory with ``cluster.xml`` and ``worker.xml``."""
        return self.path / "log4j2"

    def classpath(self, *dirs: Path) -> list[str]:
        """Storm's own daemon classpath order: home, ``lib/``, extlibs, then ``dirs``."""
        parts = [self.path / "*", self.lib / "*", self.path / "extlib" / "*",
                 self.path / "extlib-daemon" / "*"]
        return [str(p) for p in parts] + [str(d) for d in dirs]


def user_home(path: str) -> StormHome:
    """An unpacked Storm distribution given with ``--home``, checked."""
    home = Path(path).expanduser().resolve()
    if not home.is_dir():
        raise PetrelError(f"--home {path}: no such directory; give the directory an Apache Storm "
                          "release (apache-storm-X.Y.Z.tar.gz) was unpacked into")
    lib = home / "lib"
    version = None
    for artifact in ("storm-client", "storm-core"):
        for jar in sorted(lib.glob(f"{artifact}-*.jar")):
            version = version or version_of_jar(jar.name, artifact)
    if version is None:
        raise PetrelError(f"--home {path}: {lib} holds no storm-client or storm-core jar; this "
                          "is not an unpacked Apache Storm release")
    if not (home / "log4j2" / "worker.xml").is_file():
        raise PetrelError(f"--home {path}: {home / 'log4j2' / 'worker.xml'} is missing; Storm's "
                          "supervisor needs it to start workers")
    return StormHome(home, version)


def cached_homes(series: StormVersion) -> list[StormHome]:
    """Complete homes in the cache for ``series`` (or that exact version), newest first."""
    root = cache_root() / "storm"
    found = []
    for child in root.glob("*") if root.is_dir() else []:
        try:
            version = StormVersion.parse(child.name)
        except PetrelError:
            continue
        if (child / COMPLETE).is_file() and series.contains(version):
            found.append(StormHome(child, version))
    return sorted(found, key=lambda h: h.version, reverse=True)


def maven_home(mvn: str, wanted: StormVersion, progress: Progress) -> StormHome:
    """The cached home for ``wanted`` (a version or a series), laid out with Maven if absent."""
    cached = cached_homes(wanted)
    if cached:
        return cached[0]
    root = cache_root() / "storm"
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".partial-", dir=root) as tmp:
        version = wanted
        if wanted.is_series:
            progress(f"finding the newest Storm {wanted}.x release Maven can resolve")
            version = newest_release(mvn, wanted, Path(tmp), progress)
            cached = cached_homes(version)
            if cached:
                return cached[0]
        staging = Path(tmp) / str(version)
        _lay_out(mvn, version, staging, progress)
        final = root / str(version)
        if final.exists():           # an incomplete home left by an older petrel
            shutil.rmtree(final)
        staging.rename(final)
    return StormHome(final, version)


def _lay_out(mvn: str, version: StormVersion, dest: Path, progress: Progress) -> None:
    v = str(version)
    progress(f"laying out Storm {v} in {dest.parent.parent / v} (first time only)")
    if version.single_jar:
        copy_dependencies(mvn, [Artifact("storm-core", v)], dest / "lib",
                          f"Storm {v} (storm-core)", progress)
    else:
        copy_dependencies(mvn, [Artifact("storm-server", v), Artifact("storm-core", v)],
                          dest / "lib", f"Storm {v} daemons (storm-server)", progress)
        copy_dependencies(mvn, [Artifact("storm-client", v)], dest / "lib-worker",
                          f"Storm {v} workers (storm-client)", progress)
        try:
            copy_dependencies(mvn, [Artifact("storm-webapp", v)], dest / "lib-webapp",
                              f"Storm {v} UI (storm-webapp)", progress)
        except MavenError as exc:
            if exc.network:
                raise
            shutil.rmtree(dest / "lib-webapp", ignore_errors=True)
            (dest / NO_UI).write_text(
                f"{exc.message}; for the UI, give --home with an unpacked Storm distribution\n",
                encoding="utf-8")
            progress(f"Storm {v} UI (storm-webapp) is not available from Maven here; "
                     "the cluster will run without the UI")
    log4j2 = dest / "log4j2"
    log4j2.mkdir(parents=True)
    for name in ("cluster.xml", "worker.xml"):
        shutil.copyfile(LOG4J2 / name, log4j2 / name)
    (dest / COMPLETE).write_text(f"Apache Storm {v}, laid out by petrel from Maven\n",
                                 encoding="utf-8")
