"""``petrel submit --via-storm-cli``: hand the jar to the installed ``storm`` command.

For clusters petrel's own Thrift client cannot reach (Kerberos, digest or TLS transports)
and for Storm's own local mode. petrel compiles ``GenericTopology.java`` (shipped in this
package; ``jvm/`` in the source tree links to it for Maven) against ``storm classpath``,
adds the class to a copy of the topology jar, and runs ``storm jar`` (or ``storm local``)
with it.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any, Optional

from petrel.cluster.address import parse_host_port
from petrel.errors import PetrelError

MAIN_CLASS = "petrel.GenericTopology"
JAVA_SOURCE = Path(__file__).with_name("GenericTopology.java")


def find_storm() -> str:
    """The ``storm`` executable on PATH, or a clear error."""
    storm = shutil.which("storm")
    if storm is None:
        raise PetrelError(
            "--via-storm-cli needs Apache Storm's 'storm' command on PATH (it is in Storm's "
            "bin/ directory); install Storm on this machine, or drop --via-storm-cli to let "
            "petrel talk to Nimbus itself"
        )
    return storm


def java_source() -> Path:
    """GenericTopology.java as installed with petrel."""
    if not JAVA_SOURCE.is_file():
        raise PetrelError(
            f"{JAVA_SOURCE} is missing from this petrel installation; --via-storm-cli needs "
            "it: reinstall petrel (pip install --force-reinstall petrel)"
        )
    return JAVA_SOURCE


def storm_classpath(storm: str) -> str:
    """What ``storm classpath`` prints (its last non-empty line)."""
    proc = _run([storm, "classpath"], what="'storm classpath'", timeout=300)
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
            f"compiling {JAVA_SOURCE.name} against 'storm classpath' failed:\n{proc.stderr.strip()}"
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
    if not nimbus:
        return []
    seeds = [parse_host_port(s, 6627) for s in nimbus.split(",") if s.strip()]
    hosts = ",".join(f'"{s.host}"' for s in seeds)
    return ["-c", f"nimbus.seeds=[{hosts}]", "-c", f"nimbus.thrift.port={seeds[0].port}"]


def submit_via_storm_cli(args: argparse.Namespace, built: Any, *, local: bool) -> int:
    """Build the submitter into a copy of the jar and run ``storm jar`` / ``storm local``."""
    storm = find_storm()
    name = args.name or getattr(built, "name", "") or "petrel-local"
    with tempfile.TemporaryDirectory(prefix="petrel-storm-cli-") as tmp:
        classes = Path(tmp) / "classes"
        compile_submitter(storm_classpath(storm), classes)
        jar = add_classes(Path(built.jar), Path(tmp) / Path(built.jar).name, classes)
        if getattr(args, "force", False) and not local:
            _kill_and_wait(storm, name, nimbus=args.nimbus)
        cmd = storm_command(storm, jar, name, local=local, inactive=bool(args.inactive),
                            nimbus=args.nimbus, duration=getattr(args, "duration", None))
        code = subprocess.run(cmd).returncode
    if code != 0:
        verb = "storm local" if local else "storm jar"
        raise PetrelError(f"'{verb}' failed with exit code {code}; its output is above",
                          exit_code=code if 0 < code < 126 else 1)
    return 0


def _kill_and_wait(storm: str, name: str, *, nimbus: Optional[str], timeout: float = 120) -> None:
    """--force through the storm CLI: ``storm kill NAME -w 0``, then wait until it is gone."""
    extra = nimbus_options(nimbus)
    subprocess.run([storm, "kill", *extra, name, "-w", "0"], capture_output=True, text=True)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        listing = subprocess.run([storm, "list", *extra], capture_output=True, text=True).stdout
        if not any(line.split()[:1] == [name] for line in listing.splitlines()):
            return
        time.sleep(2)
    raise PetrelError(f"--force: 'storm kill {name}' did not remove it within {timeout:g} s; "
                      "the new topology was NOT submitted")


def _run(cmd: list[str], *, what: str, timeout: float) -> subprocess.CompletedProcess[str]:
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise PetrelError(f"{what} did not finish within {timeout:g} s") from None
    except OSError as exc:
        raise PetrelError(f"cannot run {what}: {exc}") from None
    if proc.returncode != 0:
        raise PetrelError(f"{what} failed (exit code {proc.returncode}): {proc.stderr.strip()}")
    return proc
