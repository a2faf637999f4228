"""What a component does with input that is not Storm's protocol: it refuses it, clearly.

Each case feeds real pipes to the runtime's handshake or protocol loop and expects one
ProtocolError saying what was wrong, with nothing handed to user code; the last ones run a
component process and check that it exits non-zero with that one line.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from petrel.emitter import BasicBolt, Spout
from petrel.runtime.collector import ProtocolCollector
from petrel.runtime.loops import bolt_loop, bolt_loop_profiled, handshake, spout_loop
from petrel.runtime.profiling import BoltProfile
from petrel.runtime.protocol import Channel, ChannelClosed, ProtocolError

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def feed():
    """feed(data) -> a Channel that reads ``data`` then end of input."""
    fds = []

    def make(data: bytes) -> Channel:
        r_in, w_in = os.pipe()
        r_out, w_out = os.pipe()
        fds.extend([r_in, r_out, w_out])

        def write() -> None:  # a thread: the data may be more than a pipe holds
            try:
                os.write(w_in, data)
            except OSError:
                pass  # the reader stopped early, having refused what it read
            os.close(w_in)

        threading.Thread(target=write, daemon=True).start()
        return Channel(r_in, w_out, read_size=64 * 1024)

    yield make
    for fd in fds:
        os.close(fd)


def setup(tmp_path: Path, **fields) -> bytes:
    import json
    msg = {"conf": {}, "pidDir": str(tmp_path), "context": {"componentid": "c", "taskid": 3}}
    msg.update(fields)
    return json.dumps({k: v for k, v in msg.items() if v is not ...}).encode() + b"\nend\n"


# -- the setup message --------------------------------------------------------------------


@pytest.mark.parametrize("data, expected", [
    (b"hello\nend\n", "invalid JSON from the host"),
    (b"[1, 2]\nend\n", "expected Storm's setup message .* got a JSON array"),
    (b"42\nend\n", "expected Storm's setup message .* got a JSON number"),
    (b"end\n", "empty message from the host"),
    (b"[" * 50_000 + b"\nend\n", "nested too deeply"),
])
def test_garbage_instead_of_the_setup_message(feed, data, expected):
    with pytest.raises(ProtocolError, match=expected):
        handshake(feed(data))


def test_a_setup_message_without_pid_dir(feed, tmp_path):
    with pytest.raises(ProtocolError, match="setup message has no pidDir"):
        handshake(feed(setup(tmp_path, pidDir=...)))


@pytest.mark.parametrize("pid_dir", [None, "", 7, ["/tmp"]])
def test_a_pid_dir_that_is_not_a_path(feed, tmp_path, pid_dir):
    with pytest.raises(ProtocolError, match="'pidDir' in Storm's setup message must be a "
                                            "directory path"):
        handshake(feed(setup(tmp_path, pidDir=pid_dir)))


def test_a_pid_dir_where_no_pid_file_can_be_made(feed, tmp_path):
    missing = tmp_path / "no" / "such" / "dir"
    with pytest.raises(ProtocolError, match=r"cannot create the pid file .*no/such/dir/\d+"):
        handshake(feed(setup(tmp_path, pidDir=str(missing))))


@pytest.mark.parametrize("fields, expected", [
    ({"context": []}, "'context' in Storm's setup message must be a JSON object, got a JSON "
                      "array"),
    ({"context": "ctx"}, "'context' .* must be a JSON object, got a JSON string"),
    ({"conf": [1]}, "'conf' in Storm's setup message must be a JSON object"),
    ({"context": {"taskid": "3"}}, "'taskid' in the setup message's context must be an "
                                   "integer, got a JSON string"),
    ({"context": {"componentid": 5}}, "'componentid' .* must be a string"),
    ({"context": {"stream->outputfields": {"default": "word"}}},
     "'stream->outputfields' .* stream -> list of field names"),
    ({"context": {"source->stream->fields": {"spout": ["default"]}}},
     "'source->stream->fields' .* component -> stream -> list of field names"),
])
def test_a_wrongly_typed_conf_or_context(feed, tmp_path, fields, expected):
    with pytest.raises(ProtocolError, match=expected):
        handshake(feed(setup(tmp_path, **fields)))


def test_a_good_setup_message_is_answered_with_the_pid(feed, tmp_path):
    channel = feed(setup(tmp_path))
    conf, context = handshake(channel)
    assert (conf, context["taskid"]) == ({}, 3)
    assert (tmp_path / str(os.getpid())).exists()


# -- a bolt's input -----------------------------------------------------------------------


class Recording(BasicBolt):
    """Records the values of every tuple it is given."""

    def __init__(self):
        super().__init__()
        self.seen = []

    def declareOutputFields(self):
        return ["x"]

    def process(self, tup):
        self.seen.append(tup.values)


def run_bolt(bolt: Recording, channel: Channel, profiled: bool = False) -> None:
    """Run the bolt's protocol loop on ``channel`` until it raises."""
    bolt.attach(ProtocolCollector(channel), {}, {"componentid": "b", "taskid": 1})
    if profiled:
        bolt_loop_profiled(bolt, channel, BoltProfile(True, log_lines=False))
    else:
        bolt_loop(bolt, channel)


GOOD = b'{"id":"1","comp":"s","stream":"default","task":2,"tuple":["ok"]}\nend\n'


@pytest.mark.parametrize("profiled", [False, True])
@pytest.mark.parametrize("data, expected", [
    (b'{"id":"1","comp":"s","stream":"default","task":2,"tuple":"abc"}\nend\n',
     "tuple message whose 'tuple' is a JSON string, not a JSON array of values"),
    (b'{"id":"1","comp":"s","stream":"default","task":2,"tuple":{"a":1}}\nend\n',
     "'tuple' is a JSON object"),
    (b'{"id":"1","comp":"s","stream":["x"],"task":2,"tuple":[1]}\nend\n',
     "'stream' is a JSON array, not a string"),
    (b'{"id":"1","comp":["s"],"stream":"default","task":2,"tuple":[1]}\nend\n',
     "'comp' is a JSON array, not a string or null"),
    (b'{"id":"1","comp":"s","stream":"default","task":"2","tuple":[1]}\nend\n',
     "'task' is a JSON string, not an integer"),
    (b'{"id":"1","comp":"s","stream":"default","tuple":[1]}\nend\n',
     "tuple message without 'task'"),
    (b'{"command":"next"}\nend\n',
     "Unknown command received: 'next' \\(a bolt receives tuples only\\)"),
    (b"[4, 5]\nend\n", "a list of task ids that no emit asked for, where a tuple was expected"),
    (b"17\nend\n", "a JSON number where a tuple was expected"),
    (b'"hi"\nend\n', "a JSON string where a tuple was expected"),
    (b"null\nend\n", "null where a tuple was expected"),
    (b"end\n", "empty message from the host"),
    (b" \n\nend\n", "empty message from the host"),
    (b'{"a":' * 50_000 + b"\nend\n", "nested too deeply"),
])
def test_a_bolt_refuses_what_is_not_a_tuple(feed, data, expected, profiled):
    bolt = Recording()
    with pytest.raises(ProtocolError, match=expected):
        run_bolt(bolt, feed(GOOD + data), profiled)
    assert bolt.seen == [["ok"]]


def test_a_bolt_still_takes_good_tuples_and_heartbeats(feed):
    heartbeat = b'{"id":"-1","comp":null,"stream":"__heartbeat","task":-1,"tuple":[]}\nend\n'
    bolt = Recording()
    with pytest.raises(ChannelClosed):  # the end of input
        run_bolt(bolt, feed(GOOD + heartbeat + GOOD))
    assert bolt.seen == [["ok"], ["ok"]]


def test_task_ids_must_be_integers(feed):
    channel = feed(b'["a", 2]\nend\n')
    with pytest.raises(ProtocolError, match="task ids must be integers"):
        channel.take_task_ids()


# -- a spout's input ----------------------------------------------------------------------


class Counting(Spout):
    """Emits nothing; counts the commands it is given."""

    def __init__(self):
        super().__init__()
        self.calls = []

    def declareOutputFields(self):
        return ["x"]

    def nextTuple(self):
        self.calls.append("next")

    def ack(self, msg_id):
        self.calls.append(("ack", msg_id))

    def fail(self, msg_id):
        self.calls.append(("fail", msg_id))


@pytest.mark.parametrize("data, expected", [
    (b"[1]\nend\n", "a list of task ids that no emit asked for, where a command was expected"),
    (b"3.5\nend\n", "a JSON number where a command was expected"),
    (b'{"command":"ack"}\nend\n', "ack command without 'id'"),
    (b'{"command":"fail"}\nend\n', "fail command without 'id'"),
])
def test_a_spout_refuses_what_is_not_a_command(feed, data, expected):
    spout = Counting()
    channel = feed(b'{"command":"next"}\nend\n' + data)
    spout.attach(ProtocolCollector(channel), {}, {"componentid": "s", "taskid": 1})
    with pytest.raises(ProtocolError, match=expected):
        spout_loop(spout, channel)
    assert spout.calls == ["next"]


# -- the process: one line, non-zero exit -------------------------------------------------

BOLT = """
from petrel.emitter import BasicBolt

class Echo(BasicBolt):
    def declareOutputFields(self):
        return ["x"]

    def process(self, tup):
        print("PROCESSED", tup.values)

Echo().run()
"""


@pytest.mark.parametrize("after_setup, expected", [
    (b'{"id":"1","comp":"s","stream":"default","task":2,"tuple":"abc"}\nend\n',
     "petrel: component 'c': protocol error: tuple message whose 'tuple' is a JSON string"),
    (b"[1]\nend\n",
     "petrel: component 'c': protocol error: a list of task ids that no emit asked for"),
    (b'{"command":"next"}\nend\n',
     "petrel: component 'c': protocol error: Unknown command received: 'next'"),
])
def test_the_component_exits_non_zero_with_one_clear_line(tmp_path, after_setup, expected):
    (tmp_path / "echo.py").write_text(BOLT)
    env = dict(os.environ, PYTHONPATH=str(REPO), PETREL_LOGDIR=str(tmp_path))
    proc = subprocess.run([sys.executable, "echo.py"], cwd=tmp_path, env=env,
                          input=setup(tmp_path) + after_setup, capture_output=True,
                          timeout=60)
    assert proc.returncode == 1
    err = proc.stderr.decode()
    assert err.startswith(expected), err
    assert "Traceback" not in err and "PROCESSED" not in err + proc.stdout.decode()
