"""Fuzzing the runner's reader of component output: ``MessageReader.feed`` and
``parse_message`` take whatever bytes a component writes.

Whatever the bytes and however the reads cut them, the messages are those of Storm's
line-by-line reading, and nothing but a ProtocolError comes out of parsing.
"""

from __future__ import annotations

import re
from typing import List

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from petrel.local.wire import MessageReader, ProtocolError, encode, is_empty, parse_message

FUZZ = settings(max_examples=200, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow])
EMPTY = b"<empty>"

# Pieces that make streams interesting: line ends of every kind, terminators whole and
# near-miss, JSON punctuation, and some arbitrary bytes.
PIECES = st.one_of(
    st.sampled_from([b"end", b"\n", b"\r", b"\r\n", b"\nend\n", b"end\n", b"END", b"en",
                     b"d\n", b"{", b"}", b"[", b"]", b'"', b":", b",", b"1", b"null",
                     b'{"command":"sync"}', b" ", b"\xe2\x80\xa8", b"\xff"]),
    st.binary(max_size=8))
STREAMS = st.lists(PIECES, max_size=40).map(b"".join)


def storm_messages(stream: bytes) -> List[bytes]:
    """Storm's reading: lines end at \\n, \\r\\n or \\r; a line ``end`` ends a message."""
    out, lines = [], []
    for line in re.split(rb"\r\n|\r|\n", stream)[:-1]:
        if line == b"end":
            out.append(b"\n".join(lines))
            lines = []
        else:
            lines.append(line)
    return out


def until_empty(messages: List[bytes], empty) -> List[bytes]:
    """The messages up to the first empty one (fatal: the task dies there), marked."""
    out = []
    for m in messages:
        if empty(m):
            out.append(EMPTY)
            break
        out.append(m)
    return out


def cut(data: bytes, points: List[int]) -> List[bytes]:
    """``data`` split at ``points`` (positions taken modulo its length), no empty piece."""
    edges = sorted({0, len(data), *(p % (len(data) + 1) for p in points)})
    return [data[a:b] for a, b in zip(edges, edges[1:]) if b > a]


def feed_all(chunks: List[bytes]) -> List[bytes]:
    reader = MessageReader()
    out: List[bytes] = []
    for chunk in chunks:
        out += reader.feed(chunk)
    return out


@FUZZ
@given(STREAMS, st.lists(st.integers(min_value=0), max_size=12))
def test_any_stream_cut_anywhere_reads_as_storm_reads_it(stream, points):
    got = until_empty(feed_all(cut(stream, points)), is_empty)
    assert got == until_empty(storm_messages(stream), lambda m: not m.strip())


@FUZZ
@given(STREAMS, st.lists(st.integers(min_value=0), max_size=12))
def test_cutting_never_changes_what_is_read(stream, points):
    assert until_empty(feed_all(cut(stream, points)), is_empty) == \
        until_empty(feed_all([stream] if stream else []), is_empty)


@FUZZ
@given(st.binary(max_size=200) | STREAMS)
def test_parsing_anything_gives_an_object_or_a_protocol_error(raw):
    try:
        assert isinstance(parse_message(raw), dict)
    except ProtocolError:
        pass


# Integers within 64 bits: beyond them orjson, when installed, reads a float (rounded).
INTS = st.integers(min_value=-(2 ** 63), max_value=2 ** 64 - 1)
JSON = st.recursive(
    st.none() | st.booleans() | INTS | st.text(max_size=8)
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=8)


@settings(FUZZ, max_examples=60)
@given(st.lists(st.dictionaries(st.text(max_size=8), JSON, max_size=3), min_size=1, max_size=4),
       st.lists(st.integers(min_value=0), max_size=12))
def test_framed_messages_round_trip_whatever_the_reads(messages, points):
    stream = b"".join(encode(m) for m in messages)
    assert [parse_message(raw) for raw in feed_all(cut(stream, points))] == messages


def test_deep_nesting_is_a_protocol_error():
    for raw in (b"[" * 100_000, b'{"a":' * 100_000):
        try:
            parse_message(raw)
        except ProtocolError as exc:
            assert "nested too deeply" in str(exc)
        else:
            raise AssertionError("deep nesting was accepted")
