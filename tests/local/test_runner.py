"""The runner end to end over real subprocesses: routing, acking, timers, faults (issue #5)."""

import ast
import json
from collections import Counter
from pathlib import Path

import pytest
from local_helpers import acked_ids, run_topology, shell, topology, wordcount

from petrel.semantics.groupings import fields_grouping_index
from petrel.topology.model import GroupingDef, StreamDef

SENTENCE = "the cow jumped over the moon"


def conf_for(tmp_path: Path, count: int = 200, **extra):
    conf = {"test.count": count, "test.record": str(tmp_path / "rec"),
            "test.marker": str(tmp_path / "marker")}
    conf.update(extra)
    return conf


def assert_all_acked_once(tmp_path: Path, count: int):
    acks, _fails = acked_ids(tmp_path / "rec")
    assert sorted(acks) == list(range(count)), "some ids were never acked"
    assert set(acks.values()) == {1}, "an id was acked twice"


def records(tmp_path: Path, cid: str):
    """Lines of the record files of every task of a bolt, by task id."""
    out = {}
    for p in tmp_path.glob(f"rec.{cid}.*"):
        out[int(p.name.rsplit(".", 1)[1])] = p.read_text().splitlines()
    return out


@pytest.mark.parametrize("compact", [False, True], ids=["spaced-json", "petrel-bytes"])
def test_wordcount_counts_and_fields_routing(tmp_path, compact):
    # compact: the bolts write acks and emits byte for byte as petrel's runtime does, which
    # the runner takes apart without a JSON parse (its quick path); spaced: the general path
    run = run_topology(wordcount(), tmp_path, conf_for(tmp_path, 300, **{"test.compact": compact}),
                       duration=2.5)
    assert run.code == 0, run.err
    comps = run.stats.components
    assert run.stats.spout_acked == 300 and run.stats.spout_failed == 0
    assert comps["spout"].emitted == 300 and comps["spout"].acked == 300
    assert comps["split"].executed == 300 and comps["split"].emitted == 1800
    assert comps["count"].executed == 1800 and comps["count"].acked == 1800
    assert_all_acked_once(tmp_path, 300)
    # every word reached the count task Storm's fields grouping picks
    layout = run.runner.layout.component_tasks
    assert layout == {"__acker": [1], "count": [2, 3], "split": [4, 5], "spout": [6]}
    per_task = {t: [ast.literal_eval(line[6:])[0] for line in lines if line.startswith("tuple ")]
                for t, lines in records(tmp_path, "count").items()}
    for task, words in per_task.items():
        for word in words:
            assert layout["count"][fields_grouping_index([word], 2)] == task
    got = Counter(w for words in per_task.values() for w in words)
    assert got == Counter({w: 300 * n for w, n in Counter(SENTENCE.split()).items()})
    # shuffle spread the sentences over both split tasks
    assert "tuples/s: " in run.out and " emitted, " in run.out
    assert p50_ok(run)


def p50_ok(run):
    lat = run.stats.percentiles()
    return lat["p50"] is not None and 0 < lat["p50"] < lat["p99"] + 1e-9


def test_task_id_replies_heartbeats_and_ticks(tmp_path):
    topo = wordcount(count_tasks=3, split_mode="task_ids", count_mode="sink")
    topo.components["split"].streams["default"] = StreamDef(["sentence"])
    topo.components["count"].inputs = {("split", "default"): GroupingDef("fields", ["sentence"])}
    topo.components["count"].conf = {"topology.tick.tuple.freq.secs": 1}
    run = run_topology(topo, tmp_path, conf_for(tmp_path, 20), duration=2.6)
    assert run.code == 0, run.err
    split = records(tmp_path, "split")
    ids = [line for lines in split.values() for line in lines if line.startswith("ids")]
    layout = run.runner.layout.component_tasks
    expected = layout["count"][fields_grouping_index([SENTENCE], 3)]
    assert ids and all(line == f"ids [{expected}]" for line in ids)
    beats = [line for lines in split.values() for line in lines if line.startswith("heartbeat")]
    assert len(beats) >= 2 and beats[0] == "heartbeat None -1 []"
    ticks = [line for lines in records(tmp_path, "count").values() for line in lines
             if line.startswith("tick")]
    assert len(ticks) >= 3 and set(ticks) == {"tick 1 __system -1"}  # 3 tasks x >= 1 tick
    assert not any(line.startswith("tick") for lines in split.values() for line in lines)


def test_handshake_conf_context_and_pid_file(tmp_path):
    topo = wordcount()
    conf = conf_for(tmp_path, 5, **{"test.dump": str(tmp_path / "setup"), "my.setting": "x"})
    run = run_topology(topo, tmp_path, conf, duration=1.0)
    assert run.code == 0, run.err
    setup = json.loads((tmp_path / "setup.4").read_text())
    assert set(setup) == {"conf", "pidDir", "context"}
    ctx = setup["context"]
    assert ctx["task->component"] == {"1": "__acker", "2": "count", "3": "count", "4": "split",
                                      "5": "split", "6": "spout"}
    assert ctx["taskid"] == 4 and ctx["componentid"] == "split"
    assert ctx["source->stream->grouping"] == {"spout": {"default": {"type": "SHUFFLE"}}}
    conf = setup["conf"]
    assert conf["storm.cluster.mode"] == "local" and conf["my.setting"] == "x"
    assert conf["topology.message.timeout.secs"] == 30 and conf["storm.id"] == "test-1-1"
    assert Path(setup["pidDir"]).is_dir() and len(list(Path(setup["pidDir"]).iterdir())) == 1
    spout_lines = (tmp_path / "rec.6").read_text().splitlines()
    assert spout_lines[0].startswith("activate") and spout_lines[-1].startswith("deactivate")


def test_kill_9_bolt_mid_run_replays_everything(tmp_path):
    run = run_topology(wordcount(split_mode="suicide_once"), tmp_path, conf_for(tmp_path, 200),
                       duration=3.5)
    assert run.code == 0, run.err
    assert run.stats.restarts == 1
    assert "Pipe to subprocess seems to be broken" in run.err
    assert "exit code: -9" in run.err and "restarting in" in run.err
    assert run.stats.spout_failed >= 1
    assert_all_acked_once(tmp_path, 200)


def test_sigstop_past_the_subprocess_timeout(tmp_path):
    conf = conf_for(tmp_path, 100, **{"topology.subprocess.timeout.secs": 2})
    run = run_topology(wordcount(split_mode="stop_once"), tmp_path, conf, duration=5.0)
    assert run.code == 0, run.err
    assert "subprocess heartbeat timeout" in run.err
    assert run.stats.restarts == 1
    assert_all_acked_once(tmp_path, 100)


def test_garbage_on_stdout(tmp_path):
    run = run_topology(wordcount(split_mode="garbage_once"), tmp_path, conf_for(tmp_path, 100),
                       duration=3.0)
    assert run.code == 0, run.err
    assert "cannot parse the component's output as JSON" in run.err
    assert "this is not json" in run.err
    assert run.stats.restarts == 1
    assert_all_acked_once(tmp_path, 100)


def test_fail_fast_stops_the_run(tmp_path):
    run = run_topology(wordcount(split_mode="suicide_once"), tmp_path, conf_for(tmp_path, 200),
                       duration=10.0, fail_fast=True)
    assert run.code == 1
    assert "--fail-fast" in run.err and run.stats.restarts == 0
    assert run.stats.duration_s < 5


@pytest.mark.parametrize("mode,message", [
    ("double_ack", "Acked a non-existent or already acked/failed id"),
    ("ack_heartbeat", "Acked a non-existent or already acked/failed id"),
    ("bad_stream", "Unknown stream ID: nope"),
    ("bad_arity", "Tuple created with wrong number of fields. Expected 1 fields but got 3"),
])
def test_fatal_rules_are_reported(tmp_path, mode, message):
    run = run_topology(wordcount(split_mode=mode), tmp_path, conf_for(tmp_path, 20),
                       duration=1.5, fail_fast=True)
    assert run.code == 1
    assert message in run.err
    assert "bolt 'split' task" in run.err and "split-4.stderr.log" in run.err \
        or "split-5.stderr.log" in run.err


def test_spout_unknown_command_is_fatal(tmp_path):
    conf = conf_for(tmp_path, 20, **{"test.spout.misbehave": True})
    run = run_topology(wordcount(), tmp_path, conf, duration=1.5, fail_fast=True)
    assert run.code == 1 and "Unknown command received: ack" in run.err


def test_error_command_and_ignored_bolt_command(tmp_path):
    run = run_topology(wordcount(split_mode="error_cmd"), tmp_path, conf_for(tmp_path, 3),
                       duration=1.5, fail_fast=True)
    assert run.code == 0, run.err
    assert "Shell Process Exception: boom" in run.err
    assert run.stats.components["split"].errors == 3
    assert run.stats.spout_acked == 3


def test_handshake_failure_stops_the_run(tmp_path):
    topo = wordcount()
    topo.components["count"].script = "broken.py"
    run = run_topology(topo, tmp_path, conf_for(tmp_path, 5), duration=10)
    assert run.code == 1
    assert run.stats.duration_s < 5
    assert "bolt 'count' task" in run.err and "did not complete its handshake" in run.err
    assert "No module named 'nltk'" in run.err and "exit code: 3" in run.err


def test_missing_interpreter_is_reported(tmp_path):
    topo = wordcount()
    topo.components["count"].execution_command = "no-such-python"
    run = run_topology(topo, tmp_path, conf_for(tmp_path, 5), duration=10)
    assert run.code == 1 and "cannot start" in run.err and "no-such-python" in run.err


def test_no_ackers_acks_at_once(tmp_path):
    conf = conf_for(tmp_path, 50, **{"topology.acker.executors": 0})
    run = run_topology(wordcount(count_mode="noack"), tmp_path, conf, duration=1.5)
    assert run.code == 0, run.err
    assert "__acker" not in run.runner.layout.component_tasks
    assert_all_acked_once(tmp_path, 50)


def test_spout_waiting_for_its_task_ids_gets_them_at_once(tmp_path):
    """Storm's storm.py always waits for the task-id list before its sync."""
    conf = conf_for(tmp_path, 100, **{"test.spout.task_ids": True,
                                      "topology.subprocess.timeout.secs": 5})
    run = run_topology(wordcount(), tmp_path, conf, duration=2.5)
    assert run.code == 0, run.err
    assert "heartbeat timeout" not in run.err and "restart" not in run.err.lower(), run.err
    assert_all_acked_once(tmp_path, 100)


def test_a_cycle_starts_and_runs(tmp_path):
    """Storm allows cycles: a bolt subscribed to its own stream still gets started."""
    topo = wordcount()
    split = topo.components["split"]
    split.streams["again"] = StreamDef(["word"])
    split.inputs[("split", "again")] = GroupingDef("shuffle")
    run = run_topology(topo, tmp_path, conf_for(tmp_path, 50), duration=2.0)
    assert run.code == 0, run.err
    assert_all_acked_once(tmp_path, 50)


def test_message_timeout_fails_between_t_and_2t(tmp_path):
    conf = conf_for(tmp_path, 3, **{"topology.message.timeout.secs": 1})
    run = run_topology(wordcount(count_mode="noack"), tmp_path, conf, duration=3.6)
    # no tree ever completes: each id ends failed (lost) or pending, and the run says so
    assert run.code == 1, run.err
    assert run.stats.spout_lost + len(run.runner.acker.pending) == 3
    assert "exit status 1" in run.err
    emits, fails = {}, {}
    for line in (tmp_path / "rec.6").read_text().splitlines():
        what, i, t = line.split()
        if what == "emit":
            emits.setdefault(i, float(t))
        elif what == "fail" and i not in fails:
            fails[i] = float(t)
    assert sorted(fails) == ["0", "1", "2"]
    for i, t in fails.items():
        assert 0.9 <= t - emits[i] <= 2.3, (i, t - emits[i])
    assert run.stats.spout_acked == 0


def test_max_spout_pending_and_backpressure(tmp_path):
    conf = conf_for(tmp_path, 100000, **{"topology.max.spout.pending": 10,
                                         "test.slow": 0.002, "topology.message.timeout.secs": 2})
    run = run_topology(wordcount(split_tasks=1, count_tasks=1, count_mode="slow"), tmp_path,
                       conf, duration=1.5)
    assert run.runner.spouts[0].pending_peak == 10
    # without a spout limit, a slow bolt holds the spout back through its bounded queue
    tmp2 = tmp_path / "b"
    tmp2.mkdir()
    conf = conf_for(tmp2, 100000, **{"topology.shellbolt.max.pending": 20, "test.slow": 0.002,
                                     "topology.message.timeout.secs": 2})
    run = run_topology(wordcount(split_tasks=1, count_tasks=1, count_mode="slow"), tmp2, conf,
                       duration=2.0)
    count = [t for t in run.runner.bolts if t.cid == "count"][0]
    split = [t for t in run.runner.bolts if t.cid == "split"][0]
    # bounded: max.pending plus at most what one read of the upstream's pipe holds
    assert count.queue_peak < 2000 and split.queue_peak < 2000
    emitted = run.stats.components["spout"].emitted
    executed = run.stats.components["count"].executed
    assert emitted < 2000, "the spout was not held back"
    assert executed > 100


def test_direct_grouping(tmp_path):
    topo = wordcount(split_tasks=1, count_tasks=3, split_mode="direct", count_mode="sink")
    topo.components["split"].streams["direct"] = StreamDef(["sentence"], direct=True)
    topo.components["count"].inputs = {("split", "direct"): GroupingDef("direct")}
    run = run_topology(topo, tmp_path, conf_for(tmp_path, 30, **{"test.direct.target": 3}),
                       duration=1.5)
    assert run.code == 0, run.err
    got = {t: sum(1 for x in lines if x.startswith("tuple"))
           for t, lines in records(tmp_path, "count").items()}
    got = {t: n for t, n in got.items() if n}
    assert got.get(3) == 30 and sum(got.values()) == 30
    assert "JSON_SMART_SIMPLE" in run.err
    assert_all_acked_once(tmp_path, 30)


def test_regular_emit_on_direct_stream_is_fatal(tmp_path):
    topo = wordcount(split_tasks=1, split_mode="regular_on_direct", count_mode="sink")
    topo.components["split"].streams["direct"] = StreamDef(["sentence"], direct=True)
    topo.components["count"].inputs = {("split", "direct"): GroupingDef("direct")}
    run = run_topology(topo, tmp_path, conf_for(tmp_path, 3), duration=1.5, fail_fast=True)
    assert run.code == 1 and "Cannot do regular emit to direct stream" in run.err


def test_pystorm_spout_and_bolt(tmp_path):
    topo = topology(
        shell("spout", "spout", "pystorm_spout.py", {"default": ["sentence"]}),
        shell("split", "bolt", "pystorm_bolt.py", {"default": ["word"]}, parallelism=2,
              inputs={("spout", "default"): GroupingDef("shuffle")}),
        shell("count", "bolt", "raw_bolt.py", {"default": ["word", "count"]},
              inputs={("split", "default"): GroupingDef("fields", ["word"])}),
        conf={"test.mode.count": "count"})
    run = run_topology(topo, tmp_path, conf_for(tmp_path, 50), duration=2.5)
    assert run.code == 0, run.err
    assert run.stats.components["count"].executed == 200
    assert_all_acked_once(tmp_path, 50)


def test_idle_spout_backs_off_despite_pipelining(tmp_path):
    # a spout with nothing to emit: 'next' must slow down to one per ~16 ms, never pipelined
    conf = conf_for(tmp_path, 0, **{"test.log.next": True})
    topo = topology(shell("spout", "spout", "raw_spout.py", {"default": ["sentence"]}),
                    shell("sink", "bolt", "raw_bolt.py", {"default": ["word"]},
                          inputs={("spout", "default"): GroupingDef("shuffle")}))
    run = run_topology(topo, tmp_path, dict(conf, **{"test.mode.sink": "sink"}), duration=2.0)
    assert run.code == 0, run.err
    spout_task = run.runner.layout.component_tasks["spout"][0]
    times = [float(line.split()[2])
             for line in (tmp_path / f"rec.{spout_task}").read_text().splitlines()
             if line.startswith("next")]
    assert len(times) > 20
    gaps = [b - a for a, b in zip(times, times[1:])]
    steady = sorted(gaps[10:])
    assert steady[len(steady) // 2] >= 0.012, steady[:5]   # the 16 ms ceiling, minus jitter
    assert len(times) < 2.0 / 0.012
