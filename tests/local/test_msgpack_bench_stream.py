"""The bench's paired reading and routing cost (tests/bench/format_floor.py) runs the whole
stream in both serializers: every sentence's tree completes through the runner's own reader
and router, and through each format's minimal reader and router."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import format_floor  # noqa: E402


@pytest.mark.parametrize("serializer", ["json", "msgpack"])
def test_the_stream_is_read_routed_and_acked_in_each_format(tmp_path, serializer):
    # drive_stream raises unless every spout tuple was acked back to the spout
    assert format_floor.drive_stream(serializer, 400, tmp_path) > 0


@pytest.mark.parametrize("serializer", ["json", "msgpack"])
def test_each_formats_floor_reads_routes_and_acks_the_same_stream(serializer):
    assert format_floor.drive_floor(serializer, 400) > 0


def test_the_msgpack_floor_delivers_each_word_where_the_runner_does(tmp_path):
    runner = format_floor.runner_handlers(tmp_path, "msgpack")
    floor = format_floor.msgpack_floor()
    format_floor.drive_reads(runner, "msgpack", 200)
    format_floor.drive_reads(floor, "msgpack", 200)
    words = sum(len(format_floor.SENTENCES[i % 4].split()) for i in range(200))
    # fields grouping on the word: each count task gets (and acks) the same words in both
    delivered = [t.delivered for t in floor[4]]
    assert sum(delivered) == words and 0 not in delivered
    assert [t.acked for t in runner[4]] == delivered
