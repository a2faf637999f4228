"""Minimal multilang helpers for the runner's test components (not petrel's runtime).

conf ``test.compact``: write compact JSON, byte for byte as petrel's runtime does (the
runner's quick paths), instead of ``json.dumps``'s spaced output (its general path).
conf ``test.profile``: at exit, write this value as the profile summary the runner asks for
in ``PETREL_PROFILE_SUMMARY`` (a dict is written as JSON, a string as it is).
"""

import atexit
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


_separators = None


def send(msg):
    """Write one message and flush."""
    _out.write(json.dumps(msg, separators=_separators).encode() + b"\nend\n")
    _out.flush()


def _write_profile(value):
    path = os.environ.get("PETREL_PROFILE_SUMMARY")
    if path:
        with open(path, "w") as f:
            f.write(value if isinstance(value, str) else json.dumps(value))


def handshake():
    """Answer the setup message; returns (conf, context)."""
    setup = read_message()
    pid = os.getpid()
    send({"pid": pid})
    open(os.path.join(setup["pidDir"], str(pid)), "w").close()
    global _separators
    if setup["conf"].get("test.compact"):
        _separators = (",", ":")
    if "test.profile" in setup["conf"]:
        atexit.register(_write_profile, setup["conf"]["test.profile"])
    dump = setup["conf"].get("test.dump")
    if dump:
        with open(f"{dump}.{setup['context']['taskid']}", "w") as f:
            json.dump(setup, f)
    return setup["conf"], setup["context"]
