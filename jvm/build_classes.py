"""Recompile the Java classes petrel ships, so users need no JDK (``make jvm-classes``).

petrel/package/classes/ holds PetrelMsgpackSerializer.class, compiled from
jvm/src/main/java/petrel/PetrelMsgpackSerializer.java with ``javac --release 8`` against
Storm 2.x's storm-client (the class file serves Storm 1.x too), and a JSON record of what it
was built from: the source's SHA-256, the class's SHA-256 and the javac version. The tests
compare that record with the source, so an edited source that was not recompiled fails them.

    python jvm/build_classes.py                    # into petrel/package/classes/
    python jvm/build_classes.py --out DIR          # elsewhere (the tests compare the result)
    python jvm/build_classes.py --storm-lib DIR    # a Storm 2.x lib/ directory to compile against

Without --storm-lib the Storm 2.8.3 distribution in petrel's cache is used
(``petrel storm up`` downloads it).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SOURCE = "jvm/src/main/java/petrel/PetrelMsgpackSerializer.java"
CLASS_FILE = "PetrelMsgpackSerializer.class"
RECORD_FILE = "PetrelMsgpackSerializer.json"
DEFAULT_OUT = REPO / "petrel/package/classes"
STORM_VERSION = "2.8.3"
JAVAC_OPTIONS = ["-Xlint:all", "-Xlint:-options", "-Werror", "--release", "8"]


class BuildError(Exception):
    """A reason the class cannot be built, with the fix."""


def sha256(path: Path) -> str:
    """The SHA-256 of a file, as hex."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def cache_storm_lib() -> Path:
    """The lib/ directory of Storm 2.8.3 in petrel's cache (as petrel storm up lays it out)."""
    base = os.environ.get("PETREL_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "petrel")
    return Path(base).expanduser() / "storm" / STORM_VERSION / "lib"


def find_javac() -> str:
    """javac from $JAVA_HOME, else from PATH."""
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin/javac").is_file():
        return str(Path(home) / "bin/javac")
    javac = shutil.which("javac")
    if javac is None:
        raise BuildError("no javac on PATH (and none in $JAVA_HOME/bin); install a JDK 9 or "
                         "newer (e.g. 'sudo apt install openjdk-17-jdk-headless')")
    return javac


def javac_version(javac: str) -> str:
    """What ``javac -version`` prints, e.g. 'javac 17.0.15'."""
    done = subprocess.run([javac, "-version"], capture_output=True, text=True)
    return (done.stdout or done.stderr).strip()


def build(out: Path, storm_lib: Path) -> Path:
    """Compile the serializer into ``out`` and write its record; return the class file."""
    jars = sorted(storm_lib.glob("storm-client-*.jar")) or sorted(
        storm_lib.glob("storm-core-*.jar"))
    if not jars:
        raise BuildError(f"{storm_lib}: no storm-client jar there; run 'petrel storm up' once "
                         f"(it caches Storm {STORM_VERSION}), or pass --storm-lib with the lib/ "
                         "directory of a Storm 2.x distribution")
    javac = find_javac()
    with tempfile.TemporaryDirectory(prefix="petrel-classes-") as tmp:
        done = subprocess.run([javac, *JAVAC_OPTIONS, "-d", tmp, "-cp", f"{storm_lib}/*",
                               str(REPO / SOURCE)], capture_output=True, text=True)
        if done.returncode != 0:
            raise BuildError(f"javac failed on {SOURCE}:\n{done.stdout}{done.stderr}")
        built = sorted(p.name for p in (Path(tmp) / "petrel").iterdir())
        if built != [CLASS_FILE]:
            raise BuildError(f"javac wrote {built}; petrel ships one class, {CLASS_FILE}: "
                             "keep the serializer free of nested and anonymous classes")
        out.mkdir(parents=True, exist_ok=True)
        target = out / CLASS_FILE
        shutil.copyfile(Path(tmp) / "petrel" / CLASS_FILE, target)
    record = {"source": SOURCE, "source_sha256": sha256(REPO / SOURCE),
              "class_sha256": sha256(target), "javac": javac_version(javac),
              "javac_options": JAVAC_OPTIONS, "compiled_against": jars[0].name}
    (out / RECORD_FILE).write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")
    return target


def main(argv: list[str] | None = None) -> int:
    """Command line: build, print where the class went; one line and status 1 on failure."""
    parser = argparse.ArgumentParser(description="Recompile the Java classes petrel ships.")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="directory for the class and its record (default: %(default)s)")
    parser.add_argument("--storm-lib", type=Path, default=None,
                        help="lib/ directory of a Storm 2.x distribution to compile against")
    args = parser.parse_args(argv)
    try:
        target = build(args.out, args.storm_lib or cache_storm_lib())
    except BuildError as exc:
        print(f"build_classes: {exc}", file=sys.stderr)
        return 1
    print(f"build_classes: wrote {target} and {target.with_name(RECORD_FILE).name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
