"""``petrel submit`` of topologies/wordcount with petrel's own components, JSON vs MessagePack.

Real subprocesses over real pipes, as a user runs it: the runner and petrel's runtime
agree on the format from the handshake, and both formats give the same flow of tuples.
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).parents[2]


def submit_wordcount(tmp_path: Path, serializer: str, *extra: str) -> tuple:
    """Run topologies/wordcount for 3 s; (stats JSON, stdout, stderr)."""
    topo = tmp_path / f"wordcount-{serializer}"
    shutil.copytree(REPO / "topologies" / "wordcount", topo,
                    ignore=shutil.ignore_patterns("tests", "__pycache__"))
    config = topo / "topology.yaml"
    config.write_text(config.read_text() + f"\npetrel.serializer: {serializer}\n"
                      "wordcount.sentence_interval_secs: 0\n")
    stats_path = tmp_path / f"stats-{serializer}.json"
    proc = subprocess.run(
        [sys.executable, "-m", "petrel.cli", "submit", "--config", str(config), "--duration", "3",
         "--stats-json", str(stats_path), "--logdir", str(tmp_path / f"logs-{serializer}"),
         *extra],
        cwd=topo, capture_output=True, text=True, timeout=120,
        env={"PATH": "/usr/bin:/bin:" + str(Path(sys.executable).parent),
             "PYTHONPATH": str(REPO)})
    assert proc.returncode == 0, proc.stderr
    return json.loads(stats_path.read_text()), proc.stdout, proc.stderr


def test_wordcount_flows_the_same_in_both_formats(tmp_path):
    results = {fmt: submit_wordcount(tmp_path, fmt) for fmt in ("json", "msgpack")}
    assert "multilang in MessagePack" in results["msgpack"][1]
    assert "MessagePack" not in results["json"][1]
    for fmt, (stats, _out, err) in results.items():
        comps = stats["components"]
        assert stats["spout_acked"] > 50 and stats["spout_failed"] == 0, (fmt, err)
        assert stats["pending_at_stop"] == 0 and stats["restarts"] == 0, fmt
        # every sentence reached split, every word reached count, and each tree was acked
        assert comps["split"]["executed"] == comps["spout"]["emitted"] == stats["spout_acked"]
        assert comps["count"]["executed"] == comps["split"]["emitted"] \
            == comps["count"]["emitted"] == comps["count"]["acked"], fmt
        words_per_sentence = comps["split"]["emitted"] / comps["spout"]["emitted"]
        assert 5 <= words_per_sentence <= 9, (fmt, words_per_sentence)   # the book's sentences
        assert "Traceback" not in err


def test_debug_tuples_with_msgpack(tmp_path):
    _stats, out, _err = submit_wordcount(tmp_path, "msgpack", "--debug-tuples")
    assert "petrel: Emitting: spout[" in out and "petrel: Emitting: split[" in out
    assert "petrel: Emitting: count[" in out
