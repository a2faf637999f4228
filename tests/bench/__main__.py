"""``python3 -m tests.bench`` (``make bench``): run every ``tests/bench/bench_*.py`` in turn.

Each module has a ``main()`` that prints its figures next to a reference measured in the
same run. Name modules on the command line to run only those
(``python3 -m tests.bench runtime local``). The exit status is non-zero when a benchmark
raised or its ``main()`` returned a non-zero status (a missed target).
"""

from __future__ import annotations

import importlib.util
import sys
import time
import traceback
from pathlib import Path
from typing import List, Optional

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parents[1]


def discover(selected: Optional[List[str]] = None) -> List[Path]:
    """The bench modules, in name order, limited to ``selected`` names when given."""
    paths = sorted(BENCH_DIR.glob("bench_*.py"))
    if selected:
        wanted = {name if name.startswith("bench_") else f"bench_{name}" for name in selected}
        unknown = wanted - {p.stem for p in paths}
        if unknown:
            raise SystemExit(f"unknown benchmark(s): {', '.join(sorted(unknown))}; have: "
                             f"{', '.join(p.stem for p in paths)}")
        paths = [p for p in paths if p.stem in wanted]
    return paths


def run(path: Path) -> int:
    """Import ``path`` as a module and call its ``main()``; 0 when it met its targets."""
    spec = importlib.util.spec_from_file_location(f"petrel_bench_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    result = module.main()
    return result if isinstance(result, int) else 0


def main(argv: Optional[List[str]] = None) -> int:
    """Run the benchmarks one after the other and summarise."""
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    args = sys.argv[1:] if argv is None else argv
    results = []
    for path in discover(args):
        print(f"== {path.stem} ==", flush=True)
        started = time.perf_counter()
        try:
            status = run(path)
        except Exception:
            traceback.print_exc()
            status = 1
        results.append((path.stem, status, time.perf_counter() - started))
        print(flush=True)
    print("== summary ==")
    for name, status, seconds in results:
        print(f"  {name:<20} {'ok' if status == 0 else 'MISSED/FAILED':<14} {seconds:6.1f} s")
    return 1 if any(status for _, status, _ in results) else 0


if __name__ == "__main__":
    sys.exit(main())
