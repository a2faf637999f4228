"""The component runtime in MessagePack: every multilang feature over real pipes.

Each test starts a real worker (``python -m petrel.run``) and speaks Storm's side with
messages packed by petrel.runtime.msgpack_codec (tests/runtime/msgpack_host.py): a
handshake that is a MessagePack map switches the component to MessagePack both ways.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import textwrap
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1] / "conformance"))

from host import INTERPRETERS, component_env, make_context  # noqa: E402
from msgpack_host import MsgpackBoltHost, MsgpackSpoutHost  # noqa: E402

from petrel.runtime.msgpack_codec import packb  # noqa: E402

BOLT = '''
from petrel import storm
from petrel.emitter import Bolt
from petrel.runtime.worker import send_to_storm

class Features(Bolt):
    def initialize(self, conf, context):
        self.log(f"init {conf['topology.name']} task {context['taskid']}")

    def process(self, tup):
        if tup.stream == "__tick":
            self.emit(["tick", tup.values[0]], anchors=[tup])
            return
        what, value = tup.values
        if what == "echo":
            self.emit([value, tup.task], anchors=[tup])
        elif what == "ids":
            tasks = self.emit(["ids", value], anchors=[tup], need_task_ids=True)
            self.emit(["got", tasks], anchors=[tup])
        elif what == "direct":
            self.emitDirect(value, ["d"], stream="direct", anchors=[tup])
        elif what == "log":
            self.log(value, level="warn")
        elif what == "error":
            self.reportError(value)
        elif what == "metrics":
            send_to_storm({"command": "metrics", "name": "m", "params": value})
        elif what == "fail":
            self.fail(tup)
            return
        elif what == "emit":
            self.emit([value, None], anchors=[tup])
        self.ack(tup)

def run():
    Features().run()
'''

SPOUT = '''
from petrel import storm
from petrel.emitter import Spout

class Count(Spout):
    def initialize(self, conf, context):
        self.n = 0

    def nextTuple(self):
        self.n += 1
        if self.n == 2:
            tasks = storm.emit(["two", b"\\x00\\x01"], id="s2", need_task_ids=True)
            self.log(f"tasks {tasks!r}")
        elif self.n == 3:
            storm.emit(["three", 3.5])
        elif self.n == 4:
            storm.emit(["huge", 0], id=2**70)
        else:
            storm.emit(["n", self.n], id=self.n)

    def ack(self, msg_id):
        self.log(f"acked {msg_id!r} {type(msg_id).__name__}")

    def fail(self, msg_id):
        self.log(f"failed {msg_id!r} {type(msg_id).__name__}")

    def activate(self):
        self.log("activated")

    def deactivate(self):
        self.log("deactivated")

def run():
    Count().run()
'''

STREAMS = {"default": ["word", "value"], "direct": ["word"]}
CONF = {"topology.name": "mp", "topology.multilang.serializer": "petrel.PetrelMsgpackSerializer"}


@pytest.fixture(params=["msgpack", "python"])
def workdir(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Path]:
    """A component directory holding the test components, for each MessagePack backend.

    "python": a ``msgpack`` module that fails to import comes first on the component's
    path, as on a worker without the package: the pure-Python codec takes over.
    """
    (tmp_path / "features.py").write_text(textwrap.dedent(BOLT))
    (tmp_path / "count.py").write_text(textwrap.dedent(SPOUT))
    if request.param == "python":
        (tmp_path / "msgpack.py").write_text("raise ImportError('no msgpack here')\n")
    elif importlib.util.find_spec("msgpack") is None:
        pytest.skip("the msgpack package is not installed")
    yield tmp_path


@pytest.fixture
def procs() -> Iterator[List[Any]]:
    """The processes a test starts, killed at its end."""
    started: List[Any] = []
    yield started
    for proc in started:
        proc.__exit__()


def start(cls: Any, module: str, workdir: Path, procs: List[Any]) -> Any:
    """Start ``module`` under a MessagePack host, with its log in ``workdir``."""
    env = component_env({"PETREL_LOGDIR": str(workdir)})
    env["PYTHONPATH"] = f"{workdir}{os.pathsep}{env['PYTHONPATH']}"
    proc = cls([sys.executable, "-m", "petrel.run", module], workdir, env, timeout=30)
    procs.append(proc)
    return proc


def handshake(proc: Any, workdir: Path, context: Dict[str, Any]) -> int:
    """Send the setup map; the reply must be a map with the pid, and the pid file exist."""
    pid_dir = workdir / "pids"
    pid_dir.mkdir()
    proc.send({"conf": CONF, "pidDir": str(pid_dir), "context": context})
    reply = proc.read_message()
    assert reply == {"pid": proc.pid}
    assert (pid_dir / str(proc.pid)).exists()
    return proc.pid


@pytest.fixture
def bolt(workdir: Path, procs: List[Any]) -> MsgpackBoltHost:
    """The Features bolt after the handshake (its initialize's log read)."""
    proc = start(MsgpackBoltHost, "features", workdir, procs)
    handshake(proc, workdir, make_context("features", 3, STREAMS,
                                          {"spout": {"default": ["word", "value"]}}))
    assert proc.read_message() == {"command": "log", "msg": "init mp task 3", "level": 2}
    return proc


def test_the_handshake_switches_the_worker_to_msgpack_and_says_so(bolt, workdir):
    assert bolt.raw[0] == packb({"pid": bolt.pid})
    backend = ("petrel's pure-Python codec" if (workdir / "msgpack.py").exists()
               else "the msgpack package")
    assert f"multilang MessagePack ({backend})" in bolt.log_text(workdir)


def test_tuples_come_back_with_binary_values_and_ints_intact(bolt):
    values = [b"\x00\xff\x80", "é", 2**63 + 5, -2**63, 1.5, None, True, {"k": [1, b""]}]
    for value in values:
        tuple_id = bolt.send_tuple(["echo", value], task=12)
        emit, ack = bolt.read_message(), bolt.read_message()
        assert emit == {"command": "emit", "anchors": [tuple_id], "tuple": [value, 12],
                        "need_task_ids": False}
        assert type(emit["tuple"][0]) is type(value)
        assert ack == {"command": "ack", "id": tuple_id}


def test_task_ids_are_read_and_returned_to_the_emit(bolt):
    tuple_id = bolt.send_tuple(["ids", "x"])
    first = bolt.read_message()
    assert first == {"command": "emit", "anchors": [tuple_id], "tuple": ["ids", "x"]}
    bolt.send_task_ids([4, 2**40])
    assert bolt.read_message()["tuple"] == ["got", [4, 2**40]]
    assert bolt.read_message() == {"command": "ack", "id": tuple_id}


def test_a_direct_emit_sends_its_task_as_an_int(bolt):
    tuple_id = bolt.send_tuple(["direct", 5])
    emit = bolt.read_message()
    assert emit == {"command": "emit", "stream": "direct", "anchors": [tuple_id], "task": 5,
                    "tuple": ["d"]}
    assert packb("task") + b"\x05" in bolt.raw[-1]
    assert bolt.read_message() == {"command": "ack", "id": tuple_id}


def test_heartbeats_are_answered_with_sync_and_ticks_delivered(bolt):
    bolt.send_heartbeat()
    assert bolt.read_message() == {"command": "sync"}
    assert bolt.raw[-1] == packb({"command": "sync"})
    tick = bolt.send_tick(7)
    assert bolt.read_message()["tuple"] == ["tick", 7]
    assert bolt.read_message() == {"command": "ack", "id": tick}


def test_log_error_metrics_and_fail(bolt):
    bolt.send_tuple(["log", "héllo"])
    assert bolt.read_message() == {"command": "log", "msg": "héllo", "level": 3}
    bolt.read_message()  # its ack
    bolt.send_tuple(["error", "boom"])
    assert bolt.read_message() == {"command": "error", "msg": "boom"}
    bolt.read_message()  # its ack
    bolt.send_tuple(["metrics", 9])
    assert bolt.read_message() == {"command": "metrics", "name": "m", "params": 9}
    bolt.read_message()
    tuple_id = bolt.send_tuple(["fail", 0])
    assert bolt.read_message() == {"command": "fail", "id": tuple_id}


def test_spout_commands_with_int_ids_and_task_ids(workdir, procs):
    spout = start(MsgpackSpoutHost, "count", workdir, procs)
    handshake(spout, workdir, make_context("count", 4, STREAMS))
    assert spout.command("activate") == [{"command": "log", "msg": "activated", "level": 2}]
    assert spout.command("next") == [{"command": "emit", "id": 1, "tuple": ["n", 1],
                                      "need_task_ids": False}]
    assert packb("id") + b"\x01" in spout.raw[-2]
    two = spout.command("next", task_ids=lambda msg: [6, 7])
    assert two == [{"command": "emit", "id": "s2", "tuple": ["two", b"\x00\x01"]},
                   {"command": "log", "msg": "tasks [6, 7]", "level": 2}]
    assert spout.command("next") == [{"command": "emit", "tuple": ["three", 3.5],
                                      "need_task_ids": False}]
    assert spout.command("ack", 1) == [{"command": "log", "msg": "acked 1 int", "level": 2}]
    assert spout.command("fail", "s2") == [
        {"command": "log", "msg": "failed 's2' str", "level": 2}]
    huge = spout.command("next")
    assert huge[0]["command"] == "error"
    assert "'count'" in huge[0]["msg"] and "beyond 64 bits" in huge[0]["msg"]
    assert "MessagePack carries str, int" in huge[0]["msg"]
    assert spout.command("deactivate") == [{"command": "log", "msg": "deactivated",
                                            "level": 2}]
    assert spout.stop() == 0


# -- bad input: one line naming the component, exit status 1, no hang --------------------


def stopped(proc: Any) -> str:
    """The component's exit status must be 1; its stderr."""
    assert proc.wait(timeout=20) == 1
    return proc.stderr_text()


@pytest.mark.parametrize("garbage, said", [
    (b"oops, printed\n", "oops, printed"),
    (b"\x81\xa2id\xc1", "byte 0xc1"),
    (b"\x81\xa2id\xdb\x7f\xff\xff\xff", "declares 2,147,483,647 bytes, more than the "
                                        "67,108,864 petrel accepts"),
    (b"\x81\xa2id\xdd\xff\xff\xff\xff\x01", "4,294,967,295 items"),
])
def test_bad_bytes_stop_the_component_with_one_line(bolt, garbage, said):
    bolt.send_raw(garbage)
    err = stopped(bolt)
    assert err.startswith("petrel: component 'features': protocol error: invalid "
                          "MessagePack from the host"), err
    assert said in err
    assert "cannot be resynchronised" in err and "printed to the stdout" in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_a_message_cut_by_the_end_of_input_is_logged_as_such(bolt, workdir):
    bolt.send_raw(packb({"id": "1", "comp": "spout", "stream": "default", "task": 2,
                         "tuple": ["echo", "x"]})[:-3])
    bolt.close_stdin()
    assert bolt.wait(timeout=20) == 0
    assert "in the middle of a message (" in bolt.log_text(workdir)


def test_emit_of_an_unencodable_value_is_reported_naming_component_and_types(workdir, procs):
    (workdir / "badbolt.py").write_text(textwrap.dedent('''
        from petrel.emitter import BasicBolt

        class Bad(BasicBolt):
            def process(self, tup):
                self.emit([{"x": [object()]}, 1])

        def run():
            Bad().run()
        '''))
    proc = start(MsgpackBoltHost, "badbolt", workdir, procs)
    handshake(proc, workdir, make_context("bad", 3, STREAMS, {"spout": STREAMS}))
    tuple_id = proc.send_tuple(["a", "b"])
    error = proc.read_message()
    assert error["command"] == "error"
    assert "component 'bad' emitted a value of type object on stream 'default', which " \
           "MessagePack cannot encode" in error["msg"]
    assert "MessagePack carries str, int (64 bits" in error["msg"]
    assert proc.read_message() == {"command": "fail", "id": tuple_id}
    os.kill(proc.pid, 0)  # still running: petrel.on_error is 'continue'


def test_profiled_loops_and_the_oldest_python_speak_msgpack_too(workdir, procs):
    """A profile summary runs the profiled loops; Python 3.9 when installed (no package)."""
    python = INTERPRETERS["py3.9"] if os.path.exists(INTERPRETERS["py3.9"]) else sys.executable
    for module, host in (("features", MsgpackBoltHost), ("count", MsgpackSpoutHost)):
        env = component_env({"PETREL_LOGDIR": str(workdir),
                             "PETREL_PROFILE_SUMMARY": str(workdir / f"{module}.json")})
        env["PYTHONPATH"] = f"{workdir}{os.pathsep}{env['PYTHONPATH']}"
        proc = host([python, "-m", "petrel.run", module], workdir, env, timeout=30)
        procs.append(proc)
        pid_dir = workdir / f"pids-{module}"
        pid_dir.mkdir()
        proc.send({"conf": CONF, "pidDir": str(pid_dir),
                   "context": make_context(module, 3, STREAMS, {"spout": STREAMS})})
        assert proc.read_message() == {"pid": proc.pid}
        if host is MsgpackBoltHost:
            proc.read_message()  # initialize's log
            proc.send_heartbeat()
            assert proc.read_message() == {"command": "sync"}
            tuple_id = proc.send_tuple(["echo", b"\xff"])
            assert proc.read_message()["tuple"] == [b"\xff", 7]
            assert proc.read_message() == {"command": "ack", "id": tuple_id}
        else:
            assert proc.command("next")[0]["tuple"] == ["n", 1]
        assert proc.stop() == 0
        assert (workdir / f"{module}.json").exists()
