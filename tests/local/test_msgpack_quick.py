"""The runner's MessagePack reader cutting the petrel runtime's usual messages by their bytes.

Every message must come out as the full decoder reads it (``message_of`` of what the reader
gives), whatever the values hold and wherever the reads are cut; the usual ones must come
undecoded (ids and packed values), so the router can pass them on as they are.
"""

import pytest

from petrel.local import msgpack_quick, msgpack_wire
from petrel.local.msgpack_quick import message_of, new_known
from petrel.local.msgpack_wire import MsgpackReader
from petrel.local.wire import ProtocolError
from petrel.runtime.msgpack_codec import unpackb
from petrel.runtime.msgpack_emits import (
    ACK,
    BOLT_EMIT,
    NO_TASK_IDS,
    SPOUT_EMIT,
    SPOUT_EMIT_ID,
    SYNC,
    TUPLE,
)
from petrel.runtime.msgpack_stream import packb

TID = b"1234567890123"
OTHER = b"9876543210987"


def ack(tid: bytes) -> bytes:
    return ACK + packb(tid.decode())


def bolt_emit(anchor: bytes, values: list) -> bytes:
    return BOLT_EMIT + packb([anchor.decode()]) + TUPLE + packb(values) + NO_TASK_IDS


def spout_emit(values: list, mid=None) -> bytes:
    if mid is None:
        return SPOUT_EMIT + packb(values) + NO_TASK_IDS
    return SPOUT_EMIT_ID + packb(mid) + TUPLE + packb(values) + NO_TASK_IDS


# The runtime's usual messages, then some with values holding the bytes of the fixed tail,
# and messages of other shapes between them.
MESSAGES = [
    ack(TID), bolt_emit(TID, ["cow"]), ack(OTHER), SYNC,
    spout_emit(["the cow"], 7), spout_emit(["s"], 2 ** 40), spout_emit(["s"], -3),
    spout_emit(["s"], "m-1"), spout_emit([b"\x00", 1.5, None, {"k": [1]}]),
    bolt_emit(OTHER, ["need_task_ids", False]), bolt_emit(TID, ["need_task_ids", False, "x"]),
    packb({"command": "log", "msg": "hello", "level": 2}),
    packb({"command": "emit", "stream": "other", "tuple": [1], "need_task_ids": True}),
    bolt_emit(TID, ["after a decoded message"]), ack(TID),
]


@pytest.fixture(params=["unpacker", "stream-reader"])
def backend(request, monkeypatch):
    if request.param == "stream-reader":  # without the msgpack package
        monkeypatch.setattr(msgpack_wire, "_msgpack", None)
        monkeypatch.setattr(msgpack_quick, "_msgpack", None)
    elif msgpack_wire._msgpack is None:
        pytest.skip("the msgpack package is not installed")
    return request.param


def test_usual_messages_come_undecoded_and_read_as_the_decoder_reads_them(backend):
    data = b"".join(MESSAGES)
    got = MsgpackReader().feed(data)
    assert [message_of(m) for m in got] == [unpackb(m) for m in MESSAGES]
    assert got[:4] == [TID, (b"", TID, TUPLE + packb(["cow"])), OTHER, {"command": "sync"}]


def test_a_read_of_acks_only_gives_their_ids(backend):
    assert MsgpackReader().feed(ack(TID) + ack(OTHER) * 3) == [TID] + [OTHER] * 3


def test_a_read_of_acks_and_anchored_emits_is_cut_at_once(backend):
    reader = MsgpackReader()
    first = reader.feed(bolt_emit(TID, ["cow"]) + ack(TID))   # values not yet known whole
    again = reader.feed(bolt_emit(OTHER, ["cow"]) + ack(OTHER))
    assert [message_of(m) for m in first + again] == [
        unpackb(m) for m in (bolt_emit(TID, ["cow"]), ack(TID), bolt_emit(OTHER, ["cow"]),
                             ack(OTHER))]
    assert again == [(b"", OTHER, TUPLE + packb(["cow"])), OTHER]


def test_a_spouts_reads_come_decoded(backend):
    msgs = [spout_emit(["a"], 7), SYNC, spout_emit(["a"]), SYNC]
    assert decoded(MsgpackReader().feed(b"".join(msgs))) == [unpackb(m) for m in msgs]


def test_messages_cut_anywhere_read_the_same(backend):
    data = b"".join(MESSAGES)
    want = [unpackb(m) for m in MESSAGES]
    for cut in range(1, len(data), 3):
        reader = MsgpackReader()
        got = reader.feed(data[:cut]) + reader.feed(data[cut:])
        assert [message_of(m) for m in got] == want and reader.buf == b""


def test_values_that_are_not_whole_fall_back_to_the_decoder(backend):
    # the tail's bytes inside a string: the first candidate values are cut short
    tricky = bolt_emit(TID, ["a" + NO_TASK_IDS.decode("latin-1"), 1])
    assert [message_of(m) for m in MsgpackReader().feed(tricky + ack(TID))] == [
        unpackb(tricky), unpackb(ack(TID))]


def test_bad_bytes_in_a_usual_shape_are_refused_with_the_decoders_message(backend):
    bad = BOLT_EMIT + packb([TID.decode()]) + TUPLE + b"\x91\xa2\xff\xfe" + NO_TASK_IDS
    with pytest.raises(ProtocolError, match="cannot read the component's output as MessagePack"):
        MsgpackReader().feed(ack(TID) + bad)
    with pytest.raises(ProtocolError, match="not UTF-8"):
        message_of(b"\xff" * 13)


def test_the_read_after_a_decoded_one_is_cut_again(backend):
    reader = MsgpackReader()
    log = packb({"command": "log", "msg": "hi", "level": 2})
    assert reader.feed(log + ack(TID)[:5]) == [unpackb(log)]
    assert [message_of(m) for m in reader.feed(ack(TID)[5:])] == [unpackb(ack(TID))]
    assert reader.feed(ack(OTHER)) == [OTHER]


def test_an_emit_of_another_layout_is_decoded_not_cut(backend):
    other = packb({"command": "emit", "anchors": [TID.decode()], "tuple": ["v"],
                   "stream": "default"})   # the usual head, but no need_task_ids after the values
    msgs = [ack(TID), other, bolt_emit(TID, ["w"]), ack(OTHER)]
    reader = MsgpackReader()
    reader.feed(bolt_emit(TID, ["w"]))   # its values known whole
    got = reader.feed(b"".join(msgs))
    assert [message_of(m) for m in got] == [unpackb(m) for m in msgs]


def decoded(items):
    """What the router makes of a read's items: each message decoded."""
    return [message_of(m) for m in items]


def spout_messages(data):
    """``spout_read``'s items for ``data``, decoded (None when it is not a usual read)."""
    found = msgpack_quick.spout_read(data, new_known())
    return None if found is None else decoded(found)


@pytest.mark.parametrize("mid", [7, 2 ** 40, -3, "m-1", ["a", 1], 0.5])
def test_a_spouts_usual_read_is_recognised_and_reads_as_the_decoder_reads_it(backend, mid):
    msgs = [spout_emit(["the cow", 1.5], mid), SYNC]
    assert spout_messages(b"".join(msgs)) == [unpackb(m) for m in msgs]
    assert decoded(MsgpackReader().feed(b"".join(msgs))) == [unpackb(m) for m in msgs]


@pytest.mark.parametrize("acks_before, pairs, acks_after", [
    (0, 2, 0), (0, 3, 0), (3, 2, 0), (1, 1, 2), (5, 0, 0), (0, 0, 1)])
def test_a_spouts_read_of_syncs_and_pipelined_pairs_is_recognised(backend, acks_before, pairs,
                                                                  acks_after):
    # a spout answers each ack or fail with a sync, each next with its emits and a sync
    msgs = ([SYNC] * acks_before + [m for n in range(pairs)
                                    for m in (SYNC, spout_emit([f"s{n}", n], n), SYNC)]
            + [SYNC] * acks_after)
    assert spout_messages(b"".join(msgs)) == [unpackb(m) for m in msgs]
    assert decoded(MsgpackReader().feed(b"".join(msgs))) == [unpackb(m) for m in msgs]


def test_a_spout_read_of_another_shape_is_decoded_in_full(backend):
    tail = msgpack_quick.SPOUT_TAIL.decode("latin-1")
    two = [spout_emit(["a"], 1), spout_emit(["b"], 2), SYNC]      # two emits, one sync
    extra = (SPOUT_EMIT_ID + packb(1) + TUPLE + packb(["a"]) + packb("stream") + packb("s")
             + NO_TASK_IDS + SYNC)                                 # five keys, not four
    tricky = [spout_emit(["x" + tail, tail], 3), SYNC]            # the tail inside the values
    # the tail's messages as values of their own, between pairs: cut short, never whole
    objects = [spout_emit(["a", "need_task_ids", False, {"command": "sync"}, "z"], 4), SYNC,
               spout_emit(["b"], 5), SYNC]
    raw_tail = msgpack_quick.SPOUT_TAIL    # its very bytes inside binary values
    binary = [spout_emit([b"x" + raw_tail, raw_tail], 7), SYNC, spout_emit(["c"], 8), SYNC]
    log = [spout_emit(["a"], 6), SYNC, packb({"command": "log", "msg": "hi"}), SYNC]
    for msgs in (two, tricky, objects, binary, log):
        assert decoded(MsgpackReader().feed(b"".join(msgs))) == [unpackb(m) for m in msgs]
        assert spout_messages(b"".join(msgs)) in (None, [unpackb(m) for m in msgs])
    for msgs in (two, binary, log):
        assert spout_messages(b"".join(msgs)) is None
    assert spout_messages(extra) is None
    with pytest.raises(ProtocolError, match="cannot read the component's output as MessagePack"):
        MsgpackReader().feed(extra)   # a map of four keys holding five: bad bytes after it


def test_bad_bytes_in_a_spouts_usual_shape_are_refused_with_the_decoders_message(backend):
    bad = SPOUT_EMIT_ID + packb(1) + TUPLE + b"\x91\xa2\xff\xfe" + NO_TASK_IDS + SYNC
    assert spout_messages(bad) is None
    with pytest.raises(ProtocolError, match="cannot read the component's output as MessagePack"):
        MsgpackReader().feed(bad)


def test_a_message_of_another_shape_ending_like_an_emit_is_decoded_not_cut(backend):
    # after an emit, a message whose last bytes are an emit's values and tail: its head is not
    # an anchored emit's, so nothing is cut out of it
    fake = TUPLE + packb(["v"]) + NO_TASK_IDS
    for pad in range(40):
        msgs = [bolt_emit(TID, ["w"]), packb({"command": "log", "level": 2,
                                              "msg": b"x" * pad + fake})]
        got = MsgpackReader().feed(b"".join(msgs))
        assert [message_of(m) for m in got] == [unpackb(m) for m in msgs]


@pytest.mark.parametrize("mid", [0, 127, 128, 255, 256, 2 ** 16, 2 ** 32, 2 ** 64 - 1])
def test_a_spout_emits_unsigned_integer_id_is_read_from_its_bytes_and_its_values_not_decoded(
        backend, mid):
    values = ["the cow", {"k": [1, None]}]
    known = new_known()
    data = spout_emit(values, mid) + SYNC
    assert msgpack_quick.spout_read(data, known) == [(mid, TUPLE + packb(values)),
                                                     {"command": "sync"}]
    assert TUPLE + packb(values) in known   # the next emit of the same values costs a lookup


@pytest.mark.parametrize("mid", [-1, -2 ** 40, "7", 1.0, True, ["a", 2]])
def test_a_spout_emit_with_another_id_comes_decoded(backend, mid):
    data = spout_emit(["v"], mid) + SYNC
    found = msgpack_quick.spout_read(data, new_known())
    assert found == [unpackb(spout_emit(["v"], mid)), {"command": "sync"}]
    assert type(found[0]) is dict and found[0]["id"] == mid and type(found[0]["id"]) is type(mid)
