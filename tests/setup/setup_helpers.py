"""A copy of the work tree and a simulated PEP 668 system Python, for the set-up tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def copy_work_tree(dest: Path) -> Path:
    """The repository's files as a fresh clone would have them (tracked and new, not ignored)."""
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("needs git and a git checkout of petrel")
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO, check=True, capture_output=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = REPO / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    return dest


def system_python(root: Path, *, ensurepip: bool = True) -> Path:
    """A Python laid out like Debian's python3: pip installs into it are refused (PEP 668).

    The executable is a copy of this Python's; its standard library is this one's, entry by
    entry through symlinks, plus the EXTERNALLY-MANAGED marker; site-packages holds only pip.
    ``ensurepip=False`` leaves ensurepip out, as Debian does without python3-venv.
    """
    base = Path(getattr(sys, "_base_executable", sys.executable))
    stdlib = Path(sysconfig.get_path("stdlib"))
    version = f"python{sys.version_info[0]}.{sys.version_info[1]}"
    if os.name != "posix" or stdlib.name != version or not base.is_file():
        pytest.skip(f"cannot lay out a system Python from {base} (stdlib {stdlib})")
    lib = root / "lib" / version
    (lib / "site-packages").mkdir(parents=True)
    for entry in stdlib.iterdir():
        if entry.name in ("site-packages", "dist-packages") or \
                (entry.name == "ensurepip" and not ensurepip):
            continue
        (lib / entry.name).symlink_to(entry)
    pip = Path(sysconfig.get_path("purelib", vars={"base": sys.base_prefix})) / "pip"
    if pip.is_dir():
        (lib / "site-packages" / "pip").symlink_to(pip)
    (lib / "EXTERNALLY-MANAGED").write_text(
        "[externally-managed]\nError=a simulated system Python: use a virtual environment\n")
    (root / "bin").mkdir()
    python = root / "bin" / "python3"
    shutil.copy2(base, python)
    probe = subprocess.run([str(python), "-c", "import sys; print(sys.prefix)"],
                           capture_output=True, text=True, timeout=60)
    if probe.returncode != 0 or Path(probe.stdout.strip()) != root:
        pytest.skip(f"a copy of {base} does not run from {root}: {probe.stderr.strip()}")
    return python


def clean_env() -> dict[str, str]:
    """This environment without an active virtualenv, as on a fresh login."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "MAKEFLAGS", "MFLAGS")}
    bin_dir = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep)
                                  if p != bin_dir)
    return env
