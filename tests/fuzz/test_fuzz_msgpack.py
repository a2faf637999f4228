"""Fuzzing the MessagePack multilang codec and its stream readers.

Whatever the values, encoding then decoding gives them back (with the same bytes from the
pure-Python codec and the msgpack package); however the reads cut a stream, the readers
return exactly its messages; and whatever bytes arrive, nothing but a MsgpackError comes out.
"""

from __future__ import annotations

import math
from typing import Any, Callable, List

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from petrel.runtime import msgpack_codec, msgpack_stream
from petrel.runtime.msgpack_codec import MsgpackError

FUZZ = settings(max_examples=200, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow])

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


@FUZZ
@given(st.lists(MESSAGES, max_size=8), st.lists(st.integers(0, 10**6), max_size=12),
       st.sampled_from(READERS))
def test_messages_survive_any_cutting_of_the_stream(
        messages: List[Any], cuts: List[int], new_reader: Callable[[], Any]) -> None:
    data = b"".join(map(msgpack_codec.packb, messages))
    reader = new_reader()
    assert read_all(reader, cut(data, cuts)) == messages
    assert reader.pending() == 0


@FUZZ
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
