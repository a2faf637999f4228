"""Bolt side of the multilang protocol (docs/internals/protocol.md#checked-properties).

Each test starts a real ``python -m petrel.run`` subprocess under every supported
interpreter and drives it over pipes with the host in host.py.
"""

from __future__ import annotations

import json
import os
import re

import pytest
from host import BOOK_LOGCONFIG as LOGCONFIG

ECHO = """
from petrel import storm
from petrel.emitter import BasicBolt

class EchoBolt(BasicBolt):
    def declareOutputFields(self):
        return ["word"]

    def process(self, tup):
        storm.emit([tup.values[0]])

def run():
    EchoBolt().run()
"""

SPLIT = """
from petrel import storm
from petrel.emitter import BasicBolt

class SplitBolt(BasicBolt):
    def declareOutputFields(self):
        return ["word"]

    def process(self, tup):
        for word in tup.sentence.split(" "):
            storm.emit([word])

def run():
    SplitBolt().run()
"""


def is_ack(msg):
    return msg.get("command") == "ack"


# -- framing, handshake ---------------------------------------------------------------------

def test_handshake_pid_first_and_pid_file(ws):
    """The first message is {"pid": <int>} and <pidDir>/<pid> exists."""
    ws.write("echo", ECHO)
    piddir = ws.root / "pids"
    piddir.mkdir()
    proc = ws.bolt("echo")
    pid = proc.handshake({}, None, piddir)
    assert pid == proc.pid
    assert (piddir / str(pid)).is_file()
    assert (piddir / str(pid)).stat().st_size == 0
    assert proc.stop() == 0


def test_output_framing_is_json_then_end_line(ws):
    """Every message is one JSON line, then a line holding exactly 'end'."""
    ws.write("echo", ECHO)
    proc = ws.started_bolt("echo")
    tid = proc.send_tuple(["a"])
    proc.send_heartbeat()
    proc.close_stdin()
    raw = proc.proc.stdout.read()
    lines = raw.split(b"\n")
    assert lines[-1] == b""
    body = lines[:-1]
    assert len(body) % 2 == 0
    for i in range(0, len(body), 2):
        json.loads(body[i])
        assert body[i + 1] == b"end"
    messages = [json.loads(body[i]) for i in range(0, len(body), 2)]
    assert messages == [
        {"command": "emit", "anchors": [tid], "tuple": ["a"], "need_task_ids": False},
        {"command": "ack", "id": tid},
        {"command": "sync"},
    ]


def test_multi_line_blank_line_and_crlf_input(ws):
    """Input JSON spread over lines, blank lines between messages and CRLF endings."""
    ws.write("echo", ECHO)
    proc = ws.started_bolt("echo")
    proc.send_raw(b'{"id": "11",\n "comp": "spout",\n "stream": "default",\n'
                  b' "task": 7, "tuple": ["multi"]}\nend\n')
    proc.send_raw(b'\n\n{"id":"12","comp":"spout","stream":"default","task":7,"tuple":["blank"]}'
                  b'\nend\n')
    proc.send_raw(b'{"id":"13","comp":"spout","stream":"default","task":7,"tuple":["crlf"]}'
                  b'\r\nend\r\n')
    got = [proc.read_message() for _ in range(6)]
    assert [m["tuple"] for m in got if m["command"] == "emit"] == [["multi"], ["blank"], ["crlf"]]
    assert [m["id"] for m in got if m["command"] == "ack"] == ["11", "12", "13"]


def test_tuple_split_across_writes(ws):
    """A message arriving in several small writes (even inside 'end') is read whole."""
    ws.write("echo", ECHO)
    proc = ws.started_bolt("echo")
    data = b'{"id":"5","comp":"spout","stream":"default","task":7,"tuple":["pieces"]}\nend\n'
    for i in range(0, len(data), 7):
        proc.send_raw(data[i:i + 7])
    assert proc.read_message()["tuple"] == ["pieces"]
    assert proc.read_message() == {"command": "ack", "id": "5"}


def test_non_ascii_newline_slash_and_u2028_round_trip(ws):
    """UTF-8 both ways whatever the locale; escapes decode to the original."""
    ws.write("echo", ECHO)
    text = "héllo wörld ☃ 𝄞 a/b\nline2\u2028\u2013\x01"
    proc = ws.started_bolt("echo", env={"LC_ALL": "C", "LANG": "C",
                                        "PYTHONIOENCODING": "ascii"})
    proc.send_tuple([text])
    assert proc.read_message()["tuple"] == [text]


def test_one_megabyte_tuple(ws):
    """A 1 MB value goes through intact in both directions."""
    ws.write("echo", ECHO)
    proc = ws.started_bolt("echo")
    big = "x" * (1 << 20) + "é"
    tid = proc.send_tuple([big])
    assert proc.read_message(timeout=20)["tuple"] == [big]
    assert proc.read_message() == {"command": "ack", "id": tid}


# -- bolt semantics --------------------------------------------------------------------------

def test_basic_bolt_anchors_and_acks_with_the_id_string_unchanged(ws):
    """Emits anchored to the input id (a string); the ack echoes it."""
    ws.write("split", SPLIT)
    proc = ws.started_bolt("split", fields=["sentence"])
    tid = proc.send_tuple(["the cow jumped"])
    got = proc.messages_until(is_ack)
    assert [m["tuple"] for m in got[:-1]] == [["the"], ["cow"], ["jumped"]]
    assert all(m["anchors"] == [tid] for m in got[:-1])
    assert all(m["need_task_ids"] is False for m in got[:-1])
    assert "stream" not in got[0]
    assert got[-1] == {"command": "ack", "id": tid}
    assert isinstance(got[-1]["id"], str)


def test_heartbeat_answered_with_sync_never_acked(ws):
    """A heartbeat gets {"command":"sync"} and no ack/fail."""
    ws.write("echo", ECHO)
    proc = ws.started_bolt("echo")
    proc.send_heartbeat()
    assert proc.read_message() == {"command": "sync"}
    tid = proc.send_tuple(["after"])
    assert proc.read_message()["tuple"] == ["after"]
    assert proc.read_message() == {"command": "ack", "id": tid}


TICKS = """
from petrel import storm
from petrel.emitter import BasicBolt, Bolt

class TickBolt(BasicBolt):
    def declareOutputFields(self):
        return ["kind"]

    def process(self, tup):
        storm.emit(["tick" if tup.is_tick_tuple() else "data"])

def run():
    TickBolt().run()
"""


def test_tick_tuple_is_recognised_and_acked(ws):
    """__system/__tick tuples are tick tuples; a BasicBolt acks them."""
    ws.write("ticks", TICKS)
    proc = ws.started_bolt("ticks", streams={"default": ["kind"]})
    tick = proc.send_tick(5)
    proc.send_tuple(["x"], comp="__system", stream="other")
    got = [proc.read_message() for _ in range(4)]
    assert got[0]["tuple"] == ["tick"] and got[0]["anchors"] == [tick]
    assert got[1] == {"command": "ack", "id": tick}
    assert got[2]["tuple"] == ["data"]


TASK_IDS = """
from petrel import storm
from petrel.emitter import BasicBolt

class AskBolt(BasicBolt):
    def declareOutputFields(self):
        return ["word"]

    def process(self, tup):
        if tup.values[0] == "ask":
            ids = storm.emit(["asked"], need_task_ids=True)
            storm.emit(["ids:%s" % ids])
        else:
            storm.emit([tup.values[0]])

def run():
    AskBolt().run()
"""


def test_task_ids_interleaved_with_tuples_and_heartbeats(ws):
    """While waiting for task ids, tuples and heartbeats are queued, kept in order."""
    ws.write("ask", TASK_IDS)
    proc = ws.started_bolt("ask")
    first = proc.send_tuple(["ask"])
    emit = proc.read_message()
    assert emit["tuple"] == ["asked"] and "need_task_ids" not in emit
    proc.send_heartbeat()
    second = proc.send_tuple(["later"])
    proc.send_task_ids([4, 5])
    got = [proc.read_message() for _ in range(5)]
    assert got[0]["tuple"] == ["ids:[4, 5]"]
    assert got[1] == {"command": "ack", "id": first}
    assert got[2] == {"command": "sync"}
    assert got[3]["tuple"] == ["later"] and got[3]["anchors"] == [second]
    assert got[4] == {"command": "ack", "id": second}


STREAMS = """
from petrel import storm
from petrel.emitter import Bolt, Stream

class RouteBolt(Bolt):
    def declareOutputFields(self):
        return {"default": ["word"], "lengths": ["word", "length"],
                "direct": Stream(["word"], direct=True)}

    def process(self, tup):
        word = tup.word
        storm.emit([word], anchors=[tup])
        storm.emit([word, len(word)], stream="lengths", anchors=tup)
        storm.emitDirect(9, [word], stream="direct")
        storm.emitMany([[word + "1"], [word + "2"]], anchors=[tup.id])
        storm.log("trace", 0)
        storm.log("warned", level=3)
        storm.log("plain")
        storm.reportError("custom problem")
        storm.ack(tup)

def run():
    RouteBolt().run()
"""


def test_streams_direct_emit_many_log_levels_and_report_error(ws):
    """Several streams, emitDirect ("task"), emitMany, log levels 0-4, error, manual ack."""
    ws.write("route", STREAMS)
    proc = ws.started_bolt("route", streams={"default": ["word"], "lengths": ["word", "length"],
                                             "direct": ["word"]})
    tid = proc.send_tuple(["moon"])
    got = proc.messages_until(is_ack)
    assert got[0] == {"command": "emit", "anchors": [tid], "tuple": ["moon"],
                      "need_task_ids": False}
    assert got[1] == {"command": "emit", "stream": "lengths", "anchors": [tid],
                      "tuple": ["moon", 4], "need_task_ids": False}
    assert got[2] == {"command": "emit", "stream": "direct", "anchors": [], "task": 9,
                      "tuple": ["moon"]}
    assert [m["tuple"] for m in got[3:5]] == [["moon1"], ["moon2"]]
    assert all(m["anchors"] == [tid] for m in got[3:5])
    assert got[5] == {"command": "log", "msg": "trace", "level": 0}
    assert got[6] == {"command": "log", "msg": "warned", "level": 3}
    assert got[7] == {"command": "log", "msg": "plain", "level": 2}
    assert got[8] == {"command": "error", "msg": "custom problem"}
    assert got[9] == {"command": "ack", "id": tid}
    assert len(got) == 10


FIELDS = """
from petrel import storm
from petrel.emitter import BasicBolt

class FieldsBolt(BasicBolt):
    def declareOutputFields(self):
        return ["word"]

    def process(self, tup):
        storm.emit(["%s|%s|%s" % (tup.word, tup["count"], tup[0])])

def run():
    FieldsBolt().run()
"""


def test_values_by_declared_field_name(ws):
    """tup.word, tup['count'] and tup[0], using the context's source->stream->fields."""
    ws.write("fieldsbolt", FIELDS)
    proc = ws.started_bolt("fieldsbolt", fields=["word", "count"])
    proc.send_tuple(["moon", 3])
    assert proc.read_message()["tuple"] == ["moon|3|moon"]


# -- stdout protection -------------------------------------------------------------------

PRINTS = """
import os, subprocess, sys
from petrel import storm
from petrel.emitter import BasicBolt

print("printed at import")
sys.stdout.write("partial ")
sys.stdout.flush()

class PrintBolt(BasicBolt):
    def declareOutputFields(self):
        return ["word"]

    def process(self, tup):
        print("printed in process", tup.values)
        os.write(1, b"raw fd 1 write\\n")
        subprocess.run([sys.executable, "-c", "print('child stdout'); import sys; "
                        "sys.stderr.write('child stderr')"], check=True)
        sys.stderr.write("E" * 200000)
        sys.stderr.write("\\nstderr done\\n")
        assert not sys.stdout.isatty() and sys.stdout.encoding.lower() == "utf-8"
        assert sys.stdout.fileno() == 1
        storm.emit([tup.values[0]])

def run():
    PrintBolt().run()
"""


def test_print_c_level_writes_children_and_stderr_never_touch_the_protocol(ws):
    """print at import and in process, os.write(1), a child's output, 200 KB of stderr."""
    ws.write("prints", PRINTS)
    proc = ws.started_bolt("prints")
    tid = proc.send_tuple(["ok"])
    assert proc.read_message() == {"command": "emit", "anchors": [tid], "tuple": ["ok"],
                                   "need_task_ids": False}
    assert proc.read_message() == {"command": "ack", "id": tid}
    assert proc.stop() == 0
    log = proc.log_text()
    for text in ("printed at import", "partial", "printed in process ['ok']",
                 "raw fd 1 write", "child stdout", "child stderr", "stderr done"):
        assert text in log
    assert proc.stderr_text() == ""


# -- bad emits and exceptions --------------------------------------------------------------

BAD = """
import datetime
from petrel import storm
from petrel.emitter import BasicBolt

class BadBolt(BasicBolt):
    def declareOutputFields(self):
        return ["word"]

    def process(self, tup):
        kind = tup.values[0]
        if kind == "nan":
            storm.emit([float("nan")])
        elif kind == "inf":
            storm.emit([[1.0, float("-inf")]])
        elif kind == "date":
            storm.emit([datetime.date(2020, 1, 2)])
        elif kind == "wide":
            storm.emit(["a", "b"])
        elif kind == "stream":
            storm.emit(["a"], stream="nowhere")
        elif kind == "string":
            storm.emit("abc")
        elif kind == "boom":
            raise ZeroDivisionError("no way")
        else:
            storm.emit([None])

def run():
    BadBolt().run()
"""


@pytest.mark.parametrize("kind, expected", [
    ("nan", r"component 'bolt' emitted NaN or Infinity on stream 'default'"),
    ("inf", r"NaN or Infinity"),
    ("date", r"component 'bolt' emitted a value of type date on stream 'default', which JSON "
             r"cannot encode"),
    ("wide", r"emitted 2 value\(s\) on stream 'default', which declares 1 field"),
    ("stream", r"emitted on stream 'nowhere', which it does not declare"),
    ("string", r"emit takes a list of values, got str"),
    ("boom", r"ZeroDivisionError: no way"),
])
def test_bad_emit_or_exception_reports_fails_and_keeps_running(ws, kind, expected):
    """Nothing is emitted; error command with type/message/traceback; tuple failed; still up."""
    ws.write("bad", BAD)
    proc = ws.started_bolt("bad")
    tid = proc.send_tuple([kind])
    error = proc.read_message()
    assert error["command"] == "error"
    assert re.search(expected, error["msg"]), error["msg"]
    assert f"The error occurred while processing this tuple: ['{kind}']" in error["msg"]
    assert "Traceback (most recent call last)" in error["msg"]
    assert f"pid {proc.pid}" in error["msg"]
    assert proc.read_message() == {"command": "fail", "id": tid}
    other = proc.send_tuple(["fine"])
    assert proc.read_message()["tuple"] == [None]
    assert proc.read_message() == {"command": "ack", "id": other}
    assert proc.stop() == 0
    assert "The error occurred while processing this tuple" in proc.log_text()


def test_on_error_exit_stops_the_process(ws):
    """petrel.on_error: exit -> error reported, tuple failed, exit status non-zero."""
    ws.write("bad", BAD)
    proc = ws.started_bolt("bad", conf={"petrel.on_error": "exit"})
    tid = proc.send_tuple(["boom"])
    assert proc.read_message()["command"] == "error"
    assert proc.read_message() == {"command": "fail", "id": tid}
    assert proc.wait() == 1
    assert "petrel.on_error is 'exit'" in proc.stderr_text()


MANUAL = """
from petrel import storm
from petrel.emitter import Bolt

class ManualBolt(Bolt):
    def declareOutputFields(self):
        return ["word"]

    def initialize(self, conf, context):
        self.held = []

    def process(self, tup):
        word = tup.values[0]
        if word == "twice":
            storm.ack(tup)
            storm.ack(tup)
        elif word == "hold":
            self.held.append(tup)
        elif word == "release":
            for held in self.held:
                storm.emit(["late"], anchors=[held])
                storm.fail(held)
            storm.emit(["stale"], anchors=[self.held[0]])
        elif word == "ackthenraise":
            storm.ack(tup)
            raise ValueError("after ack")

def run():
    ManualBolt().run()
"""


def test_manual_bolt_is_never_acked_or_failed_twice(ws):
    """A double ack, an anchor to a failed tuple, a raise after ack: no second ack/fail."""
    ws.write("manual", MANUAL)
    proc = ws.started_bolt("manual")
    t1 = proc.send_tuple(["twice"])
    assert proc.read_message() == {"command": "ack", "id": t1}
    error = proc.read_message()
    assert error["command"] == "error" and "ack of tuple id" in error["msg"]
    held = proc.send_tuple(["hold"])
    release = proc.send_tuple(["release"])
    assert proc.read_message() == {"command": "emit", "anchors": [held], "tuple": ["late"],
                                   "need_task_ids": False}
    assert proc.read_message() == {"command": "fail", "id": held}
    error = proc.read_message()
    assert error["command"] == "error" and "cannot anchor to tuple id" in error["msg"]
    assert proc.read_message() == {"command": "fail", "id": release}
    t3 = proc.send_tuple(["ackthenraise"])
    assert proc.read_message() == {"command": "ack", "id": t3}
    assert "ValueError: after ack" in proc.read_message()["msg"]
    proc.send_heartbeat()
    assert proc.read_message() == {"command": "sync"}  # no fail for t3 in between


# -- start-up failures, end of input -----------------------------------------------------

def test_import_failure_exits_non_zero_naming_the_module(ws):
    """A module that cannot be imported: nothing on stdout, message on stderr, status 1."""
    ws.write("broken", "import not_a_module_anywhere\n")
    proc = ws.bolt("broken")
    assert proc.wait() == 1
    assert proc.proc.stdout.read() == b""
    err = proc.stderr_text()
    assert "component module 'broken': could not be imported" in err
    assert "not_a_module_anywhere" in err and "Traceback" in err
    assert "not_a_module_anywhere" in proc.log_text()


def test_garbage_handshake_is_one_line_without_a_traceback(ws):
    """Storm's setup message replaced by junk: the worker names the refusal, nothing more."""
    ws.write("echo", ECHO)
    proc = ws.bolt("echo")
    proc.send_raw(b'[1, 2, 3]\nend\n')
    assert proc.wait() == 1
    err = proc.stderr_text()
    assert "component module 'echo': bad handshake: " in err
    assert "Traceback" not in err


def test_constructor_failure_before_handshake(ws):
    """An exception in the component's constructor (inside run()) ends the process."""
    ws.write("ctor", """
        from petrel.emitter import BasicBolt
        class CtorBolt(BasicBolt):
            def __init__(self):
                raise RuntimeError("bad constructor")
        def run():
            CtorBolt().run()
    """)
    proc = ws.bolt("ctor")
    assert proc.wait() == 1
    assert "failed before the handshake" in proc.stderr_text()
    assert "RuntimeError: bad constructor" in proc.stderr_text()


def test_initialize_failure_reports_and_exits(ws):
    """initialize() raising: pid sent, error reported to Storm, stderr names it, status 1."""
    ws.write("init", """
        from petrel.emitter import BasicBolt
        class InitBolt(BasicBolt):
            def initialize(self, conf, context):
                raise KeyError("missing setting")
        def run():
            InitBolt().run()
    """)
    proc = ws.bolt("init")
    proc.handshake()
    error = proc.read_message()
    assert error["command"] == "error" and "KeyError" in error["msg"]
    assert proc.wait() == 1
    assert "initialize() failed" in proc.stderr_text()


def test_stdin_closed_mid_message_is_a_clean_exit(ws):
    """Storm closing the pipe in the middle of a message: exit 0, logged."""
    ws.write("echo", ECHO)
    proc = ws.started_bolt("echo")
    proc.send_raw(b'{"id":"1","comp":"spout","str')
    assert proc.stop() == 0
    assert "in the middle of a message" in proc.log_text()


def test_module_without_run_uses_its_single_component_class(ws):
    """No run(): the one component class defined in the module is run."""
    ws.write("norun", """
        from petrel import storm
        from petrel.emitter import BasicBolt, Bolt
        class OnlyBolt(BasicBolt):
            def declareOutputFields(self):
                return ["word"]
            def process(self, tup):
                storm.emit(["only"])
    """)
    proc = ws.started_bolt("norun")
    proc.send_tuple(["x"])
    assert proc.read_message()["tuple"] == ["only"]


# -- logs and profiling ------------------------------------------------------------------

BASIC_PROFILE = re.compile(
    r"\[storm\]\[DEBUG\]BasicBolt profile: total_num_tuples=\d+, num_tuples=\d+, "
    r"avg_read_time=\d+\.\d{6} \(\d+\.\d%\), avg_process_time=\d+\.\d{6} \(\d+\.\d%\), "
    r"avg_ack_time=\d+\.\d{6} \(\d+\.\d%\)$", re.M)


def test_log_file_logconfig_and_basic_bolt_profile_lines(ws):
    """logconfig.ini from the cwd, PETREL_LOG_PATH, petrel<pid>_<module>.log, profile format."""
    ws.write("echo", ECHO)
    ws.write("logconfig.ini", LOGCONFIG)
    logdir = ws.root / "logs"
    proc = ws.bolt("echo", env={"PETREL_LOGDIR": str(logdir)})
    proc.handshake({}, None)
    for batch in range(11):  # in batches: both pipes are bounded, like Storm's queues
        for i in range(100):
            proc.send_tuple([str(batch * 100 + i)])
        for _ in range(200):
            proc.read_message()
    assert proc.stop() == 0
    files = proc.log_files(logdir)
    assert [f.name for f in files] == [f"petrel{proc.pid}_echo.log"]
    text = files[0].read_text()
    assert "logconfig.ini" in text
    assert BASIC_PROFILE.search(text), text[-2000:]
    assert "total_num_tuples=1000, num_tuples=1000" in text


def test_plain_bolt_profile_line_has_no_ack_part(ws_default):
    """'Bolt profile:' for a manual-ack Bolt."""
    ws_default.write("manual", MANUAL)
    ws_default.write("logconfig.ini", LOGCONFIG)
    proc = ws_default.started_bolt("manual")
    for _ in range(1000):
        proc.send_tuple(["hold"])
    proc.send_heartbeat()
    assert proc.read_message() == {"command": "sync"}
    assert proc.stop() == 0
    assert re.search(r"\]Bolt profile: total_num_tuples=1000, num_tuples=1000, "
                     r"avg_read_time=\d+\.\d{6} \(\d+\.\d%\), avg_process_time=\d+\.\d{6} "
                     r"\(\d+\.\d%\)$", proc.log_text(), re.M)


def test_default_logging_without_logconfig(ws):
    """No logconfig.ini: the book's format in petrel<pid>_<module>.log in the cwd, no profile."""
    ws.write("echo", ECHO)
    proc = ws.started_bolt("echo")
    proc.send_tuple(["x"])
    proc.read_message()
    assert proc.stop() == 0
    text = proc.log_text()
    assert re.search(r"^\[\d{4}-\d\d-\d\d [\d:,]+\]\[storm\]\[INFO\]petrel ", text, re.M)
    assert "profile:" not in text
    assert os.path.basename(proc.log_files()[0]) == f"petrel{proc.pid}_echo.log"


def test_sigterm_ends_the_process_with_a_log_line(ws_default):
    """Storm stops a task with SIGTERM: logged, exit status 143."""
    import signal

    ws_default.write("echo", ECHO)
    proc = ws_default.started_bolt("echo")
    proc.send_heartbeat()
    assert proc.read_message() == {"command": "sync"}
    proc.proc.send_signal(signal.SIGTERM)
    assert proc.wait() == 143
    assert "received SIGTERM" in proc.log_text()


def test_petrel_profile_writes_cprofile_statistics(ws_default):
    """PETREL_PROFILE=1 (the local runner's --profile): petrel<pid>_<module>.prof."""
    import pstats

    ws_default.write("echo", ECHO)
    proc = ws_default.started_bolt("echo", env={"PETREL_PROFILE": "1"})
    proc.send_tuple(["x"])
    proc.read_message()
    assert proc.stop() == 0
    prof = ws_default.root / f"petrel{proc.pid}_echo.prof"
    stats = pstats.Stats(str(prof))
    assert any(name[2] == "process" for name in stats.stats)
