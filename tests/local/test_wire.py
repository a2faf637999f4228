"""Host-side framing: line ends, ``end`` terminators, empty messages, compact JSON."""

import json

import pytest

from petrel.local.wire import MessageReader, ProtocolError, dumps, encode, parse_message


def feed_all(chunks):
    r = MessageReader()
    out = []
    for c in chunks:
        out += r.feed(c)
    return out, r


def test_multiline_json_check_2():
    out, _ = feed_all([b'{"a":\n1}\nend\n'])
    assert [parse_message(m) for m in out] == [{"a": 1}]


def test_end_must_be_exact_check_3():
    out, r = feed_all([b'{"a":1}\nend \n', b'END\n'])
    assert out == []
    out, _ = feed_all([b'{"a":1}\nend\n{"b":2}\nEND\nend\n'])
    assert out[0] == b'{"a":1}'
    with pytest.raises(ProtocolError):
        parse_message(out[1])  # 'END' is not a terminator, so the JSON is corrupt


def test_crlf_and_cr_check_4():
    out, _ = feed_all([b'{"a":1}\r\nend\r\n{"b":\r', b'\n2}\rend\r', b'\n'])
    assert [parse_message(m) for m in out] == [{"a": 1}, {"b": 2}]


@pytest.mark.parametrize("cut", range(1, 20))
def test_any_chunk_boundary(cut):
    data = b'{"command":"ack","id":"1"}\nend\n{"command":"sync"}\nend\n'
    out, r = feed_all([data[:cut], data[cut:]])
    assert [parse_message(m) for m in out] == [{"command": "ack", "id": "1"},
                                               {"command": "sync"}]
    assert r.buf == b""


def test_empty_and_non_object_messages_are_fatal():
    out, _ = feed_all([b"end\n"])
    with pytest.raises(ProtocolError):
        parse_message(out[0])
    with pytest.raises(ProtocolError, match="JSON object"):
        parse_message(b"[1,2]")
    with pytest.raises(ProtocolError, match="invalid JSON"):
        parse_message(b"hello world")


def test_writes_escape_line_separators_check_5():
    value = {"s": "a/b\n\u2028\u2029é"}
    data = encode(value)
    assert data.endswith(b"\nend\n") and data.count(b"\n") == 2
    assert b"\xe2\x80\xa8" not in data
    assert json.loads(data[:-5]) == value
    assert dumps(2**70) == b"1180591620717411303424"  # beyond orjson's range


@pytest.mark.parametrize("cut", [1, 3, 4, 5, 6, 65536])
def test_a_message_over_many_reads_comes_back_whole(cut):
    # the terminator straddles the last two reads at every offset as ``cut`` varies
    data = b'{"big":"' + b"x" * 300_000 + b'"}\nend\n{"next":1}\nend\n'
    step = 70_000 - cut
    chunks = [data[i:i + step] for i in range(0, len(data), step)]
    out, r = feed_all(chunks)
    assert [parse_message(m) for m in out] == [{"big": "x" * 300_000}, {"next": 1}]
    assert r.buf == b""


def test_bytes_of_an_incomplete_message_are_a_sign_of_life():
    r = MessageReader()
    assert r.partial_at == 0.0
    r.feed(b'{"big":"' + b"x" * 100_000)
    first = r.partial_at
    assert first > 0.0
    r.feed(b"x" * 100_000)
    assert r.partial_at >= first
    assert r.feed(b'"}\nend\n') == [b'{"big":"' + b"x" * 200_000 + b'"}']


def test_too_deep_nesting_is_a_protocol_error_not_a_crash():
    with pytest.raises(ProtocolError, match="nested too deeply"):
        parse_message(b"[" * 100_000)
