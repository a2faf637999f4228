"""``petrel submit --via-storm-cli``: submit through Storm's own ``StormSubmitter``.

For clusters petrel's own Thrift client cannot reach (Kerberos, digest or TLS transports)
and for Storm's own local mode. petrel compiles ``GenericTopology.java`` (shipped in this
package; ``jvm/`` in the source tree links to it for Maven) against Storm's client
classpath, adds the class to a copy of the topology jar and runs it the way ``storm jar``
(or ``storm local``) does: through the ``storm`` command on PATH when there is one, else
with ``java`` and the client classpath of a Storm home (see :mod:`petrel.cluster.stormhome`).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Union

from petrel.cluster.address import parse_host_port
from petrel.cluster.stormhome import MAIN_CLASS, StormHome, find_home
from petrel.errors import PetrelError

JAVA_SOURCE = Path(__file__).with_name("GenericTopology.java")
NOT_FOUND = (
    "--via-storm-cli needs Apache Storm's 'storm' command on PATH, or a Storm home to run "
    "Storm's client from, and found neither. Either put the bin/ directory of an unpacked "
    "Storm release on PATH (or set STORM_HOME to that release), or start a local cluster with "
    "'petrel storm up' (its Storm home is used; set PETREL_STORM_DIR if it is not in the "
    "default directory). Or drop --via-storm-cli to let petrel talk to Nimbus itself"
)


@dataclass(frozen=True)
class StormCommand:
    """Storm's ``storm`` command, with the environment it runs in."""

    storm: str
    env: dict[str, str] = field(default_factory=dict)   # added to os.environ

    def classpath(self) -> str:
        """What ``storm classpath`` prints."""
        return storm_classpath(self.storm, env=self.environ())

    def submit_command(self, jar: Path, name: str, *, local: bool, inactive: bool,
               nimbus: Optional[str], duration: Optional[float]) -> list[str]:
        """``storm jar|local JAR petrel.GenericTopology NAME``."""
        return storm_command(self.storm, jar, name, local=local, inactive=inactive,
                             nimbus=nimbus, duration=duration)

    def kill_command(self, name: str, nimbus: Optional[str]) -> list[str]:
        """``storm kill NAME -w 0``."""
        return [self.storm, "kill", *nimbus_options(nimbus), name, "-w", "0"]

    def list_command(self, nimbus: Optional[str]) -> list[str]:
        """``storm list``."""
        return [self.storm, "list", *nimbus_options(nimbus)]

    def environ(self) -> Optional[dict[str, str]]:
        """The environment to run it in (None: this process's)."""
        return {**os.environ, **self.env} if self.env else None

    def describe(self) -> str:
        """How the topology is submitted, for messages."""
        return f"'{self.storm}'"


@dataclass(frozen=True)
class HomeClient:
    """Storm's client run with ``java`` from a Storm home, as ``storm jar`` would run it."""

    home: StormHome

    def classpath(self) -> str:
        """The classpath ``storm classpath`` of this home would print."""
        return self.home.classpath()

    def submit_command(self, jar: Path, name: str, *, local: bool, inactive: bool,
               nimbus: Optional[str], duration: Optional[float]) -> list[str]:
        """``java ... petrel.GenericTopology NAME`` (through LocalCluster for a local run)."""
        args = [name, "--inactive"] if inactive else [name]
        return self.home.jar_command(jar, args, settings=[] if local else nimbus_settings(nimbus),
                                     local=local, local_ttl=duration)

    def kill_command(self, name: str, nimbus: Optional[str]) -> list[str]:
        """``java ... org.apache.storm.command.KillTopology NAME -w 0``."""
        return self.home.tool_command("org.apache.storm.command.KillTopology", [name, "-w", "0"],
                                      settings=nimbus_settings(nimbus))

    def list_command(self, nimbus: Optional[str]) -> list[str]:
        """``java ... org.apache.storm.command.ListTopologies``."""
        return self.home.tool_command("org.apache.storm.command.ListTopologies", [],
                                      settings=nimbus_settings(nimbus))

    def environ(self) -> Optional[dict[str, str]]:
        """This process's environment."""
        return None

    def describe(self) -> str:
        """How the topology is submitted, for messages."""
        return f"java with the Storm home {self.home.path} ({self.home.origin})"


StormClient = Union[StormCommand, HomeClient]


def find_storm() -> StormClient:
    """The ``storm`` command on PATH, else a Storm home's (``bin/storm`` or java), or an error."""
    storm = shutil.which("storm")
    if storm is not None:
        return StormCommand(storm)
    home = find_home()
    if home is None:
        raise PetrelError(NOT_FOUND)
    if home.storm_command is not None:
        env = {"STORM_CONF_DIR": str(home.conf_dir)} if home.cluster and home.conf_dir else {}
        return StormCommand(str(home.storm_command), env)
    return HomeClient(home)


def java_source() -> Path:
    """GenericTopology.java as installed with petrel."""
    if not JAVA_SOURCE.is_file():
        raise PetrelError(
            f"{JAVA_SOURCE} is missing from this petrel installation; --via-storm-cli needs "
            "it: reinstall petrel (pip install --force-reinstall petrel)"
        )
    return JAVA_SOURCE


def storm_classpath(storm: str, env: Optional[dict[str, str]] = None) -> str:
    """What ``storm classpath`` prints (its last non-empty line)."""
    proc = _run([storm, "classpath"], what="'storm classpath'", timeout=300, env=env)
    lines = [line.strip() for line in proc.stdout.splitlines() if line.strip()]
    if not lines:
        raise PetrelError("'storm classpath' printed nothing; check the Storm installation")
    return lines[-1]


def compile_submitter(classpath: str, out_dir: Path, *, javac: Optional[str] = None) -> list[Path]:
    """Compile GenericTopology.java into ``out_dir``; return the .class files."""
    javac = javac or shutil.which("javac")
    if javac is None:
        raise PetrelError("--via-storm-cli needs a JDK's 'javac' on PATH to compile "
                          f"{JAVA_SOURCE.name}; install a JDK (8 or newer)")
    out_dir.mkdir(parents=True, exist_ok=True)
    base = [javac, "-nowarn", "-encoding", "UTF-8", "-cp", classpath, "-d", str(out_dir)]
    source = str(java_source())
    proc = subprocess.run(base[:1] + ["--release", "8"] + base[1:] + [source],
                          capture_output=True, text=True)
    if proc.returncode != 0 and "release" in proc.stderr:   # a Java 8 javac has no --release
        proc = subprocess.run(base + [source], capture_output=True, text=True)
    if proc.returncode != 0:
        raise PetrelError(
            f"compiling {JAVA_SOURCE.name} against Storm's client classpath failed:\n"
            f"{proc.stderr.strip()}"
        )
    return sorted(out_dir.rglob("*.class"))


def add_classes(jar: Path, dest: Path, classes_dir: Path) -> Path:
    """A copy of ``jar`` at ``dest`` with the compiled classes added."""
    shutil.copyfile(jar, dest)
    with zipfile.ZipFile(dest, "a", compression=zipfile.ZIP_DEFLATED) as zf:
        for cls in sorted(classes_dir.rglob("*.class")):
            zf.write(cls, cls.relative_to(classes_dir).as_posix())
    return dest


def storm_command(storm: str, jar: Path, name: str, *, local: bool, inactive: bool = False,
                  nimbus: Optional[str] = None, duration: Optional[float] = None) -> list[str]:
    """The ``storm jar|local`` command line for GenericTopology."""
    cmd = [storm, "local" if local else "jar"]
    if local and duration:
        cmd += ["--local-ttl", str(max(1, int(duration)))]
    if not local:
        cmd += nimbus_options(nimbus)
    cmd += [str(jar), MAIN_CLASS, name]
    if inactive:
        cmd.append("--inactive")
    return cmd


def nimbus_options(nimbus: Optional[str]) -> list[str]:
    """``-c nimbus.seeds=[...] -c nimbus.thrift.port=N`` for ``--nimbus``, else nothing."""
    return [arg for setting in nimbus_settings(nimbus) for arg in ("-c", setting)]


def nimbus_settings(nimbus: Optional[str]) -> list[str]:
    """``nimbus.seeds=[...]`` and ``nimbus.thrift.port=N`` for ``--nimbus``, else nothing."""
    if not nimbus:
        return []
    seeds = [parse_host_port(s, 6627) for s in nimbus.split(",") if s.strip()]
    hosts = ",".join(f'"{s.host}"' for s in seeds)
    return [f"nimbus.seeds=[{hosts}]", f"nimbus.thrift.port={seeds[0].port}"]


def submit_via_storm_cli(args: argparse.Namespace, built: Any, *, local: bool) -> int:
    """Build the submitter into a copy of the jar and run it as ``storm jar|local`` would."""
    client = find_storm()
    name = args.name or getattr(built, "name", "") or "petrel-local"
    with tempfile.TemporaryDirectory(prefix="petrel-storm-cli-") as tmp:
        classes = Path(tmp) / "classes"
        compile_submitter(client.classpath(), classes)
        jar = add_classes(Path(built.jar), Path(tmp) / Path(built.jar).name, classes)
        if getattr(args, "force", False) and not local:
            _kill_and_wait(client, name, nimbus=args.nimbus)
        cmd = client.submit_command(jar, name, local=local, inactive=bool(args.inactive),
                            nimbus=args.nimbus, duration=getattr(args, "duration", None))
        code = subprocess.run(cmd, env=client.environ()).returncode
    verb = "storm local" if local else "storm jar"
    if code != 0:
        raise PetrelError(f"'{verb}' through {client.describe()} failed with exit code {code}; "
                          "its output is above", exit_code=code if 0 < code < 126 else 1)
    if not local:
        print(f"submitted topology {name!r} through Storm's StormSubmitter ('{verb}' through "
              f"{client.describe()})")
    return 0


def _kill_and_wait(client: StormClient, name: str, *, nimbus: Optional[str],
                   timeout: float = 120) -> None:
    """--force through Storm's client: kill NAME with no wait, then wait until it is gone."""
    env = client.environ()
    subprocess.run(client.kill_command(name, nimbus), capture_output=True, text=True, env=env)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        listing = subprocess.run(client.list_command(nimbus), capture_output=True, text=True,
                                 env=env).stdout
        if not any(line.split()[:1] == [name] for line in listing.splitlines()):
            return
        time.sleep(2)
    raise PetrelError(f"--force: 'storm kill {name}' did not remove it within {timeout:g} s; "
                      "the new topology was NOT submitted")


def _run(cmd: list[str], *, what: str, timeout: float,
         env: Optional[dict[str, str]] = None) -> subprocess.CompletedProcess[str]:
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        raise PetrelError(f"{what} did not finish within {timeout:g} s") from None
    except OSError as exc:
        raise PetrelError(f"cannot run {what}: {exc}") from None
    if proc.returncode != 0:
        raise PetrelError(f"{what} failed (exit code {proc.returncode}): {proc.stderr.strip()}")
    return proc
