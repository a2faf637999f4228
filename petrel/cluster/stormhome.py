"""A Storm home for ``--via-storm-cli`` when no ``storm`` command is on PATH.

Storm's ``storm jar`` is a thin launcher: it runs ``java`` with the home's client classpath
(``lib-worker/``, Storm 1.x: ``lib/``), the topology jar and the storm.yaml directory, sets
``-Dstorm.jar`` so that ``StormSubmitter`` knows what to upload, and passes every ``-c k=v``
as ``-Dstorm.options``. petrel does the same from a Storm home it finds, in this order:

1. ``$STORM_HOME``: an unpacked Storm release (or any directory laid out like one). Its
   storm.yaml is read from ``~/.storm/``, else ``$STORM_CONF_DIR``, else ``$STORM_HOME/conf``,
   as Storm's own launcher does.
2. The home of the ``petrel storm up`` cluster in ``$PETREL_STORM_DIR`` (else the default
   cluster directory), as its ``cluster.json`` records it, with the cluster's own
   ``conf/storm.yaml`` (so its Nimbus is the default target) and the Java it runs on.

A home that has ``bin/storm`` (an unpacked release) is used through that command instead.
"""

from __future__ import annotations

import os
import shlex
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence
from urllib.parse import quote_plus

from petrel.cluster.devcluster import ClusterDir, default_directory
from petrel.errors import PetrelError

MAIN_CLASS = "petrel.GenericTopology"
LOCAL_CLUSTER = "org.apache.storm.LocalCluster"
LOCAL_TTL_DEFAULT = 20   # seconds, what ``storm local`` passes when --local-ttl is not given


@dataclass(frozen=True)
class StormHome:
    """A directory holding Storm's jars, the storm.yaml directory to read and the Java to use."""

    path: Path
    conf_dir: Optional[Path]
    java: Optional[str]             # the Java to run (None: $JAVA_HOME's, else PATH's)
    origin: str                     # how it was found, for messages
    cluster: Optional[Path] = None  # the ``petrel storm up`` cluster directory it came from

    @property
    def storm_command(self) -> Optional[Path]:
        """``bin/storm`` when this home is an unpacked release, else None."""
        storm = self.path / "bin" / "storm"
        return storm if storm.is_file() and os.access(storm, os.X_OK) else None

    def classpath(self, *extra: str, client: bool = True, daemon: bool = True) -> str:
        """Storm's launcher classpath: home, ``lib-worker/`` (client) or ``lib/``, extlibs."""
        worker = self.path / "lib-worker"
        lib = worker if client and worker.is_dir() else self.path / "lib"
        dirs = [self.path, lib, self.path / "extlib"]
        if daemon:
            dirs.append(self.path / "extlib-daemon")
        parts = [str(d / "*") for d in dirs if d.is_dir()]
        for name in ("STORM_EXT_CLASSPATH",) + (("STORM_EXT_CLASSPATH_DAEMON",) if daemon else ()):
            if os.environ.get(name):
                parts.append(os.environ[name])
        return os.pathsep.join(parts + [e for e in extra if e])

    def jar_command(self, jar: Path, main_args: Sequence[str], *, settings: Sequence[str] = (),
                    local: bool = False, local_ttl: Optional[float] = None) -> list[str]:
        """``java ...`` as ``storm jar JAR petrel.GenericTopology ARGS`` (or ``storm local``)."""
        extra = [str(jar), *self._conf_and_bin()]
        jvm = shlex.split(os.environ.get("STORM_JAR_JVM_OPTS", ""))
        if local:
            ttl = LOCAL_TTL_DEFAULT if not local_ttl else max(1, int(local_ttl))
            jvm.append(f"-Dstorm.local.sleeptime={ttl}")
        jvm += [f"-Dstorm.jar={jar}", "-Dstorm.dependency.jars=",
                "-Dstorm.dependency.artifacts={}"]
        klass, args = (LOCAL_CLUSTER, [MAIN_CLASS, *main_args]) if local else (MAIN_CLASS,
                                                                                 list(main_args))
        return self.java_command(klass, args, settings=settings, jvm_opts=jvm, extra=extra,
                                 client=not local, daemon=False)

    def tool_command(self, klass: str, args: Sequence[str], *,
                     settings: Sequence[str] = ()) -> list[str]:
        """``java ...`` as ``storm kill|list ...`` runs Storm's command class ``klass``."""
        return self.java_command(klass, args, settings=settings, extra=self._conf_and_bin())

    def java_command(self, klass: str, args: Sequence[str], *, settings: Sequence[str] = (),
                     jvm_opts: Sequence[str] = (), extra: Sequence[str] = (),
                     client: bool = False, daemon: bool = True) -> list[str]:
        """The ``java`` command line Storm's launcher builds to run ``klass`` with ``args``."""
        log_dir = (self.cluster or self.path) / "logs"
        return [_java(self.java), "-client", "-Ddaemon.name=", storm_options(settings),
                f"-Dstorm.home={self.path}", f"-Dstorm.log.dir={log_dir}", "-Dstorm.conf.file=",
                "-cp", self.classpath(*extra, client=client, daemon=daemon),
                *jvm_opts, klass, *args]

    def _conf_and_bin(self) -> list[str]:
        """The storm.yaml directory and ``bin/``, which Storm's launcher adds to the classpath."""
        dirs = [self.conf_dir] if self.conf_dir is not None else []
        return [str(d) for d in dirs + [self.path / "bin"] if d.is_dir()]


def storm_options(settings: Sequence[str]) -> str:
    """``-Dstorm.options=`` for ``key=value`` settings, each URL-encoded as ``storm -c`` does."""
    return "-Dstorm.options=" + ",".join(quote_plus(s) for s in settings)


def find_home() -> Optional[StormHome]:
    """``$STORM_HOME``, else the ``petrel storm up`` cluster's home, else None."""
    return home_from_env() or home_from_cluster()


def home_from_env() -> Optional[StormHome]:
    """The Storm home ``$STORM_HOME`` names, checked; None when it is not set."""
    value = os.environ.get("STORM_HOME", "").strip()
    if not value:
        return None
    path = Path(value).expanduser().resolve()
    if not _has_storm_jars(path):
        raise PetrelError(
            f"STORM_HOME={value} holds no Storm jars (lib-worker/storm-client-*.jar, or "
            "lib/storm-core-*.jar for Storm 1.x); point it at an unpacked Apache Storm release")
    user = Path.home() / ".storm"
    if (user / "storm.yaml").is_file():
        conf: Optional[Path] = user
    elif os.environ.get("STORM_CONF_DIR"):
        conf = Path(os.environ["STORM_CONF_DIR"]).expanduser()
    else:
        conf = path / "conf"
    return StormHome(path, conf, None, f"STORM_HOME={value}")


def home_from_cluster(directory: Optional[Path] = None) -> Optional[StormHome]:
    """The home of the ``petrel storm up`` cluster in ``directory`` (default: the usual one)."""
    cluster = ClusterDir(directory or default_directory())
    record = cluster.record()
    if record is None or not _has_storm_jars(Path(record.home)):
        return None
    java = record.java if record.java and Path(record.java).is_file() else None
    return StormHome(Path(record.home), cluster.conf, java,
                     f"the 'petrel storm up' cluster in {cluster.root}", cluster.root)


def _has_storm_jars(path: Path) -> bool:
    return (any((path / "lib-worker").glob("storm-client-*.jar"))
            or any((path / "lib").glob("storm-core-*.jar")))


def _java(preferred: Optional[str]) -> str:
    """``preferred``, else ``$JAVA_HOME/bin/java``, else ``java`` on PATH, as Storm's launcher."""
    if preferred:
        return preferred
    if os.environ.get("JAVA_HOME"):
        java = Path(os.environ["JAVA_HOME"]) / "bin" / "java"
        if not java.is_file():
            raise PetrelError(f"JAVA_HOME={os.environ['JAVA_HOME']} has no bin/java; fix "
                              "JAVA_HOME or unset it to use the 'java' on PATH")
        return str(java)
    java_path = shutil.which("java")
    if java_path is None:
        raise PetrelError("--via-storm-cli runs Storm's client with Java, and no 'java' is on "
                          "PATH; install a Java runtime or set JAVA_HOME")
    return java_path
