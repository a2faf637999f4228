"""The JVM side of the MessagePack multilang protocol against petrel's Python codec.

PetrelMsgpackSerializer and its harness (jvm/src/test/java/petrel/MsgpackHarness.java) are
compiled for Java 8 against a Storm distribution in petrel's cache, then run over real pipes:
the bytes the JVM writes must equal the Python codec's for the same values, what the JVM
reads must be what Python meant, and bad input must give one clear error.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest

from petrel.runtime.msgpack_codec import Unpacker, packb

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [ROOT / "jvm/src/main/java/petrel/PetrelMsgpackSerializer.java",
           ROOT / "jvm/src/test/java/petrel/MsgpackHarness.java",
           ROOT / "jvm/src/test/java/petrel/SerializerBench.java"]


def storm_lib(version: str) -> Path:
    """The lib/ directory of a Storm distribution in petrel's cache (skip if absent)."""
    base = os.environ.get("PETREL_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "petrel")
    lib = Path(base) / "storm" / version / "lib"
    if not lib.is_dir():
        pytest.skip(f"no Storm {version} in {base}/storm")
    return lib


@pytest.fixture(scope="module")
def classes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The serializer, harness and bench compiled with javac --release 8 against Storm 2.8.3."""
    if shutil.which("javac") is None or shutil.which("java") is None:
        pytest.skip("no JDK")
    out = tmp_path_factory.mktemp("msgpack-classes")
    subprocess.run(["javac", "-Xlint:all", "-Werror", "--release", "8", "-d", str(out),
                    "-cp", f"{storm_lib('2.8.3')}/*", *map(str, SOURCES)],
                   check=True, capture_output=True)
    return out


def run(classes: Path, mode: str, stdin: bytes, storm: str = "2.8.3") -> Tuple[int, bytes, str]:
    """Run the harness in ``mode``; its exit status, stdout and stderr."""
    done = subprocess.run(["java", "-cp", f"{classes}:{storm_lib(storm)}/*",
                           "petrel.MsgpackHarness", mode],
                          input=stdin, capture_output=True, timeout=120)
    return done.returncode, done.stdout, done.stderr.decode("utf-8", "replace")


def decode_all(data: bytes) -> List[Any]:
    unpacker = Unpacker()
    unpacker.feed(data)
    messages = unpacker.messages()
    assert unpacker.pending() == 0
    return messages


VALUES: List[Any] = [
    None, True, False, 0, 1, 127, 128, 255, 256, 65535, 65536, 2**32 - 1, 2**32, 2**63 - 1,
    2**64 - 1, -1, -32, -33, -128, -129, -32768, -32769, -2**31, -2**31 - 1, -2**63,
    0.0, -0.0, 1.5, -2.25e300, float("inf"), "", "a" * 31, "a" * 32, "é" * 200,
    "\u2028 \U0001f600 \x00", "x" * 70000, b"", b"\x00\xff" * 150, b"y" * 70000, [],
    list(range(20)), {"a": 1, "b": [1, 2, {"c": None}]}, {f"k{i}": i for i in range(20)},
    [[[["deep"]]]], ["mixed", 1, 2.5, None, True, b"\x01", {"x": []}],
]


def test_every_value_type_round_trips_with_the_same_bytes(classes: Path) -> None:
    stream = b"".join(packb(v) for v in VALUES)
    status, out, err = run(classes, "echo", stream)
    assert status == 0, err
    assert out == stream
    assert decode_all(out) == VALUES


def test_bolt_spout_and_task_id_messages_are_written_as_python_encodes_them(
        classes: Path) -> None:
    bolt: Dict[str, Any] = {
        "id": "-6955786537413359385", "comp": "spout", "stream": "default", "task": 9,
        "tuple": ["the cow jumped", 3, 2.5, None, b"\x00\x01", {"k": [1]}]}
    tick: Dict[str, Any] = {
        "id": "-1", "comp": "__system", "stream": "__tick", "task": -1, "tuple": [30]}
    spout: List[Dict[str, Any]] = [
        {"command": "next", "id": ""}, {"command": "ack", "id": 1234567890123},
        {"command": "fail", "id": "msg-7"}, {"command": "activate", "id": ""}]
    requests = ([dict(bolt, kind="bolt"), dict(tick, kind="bolt")]
                + [dict(s, kind="spout") for s in spout]
                + [{"kind": "taskids", "ids": [3, 4, 70000]}, {"kind": "taskids", "ids": []}])
    status, out, err = run(classes, "write", b"".join(map(packb, requests)))
    assert status == 0, err
    expected = [bolt, tick, *spout, [3, 4, 70000], []]
    assert out == b"".join(map(packb, expected))


def test_shell_messages_read_as_storm_sees_them(classes: Path) -> None:
    sent: List[Dict[str, Any]] = [
        {"command": "emit", "tuple": ["word", 1], "anchors": ["-17"], "stream": "words",
         "need_task_ids": False},
        {"command": "emit", "tuple": [b"raw", 2**40], "task": 7, "id": 12},
        {"command": "emit", "tuple": [], "anchors": "-5"},
        {"command": "ack", "id": "-17"},
        {"command": "log", "msg": "hello", "level": 3},
        {"command": "metrics", "name": "rate", "params": {"n": 1.5}},
        {"command": "error", "msg": "Traceback ..."},
        {"command": "sync"},
    ]
    status, out, err = run(classes, "shell", b"".join(map(packb, sent)))
    assert status == 0, err
    seen = decode_all(out)
    assert [s["command"] for s in seen] == [m["command"] for m in sent]
    assert seen[0]["anchors"] == ["-17"] and seen[0]["stream"] == "words"
    assert seen[0]["need_task_ids"] is False and seen[0]["task"] == 0
    assert seen[1]["tuple"] == [b"raw", 2**40] and seen[1]["task"] == 7 and seen[1]["id"] == 12
    assert seen[1]["stream"] == "default" and seen[1]["need_task_ids"] is True
    assert seen[2]["anchors"] == ["-5"]
    assert seen[4]["msg"] == "hello" and seen[4]["level"] == "WARN"
    assert seen[5]["name"] == "rate" and seen[5]["params"] == {"n": 1.5}


def test_the_handshake_context_json_is_sent_as_its_value(classes: Path) -> None:
    contexts: List[Any] = [
        {"task->component": {"1": "__acker", "3": "split"}, "taskid": 3,
         "componentid": "split", "streams": ["default", "__ack_ack"],
         "stream->outputfields": {"default": ["word"]},
         "stream->target->grouping": {"default": {"count": {"type": "fields",
                                                             "fields": ["word"]}}},
         "source->stream->grouping": {}},
        {"escapes": "q\"b\\s/\b\f\n\r\t\u00e9\ud83d\ude00", "n": [-1, 0, 2.5, -1e-3, 1E3],
         "e": [], "o": {}, "t": True, "f": False, "z": None, "big": 2**62},
    ]
    texts = [json.dumps(c, indent=1) for c in contexts] + [json.dumps(contexts[1])]
    status, out, err = run(classes, "json", b"".join(packb(t) for t in texts))
    assert status == 0, err
    assert decode_all(out) == [json.loads(t) for t in texts]


def test_the_class_compiled_against_storm_2_runs_on_storm_1(classes: Path) -> None:
    stream = b"".join(map(packb, [{"command": "sync"}, {"command": "emit", "tuple": [1]}]))
    status, out, err = run(classes, "shell", stream, storm="1.2.4")
    assert status == 0, err
    assert [m["command"] for m in decode_all(out)] == ["sync", "emit"]


@pytest.mark.parametrize("stream, says", [
    (packb({"command": "sync"}) + b"hello from print()\n", "did it print to stdout?"),
    (packb({"command": "emit", "tuple": ["abc"]})[:-2], "truncated after"),
    (b"\x81\xa7command\xc1", "never used in MessagePack"),
    (b'{"command":"sync"}\nend\n', "does not speak MessagePack"),
    (b"\x81\xa7command\xd4\x01\x00", "extension type"),
])
def test_bad_input_gives_one_clear_error(classes: Path, stream: bytes, says: str) -> None:
    status, out, err = run(classes, "shell", stream)
    assert status == 3
    assert err.startswith("ERROR: ") and says in err, err
    assert err.count("\n") == 1
