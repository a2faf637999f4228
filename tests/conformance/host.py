"""A small stand-in for Storm's ShellBolt/ShellSpout: starts a component, speaks the host side.

It reads the component's output the way Storm's ``JsonSerializer`` does (lines ended by
``\\n``, ``\\r\\n`` or ``\\r``; a line exactly ``end`` ends a message; earlier lines joined
with ``\\n`` and parsed as one JSON object) and treats what Storm treats as fatal as an
error (``HostError``). Used by the conformance tests and the benchmarks; it runs any
multilang component (petrel, pystorm, Storm's storm.py).
"""

from __future__ import annotations

import json
import os
import random
import selectors
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence

REPO = Path(__file__).resolve().parents[2]

# Interpreters the worker runtime must support, by label.
INTERPRETERS = {
    "default": sys.executable,
    "py3.9": "/root/.pyenv/versions/3.9.18/bin/python",
    "py3.13": "/root/.pyenv/versions/3.13.0/bin/python",
}

END_LINE = "end"

# The book's logconfig.ini: root at INFO, logger 'storm' at DEBUG (so profiling is on).
BOOK_LOGCONFIG = """
[loggers]
keys=root,storm

[handlers]
keys=hand01

[formatters]
keys=form01

[logger_root]
level=INFO
handlers=hand01

[logger_storm]
qualname=storm
level=DEBUG
handlers=hand01
propagate=0

[handler_hand01]
class=FileHandler
level=DEBUG
formatter=form01
args=(os.getenv('PETREL_LOG_PATH'), 'a')

[formatter_form01]
format=[%(asctime)s][%(name)s][%(levelname)s]%(message)s
datefmt=
class=logging.Formatter
"""


class HostError(Exception):
    """What Storm would treat as fatal: broken pipe, invalid JSON, a non-object message."""


def component_env(extra: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    """The environment for a component: this repo on PYTHONPATH, plus ``extra``."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO)
    env.pop("PETREL_LOGDIR", None)
    env.pop("PETREL_PROFILE", None)
    env.update(extra or {})
    return env


def storm_dumps(obj: Any) -> str:
    """Compact JSON as Storm writes it (raw UTF-8, ``/`` escaped, U+2000-U+20FF escaped)."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("/", "\\/")
    return "".join(f"\\u{ord(c):04x}" if 0x2000 <= ord(c) <= 0x20FF else c for c in text)


def random_id() -> str:
    """A tuple id as ShellBolt makes them: the decimal string of a random signed int64."""
    return str(random.getrandbits(64) - (1 << 63))


def make_context(component_id: str = "comp", task: int = 3,
                 streams: Optional[Dict[str, List[str]]] = None,
                 sources: Optional[Dict[str, Dict[str, List[str]]]] = None) -> Dict[str, Any]:
    """A handshake context with every key Storm 0.10+ sends."""
    streams = {"default": ["word"]} if streams is None else streams
    sources = {} if sources is None else sources
    task_to_component = {"1": "__acker", str(task): component_id}
    for i, source in enumerate(sorted(sources)):
        task_to_component[str(task + 1 + i)] = source
    return {
        "task->component": task_to_component,
        "taskid": task,
        "componentid": component_id,
        "streams": sorted(streams),
        "stream->outputfields": streams,
        "stream->target->grouping": {},
        "source->stream->grouping": {s: {st: {"type": "SHUFFLE"} for st in f}
                                     for s, f in sources.items()},
        "source->stream->fields": sources,
    }


class ComponentProcess:
    """One component subprocess, its pipes, and Storm-style message framing."""

    def __init__(self, argv: Sequence[str], cwd: os.PathLike, env: Optional[Dict[str, str]] = None,
                 timeout: float = 10.0) -> None:
        self.argv = list(argv)
        self.cwd = Path(cwd)
        self.timeout = timeout
        self.proc = subprocess.Popen(self.argv, cwd=str(cwd), env=env or component_env(),
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, bufsize=0)
        self.pid = self.proc.pid
        self._buf = b""
        self._eof = False
        self._stderr: List[bytes] = []
        self._stderr_thread = threading.Thread(target=self._drain_stderr, daemon=True)
        self._stderr_thread.start()
        self._selector = selectors.DefaultSelector()
        self._selector.register(self.proc.stdout, selectors.EVENT_READ)

    @classmethod
    def petrel(cls, module: str, cwd: os.PathLike, python: str = sys.executable,
               env: Optional[Dict[str, str]] = None, timeout: float = 10.0) -> ComponentProcess:
        """``python -m petrel.run <module>`` in ``cwd``, as petrel's launcher ends up running it."""
        return cls([python, "-m", "petrel.run", module], cwd, env, timeout)

    # -- process ---------------------------------------------------------------------------

    def _drain_stderr(self) -> None:
        stream = self.proc.stderr
        while True:
            chunk = stream.read1(65536) if hasattr(stream, "read1") else stream.read(65536)
            if not chunk:
                return
            self._stderr.append(chunk)

    def stderr_text(self) -> str:
        """Everything the component wrote to its original stderr so far."""
        return b"".join(self._stderr).decode("utf-8", "replace")

    def close_stdin(self) -> None:
        """Close the component's stdin, as Storm does when it stops a task."""
        try:
            self.proc.stdin.close()
        except OSError:
            pass

    def wait(self, timeout: Optional[float] = None) -> int:
        """Wait for the process to end; its exit code."""
        rc = self.proc.wait(timeout=self.timeout if timeout is None else timeout)
        self._stderr_thread.join(timeout=2)
        return rc

    def stop(self) -> Optional[int]:
        """Close stdin, give it a moment, then kill: returns the exit code."""
        self.close_stdin()
        try:
            return self.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.wait(timeout=5)

    def __enter__(self) -> ComponentProcess:
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        try:
            self.proc.wait(timeout=5)
        finally:
            for stream in (self.proc.stdin, self.proc.stdout):
                try:
                    stream.close()
                except OSError:
                    pass
            self._selector.close()

    def log_files(self, logdir: Optional[os.PathLike] = None) -> List[Path]:
        """The component log files of this pid (``petrel<pid>_*.log``)."""
        return sorted(Path(logdir or self.cwd).glob(f"petrel{self.pid}_*.log"))

    def log_text(self, logdir: Optional[os.PathLike] = None) -> str:
        """Contents of this process's component log ('' when there is none)."""
        return "".join(p.read_text(encoding="utf-8", errors="replace")
                       for p in self.log_files(logdir))

    # -- writing ---------------------------------------------------------------------------

    def send_raw(self, data: bytes) -> None:
        """Write bytes to the component's stdin (blocking: read replies between large batches,
        or both pipes fill up; ``pump_bolt`` does non-blocking I/O for volume)."""
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def send(self, obj: Any) -> None:
        """Write one message as Storm does: compact JSON, ``\\nend\\n``, flush."""
        self.send_raw((storm_dumps(obj) + "\nend\n").encode("utf-8"))

    # -- reading (Storm's JsonSerializer.readString) -----------------------------------------

    def _more(self, deadline: float) -> None:
        if self._eof:
            raise self._broken()
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not self._selector.select(remaining):
            raise TimeoutError(f"no complete message from the component within "
                               f"{self.timeout} s; have {self._buf[:300]!r}; stderr: "
                               f"{self.stderr_text()[-2000:]}")
        chunk = os.read(self.proc.stdout.fileno(), 1 << 16)
        if not chunk:
            self._eof = True
        self._buf += chunk

    def _broken(self) -> HostError:
        rc = self.proc.poll()
        if rc is None:
            try:
                rc = self.proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                rc = None
        time.sleep(0.05)
        return HostError(f"Pipe to subprocess seems to be broken! No output read. exit code "
                         f"{rc}; currently read output: {self._buf[:300]!r}; stderr: "
                         f"{self.stderr_text()[-4000:]}")

    def _read_line(self, deadline: float) -> str:
        while True:
            buf = self._buf
            nl = buf.find(b"\n")
            cr = buf.find(b"\r")
            if cr != -1 and (nl == -1 or cr < nl):
                if cr + 1 == len(buf) and not self._eof:
                    self._more(deadline)  # a following \n may still come
                    continue
                end = cr + 2 if buf[cr + 1:cr + 2] == b"\n" else cr + 1
                line, self._buf = buf[:cr], buf[end:]
                return line.decode("utf-8")
            if nl != -1:
                line, self._buf = buf[:nl], buf[nl + 1:]
                return line.decode("utf-8")
            self._more(deadline)

    def read_message(self, timeout: Optional[float] = None) -> Any:
        """The next message: a JSON object (or, from the host's view, anything else is fatal)."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        lines = []
        while True:
            line = self._read_line(deadline)
            if line == END_LINE:
                break
            lines.append(line)
        text = "\n".join(lines)
        try:
            msg = json.loads(text)
        except ValueError as exc:
            raise HostError(f"invalid JSON from the component ({exc}): {text[:300]!r}") from None
        if not isinstance(msg, dict):
            raise HostError(f"message is not a JSON object: {text[:300]!r}")
        return msg

    def has_output(self, wait: float = 0.0) -> bool:
        """True if bytes are waiting on the component's stdout (within ``wait`` seconds)."""
        return bool(self._buf) or bool(self._selector.select(wait))

    # -- handshake ---------------------------------------------------------------------------

    def handshake(self, conf: Optional[Dict[str, Any]] = None,
                  context: Optional[Dict[str, Any]] = None,
                  pid_dir: Optional[os.PathLike] = None) -> int:
        """Send the setup message; return the pid from the reply (which must come first)."""
        pid_dir = Path(pid_dir or self.cwd)
        self.send({"conf": conf or {}, "pidDir": str(pid_dir),
                   "context": context or make_context()})
        reply = self.read_message()
        if set(reply) != {"pid"} or not isinstance(reply["pid"], int):
            raise HostError(f"first message is not the pid reply: {reply!r}")
        return reply["pid"]


class BoltHost(ComponentProcess):
    """The ShellBolt side: tuples, heartbeats, ticks, task-id lists."""

    def send_tuple(self, values: List[Any], comp: Optional[str] = "spout",
                   stream: str = "default", task: int = 7, id: Optional[str] = None) -> str:
        """Send a tuple; returns its id (a random int64 as a string unless given)."""
        tuple_id = random_id() if id is None else id
        self.send({"id": tuple_id, "comp": comp, "stream": stream, "task": task,
                   "tuple": values})
        return tuple_id

    def send_heartbeat(self) -> str:
        """Send a heartbeat tuple as ShellBolt does (comp null, task -1, empty tuple)."""
        return self.send_tuple([], comp=None, stream="__heartbeat", task=-1)

    def send_tick(self, freq: int = 1) -> str:
        """Send a tick tuple (``__system``/``__tick``, the frequency as the only value)."""
        return self.send_tuple([freq], comp="__system", stream="__tick", task=-1)

    def send_task_ids(self, ids: List[int]) -> None:
        """Send a task-id list (a bare JSON array)."""
        self.send(ids)

    def messages_until(self, predicate: Callable[[Dict[str, Any]], bool],
                       timeout: Optional[float] = None) -> List[Dict[str, Any]]:
        """Read messages up to and including the first one that matches ``predicate``."""
        out = []
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            msg = self.read_message(timeout=max(0.01, deadline - time.monotonic()))
            out.append(msg)
            if predicate(msg):
                return out


class SpoutHost(ComponentProcess):
    """The ShellSpout side: one command at a time, messages until ``sync``."""

    def command(self, name: str, id: Any = "",
                task_ids: Callable[[Dict[str, Any]], List[int]] = lambda msg: [4]
                ) -> List[Dict[str, Any]]:
        """Send ``{"command": name, "id": id}``; return the messages before ``sync``.

        Like ShellSpout, writes the task-id list right after each non-direct emit unless
        the emit says ``need_task_ids: false``; any command other than emit, log, error
        and sync is fatal ("Unknown command received").
        """
        self.send({"command": name, "id": id})
        out = []
        while True:
            msg = self.read_message()
            command = msg.get("command")
            if command == "sync":
                return out
            if command not in ("emit", "log", "error"):
                raise HostError(f"Unknown command received: {command!r} in {msg!r}")
            if command == "emit" and not msg.get("task") and msg.get("need_task_ids", True):
                self.send(task_ids(msg))
            out.append(msg)


# -- benchmark pumps (pipelined the way ShellBolt feeds a subprocess) -----------------------

def pump_bolt(proc: ComponentProcess, count: int, max_pending: int = 1000,
              value: str = "the cow jumped over the moon") -> Dict[str, float]:
    """Feed ``count`` tuples keeping at most ``max_pending`` unacked; tuples/s and counts.

    Writes are non-blocking and batched, acks are counted as they are read, a heartbeat
    goes out every second (and its sync is expected), and task ids are answered for emits
    that ask for them: the ShellBolt side of a busy bolt.
    """
    import selectors as sel

    try:
        import orjson
        loads = orjson.loads
    except ImportError:  # pragma: no cover
        loads = json.loads
    stdin_fd = proc.proc.stdin.fileno()
    stdout_fd = proc.proc.stdout.fileno()
    os.set_blocking(stdin_fd, False)
    prefix = b'{"id":"'
    suffix = ('","comp":"spout","stream":"default","task":1,"tuple":[' + json.dumps(value)
              + ']}\nend\n').encode()
    heartbeat = b'{"id":"-1","comp":null,"stream":"__heartbeat","task":-1,"tuple":[]}\nend\n'
    selector = sel.DefaultSelector()
    selector.register(stdout_fd, sel.EVENT_READ, "out")
    sent = acked = emitted = failed = syncs = 0
    heartbeats = 0
    outbuf = b""
    rest = b""
    writing = False
    next_heartbeat = time.perf_counter() + 1.0
    started = time.perf_counter()
    base = 5_000_000_000_000_000_000
    while acked + failed < count:
        room = max_pending - (sent - acked - failed)
        if room > 0 and sent < count:
            n = min(room, count - sent)
            outbuf += b"".join(prefix + str(base + i).encode() + suffix
                               for i in range(sent, sent + n))
            sent += n
        now = time.perf_counter()
        if now >= next_heartbeat:
            outbuf += heartbeat
            heartbeats += 1
            next_heartbeat = now + 1.0
        if outbuf:
            try:
                written = os.write(stdin_fd, outbuf)
                outbuf = outbuf[written:]
            except BlockingIOError:
                pass
        want_write = bool(outbuf)
        if want_write != writing:
            if want_write:
                selector.register(stdin_fd, sel.EVENT_WRITE, "in")
            else:
                selector.unregister(stdin_fd)
            writing = want_write
        for key, _ in selector.select(1.0):
            if key.data != "out":
                continue
            chunk = os.read(stdout_fd, 1 << 20)
            if not chunk:
                raise HostError(f"component exited during the benchmark: "
                                f"{proc.stderr_text()[-2000:]}")
            parts = (rest + chunk).split(b"\nend\n")
            rest = parts.pop()
            for part in parts:
                msg = loads(part)
                command = msg.get("command")
                if command == "ack":
                    acked += 1
                elif command == "emit":
                    emitted += 1
                    if not msg.get("task") and msg.get("need_task_ids", True):
                        outbuf += b"[]\nend\n"
                elif command == "fail":
                    failed += 1
                elif command == "sync":
                    syncs += 1
    elapsed = time.perf_counter() - started
    os.set_blocking(stdin_fd, True)
    selector.close()
    return {"tuples": acked + failed, "acked": acked, "failed": failed, "emitted": emitted,
            "heartbeats": heartbeats, "syncs": syncs, "seconds": elapsed,
            "tuples_per_s": (acked + failed) / elapsed}


def pump_spout(proc: ComponentProcess, count: int) -> Dict[str, float]:
    """Send ``count`` ``next`` commands one at a time, reading to ``sync``; round trips/s."""
    try:
        import orjson
        loads = orjson.loads
    except ImportError:  # pragma: no cover
        loads = json.loads
    stdin_fd = proc.proc.stdin.fileno()
    stdout_fd = proc.proc.stdout.fileno()
    next_cmd = b'{"command":"next","id":""}\nend\n'
    emitted = 0
    rest = b""
    started = time.perf_counter()
    for _ in range(count):
        os.write(stdin_fd, next_cmd)
        synced = False
        while not synced:
            chunk = os.read(stdout_fd, 1 << 16)
            if not chunk:
                raise HostError(f"spout exited during the benchmark: "
                                f"{proc.stderr_text()[-2000:]}")
            parts = (rest + chunk).split(b"\nend\n")
            rest = parts.pop()
            for part in parts:
                msg = loads(part)
                command = msg.get("command")
                if command == "sync":
                    synced = True
                elif command == "emit":
                    emitted += 1
                    if not msg.get("task") and msg.get("need_task_ids", True):
                        os.write(stdin_fd, b"[]\nend\n")
    elapsed = time.perf_counter() - started
    return {"round_trips": count, "emitted": emitted, "seconds": elapsed,
            "round_trips_per_s": count / elapsed}
