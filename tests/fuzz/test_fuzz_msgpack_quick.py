"""Fuzzing the local runner's MessagePack reader, which cuts the usual messages by their bytes.

Whatever the messages (the petrel runtime's usual acks, emits and syncs, with values that
hold the very bytes the reader cuts at, among messages of other shapes) and wherever the
reads are cut, every message comes out as the full decoder reads it.
"""

from __future__ import annotations

from typing import Any, List

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from petrel.local.msgpack_quick import ACK_ID, ANCHORED, SPOUT_TAIL, message_of
from petrel.local.msgpack_wire import MsgpackReader
from petrel.runtime.msgpack_codec import unpackb
from petrel.runtime.msgpack_emits import (
    ACK,
    BOLT_EMIT,
    NO_TASK_IDS,
    SPOUT_EMIT_ID,
    SYNC,
    TUPLE,
)
from petrel.runtime.msgpack_stream import packb

FUZZ = settings(max_examples=300, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow])

# the bytes the reader cuts at, as values of their own and inside strings and binaries
CUT_AT = [SPOUT_TAIL, SYNC, NO_TASK_IDS, SPOUT_EMIT_ID, TUPLE, ACK_ID, ANCHORED]
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-2**63, 2**64 - 1), st.floats(allow_nan=False),
    st.text(max_size=20), st.binary(max_size=20), st.sampled_from(CUT_AT),
    st.builds(lambda a, b, c: a + b + c, st.binary(max_size=3), st.sampled_from(CUT_AT),
              st.binary(max_size=3)),
    st.sampled_from(["need_task_ids", "tuple", "sync", "command"]))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=6), max_leaves=12)
MESSAGE_IDS = st.one_of(st.integers(0, 2**64 - 1), st.integers(-2**63, -1),
                        st.text(max_size=8), st.lists(st.integers(), max_size=2))
TUPLE_IDS = st.integers(10**12, 10**13 - 1).map(lambda n: str(n).encode())


def _spout_emit(mid: Any, values: list) -> bytes:
    return SPOUT_EMIT_ID + packb(mid) + TUPLE + packb(values) + NO_TASK_IDS


def _bolt_emit(anchor: bytes, values: list) -> bytes:
    return BOLT_EMIT + packb([anchor.decode()]) + TUPLE + packb(values) + NO_TASK_IDS


MESSAGES = st.one_of(
    st.just(SYNC),
    st.builds(_spout_emit, MESSAGE_IDS, st.lists(VALUES, max_size=3)),
    st.builds(lambda tid: ACK + packb(tid.decode()), TUPLE_IDS),
    st.builds(_bolt_emit, TUPLE_IDS, st.lists(VALUES, max_size=3)),
    st.builds(lambda msg: packb({"command": "log", "msg": msg}), VALUES),
    st.builds(lambda values: packb({"command": "emit", "tuple": values, "stream": "s"}),
              st.lists(VALUES, max_size=3)))


def _decoded(reader: MsgpackReader, chunks: List[bytes]) -> List[Any]:
    out: List[Any] = []
    for chunk in chunks:
        out += [message_of(item) for item in reader.feed(chunk)]
    return out


@FUZZ
@given(st.lists(MESSAGES, min_size=1, max_size=12), st.lists(st.integers(0, 10**6), max_size=3))
def test_every_message_reads_as_the_decoder_reads_it(messages: List[bytes],
                                                     cuts: List[int]) -> None:
    data = b"".join(messages)
    points = sorted({c % (len(data) + 1) for c in cuts} | {0, len(data)})
    chunks = [data[a:b] for a, b in zip(points, points[1:])]
    expected = [unpackb(m) for m in messages]
    assert _decoded(MsgpackReader(), [data]) == expected
    assert _decoded(MsgpackReader(), chunks) == expected
    reader = MsgpackReader()   # values seen before are taken as known whole
    _decoded(reader, [data])
    assert _decoded(reader, [data]) == expected


SPOUT_USUAL = st.one_of(st.just(SYNC), st.builds(_spout_emit, st.integers(0, 2**64 - 1),
                                                 st.lists(VALUES, max_size=3)))
BOLT_USUAL = st.one_of(st.builds(lambda tid: ACK + packb(tid.decode()), TUPLE_IDS),
                       st.builds(_bolt_emit, TUPLE_IDS, st.lists(VALUES, max_size=3)))


@FUZZ
@given(st.lists(SPOUT_USUAL, min_size=1, max_size=8), st.sampled_from([b"", SYNC]))
def test_a_spouts_usual_reads_are_cut_as_the_decoder_reads_them(messages: List[bytes],
                                                                 end: bytes) -> None:
    # the usual read ends with a sync; its emits' values may hold the bytes it is cut at
    data = b"".join(messages) + end
    expected = [unpackb(m) for m in messages + ([end] if end else [])]
    reader = MsgpackReader()
    assert _decoded(reader, [data]) == expected
    assert _decoded(reader, [data]) == expected   # the values now known whole


@FUZZ
@given(st.lists(BOLT_USUAL, min_size=1, max_size=8))
def test_a_bolts_usual_reads_are_cut_as_the_decoder_reads_them(messages: List[bytes]) -> None:
    data = b"".join(messages)
    expected = [unpackb(m) for m in messages]
    reader = MsgpackReader()
    assert _decoded(reader, [data]) == expected
    assert _decoded(reader, [data]) == expected
