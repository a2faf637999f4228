"""Reading and routing cost per word-count sentence in each multilang serializer, next to a
minimal reader and router for each format.

Used by ``bench_local``. The stream is the one the task processes write (``router_floor``'s
word count): a spout read answers two pipelined ``next`` commands and, before them, one sync
for each ack sent to the spout since its last read; each split task's read holds four
sentences' word emits, each anchored to its sentence, then the sentence's ack; each count
task's read holds its acks. ``drive_stream`` feeds those bytes to the runner's own reader and
router (stand-in tasks, no processes); ``drive_floor`` feeds them to the format's minimal
reader and router: ``router_floor``'s floor for JSON (split at ``end`` lines), the same
work cut out of MessagePack bytes for MessagePack. Only CPU time in the handlers counts.

``measure_formats`` runs the four one right after the other in each round, so all see the
same machine load. The two floors bound how much cheaper a Python runner can get by changing
the format alone.
"""

from __future__ import annotations

import io
import itertools
import json
import random
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Tuple

import router_floor
from router_floor import _ACK, _BOLT_EMIT, _SPOUT_EMIT, _SYNC, SENTENCES, _FloorTask, _Queues

from petrel.local.msgpack_wire import ACK_HEAD, tuple_format
from petrel.local.runner import LocalRunner, RunOptions
from petrel.runtime.msgpack_codec import unpackb
from petrel.runtime.msgpack_emits import ACK, BOLT_EMIT, NO_TASK_IDS, SPOUT_EMIT_ID, SYNC, TUPLE
from petrel.runtime.msgpack_stream import packb
from petrel.semantics.groupings import fields_grouping_index
from petrel.semantics.layout import assign_tasks

READ_SENTENCES = router_floor.READ_SENTENCES   # sentences' worth of bolt output per read
SPOUT_READ_SENTENCES = 2   # a spout's read answers two pipelined next commands

_Wire = Tuple[Callable[[int], bytes], Callable[[bytes], Tuple[str, str]],
              Callable[[str, str], bytes], Callable[[str], bytes], bytes]
# (spout handler, bolt handler, spout, splits, counts, trees completed so far); each handler
# takes a task and the bytes of one read
Handlers = Tuple[Callable[[Any, bytes], None], Callable[[Any, bytes], None], Any, list, list,
                 Callable[[], int]]


def _json_wire() -> _Wire:
    """JSON's (a spout's answer to a next, a delivered tuple's id and sentence, word emit,
    ack, sync) as written."""
    def spout_read(i: int) -> bytes:
        return (_SPOUT_EMIT % (i, json.dumps([SENTENCES[i % 4]]).encode()) + b"\nend\n"
                + _SYNC + b"\nend\n")

    def id_sentence(tup: bytes) -> Tuple[str, str]:
        message = json.loads(tup[:-5])
        return message["id"], message["tuple"][0]

    def emit(tid: str, word: str) -> bytes:
        return _BOLT_EMIT % json.dumps([word]).encode() % tid.encode() + b"\nend\n"

    def ack(tid: str) -> bytes:
        return _ACK % tid.encode() + b"\nend\n"

    return spout_read, id_sentence, emit, ack, _SYNC + b"\nend\n"


def _msgpack_wire() -> _Wire:
    """MessagePack's (a spout's answer to a next, a delivered tuple's id and sentence, word
    emit, ack, sync)."""
    def spout_read(i: int) -> bytes:
        return SPOUT_EMIT_ID + packb(i) + TUPLE + packb([SENTENCES[i % 4]]) + NO_TASK_IDS + SYNC

    def id_sentence(tup: bytes) -> Tuple[str, str]:
        message = unpackb(tup)
        return message["id"], message["tuple"][0]

    def emit(tid: str, word: str) -> bytes:
        return BOLT_EMIT + packb([tid]) + TUPLE + packb([word]) + NO_TASK_IDS

    return spout_read, id_sentence, emit, lambda tid: ACK + packb(tid), SYNC


def runner_handlers(workdir: Path, serializer: str) -> Handlers:
    """The runner's own reader and router over stand-in tasks, in ``serializer``."""
    topo = router_floor._wordcount()
    topo.conf["petrel.serializer"] = serializer
    layout = assign_tasks(topo, topo.conf)
    opts = RunOptions(resources=workdir, logdir=workdir, piddir=workdir / "p", env={},
                      out=io.StringIO(), err=io.StringIO())
    runner = LocalRunner(topo, layout, topo.conf, "floor", "floor-1-1", opts)
    router = runner.router
    for task in runner.tasks.values():
        task.proc = _Queues()
        task.proc.reader = router.new_reader()  # type: ignore[attr-defined]
        task.state = "running"
        task.active = True
    runner.phase = "running"
    spout = runner.spouts[0]
    spout.inflight.extend([True] * 2)
    spout.nexts_ahead = 2
    tasks = sorted(runner.tasks.values(), key=lambda t: t.id)

    def spout_read(task: Any, data: bytes) -> None:
        router.spout_messages(task, task.proc.reader.feed(data), 0.0)
        task.proc.ctl.clear()
        task.commands.clear()
        runner.dirty.clear()

    def bolt_read(task: Any, data: bytes) -> None:
        router.bolt_messages(task, task.proc.reader.feed(data), 0.0)

    return (spout_read, bolt_read, spout, [t for t in tasks if t.cid == "split"],
            [t for t in tasks if t.cid == "count"], lambda: runner.stats.spout_acked)


def json_floor() -> Handlers:
    """``router_floor``'s minimal JSON router behind the minimal reader (split at ``end``)."""
    spout_messages, bolt_messages, spout, splits, counts = router_floor.floor_router()

    def spout_read(task: Any, data: bytes) -> None:
        raws = data.split(b"\nend\n")
        raws.pop()
        spout_messages(task, raws, 0.0)

    def bolt_read(task: Any, data: bytes) -> None:
        raws = data.split(b"\nend\n")
        raws.pop()
        bolt_messages(task, raws, 0.0)

    return spout_read, bolt_read, spout, splits, counts, lambda: spout.acked


def msgpack_floor() -> Handlers:
    """The JSON floor's work, cut out of MessagePack bytes: the spout's emits found by their
    fixed tail, a bolt's acks and anchored emits by their fixed heads (tuple ids have the
    13 digits the runner gives in MessagePack), values forwarded as packed."""
    rand = random.Random(7).getrandbits
    new_tid = itertools.chain.from_iterable(
        " ".join(map(str, range(b, b + 1024))).encode().split()
        for b in itertools.count(10 ** 12, 1024)).__next__
    spout = _FloorTask("spout", 1)
    splits = [_FloorTask("split", 2), _FloorTask("split", 3)]
    counts = [_FloorTask("count", 4), _FloorTask("count", 5)]
    for task in splits + counts:
        task.fmt = tuple_format(task.cid, "default", task.task_id)
    next_split = itertools.cycle(splits).__next__
    pending: Dict[int, list] = {}
    memo: Dict[bytes, _FloorTask] = {}
    spout_acks: List[bytes] = []
    spout_tail, spout_head, tuple_len = NO_TASK_IDS + SYNC, len(SPOUT_EMIT_ID), len(TUPLE)
    head = BOLT_EMIT + b"\x91\xad"   # an emit anchored to one 13-digit id
    head_len = len(head)
    values_at = head_len + 13 + tuple_len
    ack_id = ACK + b"\xad"
    ack_len = len(ack_id)
    ack_size = ack_len + 13

    def spout_read(task: Any, data: bytes) -> None:
        for part in data.split(spout_tail)[:-1]:
            at = part.find(SPOUT_EMIT_ID) + spout_head   # after the syncs answering acks
            j = part.find(TUPLE, at)
            root, edge, target, tid = rand(64), rand(64), next_split(), new_tid()
            target.inputs[tid] = [root, edge]
            target.proc.tuples.append(target.fmt % (tid, part[j + tuple_len:]))
            pending[root] = [edge, part[at:j]]
        spout_acks.clear()

    def ack_tree(root: int, value: int) -> None:
        tree = pending[root]
        tree[0] ^= value
        if not tree[0]:
            del pending[root]
            spout_acks.append(ACK_HEAD + tree[1])
            spout.acked += 1

    def bolt_read(task: Any, data: bytes) -> None:
        inputs = task.inputs
        if head not in data:  # only acks: their ids cut out at once, entries popped in C
            for root, value in map(inputs.pop, data.split(ack_id)[1:]):
                ack_tree(root, value)
            return
        for part in data.split(NO_TASK_IDS):
            while part.startswith(ack_id):
                ack_tree(*inputs.pop(part[ack_len:ack_size]))
                part = part[ack_size:]
            if not part:
                continue
            entry = inputs[part[head_len:head_len + 13]]
            values = part[values_at:]
            target = memo.get(values)
            if target is None:
                index = fields_grouping_index(unpackb(values), 2)
                target = memo[values] = counts[index]
            edge = rand(64)
            entry[1] ^= edge
            tid = new_tid()
            target.inputs[tid] = [entry[0], edge]
            target.proc.tuples.append(target.fmt % (tid, values))
            target.delivered += 1

    return spout_read, bolt_read, spout, splits, counts, lambda: spout.acked


def drive_reads(handlers: Handlers, serializer: str, sentences: int) -> float:
    """Seconds of CPU in ``handlers`` for ``sentences`` sentences written in ``serializer``;
    RuntimeError unless every sentence's tree completed."""
    spout_read, bolt_read, spout, splits, counts, acked = handlers
    answer, id_sentence, emit, ack, sync = (_msgpack_wire if serializer == "msgpack"
                                            else _json_wire)()
    answers = [answer(i) for i in range(sentences)]
    answered = 0
    clock = time.process_time
    spent = 0.0

    def handle(handler: Callable[[Any, bytes], None], task: Any, data: bytes) -> None:
        nonlocal spent
        start = clock()
        handler(task, data)
        spent += clock() - start

    for done in range(0, sentences, READ_SENTENCES):
        for at in range(done, done + READ_SENTENCES, SPOUT_READ_SENTENCES):
            # as a real spout writes: a sync for each ack sent to it, then two next answers
            completed = acked()
            data = sync * (completed - answered) + b"".join(
                answers[at:at + SPOUT_READ_SENTENCES])
            answered = completed
            handle(spout_read, spout, data)
        for task in splits:
            parts = []
            for tup in task.proc.tuples:  # its words emitted, anchored to it, then its ack
                tid, sentence = id_sentence(tup)
                parts += [emit(tid, word) for word in sentence.split()]
                parts.append(ack(tid))
            task.proc.tuples.clear()
            if parts:
                handle(bolt_read, task, b"".join(parts))
        for task in counts:
            data = b"".join(ack(id_sentence(tup)[0]) for tup in task.proc.tuples)
            task.proc.tuples.clear()
            if data:
                handle(bolt_read, task, data)
    if acked() != sentences:
        raise RuntimeError(f"{serializer}: {acked()} of {sentences} acked")
    return spent


def drive_stream(serializer: str, sentences: int, workdir: Path) -> float:
    """Seconds of CPU in the runner's reader and router for ``sentences`` sentences."""
    return drive_reads(runner_handlers(workdir, serializer), serializer, sentences)


def drive_floor(serializer: str, sentences: int) -> float:
    """Seconds of CPU in the format's minimal reader and router for ``sentences``."""
    return drive_reads(msgpack_floor() if serializer == "msgpack" else json_floor(),
                       serializer, sentences)


def measure_formats(sentences: int = 10_000, rounds: int = 5) -> Dict[str, List[float]]:
    """Microseconds of reading and routing per sentence, one figure per round: the runner in
    each serializer (``json``, ``msgpack``) and each format's floor (``floor_json``,
    ``floor_msgpack``), the four back to back within a round."""
    figures: Dict[str, List[float]] = {"json": [], "msgpack": [], "floor_json": [],
                                       "floor_msgpack": []}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(rounds):
            for name in ("json", "msgpack"):
                figures[name].append(drive_stream(name, sentences, Path(tmp))
                                     / sentences * 1e6)
                figures[f"floor_{name}"].append(drive_floor(name, sentences)
                                                / sentences * 1e6)
    return figures
