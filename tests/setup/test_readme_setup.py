"""The README's two set-up commands, on a fresh copy of the repository, with a system Python
that refuses pip installs (PEP 668), as Debian's and Ubuntu's python3 do.

The Makefile must leave that Python alone and create the project's .venv from it. To keep
CI affordable, the install is ``EXTRAS=test`` (petrel, its runtime dependencies and pytest)
instead of the whole dev stack, the word count runs 3 s instead of 15, and ``make test`` runs
only the word count's own tests (``PYTEST_ARGS=topologies/wordcount``). One to two
minutes, most of it creating the venv and installing from pip's cache.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from setup_helpers import REPO, clean_env, copy_work_tree, system_python

pytestmark = pytest.mark.slow


def readme_commands() -> list[str]:
    """The commands of the README's "Set up" block, without their comments."""
    text = (REPO / "README.md").read_text()
    block = re.search(r"## Set up\n.*?```sh\n(.*?)```", text, re.S)
    assert block, "README.md has no 'Set up' section with a sh block"
    return [line.split("#")[0].strip() for line in block.group(1).splitlines()
            if line.strip()]


def make(tree: Path, command: str, *args: str,
         python3: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run one README command (plus make variables) in ``tree``; ``python3`` first on PATH."""
    if shutil.which("make") is None:
        pytest.skip("needs make")
    env = clean_env()
    if python3 is not None:
        env["PATH"] = f"{python3.parent}:{env['PATH']}"
    return subprocess.run([*command.split(), *args], cwd=tree, env=env,
                          capture_output=True, text=True, timeout=900)


def test_the_readme_names_the_two_commands() -> None:
    assert readme_commands() == ["make wordcount", "make test"]


def test_both_commands_work_with_a_pep668_system_python(tmp_path: Path) -> None:
    python = system_python(tmp_path / "system")
    refused = subprocess.run([str(python), "-m", "pip", "install", "--no-deps", "petrel-none"],
                             capture_output=True, text=True, timeout=120)
    assert refused.returncode != 0 and "externally-managed-environment" in refused.stderr
    tree = copy_work_tree(tmp_path / "petrel")
    wordcount, test = readme_commands()

    # that Python is the machine's python3, as on Debian and Ubuntu
    run = make(tree, wordcount, "EXTRAS=test", "WORDCOUNT_SECONDS=3", python3=python)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "creating .venv with python3" in run.stdout
    assert "petrel submit: stopped (--duration 3 s reached)" in run.stdout + run.stderr
    table = run.stdout[run.stdout.index("top 10 words"):].splitlines()
    assert table[1].split()[0] == "the", table    # both sentences have it, one twice
    # nothing went into the system Python
    assert sorted(p.name for p in (tmp_path / "system/lib").glob("*/site-packages/*")) \
        in ([], ["pip"])
    assert (tree / ".venv/bin/python").exists()

    run = make(tree, test, "EXTRAS=test", "PYTEST_ARGS=topologies/wordcount", python3=python)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "creating .venv" not in run.stdout and re.search(r"\d+ passed", run.stdout)


def test_without_ensurepip_make_names_the_apt_package(tmp_path: Path) -> None:
    python = system_python(tmp_path / "system", ensurepip=False)
    tree = copy_work_tree(tmp_path / "petrel")
    run = make(tree, "make wordcount", f"PYTHON={python}")
    assert run.returncode != 0
    version = f"{sys.version_info[0]}.{sys.version_info[1]}"
    assert f"Install it with 'sudo apt install python{version}-venv'" in run.stderr
    assert "Traceback" not in run.stderr and not (tree / ".venv").exists()


def test_without_ensurepip_an_importable_virtualenv_makes_dot_venv(tmp_path: Path) -> None:
    """Debian's python3-virtualenv: make falls back on it when venv cannot install pip."""
    virtualenv = pytest.importorskip("virtualenv")
    python = system_python(tmp_path / "system", ensurepip=False)
    site = next((tmp_path / "system/lib").glob("*/site-packages"))
    for module in ("virtualenv", "distlib", "filelock", "packaging", "platformdirs",
                   "python_discovery", "typing_extensions"):
        try:
            found = Path(__import__(module).__file__)
        except ImportError:
            continue   # not needed by this virtualenv
        found = found.parent if found.name == "__init__.py" else found
        (site / found.name).symlink_to(found)
        for info in found.parent.glob(f"{module}-*.dist-info"):   # its entry points
            (site / info.name).symlink_to(info)
    tree = copy_work_tree(tmp_path / "petrel")
    run = make(tree, f"make {tree}/.venv/bin/python", f"PYTHON={python}")
    assert run.returncode == 0, run.stdout + run.stderr + virtualenv.__file__
    assert f"creating .venv with {python} -m virtualenv (no ensurepip)" in run.stdout
    made = subprocess.run([str(tree / ".venv/bin/python"), "-c", "import sys; print(sys.prefix)"],
                          capture_output=True, text=True, timeout=60)
    assert made.stdout.strip() == str(tree / ".venv")


def dry_run(*args: str, env_extra: dict[str, str] | None = None) -> str:
    """What ``make -n`` would run in the repository."""
    env = {**clean_env(), **(env_extra or {})}
    return subprocess.run(["make", "-n", *args], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=60, check=True).stdout


def test_an_active_virtualenv_is_used_not_dot_venv(tmp_path: Path) -> None:
    out = dry_run("test", env_extra={"VIRTUAL_ENV": str(tmp_path / "env")})
    assert f"{tmp_path}/env/bin/python -m pip install -q -e '.[dev]'" in out
    assert f"{tmp_path}/env/bin/python -m pytest -q" in out and ".venv" not in out


def test_an_explicit_python_is_used_as_it_is(tmp_path: Path) -> None:
    """What CI does: its python3 already has petrel and the dev tools."""
    out = dry_run("lint", "test", f"PYTHON={sys.executable}")
    assert "pip install" not in out and ".venv" not in out
    assert f"{sys.executable} -m pytest -q" in out
