"""Fuzzing the component runtime's reader of Storm's input: ``Channel.feed`` and the checks
of the setup message, a bolt's tuples and a spout's commands.

Whatever the bytes and however the reads cut them, a component reads what Storm's
line-by-line reading would, refuses the rest with a ProtocolError, and never raises anything
else or waits for input that is already there.
"""

from __future__ import annotations

import json
import os
import re
import threading
from typing import Any, List

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from petrel.emitter import BasicBolt, Spout
from petrel.runtime.collector import ProtocolCollector
from petrel.runtime.loops import _handle_spout_message, _tuple_of, bolt_loop, spout_loop
from petrel.runtime.messages import check_setup
from petrel.runtime.protocol import Channel, ChannelClosed, ProtocolError

FUZZ = settings(max_examples=200, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow])
REFUSED = "<refused>"

# Integers within 64 bits: beyond them orjson, when installed, reads a float (rounded).
INTS = st.integers(min_value=-(2 ** 63), max_value=2 ** 64 - 1)
JSON = st.recursive(
    st.none() | st.booleans() | INTS | st.text(max_size=8)
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                 max_size=4),
    max_leaves=10)
# whole messages, compact or pretty-printed, ended by any kind of line end
FRAMED = st.builds(
    lambda value, indent, eol: (json.dumps(value, indent=indent).encode() + b"\nend\n")
    .replace(b"\n", eol),
    JSON, st.sampled_from([None, 1]), st.sampled_from([b"\n", b"\r\n", b"\r"]))
PIECES = st.one_of(
    FRAMED,
    st.sampled_from([b"end", b"\n", b"\r", b"\r\n", b"\nend\n", b"end\n", b"en", b"d\n",
                     b"{", b"}", b"[", b"]", b'"', b":", b",", b"1", b"-", b"null", b" ",
                     b'{"command":"next"}', b'{"id":"1","comp":"s","stream":"default",',
                     b'"task":2,"tuple":["a"]}', b"\xff"]),
    st.binary(max_size=8))
STREAMS = st.lists(PIECES, max_size=30).map(b"".join)

# dicts with the keys the checks look at, holding values of any kind
SHAPED = st.fixed_dictionaries({}, optional={
    k: JSON for k in ("conf", "pidDir", "context", "id", "comp", "stream", "task", "tuple",
                      "command")})

_pipe = os.pipe()


def channel() -> Channel:
    """A Channel that is only fed by hand (its descriptors are never used)."""
    return Channel(_pipe[0], _pipe[1], read_size=1024)


def storm_reads(stream: bytes) -> List[Any]:
    """What Storm's line-by-line reading makes of ``stream``, up to the first refusal."""
    out: List[Any] = []
    lines: List[bytes] = []
    for line in re.split(rb"\r\n|\r|\n", stream)[:-1]:
        if line != b"end":
            lines.append(line)
            continue
        try:
            out.append(repr(json.loads(b"\n".join(lines))))
        except (ValueError, RecursionError):
            return out + [REFUSED]
        lines = []
    return out


def cut(data: bytes, points: List[int]) -> List[bytes]:
    """``data`` split at ``points`` (taken modulo its length), no empty piece."""
    edges = sorted({0, len(data), *(p % (len(data) + 1) for p in points)})
    return [data[a:b] for a, b in zip(edges, edges[1:]) if b > a]


def channel_reads(chunks: List[bytes]) -> List[Any]:
    """What ``Channel.feed`` queues for ``chunks``, up to the first refusal."""
    ch = channel()
    for chunk in chunks:
        ch.feed(chunk)
    out: List[Any] = []
    for msg in ch.queue:
        if isinstance(msg, ProtocolError):  # queued in place of the message it refuses
            return out + [REFUSED]
        out.append(repr(msg))
    return out


@FUZZ
@given(STREAMS, st.lists(st.integers(min_value=0), max_size=12))
def test_any_stream_cut_anywhere_reads_as_storm_reads_it(stream, points):
    assert channel_reads(cut(stream, points)) == storm_reads(stream)


@FUZZ
@given(JSON | SHAPED)
def test_the_setup_check_accepts_or_refuses_anything(value):
    try:
        pid_dir, conf, context = check_setup(value)
    except ProtocolError:
        return
    assert isinstance(pid_dir, str) and isinstance(conf, dict) and isinstance(context, dict)


@FUZZ
@given(JSON | SHAPED)
def test_a_bolt_message_is_a_tuple_a_heartbeat_or_refused(value):
    try:
        tup = _tuple_of(value, {})
    except ProtocolError:
        return
    assert tup is None or (type(tup.values) is list and type(tup.stream) is str)


@FUZZ
@given(JSON | SHAPED)
def test_a_spout_message_is_a_command_or_refused(value):
    called = []
    dispatch = {c: called.append for c in ("next", "ack", "fail", "activate", "deactivate")}
    try:
        _handle_spout_message(value, dispatch)
    except ProtocolError:
        assert not called


class Sink(BasicBolt):
    """Takes every tuple."""

    def declareOutputFields(self):
        return ["x"]

    def process(self, tup):
        pass


class Quiet(Spout):
    """Emits nothing."""

    def declareOutputFields(self):
        return ["x"]

    def nextTuple(self):
        pass


def run_loop(component: Any, loop: Any, data: bytes) -> None:
    """Run ``loop`` on ``data`` through real pipes; it must end with one of the two errors."""
    r_in, w_in = os.pipe()
    r_out, w_out = os.pipe()

    def write() -> None:
        try:
            os.write(w_in, data)
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
    ch = Channel(r_in, w_out, read_size=4096)
    component.attach(ProtocolCollector(ch), {}, {"componentid": "c", "taskid": 1})
    try:
        loop(component, ch)
    except (ProtocolError, ChannelClosed):
        pass
    finally:
        os.close(r_in)
        os.close(w_out)
        for t in threads:
            t.join(10)
        os.close(r_out)


@settings(FUZZ, max_examples=60)
@given(STREAMS)
def test_a_bolt_loop_ends_cleanly_whatever_it_reads(stream):
    run_loop(Sink(), bolt_loop, stream)


@settings(FUZZ, max_examples=60)
@given(STREAMS)
def test_a_spout_loop_ends_cleanly_whatever_it_reads(stream):
    run_loop(Quiet(), spout_loop, stream)
