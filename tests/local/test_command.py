"""``petrel submit`` without a name: the jar built by the packager, run end to end."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from local_helpers import shell, topology

from petrel.errors import PetrelError
from petrel.local.command import check_runnable, check_stats_json, component_env
from petrel.topology.model import ComponentDef, GroupingDef, JavaObjectDef

REPO = Path(__file__).parents[2]
BENCH = REPO / "tests" / "bench"


def test_wordcount_jar_runs_end_to_end(tmp_path):
    sys.path.insert(0, str(BENCH))
    try:
        import bench_local
    finally:
        sys.path.remove(str(BENCH))
    config = bench_local.write_topology(tmp_path / "wc")
    stats_path = tmp_path / "stats.json"
    proc = subprocess.run(
        [sys.executable, "-m", "petrel.cli", "submit", "--config", str(config), "--duration", "3",
         "--stats-json", str(stats_path), "--logdir", str(tmp_path / "logs")],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
        env={"PATH": "/usr/bin:/bin:" + str(Path(sys.executable).parent),
             "PYTHONPATH": str(REPO)})
    assert proc.returncode == 0, proc.stderr
    assert "running topology 'benchwc' locally" in proc.stdout
    assert "component" in proc.stdout and "latency" in proc.stdout
    stats = json.loads(stats_path.read_text())
    comps = stats["components"]
    assert stats["spout_acked"] > 100 and stats["spout_failed"] == 0
    assert comps["split"]["executed"] == comps["spout"]["emitted"]
    assert comps["count"]["executed"] == comps["split"]["emitted"]
    assert stats["complete_latency_ms"]["p99"] is not None
    # each task's share, adding up to its component's counters
    for cid, cs in comps.items():
        mine = [t for t in stats["tasks"].values() if t["component"] == cid]
        assert len(mine) == cs["tasks"]
        for key in ("emitted", "transferred", "executed", "acked", "failed", "restarts"):
            assert sum(t[key] for t in mine) == cs[key], (cid, key)
    assert list((tmp_path / "logs").glob("petrel*_benchcount.log"))


def test_an_unwritable_stats_json_is_refused_before_the_run(tmp_path):
    with pytest.raises(PetrelError, match="missing or not writable"):
        check_stats_json(tmp_path / "missing" / "stats.json")
    with pytest.raises(PetrelError, match="it is a directory"):
        check_stats_json(tmp_path)
    check_stats_json(tmp_path / "stats.json")
    sys.path.insert(0, str(BENCH))
    try:
        import bench_local
    finally:
        sys.path.remove(str(BENCH))
    config = bench_local.write_topology(tmp_path / "wc")
    proc = subprocess.run(
        [sys.executable, "-m", "petrel.cli", "submit", "--config", str(config), "--duration", "30",
         "--stats-json", str(tmp_path / "missing" / "s.json")],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
        env={"PATH": "/usr/bin:/bin:" + str(Path(sys.executable).parent),
             "PYTHONPATH": str(REPO)})
    assert proc.returncode == 2 and "cannot write --stats-json" in proc.stderr, proc.stderr
    assert "running topology" not in proc.stdout


def test_jvm_parts_are_refused_by_name():
    topo = topology(
        ComponentDef(id="kafka", kind="spout", java=JavaObjectDef("org.x.KafkaSpout")),
        shell("split", "bolt", "b.py", {"default": ["w"]},
              inputs={("kafka", "default"): GroupingDef(
                  "custom_object", java_object=JavaObjectDef("org.x.MyGrouping"))}))
    with pytest.raises(PetrelError) as err:
        check_runnable(topo)
    assert "spout 'kafka' is JVM class org.x.KafkaSpout" in err.value.message
    assert "custom Java grouping (org.x.MyGrouping)" in err.value.message


def test_venv_choices(tmp_path):
    assert component_env("self", tmp_path, False)["PETREL_PYTHON"] == sys.executable
    assert "PETREL_PYTHON" not in component_env("new", tmp_path, False)
    with pytest.raises(PetrelError, match="does not exist"):
        component_env(str(tmp_path / "nope"), tmp_path, False)
    assert component_env(None, tmp_path, True)["PETREL_PROFILE"] == "1"


def test_venv_new_reuses_one_environment_across_runs(tmp_path):
    sys.path.insert(0, str(BENCH))
    try:
        import bench_local
    finally:
        sys.path.remove(str(BENCH))
    config = bench_local.write_topology(tmp_path / "wc")
    cache = tmp_path / "cache"
    env = {"PATH": "/usr/bin:/bin:" + str(Path(sys.executable).parent),
           "PYTHONPATH": str(REPO), "XDG_CACHE_HOME": str(cache), "HOME": str(tmp_path)}
    envs = cache / "petrel" / "envs"
    for run in range(2):
        proc = subprocess.run(
            [sys.executable, "-m", "petrel.cli", "submit", "--config", str(config), "--venv",
             "new", "--duration", "1", "--quiet", "--logdir", str(tmp_path / "logs")],
            cwd=tmp_path, capture_output=True, text=True, timeout=300, env=env)
        assert proc.returncode == 0, proc.stderr
        assert f"environments in {envs}" in proc.stdout
        # the first run says it builds the environment, and where its log goes
        building = f"building the topology's Python environment in {envs}/petrel-env-benchwc-"
        assert (building in proc.stdout) == (run == 0), proc.stdout
        assert (f"{tmp_path / 'logs'}/petrel<pid>_virtualenv.log" in proc.stdout) == (run == 0)
        built = [p.name for p in envs.iterdir() if p.is_dir()]
        assert len(built) == 1 and built[0].startswith("petrel-env-benchwc-"), built


def test_envs_dir_choices(tmp_path, monkeypatch):
    from petrel.local.command import envs_dir, stable_env_key

    monkeypatch.setenv("PETREL_WORKDIR", str(tmp_path / "mine"))
    assert envs_dir() == tmp_path / "mine"
    monkeypatch.delenv("PETREL_WORKDIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert envs_dir() == tmp_path / "xdg" / "petrel" / "envs" and envs_dir().is_dir()
    (tmp_path / "res").mkdir()
    (tmp_path / "res" / "__petrel__.json").write_text(
        json.dumps({"topology_name": "wc", "env_hash": "abc"}))
    assert stable_env_key(tmp_path / "res", "other") == "wc-abc"
    assert component_env("new", tmp_path, False, tmp_path / "e")["PETREL_WORKDIR"] == str(
        tmp_path / "e")
