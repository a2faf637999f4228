"""topwords.py: the top words of the latest run found in a log directory."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import topwords
from wordcount import FINAL_COUNTS


def write_log(logdir: Path, pid: int, storm_id: str, counts: dict, mtime: float) -> None:
    path = logdir / f"petrel{pid}_wordcount.log"
    report = json.dumps({"storm.id": storm_id, "counts": counts})
    path.write_text(f"[2026-01-01 00:00:00,000][storm][INFO]petrel worker started\n"
                    f"[2026-01-01 00:00:09,000][wordcount][INFO]{FINAL_COUNTS} {report}\n")
    os.utime(path, (mtime, mtime))


def test_the_latest_run_s_tasks_are_added_up(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    write_log(tmp_path, 11, "wordcount-1", {"old": 500}, mtime=1000)
    write_log(tmp_path, 21, "wordcount-2", {"the": 3, "cow": 1}, mtime=2000)
    write_log(tmp_path, 22, "wordcount-2", {"moon": 2}, mtime=2001)
    assert topwords.main([str(tmp_path), "--top", "2"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "top 2 words (6 words counted by 2 count task(s)):"
    assert [line.split() for line in out[1:]] == [["the", "3"], ["moon", "2"]]


def test_a_directory_without_final_counts_says_so(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert topwords.main([str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "no 'final counts:' line" in err and "--logdir" in err
    assert topwords.main([str(tmp_path / "missing")]) == 1
    assert "is not a directory" in capsys.readouterr().err
