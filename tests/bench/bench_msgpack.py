"""The MessagePack multilang format's costs next to JSON's (``make bench``), same run ratios.

1. Python side: microseconds to encode and decode typical messages (a tuple for a bolt, its
   emit, its ack, a tuple with a 1 KB string) with orjson (the JSON path), the pure-Python
   codec and, when installed, the msgpack package. Reported only: the JSON path is the
   reference.
2. Java side, when a JDK and Storm 2.8.3 are in petrel's cache: nanoseconds per tuple for
   Storm's JsonSerializer and PetrelMsgpackSerializer (one BoltMsg written, an emit and an
   ack read, in memory). Reported as JSON / msgpack.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import tempfile
import timeit
from pathlib import Path
from typing import Any, Callable, Dict

_REPO = Path(__file__).resolve().parents[2]
if str(_REPO) not in sys.path:
    sys.path.insert(0, str(_REPO))

from petrel.runtime import msgpack_codec, msgpack_stream, protocol  # noqa: E402

ID = "-6955786537413359385"
MESSAGES: Dict[str, Any] = {
    "bolt tuple": {"id": ID, "comp": "spout", "stream": "default", "task": 9,
                   "tuple": ["the cow jumped over the moon"]},
    "emit": {"command": "emit", "anchors": [ID], "tuple": ["cow"], "need_task_ids": False},
    "ack": {"command": "ack", "id": ID},
    "1 KB tuple": {"id": ID, "comp": "spout", "stream": "default", "task": 9,
                   "tuple": ["x" * 1024]},
}
NUMBER = 20_000


def micros(func: Callable[..., Any], *args: Any) -> float:
    """Best of 3 rounds, microseconds per ``func(*args)``."""
    call = functools.partial(func, *args)
    return min(timeit.repeat(call, number=NUMBER, repeat=3)) / NUMBER * 1e6


def python_side() -> None:
    """Encode and decode costs per message, per codec (decoding with a stream reader)."""
    dumps, options, end = protocol.fast_dumps, protocol.FAST_OPTIONS, protocol.END

    def json_frame(message: Any) -> bytes:
        return dumps(message, None, options) + end

    print(f"python side ({protocol.BACKEND} for JSON; us per message, encode / decode)")
    for name, message in MESSAGES.items():
        framed = json_frame(message)
        packed = msgpack_codec.packb(message)
        row = [f"json {micros(json_frame, message):.2f}"
               f" / {micros(protocol.decode, framed[:-len(end)]):.2f}",
               f"pure-python msgpack {micros(msgpack_codec.packb, message):.2f}"
               f" / {micros(msgpack_stream.PythonReader().feed, packed):.2f}"]
        if msgpack_stream.BACKEND == "msgpack":
            row.append(f"msgpack package {micros(msgpack_stream.packb, message):.2f}"
                       f" / {micros(msgpack_stream.CReader().feed, packed):.2f}")
        print(f"  {name:<11} ({len(framed)} vs {len(packed)} bytes): " + ", ".join(row))


def java_side() -> None:
    """SerializerBench's figures, if a JDK and Storm 2.8.3 are at hand."""
    lib = Path(os.environ.get("PETREL_CACHE_DIR") or Path.home() / ".cache" / "petrel")
    lib = lib / "storm" / "2.8.3" / "lib"
    if shutil.which("javac") is None or not lib.is_dir():
        print("java side: skipped (needs javac and Storm 2.8.3 in petrel's cache)")
        return
    sources = [_REPO / "jvm/src/main/java/petrel/PetrelMsgpackSerializer.java",
               _REPO / "jvm/src/test/java/petrel/SerializerBench.java"]
    with tempfile.TemporaryDirectory() as classes:
        subprocess.run(["javac", "--release", "8", "-d", classes, "-cp", f"{lib}/*",
                        *map(str, sources)], check=True)
        print("java side (Storm's JsonSerializer vs PetrelMsgpackSerializer):")
        for size in ("28", "1024"):
            done = subprocess.run(["java", "-cp", f"{classes}:{lib}/*",
                                   "petrel.SerializerBench", "200000", size],
                                  check=True, capture_output=True, text=True)
            print("  " + done.stdout.strip())


def main() -> int:
    """Print both sides' figures; there is no target to miss yet."""
    python_side()
    java_side()
    return 0


if __name__ == "__main__":
    sys.exit(main())
