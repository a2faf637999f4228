"""The MessagePack multilang format's costs next to JSON's (``make bench``), same run ratios.

1. Python side: microseconds to encode and decode typical messages (a tuple for a bolt, its
   emit, its ack, a tuple with a 1 KB string) with orjson (the JSON path), the pure-Python
   codec and, when installed, the msgpack package. Reported only: the JSON path is the
   reference.
2. The component runtime alone: CPU time per tuple of a real worker process (read from
   /proc, so the host feeding it does not count) for a pass-through BasicBolt (a tuple in,
   an anchored emit and an ack out, pipelined) and a spout (one ``next`` round trip with
   one reliable emit), in JSON, in MessagePack with the msgpack package and with the
   pure-Python codec (the package hidden from the worker). Reported with msgpack / JSON.
3. Java side, when a JDK and Storm 2.8.3 are in petrel's cache: nanoseconds per tuple for
   Storm's JsonSerializer and PetrelMsgpackSerializer (one BoltMsg written, an emit and an
   ack read, in memory). Reported as JSON / msgpack.
"""

from __future__ import annotations

import functools
import os
import select
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


PASS_BOLT = """
from petrel import storm
from petrel.emitter import BasicBolt

class PassBolt(BasicBolt):
    def declareOutputFields(self):
        return ["sentence"]

    def process(self, tup):
        storm.emit([tup.values[0]])

def run():
    PassBolt().run()
"""
COUNT_SPOUT = """
from petrel import storm
from petrel.emitter import Spout

class CountSpout(Spout):
    def declareOutputFields(self):
        return ["sentence"]

    def initialize(self, conf, context):
        self.n = 0

    def nextTuple(self):
        self.n += 1
        storm.emit(["the cow jumped over the moon"], id=self.n)

def run():
    CountSpout().run()
"""
SENTENCE = "the cow jumped over the moon"
CPU_TUPLES = 200_000
CPU_ROUND_TRIPS = 50_000
CPU_ROUNDS = 3
MAX_PENDING = 1000


class Wire:
    """One format's framing, as the host writes and recognises messages."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.msgpack = name != "json"
        self.frame = (msgpack_codec.packb if self.msgpack
                      else lambda m: protocol.fast_dumps(m, None, protocol.FAST_OPTIONS)
                      + protocol.END)
        self.ack_start = (self.frame({"command": "ack", "id": ""})[:-1] if self.msgpack
                          else b'{"command":"ack"')
        self.sync = self.frame({"command": "sync"})
        self.next = self.frame({"command": "next", "id": ""})

    def tuple(self, n: int) -> bytes:
        """A tuple message as Storm's ShellBolt sends it."""
        return self.frame({"id": str(5_000_000_000_000_000_000 + n), "comp": "spout",
                           "stream": "default", "task": 1, "tuple": [SENTENCE]})


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Worker:
    """A component process after the handshake in the wire's format."""

    def __init__(self, module: str, wire: Wire, cwd: Path, hide_msgpack: bool) -> None:
        env = dict(os.environ, PETREL_LOGDIR=str(cwd))
        hidden = cwd / "no_msgpack"
        env["PYTHONPATH"] = os.pathsep.join(([str(hidden)] if hide_msgpack else [])
                                            + [str(_REPO)])
        self.wire = wire
        self.proc = subprocess.Popen([sys.executable, "-m", "petrel.run", module], cwd=cwd,
                                     env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     bufsize=0)
        self.out = self.proc.stdout.fileno()  # type: ignore[union-attr]
        self.inp = self.proc.stdin.fileno()  # type: ignore[union-attr]
        context = {"taskid": 3, "componentid": module,
                   "task->component": {"3": module, "1": "spout"},
                   "stream->outputfields": {"default": ["sentence"]},
                   "source->stream->fields": {"spout": {"default": ["sentence"]}}}
        os.write(self.inp, wire.frame({"conf": {}, "pidDir": str(cwd), "context": context}))
        os.read(self.out, 1 << 16)  # the pid reply

    def pump_bolt(self, count: int) -> None:
        """Feed ``count`` tuples, at most MAX_PENDING unacked, until all are acked."""
        wire, sent, acked, tail, outbuf = self.wire, 0, 0, b"", b""
        pattern = wire.ack_start
        os.set_blocking(self.inp, False)
        while acked < count:
            room = min(MAX_PENDING - (sent - acked), count - sent)
            if room > 0:
                outbuf += b"".join(wire.tuple(n) for n in range(sent, sent + room))
                sent += room
            if outbuf:
                try:
                    outbuf = outbuf[os.write(self.inp, outbuf):]
                except BlockingIOError:
                    pass
            readable, _, _ = select.select([self.out], [self.inp] if outbuf else [], [], 10)
            if readable:
                chunk = tail + os.read(self.out, 1 << 20)
                acked += chunk.count(pattern)
                tail = chunk[-(len(pattern) - 1):]
        os.set_blocking(self.inp, True)

    def pump_spout(self, count: int) -> None:
        """``count`` next/sync round trips."""
        wire = self.wire
        for _ in range(count):
            os.write(self.inp, wire.next)
            data = os.read(self.out, 1 << 16)
            while not data.endswith(wire.sync):
                data += os.read(self.out, 1 << 16)

    def cpu_per(self, pump: Callable[[int], None], count: int) -> float:
        """Microseconds of the worker's CPU per tuple over ``count``."""
        before = _cpu_seconds(self.proc.pid)
        pump(count)
        return (_cpu_seconds(self.proc.pid) - before) / count * 1e6

    def close(self) -> None:
        """Close its stdin and wait for it."""
        self.proc.stdin.close()  # type: ignore[union-attr]
        self.proc.wait(timeout=30)
        self.proc.stdout.close()  # type: ignore[union-attr]


def runtime_cpu() -> None:
    """CPU per tuple of a worker, per format: best of CPU_ROUNDS interleaved rounds."""
    if not Path("/proc/self/stat").exists():
        print("runtime CPU: skipped (needs Linux /proc)")
        return
    variants = [("json", Wire("json"), False)]
    if msgpack_stream.BACKEND == "msgpack":
        variants.append(("msgpack (package)", Wire("msgpack"), False))
    variants.append(("msgpack (pure Python)", Wire("msgpack"), True))
    with tempfile.TemporaryDirectory(prefix="petrel-bench-") as tmp:
        cwd = Path(tmp)
        (cwd / "passbolt.py").write_text(PASS_BOLT)
        (cwd / "countspout.py").write_text(COUNT_SPOUT)
        (cwd / "no_msgpack").mkdir()
        (cwd / "no_msgpack" / "msgpack.py").write_text("raise ImportError('hidden')\n")
        print("runtime alone (worker CPU per tuple, us; best of "
              f"{CPU_ROUNDS} interleaved rounds):")
        for module, pump_name, count in (("passbolt", "pump_bolt", CPU_TUPLES),
                                         ("countspout", "pump_spout", CPU_ROUND_TRIPS)):
            workers = {name: Worker(module, wire, cwd, hide) for name, wire, hide in variants}
            best = {name: float("inf") for name in workers}
            try:
                for worker in workers.values():
                    getattr(worker, pump_name)(2_000)  # warm-up
                for _ in range(CPU_ROUNDS):
                    for name, worker in workers.items():
                        best[name] = min(best[name], worker.cpu_per(
                            getattr(worker, pump_name), count))
            finally:
                for worker in workers.values():
                    worker.close()
            what = "pass-through bolt" if module == "passbolt" else "spout round trip"
            row = [f"{name} {us:.2f}" + ("" if name == "json" else
                                         f" ({us / best['json']:.2f}x json)")
                   for name, us in best.items()]
            print(f"  {what:<17} " + ", ".join(row))


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
    """Print every figure; there is no target to miss yet."""
    python_side()
    runtime_cpu()
    java_side()
    return 0


if __name__ == "__main__":
    sys.exit(main())
