"""Profile summaries per component (issue #8 item 2) and ``--profile`` cProfile files."""

import argparse
import json
import pstats
import shutil
import sys
from pathlib import Path

import pytest
from local_helpers import run_topology, shell, topology

from petrel.local.profile import PROFILE_ENV, parse_summary, read_profiles
from petrel.local.stats import RunStats
from petrel.topology.model import GroupingDef

REPO = Path(__file__).parents[2]
WORDCOUNT = REPO / "topologies" / "wordcount"
FIGURES = {"kind": "bolt", "count": 100, "read_s": 1.0, "process_s": 0.5, "ack_s": 0.1,
           "wall_s": 2.0}


def test_parse_summary_accepts_the_documented_object_only():
    doc, problem = parse_summary(json.dumps(FIGURES))
    assert problem == "" and doc["count"] == 100 and doc["process_s"] == 0.5
    assert parse_summary("{}")[0] is None
    assert "not JSON" in parse_summary("nope")[1]
    assert "'wall_s'" in parse_summary(json.dumps(dict(FIGURES, wall_s=-1)))[1]
    assert "'count'" in parse_summary(json.dumps(dict(FIGURES, count=True)))[1]
    # a spout's or plain Bolt's summary may leave ack_s out
    assert parse_summary(json.dumps({k: v for k, v in FIGURES.items() if k != "ack_s"}))[0]


def test_read_profiles_sums_tasks_and_skips_missing_or_bad_files(tmp_path):
    (tmp_path / "a").write_text(json.dumps(FIGURES))
    (tmp_path / "b").write_text(json.dumps(dict(FIGURES, count=300, process_s=1.5)))
    (tmp_path / "c").write_text("garbage")
    logged = []
    got = read_profiles([("split", str(tmp_path / "a")), ("split", str(tmp_path / "b")),
                         ("count", str(tmp_path / "c")), ("spout", str(tmp_path / "none"))],
                        logged.append)
    assert set(got) == {"split"}
    split = got["split"]
    assert split.processes == 2 and split.count == 400
    assert split.ms_per_tuple == pytest.approx(2000.0 / 400)
    assert split.busy == pytest.approx(2.0 / 4.0)
    assert len(logged) == 1 and "of 'count' ignored: not JSON" in logged[0]


def test_table_and_json_show_the_profile_or_a_dash():
    stats = RunStats("t")
    stats.add_component("spout", "spout", 1)
    split = stats.add_component("split", "bolt", 2)
    split.profile = read_profiles([], print).get("x")  # None: no data
    table = stats.table()
    assert "ms/tuple" in table.splitlines()[0] and "busy" in table.splitlines()[0]
    assert stats.to_json()["components"]["split"]["profile"] is None
    from petrel.local.profile import ProfileSummary
    split.profile = ProfileSummary()
    split.profile.add(FIGURES)
    line = [row for row in stats.table().splitlines() if row.startswith("split")][0]
    assert line.split()[-2:] == ["5.000", "25%"]
    spout_line = [row for row in stats.table().splitlines() if row.startswith("spout")][0]
    assert spout_line.split()[-2:] == ["-", "-"]
    prof = stats.to_json()["components"]["split"]["profile"]
    assert prof["process_ms_per_tuple"] == 5.0 and prof["busy"] == 0.25 and prof["count"] == 100


def test_runner_collects_the_summaries_its_tasks_write(tmp_path):
    # Bolts written by hand (not petrel's runtime) that write fixed figures at exit, so this
    # does not depend on the runtime's own timing; the spout writes nothing.
    bolt_conf = {"test.profile": FIGURES, "test.mode.split": "sink"}
    topo = topology(
        shell("spout", "spout", "raw_spout.py", {"default": ["sentence"]}),
        shell("split", "bolt", "raw_bolt.py", {"default": ["word"]}, parallelism=2,
              inputs={("spout", "default"): GroupingDef("shuffle")}, conf=bolt_conf))
    run = run_topology(topo, tmp_path, {"test.count": 20}, duration=1.5)
    assert run.code == 0, run.err
    split = run.stats.components["split"].profile
    assert split is not None and split.processes == 2 and split.count == 200
    assert split.busy == pytest.approx(0.25)
    assert run.stats.components["spout"].profile is None
    doc = run.stats.to_json()
    assert doc["components"]["split"]["profile"]["process_ms_per_tuple"] == pytest.approx(5.0)
    assert doc["components"]["spout"]["profile"] is None
    # each task process got its own file
    paths = [p for cid, p in run.runner.profile_files]
    assert len(set(paths)) == len(paths) == 3


def test_a_bad_summary_is_logged_not_fatal(tmp_path):
    topo = topology(
        shell("spout", "spout", "raw_spout.py", {"default": ["sentence"]}),
        shell("split", "bolt", "raw_bolt.py", {"default": ["word"]},
              inputs={("spout", "default"): GroupingDef("shuffle")},
              conf={"test.profile": "{not json", "test.mode.split": "sink"}))
    run = run_topology(topo, tmp_path, {"test.count": 5}, duration=1.0)
    assert run.code == 0, run.err
    assert run.stats.components["split"].profile is None
    log = (tmp_path / "logs" / "petrel-local.log").read_text()
    assert "profile summary" in log and "of 'split' ignored: not JSON" in log


def _run_wordcount(tmp_path: Path, profile: bool, capsys):
    from petrel.local.command import run_local
    from petrel.package.command import build_topology_jar

    src = tmp_path / "wordcount"
    shutil.copytree(WORDCOUNT, src, ignore=shutil.ignore_patterns("__pycache__", "tests"))
    config = src / "topology.yaml"
    config.write_text(config.read_text().replace("sentence_interval_secs: 0.25",
                                                 "sentence_interval_secs: 0.01"))
    built = build_topology_jar(str(config), "create.create", destjar=tmp_path / "wc.jar")
    stats_path = tmp_path / "stats.json"
    args = argparse.Namespace(logdir=str(tmp_path / "logs"), venv="self", duration=2.5,
                              stats_json=str(stats_path), fail_fast=True, quiet=True,
                              profile=profile, debug=False)
    code = run_local(args, built)
    out = capsys.readouterr().out
    assert code == 0, out
    return json.loads(stats_path.read_text()), out


def _runtime_writes_summaries() -> bool:
    runtime = REPO / "petrel" / "runtime"
    return any(PROFILE_ENV in p.read_text() for p in runtime.glob("*.py"))


@pytest.mark.skipif(not WORDCOUNT.is_dir(), reason="topologies/wordcount/ does not exist yet")
def test_profile_writes_cprofile_files_per_component(tmp_path, capsys):
    stats, out = _run_wordcount(tmp_path, True, capsys)
    assert stats["spout_acked"] > 0
    logs = tmp_path / "logs"
    for module in ("randomsentence", "splitsentence", "wordcount"):
        files = list(logs.glob(f"petrel*_{module}.prof"))
        assert files, f"no cProfile file for {module}: {sorted(p.name for p in logs.iterdir())}"
        assert pstats.Stats(str(files[0])).total_calls > 0
    assert f"cProfile output: 3 file(s) in {logs}" in out


@pytest.mark.skipif(not WORDCOUNT.is_dir(), reason="topologies/wordcount/ does not exist yet")
def test_wordcount_profile_summary_end_to_end(tmp_path, capsys):
    if not _runtime_writes_summaries():
        pytest.skip(f"petrel's component runtime does not write {PROFILE_ENV} summaries yet")
    stats, out = _run_wordcount(tmp_path, False, capsys)
    comps = stats["components"]
    for cid in ("spout", "split", "count"):
        prof = comps[cid]["profile"]
        assert prof is not None, f"no profile summary from '{cid}'"
        assert prof["count"] > 0 and 0 <= prof["busy"] <= 1
        assert prof["process_ms_per_tuple"] > 0
    assert 0 < comps["count"]["profile"]["count"] <= comps["count"]["executed"]
    header = [line for line in out.splitlines() if line.startswith("component")][0]
    assert header.rstrip().endswith("ms/tuple  busy")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, "-q"]))
