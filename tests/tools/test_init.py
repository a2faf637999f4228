"""``petrel init``: the generated word-count topology passes its own tests, builds and runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from petrel.cli import main
from petrel.tools.init import template_files

REPO = Path(__file__).resolve().parents[2]
EXPECTED_FILES = {
    "README.md", "topology.yaml", "manifest.txt", "create.py", "randomsentence.py",
    "splitsentence.py", "wordcount.py", "tests/conftest.py", "tests/test_topology.py",
}


def petrel(*args: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "petrel.cli", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "PYTHONPATH": str(REPO)})


def test_template_is_complete_and_packaged() -> None:
    assert set(template_files()) == EXPECTED_FILES
    # pyproject's package-data ships "**/*.tmpl": every template file must end that way
    assert all(p.name.endswith(".tmpl") for p in template_files().values())


def test_init_writes_the_template_with_the_name(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "my-topology"
    assert main(["init", str(target)]) == 0
    out = capsys.readouterr().out
    assert f"created topology 'my-topology' in {target} (9 files)" in out
    written = {p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()}
    assert written == EXPECTED_FILES
    assert "topology.name: my-topology\n" in (target / "topology.yaml").read_text()
    assert "{{" not in "".join(p.read_text() for p in target.rglob("*") if p.is_file())


def test_generated_topology_tests_pass_build_and_run(tmp_path: Path) -> None:
    proc = petrel("init", "wc", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    topo = tmp_path / "wc"
    tests = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                           cwd=topo, capture_output=True, text=True, timeout=120,
                           env={**os.environ, "PYTHONPATH": str(REPO)})
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "4 passed" in tests.stdout

    built = petrel("build", "--config", "topology.yaml", cwd=topo)
    assert built.returncode == 0, built.stderr
    with zipfile.ZipFile(topo / "topology.jar") as jar:
        names = set(jar.namelist())
    assert {"resources/randomsentence.py", "resources/splitsentence.py",
            "resources/wordcount.py", "resources/topology.ser"} <= names

    stats_file = tmp_path / "stats.json"
    run = petrel("submit", "--config", "topology.yaml", "--duration", "3", "--quiet",
                 "--stats-json", str(stats_file), cwd=topo)
    assert run.returncode == 0, run.stdout + run.stderr
    stats = json.loads(stats_file.read_text())
    assert stats["restarts"] == 0
    assert stats["spout_acked"] > 0 and stats["spout_failed"] == 0
    assert stats["components"]["count"]["executed"] == stats["components"]["split"]["emitted"]


@pytest.mark.parametrize("name", ["9lives", "a.b", "has space"])
def test_bad_names_are_refused(tmp_path: Path, name: str,
                               capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", str(tmp_path / name)]) == 2
    err = capsys.readouterr().err
    assert f"petrel init: error: '{name}' cannot be a topology name" in err
    assert not (tmp_path / name).exists()


def test_never_overwrites(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "taken"
    target.mkdir()
    (target / "create.py").write_text("# mine\n")
    assert main(["init", str(target)]) == 2
    assert "already exists and is not empty" in capsys.readouterr().err
    assert (target / "create.py").read_text() == "# mine\n"
    (tmp_path / "afile").write_text("x")
    assert main(["init", str(tmp_path / "afile")]) == 2
    assert "exists and is not a directory" in capsys.readouterr().err


def test_empty_directory_is_used(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    assert main(["init", str(tmp_path / "empty")]) == 0
    assert (tmp_path / "empty" / "create.py").is_file()
