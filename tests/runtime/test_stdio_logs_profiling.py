"""Unit tests of the stdout replacement, log naming/set-up and the profile lines."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from petrel.runtime.logs import log_path
from petrel.runtime.profiling import BoltProfile, SpoutProfile
from petrel.runtime.stdio import StdoutToLog

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def pipe_stream():
    r, w = os.pipe()
    stream = StdoutToLog("petrel-test-stdout", fd=w)
    yield stream, r
    os.close(r)
    os.close(w)


def test_lines_become_log_records_and_partials_wait(pipe_stream):
    stream, _ = pipe_stream
    logger = logging.getLogger("petrel-test-stdout")
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        assert stream.write("one\ntwo") == 7
        assert [r.getMessage() for r in records] == ["one"]
        stream.write(" more\n")
        stream.writelines(["x", "y\n"])
        stream.flush()
        stream.write("tail")
        stream.flush()
        assert [r.getMessage() for r in records] == ["one", "two more", "xy", "tail"]
    finally:
        logger.removeHandler(handler)
    assert not stream.isatty() and stream.encoding == "utf-8" and stream.writable()
    with pytest.raises(TypeError):
        stream.write(b"bytes")


def test_a_handler_writing_to_the_stream_does_not_recurse(pipe_stream):
    stream, r = pipe_stream
    logger = logging.getLogger("petrel-test-stdout")
    handler = logging.StreamHandler(stream)  # a logconfig.ini pointing at sys.stdout
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        stream.write("hello\n")
    finally:
        logger.removeHandler(handler)
    assert os.read(r, 100) == b"hello\n"


def test_without_any_handler_text_goes_to_the_file_descriptor(pipe_stream, monkeypatch):
    stream, r = pipe_stream
    monkeypatch.setattr(logging.root, "handlers", [])
    stream.write("no handlers é\n")
    assert os.read(r, 100) == "no handlers é\n".encode()


def test_log_path_naming(monkeypatch, tmp_path):
    monkeypatch.setenv("PETREL_LOGDIR", str(tmp_path))
    assert log_path("totalrankings", 24748) == str(tmp_path / "petrel24748_totalrankings.log")
    assert log_path("pkg.mod", 1, "/x") == "/x/petrel1_pkg.mod.log"
    assert log_path("we/ird", 1, "/x") == "/x/petrel1_we_ird.log"


def test_broken_logconfig_falls_back_to_the_default_and_says_why(tmp_path):
    (tmp_path / "logconfig.ini").write_text("[loggers]\nkeys=root\n")
    script = textwrap.dedent("""
        import logging, os
        from petrel.runtime.logs import configure_logging
        how = configure_logging(os.path.abspath("out.log"))
        logging.getLogger("x").info("hello")
        print(how)
    """)
    out = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True,
                         text=True, env={**os.environ, "PYTHONPATH": str(REPO)}, check=True)
    assert "logconfig.ini could not be used" in out.stdout
    text = (tmp_path / "out.log").read_text()
    assert "logconfig.ini could not be used" in text
    assert re.search(r"\]\[x\]\[INFO\]hello$", text, re.M)


def test_bolt_profile_lines():
    basic = BoltProfile(with_ack=True, clock=lambda: 0.0)
    basic.count, basic.total = 97, 271
    basic.read_time, basic.process_time, basic.ack_time = 0.004, 0.99, 0.002
    assert basic.line() == (
        "BasicBolt profile: total_num_tuples=368, num_tuples=97, avg_read_time=0.000041 (0.4%), "
        "avg_process_time=0.010206 (99.4%), avg_ack_time=0.000021 (0.2%)")
    plain = BoltProfile(with_ack=False, clock=lambda: 0.0)
    plain.count, plain.read_time, plain.process_time = 2, 0.001, 0.003
    assert plain.line() == ("Bolt profile: total_num_tuples=2, num_tuples=2, "
                            "avg_read_time=0.000500 (25.0%), avg_process_time=0.001500 (75.0%)")


def test_profile_reports_every_1000_tuples_or_each_second(caplog):
    profile = BoltProfile(with_ack=True, clock=lambda: 0.0)
    with caplog.at_level(logging.DEBUG, logger="storm"):
        for _ in range(2500):
            profile.add(0.0, 0.001, 0.0, 0.5)
        profile.add(0.0, 0.001, 0.0, 2.0)
    lines = [r.getMessage() for r in caplog.records if "profile" in r.getMessage()]
    assert [line.split(",")[0:2] for line in lines] == [
        ["BasicBolt profile: total_num_tuples=1000", " num_tuples=1000"],
        ["BasicBolt profile: total_num_tuples=2000", " num_tuples=1000"],
        ["BasicBolt profile: total_num_tuples=2501", " num_tuples=501"],
    ]


def test_spout_profile_line():
    spout = SpoutProfile(clock=lambda: 0.0)
    spout.count, spout.read_time, spout.next_time, spout.ack_time = 4, 0.002, 0.006, 0.002
    assert spout.line() == (
        "Spout profile: total_num_commands=4, num_commands=4, avg_read_time=0.000500 (20.0%), "
        "avg_next_time=0.001500 (60.0%), avg_ack_time=0.000500 (20.0%)")
