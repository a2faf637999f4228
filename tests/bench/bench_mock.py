"""Benchmark of petrel.mock (``make bench``): 100,000 spout tuples through spout -> split -> count.

The split and count bolts are topologies/wordcount's. Each spout tuple is the book's test
sentence "the bart the": 100,000 spout emits, 300,000 split emits and 300,000 count emits,
every tuple anchored and acked, all results kept. Shown
against two references measured in the same run:

- a plain Python loop doing the same splitting and counting (the work itself);
- the same three components driven directly through a collector that only keeps the values
  (with the mock's ``quick_emit`` hook, so plain values skip the encoding here too): the cost
  of the components' own emit path, which no in-process host can avoid.

Target: the mock run under 2 s.
"""

from __future__ import annotations

import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

REPO = Path(__file__).resolve().parents[2]
WORDCOUNT = REPO / "topologies" / "wordcount"
for _path in (REPO, WORDCOUNT):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from splitsentence import SplitSentenceBolt  # noqa: E402
from wordcount import WordCountBolt  # noqa: E402

from petrel import mock  # noqa: E402
from petrel.runtime.collector import Collector  # noqa: E402
from petrel.runtime.tuples import Tuple  # noqa: E402

SPOUT_TUPLES = 100_000
SENTENCE = "the bart the"
TARGET_S = 2.0
RUNS = 3


def rows() -> List[List[str]]:
    """The spout's rows."""
    return [[SENTENCE]] * SPOUT_TUPLES


def run_mock() -> int:
    """The measured run: ``mock.run_simple_topology`` and reading the count bolt's results."""
    count = WordCountBolt()
    result = mock.run_simple_topology(None, [mock.MockSpout(["sentence"], rows()),
                                             SplitSentenceBolt(), count])
    out = result[count]
    assert out[-1] == ["the", 2 * SPOUT_TUPLES], out[-1]
    assert len(result.acked) == SPOUT_TUPLES
    return len(out)


def run_plain_loop() -> int:
    """Reference: the same split and count as a plain Python loop, results kept."""
    counts: Dict[str, int] = defaultdict(int)
    out = []
    for (sentence,) in rows():
        for word in sentence.split(" "):
            counts[word] += 1
            out.append([word, counts[word]])
    return len(out)


class _Keep(Collector):
    def __init__(self) -> None:
        self.values: List[Any] = []
        # the mock's hook too, so its commonest emits skip the encoding here as well
        self.quick_emit = lambda values, _anchor_or_id: self.values.append(values)

    def emit(self, stream: str, values: List[Any], encoded: bytes,
             anchors: Optional[List[str]], msg_id: Any, task: Optional[int],
             need_task_ids: bool) -> Optional[List[int]]:
        self.values.append(values)
        return None

    def ack(self, tuple_id: Any) -> None:
        pass

    def fail(self, tuple_id: Any) -> None:
        pass


def run_components_bare() -> int:
    """Reference: the three components called directly, with a collector that keeps values."""
    spout = mock.MockSpout(["sentence"], rows())
    split, count = SplitSentenceBolt(), WordCountBolt()
    outs = [_Keep(), _Keep(), _Keep()]
    for component, out in zip((spout, split, count), outs):
        component.attach(out, {}, None)
    spout_out, split_out, count_out = (o.values for o in outs)
    for i in range(SPOUT_TUPLES):
        spout.deliver_next()
        split.deliver(Tuple(str(i), "spout", "default", 1, spout_out[-1], None))
        for j, word in enumerate(split_out):
            count.deliver(Tuple(f"{i}.{j}", "split", "default", 2, word, None))
        split_out.clear()
    return len(count_out)


def best_of(func: Callable[[], int], runs: int = RUNS) -> Dict[str, float]:
    """The fastest of ``runs`` runs of ``func``: wall seconds and CPU seconds of this process.

    Everything measured is single-threaded, so on an idle machine both agree; the best of
    several runs keeps the noise of other processes sharing the cores out.
    """
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        func()
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - wall)
    return {"wall": min(walls), "cpu": min(cpus)}


def measure() -> Dict[str, Dict[str, float]]:
    """Timings of the mock run and of both references, in seconds."""
    return {"mock": best_of(run_mock), "plain": best_of(run_plain_loop),
            "bare": best_of(run_components_bare)}


def main() -> int:
    """Run the benchmark and print the figures; non-zero when the target is missed."""
    times = measure()
    mock_s, plain_s, bare_s = (times[k]["wall"] for k in ("mock", "plain", "bare"))
    words = SPOUT_TUPLES * len(SENTENCE.split())
    verdict = "meets" if mock_s < TARGET_S else "MISSES"
    print(f"petrel.mock: {SPOUT_TUPLES:,} spout tuples ({words:,} words) through spout -> split "
          f"-> count, all acked (best of {RUNS}, wall time; CPU time in brackets)")
    print(f"  run_simple_topology:            {mock_s:6.2f} s  [{times['mock']['cpu']:5.2f}]  "
          f"({verdict} the {TARGET_S:.0f} s target; {SPOUT_TUPLES / mock_s:,.0f} spout "
          f"tuples/s)")
    print(f"  plain Python loop, same work:   {plain_s:6.2f} s  [{times['plain']['cpu']:5.2f}]  "
          f"(mock / plain = {mock_s / plain_s:,.0f}x)")
    print(f"  components alone, no engine:    {bare_s:6.2f} s  [{times['bare']['cpu']:5.2f}]  "
          f"(mock / components alone = {mock_s / bare_s:.1f}x)")
    per = mock_s / (SPOUT_TUPLES + 2 * words) * 1e6
    print(f"  {per:.1f} us per tuple emitted (spout, split and count emits)")
    return 0 if mock_s < TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
