"""A bolt that writes ``test.chatty.bytes`` bytes to stderr for every tuple, then acks it.

At start it writes the log rotation settings it was given to the file ``test.env.out``.
"""

import os
import sys

from rawproto import handshake, read_message, send

conf, context = handshake()
size = int(conf.get("test.chatty.bytes", 1000))
if conf.get("test.env.out"):
    with open(conf["test.env.out"], "w") as out:
        out.write(f"{os.environ.get('PETREL_LOG_MAX_BYTES')} "
                  f"{os.environ.get('PETREL_LOG_BACKUPS')}")
while True:
    msg = read_message()
    if msg is None:
        break
    if msg.get("stream") == "__heartbeat":
        send({"command": "sync"})
        continue
    sys.stderr.write("x" * size + "\n")
    sys.stderr.flush()
    send({"command": "ack", "id": msg["id"]})
