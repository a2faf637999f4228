"""The bench's paired routing cost (tests/bench/router_floor.py) runs the whole stream in both
serializers: every sentence's tree completes through the runner's own reader and router."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import router_floor  # noqa: E402


@pytest.mark.parametrize("serializer", ["json", "msgpack"])
def test_the_stream_is_read_routed_and_acked_in_each_format(tmp_path, serializer):
    # drive_stream raises unless every spout tuple was acked back to the spout
    assert router_floor.drive_stream(serializer, 400, tmp_path) > 0
