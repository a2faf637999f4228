"""``petrel pipe``: real ``python -m petrel.cli pipe`` processes over real pipes.

The word-count components run from topologies/wordcount, as the docs show; small
components written to a temporary directory cover the options one by one.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections import Counter
from pathlib import Path
from typing import Any, Dict, List

import pytest

REPO = Path(__file__).resolve().parents[2]
WORDCOUNT = REPO / "topologies" / "wordcount"
PIPE = [sys.executable, "-m", "petrel.cli", "pipe"]
SHELL_PIPE = f"{sys.executable} -m petrel.cli pipe"
TIMEOUT = 60

COMPONENTS = '''
    import logging
    import time

    from petrel import storm
    from petrel.emitter import BasicBolt, Spout

    log = logging.getLogger("comps")


    class Upper(BasicBolt):
        """[word] -> [WORD] on 'default' and [word, length] on 'lengths'; 'boom' raises."""

        def declareOutputFields(self):
            return {"default": ["word"], "lengths": ["word", "length"]}

        def process(self, tup):
            word = tup.values[0]
            if word == "boom":
                raise ValueError("no boom please")
            log.info("got %s", word)
            print("printed", word)
            storm.emit([word.upper()])
            storm.emit([word, len(word)], stream="lengths")


    class Named(BasicBolt):
        """Reads its input by field name."""

        def declareOutputFields(self):
            return ["text"]

        def process(self, tup):
            storm.emit([f"{tup.word}={tup.count}"])


    class Ticker(BasicBolt):
        """Says what it received: a tick (with its seconds) or a line."""

        def declareOutputFields(self):
            return ["what", "secs"]

        def process(self, tup):
            if tup.is_tick_tuple():
                storm.emit(["tick", tup.values[0]])
            else:
                storm.emit(["line", 0])


    class Configured(BasicBolt):
        """Prefixes each value with the config's pipe.greeting."""

        def declareOutputFields(self):
            return ["greeting"]

        def initialize(self, conf, context):
            self.greeting = conf["pipe.greeting"]

        def process(self, tup):
            storm.emit([f"{self.greeting} {tup.values[0]}"])


    class Numbers(Spout):
        """Emits 1, 2, 3, ... reliably; logs each ack; pauses pipe.pause seconds each."""

        def declareOutputFields(self):
            return ["n"]

        def initialize(self, conf, context):
            self.n = 0
            self.pause = float(conf.get("pipe.pause", 0))

        def nextTuple(self):
            if self.pause:
                time.sleep(self.pause)
            self.n += 1
            storm.emit([self.n], id=self.n)

        def ack(self, id):
            log.info("acked %s", id)
'''


def _env() -> Dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    env.pop("PETREL_DEBUG", None)
    return env


def pipe(*args: str, data: bytes = b"", cwd: Path = WORDCOUNT) -> subprocess.CompletedProcess:
    """Run ``petrel pipe ARGS`` with ``data`` on stdin."""
    return subprocess.run([*PIPE, *args], input=data, cwd=cwd, env=_env(),
                          capture_output=True, timeout=TIMEOUT)


def shell(command: str, cwd: Path = WORDCOUNT) -> subprocess.CompletedProcess:
    """Run a bash pipeline; ``echo ${PIPESTATUS[*]}`` output is on stderr's last line."""
    return subprocess.run(["bash", "-c", command + '; echo "status: ${PIPESTATUS[*]}" >&2'],
                          cwd=cwd, env=_env(), capture_output=True, timeout=TIMEOUT)


def jsonl(text: bytes) -> List[Any]:
    return [json.loads(line) for line in text.decode().splitlines()]


def lines_of(*rows: Any) -> bytes:
    return b"".join(json.dumps(row).encode() + b"\n" for row in rows)


@pytest.fixture
def comps(tmp_path: Path) -> Path:
    (tmp_path / "comps.py").write_text(textwrap.dedent(COMPONENTS), encoding="utf-8")
    (tmp_path / "fast.yaml").write_text("wordcount.sentence_interval_secs: 0\n")
    return tmp_path


def assert_quiet(stderr: bytes) -> None:
    assert b"Traceback" not in stderr, stderr.decode()


# -- bolts in each format -----------------------------------------------------------------

def test_bolt_over_jsonl() -> None:
    done = pipe("splitsentence", data=lines_of(["the cow jumped"], ["over the moon"]))
    assert done.returncode == 0, done.stderr
    assert jsonl(done.stdout) == [["the"], ["cow"], ["jumped"], ["over"], ["the"], ["moon"]]
    assert done.stderr.decode().strip() == \
        "petrel pipe: splitsentence: 2 line(s) in, 6 line(s) out"


def test_bolt_over_text_and_tsv() -> None:
    done = pipe("splitsentence", "--format", "text", data=b"the cow\r\nan apple\n")
    assert done.returncode == 0, done.stderr
    assert done.stdout == b"the\ncow\nan\napple\n"
    done = pipe("wordcount", "--format", "tsv", data=b"the\nthe\ncow")  # no final newline
    assert done.stdout == b"the\t1\nthe\t2\ncow\t1\n"


def test_fields_name_the_input(comps: Path) -> None:
    done = pipe("comps:Named", "--fields", "word,count", data=lines_of(["a", 2], ["b", 3]),
                cwd=comps)
    assert jsonl(done.stdout) == [["a=2"], ["b=3"]]
    done = pipe("comps:Named", "--format", "tsv", "--fields", "word,count",
                data=b"a\t2\n", cwd=comps)
    assert done.stdout == b"a=2\n"


def test_streams_and_all_streams(comps: Path) -> None:
    data = lines_of(["ab"], ["c"])
    done = pipe("comps:Upper", data=data, cwd=comps)
    assert jsonl(done.stdout) == [["AB"], ["C"]]
    assert b"2 emit(s) on other streams not written (--all-streams writes them)" in done.stderr
    done = pipe("comps:Upper", "--streams", data=data, cwd=comps)
    assert jsonl(done.stdout) == [{"stream": "default", "values": ["AB"]},
                                  {"stream": "default", "values": ["C"]}]
    done = pipe("comps:Upper", "--all-streams", "--streams", "--format", "text", data=b"ab\n",
                cwd=comps)
    assert done.stdout == b"default\tAB\nlengths\tab\t2\n"
    done = pipe("comps:Upper", "--all-streams", data=b'["ab"]\n', cwd=comps)
    assert jsonl(done.stdout) == [["AB"], ["ab", 2]]


def test_stream_objects_are_read_back(comps: Path) -> None:
    upstream = pipe("comps:Upper", "--streams", data=lines_of(["ab"]), cwd=comps)
    done = pipe("comps:Upper", data=upstream.stdout, cwd=comps)
    assert jsonl(done.stdout) == [["AB"]]


# -- logs and errors -----------------------------------------------------------------------

def test_logs_and_prints_go_to_stderr_or_a_file(comps: Path) -> None:
    done = pipe("comps:Upper", data=b'["a"]\n', cwd=comps)
    assert jsonl(done.stdout) == [["A"]]
    assert b"[comps][INFO]got a" in done.stderr
    assert b"[stdout][INFO]printed a" in done.stderr
    log = comps / "upper.log"
    done = pipe("comps:Upper", "--log", str(log), data=b'["a"]\n', cwd=comps)
    assert jsonl(done.stdout) == [["A"]]
    assert b"got a" not in done.stderr
    text = log.read_text()
    assert "[comps][INFO]got a" in text and "[stdout][INFO]printed a" in text


def test_an_exception_is_reported_with_its_line_and_the_run_goes_on(comps: Path) -> None:
    done = pipe("comps:Upper", "--log", str(comps / "log"),
                data=lines_of(["a"], ["boom"], ["b"]), cwd=comps)
    assert done.returncode == 1
    assert jsonl(done.stdout) == [["A"], ["B"]]
    err = done.stderr.decode()
    assert "petrel pipe: comps: line 2: ValueError: no boom please (in process() of " \
           "component 'comps'; the traceback is in the log)" in err
    assert "3 line(s) in, 2 line(s) out, 1 error(s) reported, 1 tuple(s) failed" in err
    assert_quiet(done.stderr)
    assert "Traceback" in (comps / "log").read_text()


def test_fail_fast_stops_at_the_first_error(comps: Path) -> None:
    done = pipe("comps:Upper", "--fail-fast", "--log", str(comps / "log"),
                data=lines_of(["a"], ["boom"], ["b"]), cwd=comps)
    assert done.returncode == 1
    assert jsonl(done.stdout) == [["A"]]
    assert b"line 2: ValueError: no boom please" in done.stderr
    assert b"stopped by --fail-fast" in done.stderr
    done = pipe("splitsentence", "--fail-fast", data=b'["a b"]\nnope\n["c"]\n')
    assert done.returncode == 1
    assert jsonl(done.stdout) == [["a"], ["b"]]
    assert b"line 2: not valid JSON" in done.stderr and b"stopping (--fail-fast)" in done.stderr


# -- bad input -----------------------------------------------------------------------------

@pytest.mark.parametrize("bad, message", [
    (b"{not json\n", "line 2: not valid JSON ("),
    (b'["a b", "extra"]\n', "line 2: 2 value(s), but --fields names 1 (sentence); line "
                            "skipped"),
    (b'["caf\xe9"]\n', "line 2: not valid UTF-8 (byte 0xe9 at column 6); line skipped"),
    (b'"just a string"\n', "line 2: a JSON list of values expected, got str"),
])
def test_bad_lines_are_reported_skipped_and_counted(bad: bytes, message: str) -> None:
    done = pipe("splitsentence", "--fields", "sentence", data=b'["a b"]\n' + bad + b'["c"]\n')
    assert done.returncode == 1
    assert jsonl(done.stdout) == [["a"], ["b"], ["c"]]
    err = done.stderr.decode()
    assert f"petrel pipe: splitsentence: {message}" in err
    assert "3 line(s) in, 3 line(s) out, 1 bad line(s) skipped" in err
    assert_quiet(done.stderr)


def test_invalid_utf8_in_text_mode() -> None:
    done = pipe("splitsentence", "--format", "text", data=b"a b\n\xff\nc\n")
    assert done.stdout == b"a\nb\nc\n"
    assert b"line 2: not valid UTF-8 (byte 0xff at column 1); line skipped" in done.stderr


@pytest.mark.parametrize("spec, message", [
    ("nosuchmodule", "module 'nosuchmodule' not found in"),
    ("wordcount:Nope", "module 'wordcount' has no class 'Nope'; its components: "
                       "WordCountBolt"),
    ("create", "module 'create' defines no Spout, Bolt or BasicBolt class"),
    ("not a module", "'not a module' is not MODULE or MODULE:CLASS"),
])
def test_a_missing_module_or_class_is_one_clear_error(spec: str, message: str) -> None:
    done = pipe(spec)
    assert done.returncode == 2
    err = done.stderr.decode()
    assert err.startswith("petrel pipe: error: ") and message in err, err
    assert len(err.splitlines()) == 1


def test_options_a_component_cannot_use(comps: Path) -> None:
    assert b"--count is for spouts" in pipe("splitsentence", "--count", "3").stderr
    done = pipe("comps:Numbers", "--tick-every", "1", cwd=comps)
    assert b"--tick-every is for bolts" in done.stderr
    assert b"--format text makes one-field tuples" in \
        pipe("splitsentence", "--format", "text", "--fields", "a,b").stderr


# -- spouts, ticks, config -------------------------------------------------------------------

def test_spout_with_count_acks_what_it_wrote(comps: Path) -> None:
    done = pipe("comps:Numbers", "--count", "5", "--log", str(comps / "log"), cwd=comps)
    assert done.returncode == 0, done.stderr
    assert jsonl(done.stdout) == [[1], [2], [3], [4], [5]]
    assert done.stderr == b"petrel pipe: comps: 5 line(s) out\n"
    assert "acked 5" in (comps / "log").read_text()


def test_tick_every_delivers_ticks_while_input_waits(comps: Path) -> None:
    proc = subprocess.Popen([*PIPE, "comps:Ticker", "--tick-every", "0.2"], cwd=comps,
                            env=_env(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    assert proc.stdin is not None
    proc.stdin.write(b'["x"]\n')
    proc.stdin.flush()
    time.sleep(1.2)
    out, err = proc.communicate(timeout=TIMEOUT)
    rows = jsonl(out)
    assert rows[0] == ["line", 0]
    assert rows.count(["tick", 1]) >= 2, rows


def test_config_reaches_initialize(comps: Path) -> None:
    (comps / "topology.yaml").write_text("pipe.greeting: hello\n")
    done = pipe("comps:Configured", "--config", "topology.yaml", "--format", "text",
                data=b"world\n", cwd=comps)
    assert done.stdout == b"hello world\n", done.stderr
    done = pipe("comps:Configured", data=b'["x"]\n', cwd=comps)
    assert done.returncode == 2
    assert b"initialize() of 'comps' raised KeyError: 'pipe.greeting'" in done.stderr


def test_ctrl_c_ends_a_spout_quietly_with_its_count(comps: Path) -> None:
    (comps / "slow.yaml").write_text("pipe.pause: 0.01\n")
    # Unbuffered: communicate() below reads the pipe itself, past any buffer of readline.
    proc = subprocess.Popen([*PIPE, "comps:Numbers", "--config", "slow.yaml"], cwd=comps,
                            env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            bufsize=0,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    assert proc.stdout is not None
    first = proc.stdout.readline()
    assert first == b"[1]\n"
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=TIMEOUT)
    assert proc.returncode == 130
    written = 1 + len(out.splitlines())
    assert err.decode().endswith(f"comps: {written} line(s) out; interrupted\n"), err
    assert_quiet(err)


# -- chains ----------------------------------------------------------------------------------

def test_three_stage_chain(comps: Path) -> None:
    done = shell(f"{SHELL_PIPE} randomsentence --count 100 --config {comps}/fast.yaml "
                 f"| {SHELL_PIPE} splitsentence | {SHELL_PIPE} wordcount")
    assert done.stderr.decode().splitlines()[-1] == "status: 0 0 0", done.stderr
    rows = jsonl(done.stdout)
    final = {word: count for word, count in rows}
    assert sum(final.values()) == len(rows)
    assert len(rows) >= 600                  # 100 sentences of 6 or 8 words
    assert "petrel pipe: splitsentence: 100 line(s) in" in done.stderr.decode()


def test_chain_with_sort_groups_the_words(comps: Path) -> None:
    done = shell(f"{SHELL_PIPE} randomsentence --count 50 --config {comps}/fast.yaml -q "
                 f"| {SHELL_PIPE} splitsentence -q | sort | {SHELL_PIPE} wordcount -q")
    assert done.stderr.decode().splitlines() == ["status: 0 0 0 0"]
    rows = jsonl(done.stdout)
    words = [word for word, _ in rows]
    assert words == sorted(words)
    totals = Counter(words)
    for word, count in rows:             # each word's counts run 1..n, one after the other
        assert 1 <= count <= totals[word]
    assert rows[-1][1] == totals[rows[-1][0]]


def test_head_ends_the_chain_quietly(comps: Path) -> None:
    # No --count: the spout runs until the closed pipe reaches it.
    done = shell(f"{SHELL_PIPE} randomsentence --config {comps}/fast.yaml "
                 f"| {SHELL_PIPE} splitsentence | head -n 3")
    assert len(done.stdout.splitlines()) == 3
    assert done.stderr.decode().splitlines() == ["status: 0 0 0"]
