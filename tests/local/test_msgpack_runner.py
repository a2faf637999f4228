"""The runner speaking MessagePack (``petrel.serializer: msgpack``) over real subprocesses.

The raw test components run unchanged: their ``rawproto`` helpers are replaced by the
MessagePack twin in ``msgpack_components/``. Each scenario checks what the JSON tests check.
"""

import ast
import shutil
from collections import Counter
from pathlib import Path

import pytest
from local_helpers import COMPONENTS, acked_ids, run_topology, shell, topology, wordcount

from petrel.local import msgpack_wire
from petrel.local.msgpack_quick import message_of
from petrel.local.msgpack_wire import MsgpackReader
from petrel.local.wire import ProtocolError
from petrel.runtime.msgpack_stream import packb
from petrel.semantics.groupings import fields_grouping_index
from petrel.topology.model import GroupingDef, StreamDef

MSGPACK_COMPONENTS = Path(__file__).parent / "msgpack_components"
SENTENCE = "the cow jumped over the moon"


def conf_for(tmp_path: Path, count: int, **extra):
    conf = {"test.count": count, "test.record": str(tmp_path / "rec"),
            "test.marker": str(tmp_path / "marker"), "petrel.serializer": "msgpack"}
    conf.update(extra)
    return conf


def msgpack_run(topo, tmp_path: Path, conf, **kwargs):
    """run_topology with the components speaking MessagePack."""
    res = tmp_path / "resources"
    if not res.exists():
        shutil.copytree(COMPONENTS, res)
        for path in MSGPACK_COMPONENTS.glob("*.py"):
            shutil.copy(path, res / path.name)
    return run_topology(topo, tmp_path, conf, **kwargs)


def records(tmp_path: Path, cid: str):
    return {int(p.name.rsplit(".", 1)[1]): p.read_text().splitlines()
            for p in tmp_path.glob(f"rec.{cid}.*")}


def assert_all_acked_once(tmp_path: Path, count: int):
    acks, _fails = acked_ids(tmp_path / "rec")
    assert sorted(acks) == list(range(count)), "some ids were never acked"
    assert set(acks.values()) == {1}, "an id was acked twice"


def word_counts(tmp_path: Path):
    """(words each count task got, the count bolt's final count of each word)."""
    per_task = {t: [ast.literal_eval(line[6:])[0] for line in lines if line.startswith("tuple ")]
                for t, lines in records(tmp_path, "count").items()}
    return per_task, Counter(w for words in per_task.values() for w in words)


def test_wordcount_gives_the_same_results_as_json(tmp_path):
    runs = {}
    for fmt in ("json", "msgpack"):
        where = tmp_path / fmt
        where.mkdir()
        conf = conf_for(where, 300, **{"petrel.serializer": fmt})
        run = msgpack_run(wordcount(), where, conf, duration=2.5) if fmt == "msgpack" else \
            run_topology(wordcount(), where, conf, duration=2.5)
        assert run.code == 0, run.err
        assert_all_acked_once(where, 300)
        runs[fmt] = run
    assert type(runs["msgpack"].runner.router).__name__ == "MsgpackRouter"
    assert type(runs["json"].runner.router).__name__ == "Router"
    for fmt, run in runs.items():
        comps = run.stats.components
        assert run.stats.spout_acked == 300 and run.stats.spout_failed == 0, fmt
        assert comps["spout"].emitted == 300 and comps["spout"].acked == 300, fmt
        assert comps["split"].executed == 300 and comps["split"].emitted == 1800, fmt
        assert comps["split"].transferred == 1800 and comps["split"].acked == 300, fmt
        assert comps["count"].executed == 1800 and comps["count"].acked == 1800, fmt
        for cid, cs in comps.items():   # the dashboard's per-task counters add up
            tasks = [t for t in run.runner.tasks.values() if t.cid == cid]
            assert sum(t.emitted for t in tasks) == cs.emitted, (fmt, cid)
            assert sum(t.transferred for t in tasks) == cs.transferred, (fmt, cid)
            assert sum(t.acked for t in tasks) == cs.acked, (fmt, cid)
            if cid != "spout":
                assert sum(t.executed for t in tasks) == cs.executed, (fmt, cid)
                assert all(t.executed for t in tasks), (fmt, cid)   # shuffle spreads too
                assert all(t.latency for t in tasks), (fmt, cid)
    json_words, json_total = word_counts(tmp_path / "json")
    mp_words, mp_total = word_counts(tmp_path / "msgpack")
    assert mp_total == json_total == Counter({w: 300 * n
                                              for w, n in Counter(SENTENCE.split()).items()})
    # the fields grouping sent every word to the same task in both formats
    layout = runs["msgpack"].runner.layout.component_tasks
    for task, words in mp_words.items():
        assert Counter(words) == Counter(json_words[task])
        for word in words:
            assert layout["count"][fields_grouping_index([word], 2)] == task
    assert runs["msgpack"].stats.percentiles()["p50"] is not None


def test_task_id_replies_heartbeats_and_ticks(tmp_path):
    topo = wordcount(count_tasks=3, split_mode="task_ids", count_mode="sink")
    topo.components["split"].streams["default"] = StreamDef(["sentence"])
    topo.components["count"].inputs = {("split", "default"): GroupingDef("fields", ["sentence"])}
    topo.components["count"].conf = {"topology.tick.tuple.freq.secs": 1}
    run = msgpack_run(topo, tmp_path, conf_for(tmp_path, 20), duration=2.6)
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
    assert len(ticks) >= 3 and set(ticks) == {"tick 1 __system -1"}


def test_handshake_activate_and_deactivate(tmp_path):
    conf = conf_for(tmp_path, 5, **{"test.dump": str(tmp_path / "setup"), "my.setting": "x"})
    run = msgpack_run(wordcount(), tmp_path, conf, duration=1.0)
    assert run.code == 0, run.err
    setup = ast.literal_eval((tmp_path / "setup.4").read_text().replace("null", "None")
                             .replace("true", "True").replace("false", "False"))
    assert setup["context"]["taskid"] == 4 and setup["conf"]["my.setting"] == "x"
    spout_lines = (tmp_path / "rec.6").read_text().splitlines()
    assert spout_lines[0].startswith("activate") and spout_lines[-1].startswith("deactivate")
    assert_all_acked_once(tmp_path, 5)


def test_kill_9_bolt_mid_run_fails_and_replays_everything(tmp_path):
    run = msgpack_run(wordcount(split_mode="suicide_once"), tmp_path, conf_for(tmp_path, 200),
                      duration=3.5)
    assert run.code == 0, run.err
    assert run.stats.restarts == 1 and "exit code: -9" in run.err
    assert run.stats.spout_failed >= 1    # fail commands reached the spout, which replayed
    assert_all_acked_once(tmp_path, 200)


def test_stray_bytes_on_stdout_end_the_task_with_one_clear_line(tmp_path):
    run = msgpack_run(wordcount(split_mode="garbage_once"), tmp_path, conf_for(tmp_path, 100),
                      duration=3.0)
    assert run.code == 0, run.err
    failed = [line for line in run.err.splitlines() if "failed:" in line]
    assert len(failed) == 1 and failed[0].startswith("petrel: bolt 'split' task ")
    assert "cannot read the component's output as MessagePack" in failed[0]
    assert "this is not json" in failed[0] and "must write nothing else there" in failed[0]
    assert "Traceback" not in run.err
    assert run.stats.restarts == 1
    assert_all_acked_once(tmp_path, 100)


@pytest.mark.parametrize("mode,message", [
    ("double_ack", "Acked a non-existent or already acked/failed id"),
    ("bad_arity", "Tuple created with wrong number of fields. Expected 1 fields but got 3"),
])
def test_fatal_rules_are_reported(tmp_path, mode, message):
    run = msgpack_run(wordcount(split_mode=mode), tmp_path, conf_for(tmp_path, 20),
                      duration=1.5, fail_fast=True)
    assert run.code == 1 and message in run.err and "bolt 'split' task" in run.err


def test_error_command_and_direct_grouping(tmp_path):
    topo = wordcount(split_tasks=1, count_tasks=3, split_mode="direct", count_mode="sink")
    topo.components["split"].streams["direct"] = StreamDef(["sentence"], direct=True)
    topo.components["count"].inputs = {("split", "direct"): GroupingDef("direct")}
    run = msgpack_run(topo, tmp_path, conf_for(tmp_path, 30, **{"test.direct.target": 3}),
                      duration=1.5)
    assert run.code == 0, run.err
    got = {t: sum(1 for x in lines if x.startswith("tuple"))
           for t, lines in records(tmp_path, "count").items()}
    assert {t: n for t, n in got.items() if n} == {3: 30}
    assert_all_acked_once(tmp_path, 30)
    tmp2 = tmp_path / "errors"
    tmp2.mkdir()
    run = msgpack_run(wordcount(split_mode="error_cmd"), tmp2, conf_for(tmp2, 3), duration=1.5,
                      fail_fast=True)
    assert run.code == 0, run.err
    assert "Shell Process Exception: boom" in run.err
    assert run.stats.components["split"].errors == 3 and run.stats.spout_acked == 3


def test_bolt_fails_are_replayed_until_acked(tmp_path):
    topo = topology(
        shell("spout", "spout", "raw_spout.py", {"default": ["sentence"]}),
        shell("picky", "bolt", "fail_bolt.py", {"default": ["sentence"]}, parallelism=2,
              inputs={("spout", "default"): GroupingDef("shuffle")}))
    run = msgpack_run(topo, tmp_path, conf_for(tmp_path, 60), duration=2.5)
    assert run.code == 0, run.err
    acks, fails = acked_ids(tmp_path / "rec")
    assert fails and run.stats.spout_failed == sum(fails.values())
    assert run.stats.components["picky"].failed == sum(fails.values())
    assert_all_acked_once(tmp_path, 60)


def test_bytes_values_are_routed_intact(tmp_path):
    words = [b"\x00\xff bin \x80", "text \u2028 line"]
    topo = wordcount(split_tasks=1, count_tasks=1, count_mode="sink")
    topo.components["count"].inputs = {("split", "default"): GroupingDef("shuffle")}
    run = msgpack_run(topo, tmp_path, conf_for(tmp_path, 4, **{"test.words": words}),
                      duration=1.5)
    assert run.code == 0, run.err
    got = [ast.literal_eval(line[6:])[0]
           for lines in records(tmp_path, "count").values() for line in lines
           if line.startswith("tuple ")]
    expected = [w for i in range(4) for w in words[i % 2].split()]
    assert sorted(got, key=repr) == sorted(expected, key=repr)
    assert b"\x00\xff" in got and b"\x80" in got
    assert_all_acked_once(tmp_path, 4)


def test_a_component_answering_in_json_is_named(tmp_path):
    topo = wordcount()
    topo.components["count"].script = "answers_json.py"
    run = msgpack_run(topo, tmp_path, conf_for(tmp_path, 5), duration=10)
    assert run.code == 1 and run.stats.duration_s < 5
    assert "bolt 'count' task" in run.err and "answered in JSON, not MessagePack" in run.err
    assert "Traceback" not in run.err


@pytest.mark.parametrize("unpacker", [True, False], ids=["unpacker", "stream-reader"])
def test_reader_keeps_messages_cut_anywhere_and_refuses_stray_bytes(unpacker, monkeypatch):
    if not unpacker:  # the reader used without the msgpack package (or with it, if installed)
        monkeypatch.setattr(msgpack_wire, "_msgpack", None)
    elif msgpack_wire._msgpack is None:
        pytest.skip("the msgpack package is not installed")
    msgs = [{"command": "ack", "id": "1234567890123"}, {"command": "sync"},
            {"command": "emit", "tuple": [b"\x00", "x", 1.5, None, [1, -2]]}]
    data = b"".join(packb(m) for m in msgs)
    for cut in range(1, len(data)):
        reader = MsgpackReader()
        got = reader.feed(data[:cut])
        if reader.buf:
            assert reader.partial_at > 0
        got += reader.feed(data[cut:])
        assert [message_of(m) for m in got] == msgs and reader.buf == b""
    for stray in (b"oops", b"\xc1", packb(7), b"\xd4\x01\x02"):   # text, never-used, int, ext
        reader = MsgpackReader()
        assert [message_of(m) for m in reader.feed(packb(msgs[0]))] == [msgs[0]]
        with pytest.raises(ProtocolError, match="cannot read the component's output as "
                                                "MessagePack .*must write nothing else there"):
            reader.feed(packb(msgs[1]) + stray)
    with pytest.raises(ProtocolError, match="answered in JSON"):
        MsgpackReader().feed(b'{"pid": 1}\nend\n')
