"""A configurable bolt: split words (anchored), count, or misbehave on purpose.

conf["test.mode." + component id] picks the behaviour; other conf keys tune it.
"""

import os
import signal
import sys
import time

from rawproto import handshake, send
from rawproto import read_message as _read

pending = []


def first_time(marker):
    """True for exactly one task of the run (the marker file is created atomically)."""
    if not marker:
        return False
    try:
        os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return False
    return True


def read_message():
    """The next command, buffered ones first (they arrived while we waited for task ids)."""
    return pending.pop(0) if pending else _read()


def read_task_ids():
    """Read until a task-id list arrives, keeping everything else for later."""
    while True:
        msg = _read()
        if isinstance(msg, list):
            return msg
        pending.append(msg)


conf, context = handshake()
cid = context["componentid"]
mode = conf.get("test.mode." + cid, "split")
seen = 0
counts = {}
record = conf.get("test.record")
log = open(f"{record}.{cid}.{context['taskid']}", "a") if record else None
while True:
    msg = read_message()
    if msg is None:
        break
    if isinstance(msg, list):
        continue
    if msg["stream"] == "__heartbeat":
        if log:
            log.write(f"heartbeat {msg['comp']} {msg['task']} {msg['tuple']}\n")
            log.flush()
        if mode == "ack_heartbeat":
            send({"command": "ack", "id": msg["id"]})
        send({"command": "sync"})
        continue
    if msg["stream"] == "__tick":
        if log:
            log.write(f"tick {msg['tuple'][0]} {msg['comp']} {msg['task']}\n")
            log.flush()
        send({"command": "ack", "id": msg["id"]})
        continue
    seen += 1
    if log and mode != "split":
        log.write(f"tuple {msg['tuple']!r}\n")
        log.flush()
    if mode == "split":
        for w in msg["tuple"][0].split():
            send({"command": "emit", "anchors": [msg["id"]], "tuple": [w],
                  "need_task_ids": False})
        send({"command": "ack", "id": msg["id"]})
    elif mode == "count":
        w = msg["tuple"][0]
        counts[w] = counts.get(w, 0) + 1
        send({"command": "emit", "anchors": [msg["id"]], "tuple": [w, counts[w]],
              "need_task_ids": False})
        send({"command": "ack", "id": msg["id"]})
    elif mode == "sink":
        send({"command": "ack", "id": msg["id"]})
    elif mode == "double_ack":
        send({"command": "ack", "id": msg["id"]})
        send({"command": "ack", "id": msg["id"]})
    elif mode == "garbage_once":
        if seen == 5 and first_time(conf.get("test.marker")):
            sys.stdout.write("this is not json\nend\n")
            sys.stdout.flush()
        send({"command": "ack", "id": msg["id"]})
    elif mode == "suicide_once":
        if seen == 5 and first_time(conf.get("test.marker")):
            os.kill(os.getpid(), signal.SIGKILL)
        send({"command": "ack", "id": msg["id"]})
    elif mode == "suicide_thrice":
        # the first three processes die at their fifth tuple (markers .1 .2 .3)
        if seen == 5 and any(first_time(f"{conf.get('test.marker')}.{n}") for n in (1, 2, 3)):
            os.kill(os.getpid(), signal.SIGKILL)
        send({"command": "ack", "id": msg["id"]})
    elif mode == "stop_once":
        if seen == 5 and first_time(conf.get("test.marker")):
            os.kill(os.getpid(), signal.SIGSTOP)
        send({"command": "ack", "id": msg["id"]})
    elif mode == "task_ids":
        send({"command": "emit", "anchors": [msg["id"]], "tuple": msg["tuple"]})
        ids = read_task_ids()
        if log:
            log.write(f"ids {ids!r}\n")
            log.flush()
        send({"command": "ack", "id": msg["id"]})
    elif mode == "bad_stream":
        send({"command": "emit", "stream": "nope", "tuple": [1]})
    elif mode == "bad_arity":
        send({"command": "emit", "tuple": [1, 2, 3]})
    elif mode == "error_cmd":
        send({"command": "error", "msg": "boom"})
        send({"command": "reset_timeout", "id": msg["id"]})
        send({"command": "ack", "id": msg["id"]})
    elif mode == "direct":
        target = conf["test.direct.target"]
        send({"command": "emit", "stream": "direct", "task": target, "tuple": msg["tuple"],
              "anchors": msg["id"]})
        send({"command": "ack", "id": msg["id"]})
    elif mode == "regular_on_direct":
        send({"command": "emit", "stream": "direct", "tuple": msg["tuple"]})
    elif mode == "noack":
        pass
    elif mode == "slow":
        time.sleep(conf.get("test.slow", 0.01))
        send({"command": "ack", "id": msg["id"]})
