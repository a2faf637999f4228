"""The local runner's routing cost next to a minimal Python router fed the same messages.

Used by ``bench_local``. Both routers handle bench_local's word-count message stream (the
spout's emits with message ids and syncs, each split task's anchored word emits and acks,
each count task's acks) for tasks whose processes are stand-ins (queues only), so only the
routing is timed. The floor does nothing but what any runner doing Storm's per-tuple work
must do, inlined: cut the anchor and values out of each message, pick the fields-grouping
target (remembered per value), draw the edge and XOR it into the tree, number and format the
delivered tuple, queue it; for an ack, pop the input and XOR its value into its tree (a read
of nothing but acks has its ids cut out and its entries popped by C loops). No checks, no
statistics, no back-pressure, no restarts. It bounds how cheap a Python runner's
routing can get on this machine.
"""

from __future__ import annotations

import collections
import io
import itertools
import json
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Tuple

from petrel.local.runner import LocalRunner, RunOptions
from petrel.semantics.groupings import fields_grouping_index
from petrel.semantics.layout import assign_tasks
from petrel.topology.model import ComponentDef, GroupingDef, StreamDef, TopologyDef

SENTENCES = ["the cow jumped over the moon", "an apple a day keeps the doctor away",
             "four score and seven years ago", "snow white and the seven dwarfs"]
READ_SENTENCES = 4   # sentences' worth of bolt output handled per read
SPOUT_READ_SENTENCES = 2   # a spout's read answers two pipelined next commands
_SPOUT_EMIT = b'{"command":"emit","id":%d,"tuple":%s,"need_task_ids":false}'
_BOLT_EMIT = b'{"command":"emit","anchors":["%%s"],"tuple":%s,"need_task_ids":false}'
_ACK = b'{"command":"ack","id":"%s"}'
_SYNC = b'{"command":"sync"}'
_TUPLE_KEY = b'"tuple":'


class _Queues:
    """A stand-in task process: the queues the routers fill."""

    def __init__(self) -> None:
        self.tuples: collections.deque = collections.deque()
        self.ctl: List[bytes] = []

    def flush(self) -> bool:
        return True


def _wordcount() -> TopologyDef:
    def comp(cid: str, kind: str, fields: List[str], parallelism: int,
             inputs: Dict[Tuple[str, str], GroupingDef]) -> ComponentDef:
        return ComponentDef(id=cid, kind=kind, streams={"default": StreamDef(fields)},
                            inputs=inputs, parallelism=parallelism, conf={},
                            execution_command=sys.executable, script="none.py")
    comps = [comp("spout", "spout", ["sentence"], 1, {}),
             comp("split", "bolt", ["word"], 2, {("spout", "default"): GroupingDef("shuffle")}),
             comp("count", "bolt", ["word", "count"], 2,
                  {("split", "default"): GroupingDef("fields", ["word"])})]
    return TopologyDef(components={c.id: c for c in comps},
                       conf={"topology.max.spout.pending": 10 ** 9})


def real_router(workdir: Path) -> Tuple[Any, Any, Any, list, list]:
    """The runner's Router over stand-in tasks: (spout handler, bolt handler, spout, splits,
    counts)."""
    topo = _wordcount()
    layout = assign_tasks(topo, topo.conf)
    opts = RunOptions(resources=workdir, logdir=workdir, piddir=workdir / "p", env={},
                      out=io.StringIO(), err=io.StringIO())
    runner = LocalRunner(topo, layout, topo.conf, "floor", "floor-1-1", opts)
    for task in runner.tasks.values():
        task.proc = _Queues()
        task.state = "running"
        task.active = True
    runner.phase = "running"
    spout = runner.spouts[0]
    spout.inflight.extend([True] * 2)
    spout.nexts_ahead = 2

    def spout_messages(task: Any, raws: List[bytes], now: float) -> None:
        runner.router.spout_messages(task, raws, now)
        task.proc.ctl.clear()
        task.commands.clear()
        runner.dirty.clear()

    tasks = sorted(runner.tasks.values(), key=lambda t: t.id)
    return (spout_messages, runner.router.bolt_messages, spout,
            [t for t in tasks if t.cid == "split"], [t for t in tasks if t.cid == "count"])


class _FloorTask:
    def __init__(self, cid: str, task_id: int) -> None:
        self.inputs: Dict[bytes, list] = {}
        self.delivered = 0
        self.acked = 0   # a spout's trees completed
        self.cid, self.task_id = cid, task_id
        self.proc = _Queues()
        self.fmt = (b'{"id":"%s","comp":"' + cid.encode() + b'","stream":"default","task":'
                    + str(task_id).encode() + b',"tuple":%s}\nend\n')


def floor_router() -> Tuple[Any, Any, Any, list, list]:
    """The minimal router: (spout handler, bolt handler, spout, splits, counts)."""
    rand = random.Random(7).getrandbits
    new_tid = itertools.chain.from_iterable(
        " ".join(map(str, range(b, b + 1024))).encode().split()
        for b in itertools.count(1 << 20, 1024)).__next__
    spout, splits = _FloorTask("spout", 1), [_FloorTask("split", 2), _FloorTask("split", 3)]
    counts = [_FloorTask("count", 4), _FloorTask("count", 5)]
    next_split = itertools.cycle(splits).__next__
    pending: Dict[int, list] = {}
    memo: Dict[bytes, _FloorTask] = {}
    spout_acks: List[bytes] = []
    head, mid, tail = b'{"command":"emit","anchors":["', b'"],"tuple":', len(
        b',"need_task_ids":false}')
    spout_head, spout_mid = len(b'{"command":"emit","id":'), b',"tuple":'
    ack_head = len(b'{"command":"ack","id":"')
    head_len, mid_len = len(head), len(mid)
    ack_sep = b'"}\n{"command":"ack","id":"'

    def spout_messages(task: Any, raws: List[bytes], now: float) -> None:
        for raw in raws:
            if raw != _SYNC:
                j = raw.find(spout_mid, spout_head)
                root, edge, target, tid = rand(64), rand(64), next_split(), new_tid()
                target.inputs[tid] = [root, edge]
                target.proc.tuples.append(target.fmt % (tid, raw[j + len(spout_mid):-tail]))
                pending[root] = [edge, raw[spout_head:j]]
        spout_acks.clear()

    def bolt_messages(task: Any, raws: List[bytes], now: float) -> None:
        inputs = task.inputs
        joined = b"\n".join(raws)
        if head not in joined:  # only acks: their ids cut out at once, entries popped in C
            for root, value in map(inputs.pop, joined[ack_head:-2].split(ack_sep)):
                tree = pending[root]
                tree[0] ^= value
                if not tree[0]:
                    del pending[root]
                    spout_acks.append(b'{"command":"ack","id":' + tree[1] + b'}\nend\n')
                    spout.acked += 1
            return
        for raw in raws:
            if raw.startswith(head):
                j = raw.find(mid, head_len)
                entry = inputs[raw[head_len:j]]
                values = raw[j + mid_len:-tail]
                target = memo.get(values)
                if target is None:
                    index = fields_grouping_index(json.loads(values), 2)
                    target = memo[values] = counts[index]
                edge = rand(64)
                entry[1] ^= edge
                tid = new_tid()
                target.inputs[tid] = [entry[0], edge]
                target.proc.tuples.append(target.fmt % (tid, values))
                target.delivered += 1
            else:
                root, value = inputs.pop(raw[ack_head:-2])
                tree = pending[root]
                tree[0] ^= value
                if not tree[0]:
                    del pending[root]
                    spout_acks.append(b'{"command":"ack","id":' + tree[1] + b'}\nend\n')
                    spout.acked += 1

    return spout_messages, bolt_messages, spout, splits, counts


def drive(router: Tuple[Any, Any, Any, list, list], sentences: int) -> float:
    """Seconds spent in the router's handlers for ``sentences`` word-count sentences."""
    spout_messages, bolt_messages, spout, splits, counts = router
    words = {json.dumps([s]).encode() + b"}\nend\n": [_BOLT_EMIT % json.dumps([w]).encode()
                                                       for w in s.split()] for s in SENTENCES}
    spout_raws = [[_SPOUT_EMIT % (i, json.dumps([SENTENCES[i % 4]]).encode()), _SYNC]
                  for i in range(sentences)]
    clock = time.perf_counter
    spent = 0.0
    done = 0
    while done < sentences:
        for raws in spout_raws[done:done + READ_SENTENCES]:
            start = clock()
            spout_messages(spout, raws, 0.0)
            spent += clock() - start
        done += READ_SENTENCES
        for task in splits:
            queue = task.proc.tuples
            if queue:
                raws = []
                for tup in queue:  # each tuple: its words emitted, anchored to it, then its ack
                    tid = tup[7:tup.index(b'"', 7)]
                    raws += [emit % tid for emit in words[tup[tup.index(_TUPLE_KEY) + 8:]]]
                    raws.append(_ACK % tid)
                queue.clear()
                start = clock()
                bolt_messages(task, raws, 0.0)
                spent += clock() - start
        for task in counts:
            queue = task.proc.tuples
            if queue:
                raws = [_ACK % tup[7:tup.index(b'"', 7)] for tup in queue]
                queue.clear()
                start = clock()
                bolt_messages(task, raws, 0.0)
                spent += clock() - start
    return spent


def measure(sentences: int = 20_000, rounds: int = 5) -> Dict[str, float]:
    """Microseconds of routing per sentence, real and floor (best of interleaved rounds)."""
    best = {"real": float("inf"), "floor": float("inf")}
    with tempfile.TemporaryDirectory() as tmp:
        makers: Dict[str, Callable[[], Tuple[Any, Any, Any, list, list]]] = {
            "real": lambda: real_router(Path(tmp)), "floor": floor_router}
        for _ in range(rounds):
            for name, make in makers.items():
                best[name] = min(best[name], drive(make(), sentences) / sentences * 1e6)
    return best
