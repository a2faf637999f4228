"""Minimal multilang helpers for the runner's test components (not petrel's runtime)."""

import json
import os
import sys

_in = sys.stdin.buffer
_out = sys.stdout.buffer


def read_message():
    """Read one message; None at EOF."""
    lines = []
    while True:
        line = _in.readline()
        if not line:
            return None
        line = line.rstrip(b"\r\n")
        if line == b"end":
            break
        lines.append(line)
    return json.loads(b"\n".join(lines))


def send(msg):
    """Write one message and flush."""
    _out.write(json.dumps(msg).encode() + b"\nend\n")
    _out.flush()


def handshake():
    """Answer the setup message; returns (conf, context)."""
    setup = read_message()
    pid = os.getpid()
    send({"pid": pid})
    open(os.path.join(setup["pidDir"], str(pid)), "w").close()
    dump = setup["conf"].get("test.dump")
    if dump:
        with open(f"{dump}.{setup['context']['taskid']}", "w") as f:
            json.dump(setup, f)
    return setup["conf"], setup["context"]
