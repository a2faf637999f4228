"""The floor: the least a Python pass-through bolt can do under Storm with MessagePack.

No framework, no checks: read the handshake, then for each input tuple write an anchored
emit of its values and an ack (one write per read), answer heartbeats with a sync. It uses
the msgpack package when importable, else petrel's pure-Python codec.
"""

import os
from collections import deque

try:
    from msgpack import Unpacker, packb
except ImportError:
    from petrel.runtime.msgpack_codec import packb
    from petrel.runtime.msgpack_stream import PythonReader

    class Unpacker:  # the msgpack package's feed-then-iterate interface
        """petrel's stream reader behind the msgpack package's interface."""

        def __init__(self):
            self.reader = PythonReader()
            self.found = deque()

        def feed(self, chunk):
            """Decode what ``chunk`` completes."""
            self.found.extend(self.reader.feed(chunk))

        def __iter__(self):
            return self

        def __next__(self):
            if not self.found:
                raise StopIteration
            return self.found.popleft()


def main():
    """Handshake, then pass every tuple on until Storm closes stdin."""
    unpacker = Unpacker()
    handshake = None
    while handshake is None:
        chunk = os.read(0, 65536)
        if not chunk:
            return
        unpacker.feed(chunk)
        handshake = next(iter(unpacker), None)
    pid = os.getpid()
    open(os.path.join(handshake["pidDir"], str(pid)), "w").close()
    os.write(1, packb({"pid": pid}))
    sync = packb({"command": "sync"})
    while True:
        chunk = os.read(0, 1 << 20)
        if not chunk:
            return
        unpacker.feed(chunk)
        out = []
        for msg in unpacker:
            if msg.get("stream") == "__heartbeat":
                out.append(sync)
                continue
            tuple_id = msg["id"]
            out.append(packb({"command": "emit", "anchors": [tuple_id], "tuple": msg["tuple"],
                              "need_task_ids": False}))
            out.append(packb({"command": "ack", "id": tuple_id}))
        if out:
            os.write(1, b"".join(out))


if __name__ == "__main__":
    main()
