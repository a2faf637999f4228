"""A bolt that fails every third tuple it is given and acks the others (MessagePack)."""

from rawproto import handshake, read_message, send

conf, context = handshake()
seen = 0
while True:
    msg = read_message()
    if msg is None:
        break
    if isinstance(msg, list):
        continue
    if msg["stream"] == "__heartbeat":
        send({"command": "sync"})
        continue
    seen += 1
    send({"command": "fail" if seen % 3 == 0 else "ack", "id": msg["id"]})
