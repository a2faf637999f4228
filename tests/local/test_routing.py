"""The router's quick paths (acks and emits taken apart as bytes) against its full checks.

These drive ``Router`` directly over a word-count runner whose tasks have stand-in processes
(queues only), so every message and every ack tree value can be looked at.
"""

from __future__ import annotations

import collections
import io
import json

import pytest
from local_helpers import wordcount

from petrel.local import router_base, spout_messages
from petrel.local.runner import LocalRunner, RunOptions
from petrel.local.task import TaskFailure
from petrel.semantics.groupings import fields_grouping_index
from petrel.semantics.layout import assign_tasks


class StandInProcess:
    """The queues of a task process, without a process."""

    def __init__(self) -> None:
        self.tuples: collections.deque = collections.deque()
        self.ctl: list = []

    def flush(self) -> bool:
        return True


def make_runner(tmp_path, **conf):
    topo = wordcount()
    layout = assign_tasks(topo, conf)
    opts = RunOptions(resources=tmp_path, logdir=tmp_path, piddir=tmp_path / "p", env={},
                      out=io.StringIO(), err=io.StringIO())
    runner = LocalRunner(topo, layout, conf, "t", "t-1-1", opts)
    for task in runner.tasks.values():
        task.proc = StandInProcess()
        task.state = "running"
        task.active = True
    runner.phase = "running"
    return runner


def of(runner, cid):
    return [t for t in runner.tasks.values() if t.cid == cid]


def spout_emit(runner, msg_id, sentence="a b"):
    """A spout emit with a message id; returns (split task, tuple id) it went to."""
    spout = runner.spouts[0]
    raw = b'{"command":"emit","id":%s,"tuple":%s,"need_task_ids":false}' % (
        json.dumps(msg_id).encode(), json.dumps([sentence]).encode())
    runner.router.spout_messages(spout, [raw], 0.0)
    for task in of(runner, "split"):
        if task.proc.tuples:
            msg = json.loads(task.proc.tuples.pop()[:-5])
            return task, msg["id"].encode()
    raise AssertionError("nothing delivered")


def emit(anchor: bytes, tuple_json: bytes) -> bytes:
    return (b'{"command":"emit","anchors":["' + anchor + b'"],"tuple":' + tuple_json
            + b',"need_task_ids":false}')


def ack(tid: bytes) -> bytes:
    return b'{"command":"ack","id":"' + tid + b'"}'


def delivered(runner, cid):
    out = []
    for task in of(runner, cid):
        while task.proc.tuples:
            out.append((task, json.loads(task.proc.tuples.popleft()[:-5])))
    return out


def test_a_tree_completes_through_the_quick_paths_and_acks_the_spout(tmp_path):
    runner = make_runner(tmp_path)
    split, tid = spout_emit(runner, 7, "x y")
    runner.router.bolt_messages(split, [emit(tid, b'["x"]'), emit(tid, b'["y"]'), ack(tid)], 0.0)
    words = delivered(runner, "count")
    assert sorted(m["tuple"][0] for _t, m in words) == ["x", "y"]
    assert len(runner.acker.pending) == 1
    for task, msg in words:  # one read holding only acks: the bulk path
        runner.router.bolt_messages(task, [ack(msg["id"].encode())], 0.0)
    assert not runner.acker.pending
    assert list(runner.spouts[0].commands) == [b'{"command":"ack","id":7}\nend\n']
    stats = runner.stats.components
    assert (stats["split"].emitted, stats["split"].transferred, stats["split"].acked) == (2, 2, 1)
    assert (stats["count"].executed, stats["count"].acked) == (2, 2)


def test_bulk_acks_stop_at_an_unknown_id_as_storm_does(tmp_path):
    runner = make_runner(tmp_path)
    split, first = spout_emit(runner, 1)
    _split2, second = spout_emit(runner, 2)
    split.inputs[second] = _split2.inputs.pop(second, None) or split.inputs.get(second)
    with pytest.raises(TaskFailure, match="Acked a non-existent or already acked/failed id: 99"):
        runner.router.bolt_messages(split, [ack(first), ack(b"99"), ack(second)], 0.0)
    assert first not in split.inputs and second in split.inputs  # in order, up to the bad one
    assert runner.stats.components["split"].acked == 1


def test_messages_that_only_look_like_acks_get_the_full_parse(tmp_path):
    runner = make_runner(tmp_path)
    split, tid = spout_emit(runner, 1)
    glued = ack(tid) + b"\n" + ack(b"5")  # two objects in one message: not JSON
    with pytest.raises(TaskFailure, match="cannot parse"):
        runner.router.bolt_messages(split, [glued, ack(b"6")], 0.0)
    assert tid in split.inputs  # nothing was acked
    with pytest.raises(TaskFailure, match="Acked a non-existent"):
        runner.router.bolt_messages(split, [b'{"command":"ack","id":"' + tid + b'x"}'], 0.0)


@pytest.mark.parametrize("tuple_json, error", [
    (b'["a","b"]', "wrong number of fields"),
    (b'["a",]', "cannot parse"),
    (b'"a"', "without a 'tuple' list"),
    (b'["a"],"stream":"nope"', "Unknown stream ID: nope"),
])
def test_the_quick_emit_keeps_local_modes_checks(tmp_path, tuple_json, error):
    runner = make_runner(tmp_path)
    split, tid = spout_emit(runner, 1)
    with pytest.raises(TaskFailure, match=error):
        runner.router.bolt_messages(split, [emit(tid, tuple_json)], 0.0)
    assert not split.routes["default"].memo
    assert not delivered(runner, "count")


def test_an_emit_anchored_after_its_ack_fails(tmp_path):
    runner = make_runner(tmp_path)
    split, tid = spout_emit(runner, 1)
    with pytest.raises(TaskFailure, match=f"Anchored onto {tid.decode()} after ack/fail"):
        runner.router.bolt_messages(split, [ack(tid), emit(tid, b'["x"]')], 0.0)


def test_tuple_text_goes_out_as_sent_unless_it_needs_escaping(tmp_path):
    runner = make_runner(tmp_path)
    split, tid = spout_emit(runner, 1)
    sep = '["a\u2028b"]'.encode()
    for _ in range(2):  # the second emit of the same bytes is a memo hit
        runner.router.bolt_messages(split, [emit(tid, b'[ "z" ]'), emit(tid, sep)], 0.0)
    raws = [m for t in of(runner, "count") for m in t.proc.tuples]
    assert sum(b'"tuple":[ "z" ]}' in m for m in raws) == 2
    assert sum(b'"tuple":["a\\u2028b"]}' in m for m in raws) == 2
    assert not any("\u2028".encode() in m for m in raws)


def test_fields_grouping_on_the_quick_path_picks_stroms_task(tmp_path):
    runner = make_runner(tmp_path)
    split, tid = spout_emit(runner, 1)
    words = [f"w{i}" for i in range(40)] + ["é", "naïve", "w3"]
    runner.router.bolt_messages(split, [emit(tid, json.dumps([w]).encode()) for w in words], 0.0)
    count_ids = sorted(t.id for t in of(runner, "count"))
    got = {m["tuple"][0]: task.id for task, m in delivered(runner, "count")}
    assert len(got) == len(set(words))
    for w, task_id in got.items():
        assert task_id == count_ids[fields_grouping_index([w], len(count_ids))]


def test_spout_emit_ids_that_are_not_plain_integers_take_the_full_parse(tmp_path):
    runner = make_runner(tmp_path)
    split, tid = spout_emit(runner, "s-1")
    runner.router.bolt_messages(split, [ack(tid)], 0.0)
    assert list(runner.spouts[0].commands) == [b'{"command":"ack","id":"s-1"}\nend\n']
    bad = b'{"command":"emit","id":012,"tuple":["a"],"need_task_ids":false}'
    with pytest.raises(TaskFailure, match="cannot parse"):
        runner.router.spout_messages(runner.spouts[0], [bad], 0.0)


def test_several_anchors_join_several_trees(tmp_path):
    runner = make_runner(tmp_path)
    split, first = spout_emit(runner, 1)
    other, second = spout_emit(runner, 2)
    if other is not split:
        split.inputs[second] = other.inputs.pop(second)
    msg = (b'{"command":"emit","anchors":["' + first + b'","' + second
           + b'"],"tuple":["w"],"need_task_ids":false}')
    runner.router.bolt_messages(split, [msg, ack(first), ack(second)], 0.0)
    assert len(runner.acker.pending) == 2
    ((task, word),) = delivered(runner, "count")
    runner.router.bolt_messages(task, [ack(word["id"].encode())], 0.0)
    assert not runner.acker.pending
    assert sorted(runner.spouts[0].commands) == [b'{"command":"ack","id":1}\nend\n',
                                                 b'{"command":"ack","id":2}\nend\n']


def test_a_failed_tree_ignores_later_acks(tmp_path):
    runner = make_runner(tmp_path)
    split, tid = spout_emit(runner, 1)
    runner.router.bolt_messages(split, [emit(tid, b'["x"]'), ack(tid)], 0.0)
    ((task, word),) = delivered(runner, "count")
    fail = b'{"command":"fail","id":"' + word["id"].encode() + b'"}'
    runner.router.bolt_messages(task, [fail], 0.0)
    assert list(runner.spouts[0].commands) == [b'{"command":"fail","id":1}\nend\n']
    assert runner.stats.spout_failed == 1 and not runner.acker.pending


def test_a_productive_spout_gets_nexts_ahead_within_max_spout_pending(tmp_path):
    runner = make_runner(tmp_path)
    spout = runner.spouts[0]
    runner.router.spout_command(spout, 0.0)
    assert spout.proc.ctl.count(spout_messages.NEXT_CMD) == spout_messages.SPOUT_NEXTS_AHEAD
    runner = make_runner(tmp_path)
    spout = runner.spouts[0]
    spout.max_pending = 3
    spout.pending_trees = 1
    runner.router.spout_command(spout, 0.0)
    assert spout.proc.ctl.count(spout_messages.NEXT_CMD) == 2
    runner = make_runner(tmp_path)
    spout = runner.spouts[0]
    spout.idle_nexts = 1   # its last 'next' emitted nothing: one at a time
    runner.router.spout_command(spout, 0.0)
    assert spout.proc.ctl.count(spout_messages.NEXT_CMD) == 1


def test_tuple_ids_are_unique_digits():
    new = router_base.tuple_ids(5)
    ids = [new() for _ in range(3000)]
    assert ids[:2] == [b"5", b"6"] and len(set(ids)) == 3000 and all(i.isdigit() for i in ids)
