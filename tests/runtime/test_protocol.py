"""Unit tests of petrel.runtime.protocol: strict JSON and the buffered Channel over real pipes."""

from __future__ import annotations

import datetime
import os
import threading

import pytest

from petrel.runtime import protocol
from petrel.runtime.protocol import (
    Channel,
    ChannelClosed,
    ProtocolError,
    decode,
    encode,
    frame,
    has_non_finite,
    unencodable_type,
)


@pytest.fixture
def pipes():
    """A Channel reading from one pipe and writing to another, plus the far ends."""
    r_in, w_in = os.pipe()
    r_out, w_out = os.pipe()
    channel = Channel(r_in, w_out, read_size=64 * 1024)
    yield channel, w_in, r_out
    for fd in (r_in, w_in, r_out, w_out):
        try:
            os.close(fd)
        except OSError:
            pass


def test_encode_is_compact_utf8_and_strict():
    assert encode({"a": ["é", 1, None, True]}) == '{"a":["é",1,null,true]}'.encode()
    assert encode([2 ** 70]) == b"[1180591620717411303424]"
    assert encode({1: "x"}) == b'{"1":"x"}'
    with pytest.raises(ValueError):
        encode([float("nan")])
    with pytest.raises(ValueError):
        encode({"x": [1.0, float("-inf")]})
    with pytest.raises(TypeError):
        encode([datetime.datetime(2020, 1, 1)])
    assert frame({"command": "sync"}) == b'{"command":"sync"}\nend\n'


def test_non_finite_and_unencodable_detection():
    assert has_non_finite([1, {"a": (2.0, float("inf"))}])
    assert not has_non_finite([1, "nan", None, {"a": [2.5]}])
    assert unencodable_type([1, {"k": [object()]}]) == "object"
    assert unencodable_type([{(1, 2): 3}]) == "tuple (as a dict key)"
    assert unencodable_type([1, "a", [None, 2.0], {"x": True}]) is None


def test_decode_handles_whitespace_and_huge_ints():
    assert decode(b'\n {"a":\n 1}\n') == {"a": 1}
    assert decode(b"[123456789012345678901234567890]") in (
        [123456789012345678901234567890], [1.2345678901234568e29])
    with pytest.raises((ValueError, ProtocolError)):
        decode(b"{not json")


def test_fill_reads_every_complete_message_and_keeps_the_rest(pipes):
    channel, w_in, _ = pipes
    os.write(w_in, b'{"a":1}\nend\n{"b":\n2}\nend\n\n[3]\nend\n{"c":')
    channel.fill()
    assert list(channel.queue) == [{"a": 1}, {"b": 2}, [3]]
    channel.queue.clear()
    os.write(w_in, b"4}\ne")
    os.write(w_in, b"nd\n")
    assert channel.next_message() == {"c": 4}


def test_crlf_and_bare_cr_line_endings(pipes):
    channel, w_in, _ = pipes
    os.write(w_in, b'{"a":1}\r\nend\r\n{"b":2}\rend\r')
    channel.fill()
    os.write(w_in, b'{"c":3}\nend\n')
    got = [channel.next_message() for _ in range(3)]
    assert got == [{"a": 1}, {"b": 2}, {"c": 3}]


def test_terminator_split_across_many_reads(pipes):
    channel, w_in, _ = pipes
    data = b'{"long":"' + b"x" * 100_000 + b'"}\nend\n'
    writer = threading.Thread(target=lambda: [os.write(w_in, data[i:i + 3000])
                                              for i in range(0, len(data), 3000)])
    writer.start()
    msg = channel.next_message()
    writer.join()
    assert msg == {"long": "x" * 100_000}


def test_an_empty_first_message_split_across_reads_is_still_refused(pipes):
    """A line 'end' opening the stream, read as 'e' then 'nd\\n' (found by the fuzz test)."""
    channel, _, _ = pipes
    channel.feed(b"e")
    channel.feed(b"nd\n")
    with pytest.raises(ProtocolError, match="empty message from the host"):
        channel.next_message()


def test_eof_in_the_first_message_counts_only_the_hosts_bytes(pipes):
    channel, w_in, _ = pipes
    os.write(w_in, b'{"half')
    os.close(w_in)
    with pytest.raises(ChannelClosed) as info:
        channel.next_message()
    assert info.value.partial_bytes == len(b'{"half')


def test_invalid_json_is_a_protocol_error(pipes):
    channel, w_in, _ = pipes
    os.write(w_in, b'{"a":1}\nend\n{oops}\nend\n')
    assert channel.next_message() == {"a": 1}  # what came before is read first, as Storm does
    with pytest.raises(ProtocolError, match="invalid JSON from the host"):
        channel.next_message()


def test_eof_mid_message_reports_the_partial_bytes(pipes):
    channel, w_in, _ = pipes
    os.write(w_in, b'{"a":1}\nend\n{"half')
    os.close(w_in)
    assert channel.next_message() == {"a": 1}
    with pytest.raises(ChannelClosed) as info:
        channel.next_message()
    assert info.value.partial_bytes == len(b'{"half')


def test_output_is_buffered_until_flush_then_written_at_once(pipes):
    channel, _, r_out = pipes
    channel.send({"command": "sync"})
    channel.write(b'{"command":"ack","id":"1"}\nend\n')
    assert channel.buffered() == 2
    channel.flush()
    assert channel.buffered() == 0
    assert os.read(r_out, 1000) == b'{"command":"sync"}\nend\n{"command":"ack","id":"1"}\nend\n'


def test_fill_flushes_before_blocking(pipes):
    channel, w_in, r_out = pipes
    channel.send({"pid": 1})
    os.write(w_in, b"[]\nend\n")
    channel.fill()
    assert os.read(r_out, 100) == b'{"pid":1}\nend\n'


def test_take_task_ids_keeps_other_messages_in_order(pipes):
    channel, w_in, _ = pipes
    os.write(w_in, b'{"t":1}\nend\n{"hb":1}\nend\n[4,5]\nend\n{"t":2}\nend\n')
    assert channel.take_task_ids() == [4, 5]
    assert [channel.next_message() for _ in range(3)] == [{"t": 1}, {"hb": 1}, {"t": 2}]


def test_take_task_ids_waits_for_more_input(pipes):
    channel, w_in, _ = pipes
    os.write(w_in, b'{"t":1}\nend\n')
    channel.fill()
    threading.Timer(0.05, lambda: os.write(w_in, b'{"t":2}\nend\n[7]\nend\n')).start()
    assert channel.take_task_ids() == [7]
    assert list(channel.queue) == [{"t": 1}, {"t": 2}]


def test_broken_stdout_is_channel_closed(pipes):
    channel, _, r_out = pipes
    os.close(r_out)
    channel.send({"x": 1})
    with pytest.raises(ChannelClosed):
        channel.flush()


def test_backend_is_reported():
    assert protocol.BACKEND in ("orjson", "json")
