"""Fuzzing the MessagePack multilang codec and its stream readers.

Whatever the values, encoding then decoding gives them back (with the same bytes from the
pure-Python codec and the msgpack package); however the reads cut a stream, the readers
return exactly its messages; and whatever bytes arrive, nothing but a MsgpackError comes out.
"""

from __future__ import annotations

import math
import os
import threading
from typing import Any, Callable, List

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from petrel.emitter import BasicBolt, Spout
from petrel.runtime import msgpack_codec, msgpack_stream
from petrel.runtime.loops import bolt_loop, spout_loop
from petrel.runtime.msgpack_codec import MAX_DECLARED_LENGTH, MsgpackError
from petrel.runtime.msgpack_output import MsgpackCollector
from petrel.runtime.protocol import Channel, ChannelClosed, ProtocolError

FUZZ = settings(max_examples=200, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow])
# For the tests whose examples are large streams: fewer, to keep CI brief.
FUZZ_STREAMS = settings(FUZZ, max_examples=80)

SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-2**63, 2**64 - 1),
    st.floats(allow_nan=False), st.text(max_size=40), st.binary(max_size=40),
    st.sampled_from(["x" * 300, "é" * 40000, b"\x00" * 70000, 2**32, -2**31 - 1]))
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=20),
                            st.dictionaries(st.text(max_size=10), inner, max_size=20)),
    max_leaves=40)
MESSAGES = st.one_of(st.dictionaries(st.text(max_size=10), VALUES, max_size=6),
                     st.lists(st.integers(0, 2**31 - 1), max_size=5))

REFUSED = "<refused>"
READERS: List[Callable[[], Any]] = [msgpack_stream.PythonReader]
if msgpack_stream.BACKEND == "msgpack":
    READERS.append(msgpack_stream.CReader)


def read_all(reader: Any, chunks: List[bytes]) -> List[Any]:
    out: List[Any] = []
    for chunk in chunks:
        out.extend(reader.feed(chunk))
    return out


def cut(data: bytes, cuts: List[int]) -> List[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts} | {0, len(data)})
    return [data[a:b] for a, b in zip(points, points[1:])]


@FUZZ
@given(VALUES)
def test_every_value_round_trips(value: Any) -> None:
    data = msgpack_codec.packb(value)
    assert msgpack_codec.unpackb(data) == value
    assert msgpack_stream.packb(value) == data


@FUZZ_STREAMS
@given(st.lists(MESSAGES, max_size=8), st.lists(st.integers(0, 10**6), max_size=12),
       st.sampled_from(READERS))
def test_messages_survive_any_cutting_of_the_stream(
        messages: List[Any], cuts: List[int], new_reader: Callable[[], Any]) -> None:
    data = b"".join(map(msgpack_codec.packb, messages))
    reader = new_reader()
    assert read_all(reader, cut(data, cuts)) == messages
    assert reader.pending() == 0


@FUZZ_STREAMS
@given(st.lists(MESSAGES, min_size=1, max_size=4), st.data(), st.sampled_from(READERS))
def test_a_truncated_stream_keeps_the_whole_messages_and_waits_for_the_rest(
        messages: List[Any], data: st.DataObject, new_reader: Callable[[], Any]) -> None:
    stream = b"".join(map(msgpack_codec.packb, messages))
    last = len(msgpack_codec.packb(messages[-1]))
    missing = data.draw(st.integers(1, last))
    reader = new_reader()
    assert reader.feed(stream[:-missing]) == messages[:-1]
    assert reader.pending() == last - missing
    assert reader.feed(stream[-missing:]) == messages[-1:]


PIECES = st.one_of(
    st.sampled_from([b"\x81", b"\x91", b"\xc1", b"\xd4\x01\x00", b"\xdb\xff\xff", b"\xa3ab",
                     b"hello\n", b"\xff", b"\xc0", b"\xcb", b"\xde\x00\x01"]),
    st.binary(max_size=8))


@FUZZ
@given(st.lists(PIECES, max_size=30).map(b"".join), st.lists(st.integers(0, 400)),
       st.sampled_from(READERS))
def test_any_bytes_give_messages_or_one_msgpack_error(
        stream: bytes, cuts: List[int], new_reader: Callable[[], Any]) -> None:
    reader = new_reader()
    try:
        for message in read_all(reader, cut(stream, cuts)):
            assert type(message) in (dict, list)
    except MsgpackError as exc:
        assert str(exc)


@pytest.mark.parametrize("new_reader", READERS)
@pytest.mark.parametrize("stream, says", [
    (b"hello from print()\n", "not a multilang message"),
    (b"\x81\xa1a\xc1", "0xc1"),
    (b"\x81\xa1a\xd4\x01\x00", "extension type"),
])
def test_bad_bytes_are_named(new_reader: Callable[[], Any], stream: bytes, says: str) -> None:
    reader = new_reader()
    good = msgpack_codec.packb({"command": "sync"})
    assert reader.feed(good + stream) == [{"command": "sync"}]
    assert reader.error is not None
    with pytest.raises(MsgpackError, match=says) as caught:
        reader.feed(b"")
    assert "\\x" in str(caught.value) or "hello" in str(caught.value)


def test_values_msgpack_cannot_encode_are_refused_by_name() -> None:
    for packb in {msgpack_codec.packb, msgpack_stream.packb}:
        with pytest.raises(TypeError, match="object"):
            packb({"tuple": [object()]})
        with pytest.raises(ValueError, match="64 bits"):
            packb([2**64])
        assert math.isnan(msgpack_codec.unpackb(packb(float("nan"))))


# -- the worker's channel and loops in MessagePack ------------------------------------------

HANDSHAKE = msgpack_codec.packb({"conf": {}, "pidDir": "/tmp", "context": {}})
FRAMED = MESSAGES.map(msgpack_codec.packb)
CHANNEL_PIECES = st.one_of(FRAMED, FRAMED, PIECES, st.sampled_from([
    msgpack_codec.packb({"id": "1", "comp": "s", "stream": "default", "task": 2,
                         "tuple": ["a", b"\x00"]}),
    msgpack_codec.packb({"id": "-1", "comp": None, "stream": "__heartbeat", "task": -1,
                         "tuple": []}),
    msgpack_codec.packb({"command": "next", "id": ""}),
    b"\x81\xa2id\xdb\x7f\xff\xff\xff", b"\x91\xc6\x10\x00\x00\x00", b"\xdd\xff\xff\xff\xff"]))
CHANNEL_STREAMS = st.lists(CHANNEL_PIECES, max_size=12).map(b"".join)
_pipe = os.pipe()


def whole_stream_reads(stream: bytes) -> List[Any]:
    """The messages in ``stream`` read at once by the pure-Python reader, then REFUSED."""
    reader = msgpack_stream.PythonReader()
    try:
        found = reader.feed(stream)
    except MsgpackError:
        return [REFUSED]
    return found + ([REFUSED] if reader.error is not None else [])


def channel_reads(chunks: List[bytes]) -> List[Any]:
    """What a detecting Channel queues after a MessagePack handshake, up to a refusal."""
    channel = Channel(_pipe[0], _pipe[1], read_size=1024, detect_format=True)
    channel.feed(HANDSHAKE)
    assert channel.queue.popleft() == msgpack_codec.unpackb(HANDSHAKE)
    for chunk in chunks:
        channel.feed(chunk)
    out: List[Any] = []
    for msg in channel.queue:
        if isinstance(msg, ProtocolError):
            assert "cannot be resynchronised" in str(msg)
            return out + [REFUSED]
        out.append(msg)
    return out


@FUZZ_STREAMS
@given(CHANNEL_STREAMS, st.lists(st.integers(0, 10**4), max_size=12))
def test_the_channel_reads_any_stream_cut_anywhere_as_it_reads_it_whole(
        stream: bytes, cuts: List[int]) -> None:
    assert channel_reads(cut(stream, cuts)) == whole_stream_reads(stream)


@FUZZ_STREAMS
@given(st.lists(FRAMED, max_size=3).map(b"".join),
       st.sampled_from([b"\xdb", b"\xc6", b"\xdd", b"\xdf"]),
       st.integers(MAX_DECLARED_LENGTH + 1, 2**32 - 1), st.binary(max_size=20),
       st.lists(st.integers(0, 100), max_size=6))
def test_a_length_beyond_the_cap_is_refused_without_waiting_for_it(
        before: bytes, code: bytes, length: int, after: bytes, cuts: List[int]) -> None:
    stream = before + b"\x81\xa1k" + code + length.to_bytes(4, "big") + after
    assert channel_reads(cut(stream, cuts))[-1] == REFUSED


class Sink(BasicBolt):
    """Takes every tuple and emits it back (binary values included)."""

    def declareOutputFields(self) -> List[str]:
        return ["x", "y"]

    def process(self, tup: Any) -> None:
        if len(tup.values) == 2:
            self.emit(tup.values)


class Quiet(Spout):
    """Emits one tuple per next."""

    def declareOutputFields(self) -> List[str]:
        return ["x"]

    def nextTuple(self) -> None:
        self.emit([b"\x01"], id=1)


def run_loop(component: Any, loop: Any, data: bytes) -> None:
    """Run ``loop`` on a MessagePack channel fed ``data``; it must end with one of two errors."""
    r_in, w_in = os.pipe()
    r_out, w_out = os.pipe()

    def write() -> None:
        try:
            os.write(w_in, HANDSHAKE + data)
        except OSError:
            pass
        os.close(w_in)

    def drain() -> None:
        while os.read(r_out, 1 << 16):
            pass

    threads = [threading.Thread(target=write, daemon=True),
               threading.Thread(target=drain, daemon=True)]
    for t in threads:
        t.start()
    ch = Channel(r_in, w_out, read_size=4096, detect_format=True)
    try:
        ch.next_message()
        component.attach(MsgpackCollector(ch, "c"), {}, {"componentid": "c", "taskid": 1})
        loop(component, ch)
    except (ProtocolError, ChannelClosed):
        pass
    finally:
        os.close(r_in)
        os.close(w_out)
        for t in threads:
            t.join(10)
        os.close(r_out)


@settings(FUZZ, max_examples=40)
@given(CHANNEL_STREAMS)
def test_a_msgpack_bolt_loop_ends_cleanly_whatever_it_reads(stream: bytes) -> None:
    run_loop(Sink(), bolt_loop, stream)


@settings(FUZZ, max_examples=40)
@given(CHANNEL_STREAMS)
def test_a_msgpack_spout_loop_ends_cleanly_whatever_it_reads(stream: bytes) -> None:
    run_loop(Quiet(), spout_loop, stream)
