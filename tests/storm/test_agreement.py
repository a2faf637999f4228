"""petrel's local runner and a real Apache Storm agree on a finite, reliable word count.

tests/storm/topologies/agreement emits each line of its sentences.txt once (reliably),
splits it (2 tasks) and counts words (2 tasks, fields grouping on 'word'); every count
task rewrites its counts to ``counts-<task id>.json`` after each word. The same topology
runs under ``petrel submit`` locally and on the real cluster, at the same time; real
Storm is the judge of what the counts must be.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import pytest
from storm_helpers import REPO, RealStorm, copy_test_topology, wait_until

HERE = Path(__file__).resolve().parent
NAME = "agreement-wordcount"


def sentence_lines() -> list[str]:
    """The sentences the spout emits: the non-empty lines of sentences.txt."""
    text = (HERE / "topologies" / "agreement" / "sentences.txt").read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip()]


def expected_counts() -> Counter:
    """The words of sentences.txt, split as the topology splits them."""
    return Counter(w for line in sentence_lines() for w in line.lower().split())


def counts_by_task(directory: Path) -> dict[str, dict[str, int]]:
    """``counts-<task>.json`` file name -> the counts that task wrote last."""
    return {p.name: json.loads(p.read_text(encoding="utf-8"))
            for p in sorted(directory.glob("counts-*.json"))}


def total(by_task: dict[str, dict[str, int]]) -> Counter:
    """Every task's counts, added up."""
    out: Counter = Counter()
    for counts in by_task.values():
        out.update(counts)
    return out


@dataclass
class Runs:
    """What the local run and the cluster run wrote, and the local run's statistics."""

    local: dict[str, dict[str, int]]
    storm: dict[str, dict[str, int]]
    local_stats: dict[str, Any]


@pytest.fixture(scope="module")
def runs(storm: RealStorm, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runs]:
    """Run the topology locally and on the cluster side by side until each counted every word."""
    want = sum(expected_counts().values())
    base = tmp_path_factory.mktemp("agreement")
    local_dir, storm_dir = base / "local-counts", base / "storm-counts"
    local_dir.mkdir()
    storm_dir.mkdir()
    local_topo = copy_test_topology("agreement", base / "local",
                                    {"agreement.counts_dir": str(local_dir)})
    storm_topo = copy_test_topology("agreement", base / "storm",
                                    {"agreement.counts_dir": str(storm_dir),
                                     "topology.stats.sample.rate": 1.0})
    stats_json = base / "local-stats.json"
    local = subprocess.Popen(
        [sys.executable, "-m", "petrel.cli", "submit", "--config",
         str(local_topo / "topology.yaml"), "--duration", "300", "--quiet",
         "--stats-json", str(stats_json)],
        cwd=local_topo, env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        storm.submit(storm_topo, NAME)
        wait_until(lambda: sum(total(counts_by_task(local_dir)).values()) >= want, 180,
                   "the local run counted every word")
        local.send_signal(signal.SIGTERM)
        out, _ = local.communicate(timeout=60)
        assert local.returncode == 0, out
        wait_until(lambda: sum(total(counts_by_task(storm_dir)).values()) >= want, 300,
                   "the cluster counted every word")
        yield Runs(counts_by_task(local_dir), counts_by_task(storm_dir),
                   json.loads(stats_json.read_text(encoding="utf-8")))
    finally:
        if local.poll() is None:
            local.kill()
            local.communicate()
        storm.kill(NAME)


def test_local_runner_and_real_storm_count_the_same_words(runs: Runs) -> None:
    assert total(runs.storm) == expected_counts()
    assert total(runs.local) == total(runs.storm)


def test_fields_grouping_sends_each_word_to_the_same_task_id_on_both(runs: Runs) -> None:
    assert len(runs.storm) == 2
    assert runs.local == runs.storm


def test_local_statistics_agree_with_what_nimbus_counts(storm: RealStorm, runs: Runs) -> None:
    sentences, words = len(sentence_lines()), sum(expected_counts().values())
    nimbus = wait_until(
        lambda: (s := storm.stats(NAME)) and s.get("count") and s["count"].executed >= words
        and s, 90, "Nimbus counts every word executed")
    local = runs.local_stats["components"]
    for component, field, value in (
            ("sentences", "emitted", sentences), ("sentences", "acked", sentences),
            ("split", "executed", sentences), ("split", "emitted", words),
            ("count", "executed", words), ("count", "acked", words)):
        assert getattr(nimbus[component], field) == value, (component, field)
        assert local[component][field] == value, (component, field)
    assert nimbus["sentences"].failed == local["sentences"]["failed"] == 0

