"""Benchmark of ``petrel pipe`` (``make bench``): the word-count chain over real Unix pipes.

``petrel pipe randomsentence --count N | petrel pipe splitsentence | petrel pipe wordcount``,
three processes started by bash from topologies/wordcount (the spout without its pause
between sentences), timed from start to the last line read, start-up included. Shown
against a reference measured in the same run: the same chain of three minimal hand-written
Python filters (standard ``json``, one ``for line in sys.stdin`` loop per stage), the floor
of a per-line Python chain. Target: at least 50,000 words per second through petrel's chain.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, Tuple

REPO = Path(__file__).resolve().parents[2]
WORDCOUNT = REPO / "topologies" / "wordcount"
SENTENCES = 100_000
TARGET_WORDS_PER_S = 50_000
RUNS = 2

PIPE = f"{sys.executable} -m petrel.cli pipe"
PETREL_CHAIN = (f"{PIPE} randomsentence --count {SENTENCES} --config {{config}} -q "
                f"| {PIPE} splitsentence -q | {PIPE} wordcount -q")

# The reference: each stage the least Python that does the same work on JSON lines.
SPOUT = """
import json, random, sys
s = ["the cow jumped over the moon", "an apple a day keeps the doctor away"]
w = sys.stdout.write
for _ in range({n}):
    w(json.dumps([random.choice(s)]) + "\\n")
"""
SPLIT = """
import json, sys
w = sys.stdout.write
for line in sys.stdin:
    for word in json.loads(line)[0].split(" "):
        w(json.dumps([word]) + "\\n")
"""
COUNT = """
import json, sys
from collections import defaultdict
c = defaultdict(int)
w = sys.stdout.write
for line in sys.stdin:
    word = json.loads(line)[0]
    c[word] += 1
    w(json.dumps([word, c[word]]) + "\\n")
"""


def _env() -> Dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    return env


def timed_chain(command: str) -> Tuple[int, float]:
    """(words out, seconds) of one run of the bash pipeline ``command``."""
    started = time.perf_counter()
    proc = subprocess.Popen(["bash", "-c", "set -o pipefail; " + command], cwd=WORDCOUNT,
                            env=_env(), stdout=subprocess.PIPE)
    assert proc.stdout is not None
    words = sum(chunk.count(b"\n") for chunk in iter(lambda: proc.stdout.read(1 << 16), b""))
    if proc.wait() != 0:
        raise RuntimeError(f"the chain failed with status {proc.returncode}: {command}")
    return words, time.perf_counter() - started


def best_rate(command: str) -> Tuple[int, float]:
    """(words, best words per second) over RUNS runs."""
    results = [timed_chain(command) for _ in range(RUNS)]
    words = results[0][0]
    return words, max(w / s for w, s in results)


def main() -> int:
    """Measure both chains; 0 when petrel's meets the target."""
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "fast.yaml"
        config.write_text("wordcount.sentence_interval_secs: 0\n", encoding="utf-8")
        scripts = {}
        for name, code in (("spout", SPOUT.format(n=SENTENCES)), ("split", SPLIT),
                           ("count", COUNT)):
            scripts[name] = Path(tmp) / f"{name}.py"
            scripts[name].write_text(code, encoding="utf-8")
        reference = " | ".join(f"{sys.executable} {scripts[n]}"
                               for n in ("spout", "split", "count"))
        words, petrel_rate = best_rate(PETREL_CHAIN.format(config=config))
        ref_words, ref_rate = best_rate(reference)
    print(f"{SENTENCES:,} sentences, {words:,} words through 3 processes (best of {RUNS})")
    print(f"  petrel pipe chain          {petrel_rate:>10,.0f} words/s")
    print(f"  hand-written Python chain  {ref_rate:>10,.0f} words/s  ({ref_words:,} words; "
          f"the per-line floor)")
    print(f"  ratio petrel / reference   {petrel_rate / ref_rate:>10.2f}")
    met = petrel_rate >= TARGET_WORDS_PER_S
    print(f"  target {TARGET_WORDS_PER_S:,} words/s: {'met' if met else 'MISSED'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
