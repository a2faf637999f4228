"""Print the word count's results: the top words of a finished run, from its count tasks' logs.

Each count task logs all its counts on one ``final counts:`` line when the run ends; the
fields grouping on 'word' gives each word to one task, so adding the tasks' counts gives
the topology's counts. Usage, after ``petrel submit --config topology.yaml --logdir DIR``:

    python topwords.py DIR [--top N]

When DIR holds the logs of several runs, the latest run's counts are shown.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any, Dict, List, Optional

from wordcount import FINAL_COUNTS

LOG_GLOB = "petrel*_wordcount.log"


def read_counts(logdir: Path) -> tuple[Counter[str], int]:
    """The counts of the latest run logged in ``logdir``, and how many count tasks logged them.

    The latest run is the one (by ``storm.id``) of the most recently written count log.
    """
    runs: Dict[Any, List[Dict[str, int]]] = {}
    latest: Any = None
    for path in sorted(logdir.glob(LOG_GLOB), key=lambda p: p.stat().st_mtime):
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            _, found, text = line.partition(FINAL_COUNTS)
            if found:
                report = json.loads(text)
                latest = report.get("storm.id")
                runs.setdefault(latest, []).append(report.get("counts", {}))
    total: Counter[str] = Counter()
    for counts in runs.get(latest, []):
        total.update(counts)
    return total, len(runs.get(latest, []))


def main(argv: Optional[List[str]] = None) -> int:
    """Print the top words found in the log directory; 1 when there are none."""
    parser = argparse.ArgumentParser(prog="topwords.py", description=__doc__.splitlines()[0])
    parser.add_argument("logdir", type=Path, help="the --logdir of the run")
    parser.add_argument("--top", type=int, default=10, metavar="N", help="words shown (10)")
    args = parser.parse_args(argv)
    if not args.logdir.is_dir():
        print(f"topwords.py: {args.logdir} is not a directory; pass the run's --logdir",
              file=sys.stderr)
        return 1
    counts, tasks = read_counts(args.logdir)
    if not tasks:
        print(f"topwords.py: no '{FINAL_COUNTS}' line in {args.logdir}/{LOG_GLOB}; the count "
              "tasks log it when the run ends (pass that run's --logdir)", file=sys.stderr)
        return 1
    print(f"top {args.top} words ({sum(counts.values())} words counted by {tasks} count "
          f"task(s)):")
    width = max((len(word) for word, _ in counts.most_common(args.top)), default=0)
    for word, count in counts.most_common(args.top):
        print(f"  {word:<{width}}  {count:>7}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
