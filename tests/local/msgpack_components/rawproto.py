"""rawproto's MessagePack twin: the same helpers for the runner's test components, speaking
MessagePack (``petrel.serializer: msgpack``). A test copies it over rawproto.py, so the raw
test components (raw_spout.py, raw_bolt.py) run unchanged in either format.
"""

import json
import os
import sys

from petrel.runtime.msgpack_stream import new_reader, packb

_out = sys.stdout.buffer
_reader = new_reader()
_queue = []


def read_message():
    """Read one message (a dict, or a list of task ids); None at EOF."""
    while not _queue:
        chunk = os.read(0, 65536)
        if not chunk:
            return None
        _queue.extend(_reader.feed(chunk))
    return _queue.pop(0)


def send(msg):
    """Write one message and flush."""
    _out.write(packb(msg))
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
            json.dump(setup, f, default=repr)
    return setup["conf"], setup["context"]
