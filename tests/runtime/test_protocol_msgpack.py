"""The Channel's format detection: a handshake that starts with a MessagePack map switches
the channel to MessagePack both ways; one that starts with '{' keeps JSON. Real pipes."""

from __future__ import annotations

import os
from typing import Callable, Iterator, List, Tuple

import pytest

from petrel.runtime.msgpack_codec import Unpacker, packb
from petrel.runtime.protocol import END, Channel, ChannelClosed, ProtocolError, frame

HANDSHAKE = {"pidDir": "/tmp/pids", "conf": {"topology.name": "t"},
             "context": {"taskid": 3, "componentid": "split", "task->component": {"3": "split"}}}
Pipes = Tuple[Channel, int, int]


@pytest.fixture
def open_channel() -> Iterator[Callable[[bool], Pipes]]:
    """Opens Channels (detecting the format or not) between pipes; gives the far ends too."""
    fds: List[int] = []

    def make(detect_format: bool) -> Pipes:
        r_in, w_in = os.pipe()
        r_out, w_out = os.pipe()
        fds.extend((r_in, w_in, r_out, w_out))
        return Channel(r_in, w_out, read_size=64 * 1024, detect_format=detect_format), w_in, r_out
    yield make
    for fd in fds:
        try:
            os.close(fd)
        except OSError:  # closed by the test
            pass


@pytest.mark.parametrize("detect_format", [True, False])
def test_a_json_handshake_keeps_json(open_channel: Callable[[bool], Pipes],
                                     detect_format: bool) -> None:
    channel, w_in, r_out = open_channel(detect_format)
    os.write(w_in, frame(HANDSHAKE) + frame({"command": "next"}))
    assert channel.next_message() == HANDSHAKE
    channel.send({"pid": 42})
    channel.flush()
    assert os.read(r_out, 1000) == b'{"pid":42}' + END
    assert channel.format == "json"
    assert channel.next_message() == {"command": "next"}


def test_a_msgpack_handshake_switches_both_ways(open_channel: Callable[[bool], Pipes]) -> None:
    channel, w_in, r_out = open_channel(True)
    bolt = {"id": "-1", "comp": "spout", "stream": "default", "task": 9,
            "tuple": ["word", b"\x00\xff", 2**40, 1.5, None]}
    stream = packb(HANDSHAKE) + packb([4, 5]) + packb(bolt)
    cut = len(packb(HANDSHAKE)) + 2  # in the middle of the task ids, as reads may cut
    os.write(w_in, stream[:cut])
    assert channel.next_message() == HANDSHAKE
    assert channel.format == "msgpack"
    channel.send({"pid": 42})
    channel.send_now({"command": "log", "msg": "é", "level": 2})
    reply = Unpacker()
    reply.feed(os.read(r_out, 1000))
    assert reply.messages() == [{"pid": 42}, {"command": "log", "msg": "é", "level": 2}]
    os.write(w_in, stream[cut:])
    assert channel.take_task_ids() == [4, 5]
    assert channel.next_message() == bolt


def test_stray_bytes_after_msgpack_messages_are_one_protocol_error(
        open_channel: Callable[[bool], Pipes]) -> None:
    channel, w_in, _ = open_channel(True)
    os.write(w_in, packb(HANDSHAKE) + packb({"command": "next"}) + b"oops\n")
    assert channel.next_message() == HANDSHAKE
    assert channel.next_message() == {"command": "next"}
    with pytest.raises(ProtocolError, match="invalid MessagePack from the host.*oops"):
        channel.next_message()


def test_without_detection_a_msgpack_handshake_is_a_protocol_error(
        open_channel: Callable[[bool], Pipes]) -> None:
    channel, w_in, _ = open_channel(False)
    os.write(w_in, packb(HANDSHAKE) + b"\nend\n")
    with pytest.raises(ProtocolError):
        channel.next_message()


def test_stdin_closing_inside_a_msgpack_message_counts_its_bytes(
        open_channel: Callable[[bool], Pipes]) -> None:
    channel, w_in, _ = open_channel(True)
    os.write(w_in, packb(HANDSHAKE) + packb({"command": "next"})[:5])
    os.close(w_in)
    assert channel.next_message() == HANDSHAKE
    with pytest.raises(ChannelClosed) as closed:
        channel.next_message()
    assert closed.value.partial_bytes == 5
