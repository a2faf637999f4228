"""The msgpack package's stream reader picks ``unpackb`` or the streaming Unpacker by the
latest read: whichever it picks, every read gives exactly its messages, and bad bytes one
error."""

from __future__ import annotations

from typing import List

import pytest

from petrel.runtime import msgpack_stream
from petrel.runtime.msgpack_codec import MsgpackError, packb

pytestmark = pytest.mark.skipif(msgpack_stream.BACKEND != "msgpack",
                                reason="needs the msgpack package (the pure-Python reader "
                                       "has one mode; tests/fuzz/test_fuzz_msgpack.py runs it)")

A = packb({"command": "next", "id": ""})
B = packb({"id": "5", "comp": "s", "stream": "default", "task": 1, "tuple": ["the cow"]})


def counting_reader() -> tuple[msgpack_stream.CReader, List[bytes]]:
    reader = msgpack_stream.CReader()
    calls: List[bytes] = []
    unpackb = reader._unpackb

    def counted(data: bytes) -> object:
        calls.append(data)
        return unpackb(data)
    reader._unpackb = counted  # type: ignore[method-assign]
    return reader, calls


def test_after_a_read_of_several_messages_the_next_read_skips_unpackb() -> None:
    reader, calls = counting_reader()
    assert reader.feed(A) == [{"command": "next", "id": ""}]
    assert len(calls) == 1
    assert len(reader.feed(B + A + B)) == 3      # unpackb took the first, the rest streamed
    assert len(calls) == 2
    assert len(reader.feed(B + B)) == 2          # straight to the Unpacker
    assert len(calls) == 2
    assert reader.feed(A) == [{"command": "next", "id": ""}]   # still the Unpacker, once
    assert len(calls) == 2
    assert reader.feed(A) == [{"command": "next", "id": ""}]   # one per read: unpackb again
    assert len(calls) == 3


def test_cut_messages_and_bad_bytes_read_the_same_in_either_mode() -> None:
    for warm in (b"", B + B):
        reader = msgpack_stream.CReader()
        if warm:
            assert len(reader.feed(warm)) == 2
        assert reader.feed(B + A[:3]) == [packb_loads(B)]
        assert reader.feed(A[3:] + B) == [packb_loads(A), packb_loads(B)]
        assert reader.feed(A) == [packb_loads(A)]
        with pytest.raises(MsgpackError, match="not a multilang message"):
            reader.feed(b"\x05")


def packb_loads(data: bytes) -> object:
    return msgpack_stream.CReader().feed(data)[0]
