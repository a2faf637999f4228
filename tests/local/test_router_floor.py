"""The bench's minimal router (tests/bench/router_floor.py) handles the same stream as the runner.

bench_local compares the runner's routing cost with it; that comparison only means something
while both routers do the whole job on the same messages.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import router_floor  # noqa: E402

SENTENCES = 400
WORDS = sum(len(router_floor.SENTENCES[i % 4].split()) for i in range(SENTENCES))


def test_the_runner_router_acks_every_sentence_of_the_stream(tmp_path):
    router = router_floor.real_router(tmp_path)
    assert router_floor.drive(router, SENTENCES) > 0
    _, _, spout, splits, counts = router
    assert spout.cs.acked == SENTENCES and spout.pending_trees == 0
    assert counts[0].cs.executed == WORDS  # the count component's total
    assert all(not t.inputs for t in splits + counts)


def test_the_floor_router_delivers_and_acks_the_same_tuples(tmp_path):
    real = router_floor.real_router(tmp_path)
    floor = router_floor.floor_router()
    router_floor.drive(real, SENTENCES)
    router_floor.drive(floor, SENTENCES)
    assert all(not t.inputs for t in floor[3] + floor[4])
    assert sum(t.delivered for t in floor[4]) == real[4][0].cs.executed == WORDS
    assert all(t.delivered for t in floor[4])  # the fields grouping spreads the words
