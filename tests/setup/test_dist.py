"""``make dist``: a wheel and an sdist; the wheel in a fresh virtualenv gives a working petrel.

The build uses this environment's setuptools (no isolated build environment, so no
download); installing the wheel fetches petrel's three runtime dependencies, from pip's
cache when it is warm. About half a minute.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from setup_helpers import REPO, clean_env, copy_work_tree

pytestmark = pytest.mark.slow


def test_make_dist_then_the_wheel_installs_and_builds_a_topology(tmp_path: Path) -> None:
    pytest.importorskip("build", reason="make dist needs 'build' (in the dev extras)")
    if shutil.which("make") is None:
        pytest.skip("needs make")
    tree = copy_work_tree(tmp_path / "petrel")
    run = subprocess.run(["make", "dist", f"PYTHON={sys.executable}"], cwd=tree,
                         env=clean_env(), capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    wheels = list((tree / "dist").glob("petrel-*-py3-none-any.whl"))
    sdists = list((tree / "dist").glob("petrel-*.tar.gz"))
    assert len(wheels) == 1 and len(sdists) == 1, list((tree / "dist").iterdir())
    with zipfile.ZipFile(wheels[0]) as wheel:   # users build msgpack topologies without a JDK
        assert {"petrel/package/classes/PetrelMsgpackSerializer.class",
                "petrel/package/classes/PetrelMsgpackSerializer.json"} <= set(wheel.namelist())

    env_dir = tmp_path / "env"
    subprocess.run([sys.executable, "-m", "virtualenv", "-q", str(env_dir)], check=True,
                   env=clean_env(), timeout=300)
    subprocess.run([str(env_dir / "bin/python"), "-m", "pip", "install", "-q", str(wheels[0])],
                   check=True, env=clean_env(), timeout=600)
    petrel = str(env_dir / "bin/petrel")
    version = subprocess.run([petrel, "--version"], capture_output=True, text=True,
                             env=clean_env(), timeout=60)
    assert version.returncode == 0, version.stderr
    assert wheels[0].name.split("-")[1] in version.stdout + version.stderr

    topology = shutil.copytree(REPO / "topologies/wordcount", tmp_path / "wordcount",
                               ignore=shutil.ignore_patterns("__pycache__", "*.log", "*.jar"))
    build = subprocess.run([petrel, "build", "--config", "topology.yaml"], cwd=topology,
                           capture_output=True, text=True, env=clean_env(), timeout=120)
    assert build.returncode == 0, build.stderr
    assert (topology / "topology.jar").stat().st_size > 0
    with open(topology / "topology.yaml", "a") as conf:
        conf.write("\npetrel.serializer: msgpack\n")
    build = subprocess.run([petrel, "build", "--config", "topology.yaml"], cwd=topology,
                           capture_output=True, text=True, env=clean_env(), timeout=120)
    assert build.returncode == 0, build.stderr
    with zipfile.ZipFile(topology / "topology.jar") as jar:
        assert "petrel/PetrelMsgpackSerializer.class" in jar.namelist()
    # the petrel that ran is the wheel's, not this checkout's
    where = subprocess.run([str(env_dir / "bin/python"), "-c",
                            "import petrel; print(petrel.__file__)"],
                           capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert where.stdout.startswith(str(env_dir)), where.stdout + where.stderr
