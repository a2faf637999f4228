"""A reliable spout: emits ids 0..N-1 once each, replays failed ids, records acks to a file.

With ``test.spout.task_ids`` it asks for task ids and waits for them before its ``sync``, as
Storm's storm.py does (commands arriving meanwhile are kept for later). With
``test.spout.die_after_acks: N`` its first process SIGKILLs itself right after recording its
Nth ack, before the ``sync`` that confirms it; with ``test.spout.skip_acked`` a restarted
process does not emit again the ids an earlier one recorded as acked.
"""

import os
import signal
import time

from rawproto import handshake, read_message, send

conf, context = handshake()
count = conf.get("test.count", 100)
record = conf.get("test.record")
words = conf.get("test.words", ["the cow jumped over the moon"])
rate_sleep = conf.get("test.spout.sleep", 0)
want_ids = bool(conf.get("test.spout.task_ids", False))
waiting = []   # commands that arrived while the spout waited for its task ids
log = open(f"{record}.{context['taskid']}", "a") if record else None
todo = list(range(count))
if conf.get("test.spout.skip_acked") and record:
    with open(f"{record}.{context['taskid']}") as earlier:
        acked = {int(line.split()[1]) for line in earlier if line.startswith("ack ")}
    todo = [i for i in todo if i not in acked]
todo.reverse()
die_after = conf.get("test.spout.die_after_acks")
died_marker = f"{record}.{context['taskid']}.died"
acks_seen = 0
while True:
    msg = waiting.pop(0) if waiting else read_message()
    if msg is None:
        break
    cmd = msg["command"]
    if cmd == "next" and log and conf.get("test.log.next"):
        log.write(f"next - {time.time()}\n")
        log.flush()
    if cmd == "next":
        if todo:
            i = todo.pop()
            send({"command": "emit", "id": i, "tuple": [words[i % len(words)]],
                  "need_task_ids": want_ids})
            while want_ids:
                reply = read_message()
                if reply is None or isinstance(reply, list):
                    break
                waiting.append(reply)
            if log:
                log.write(f"emit {i} {time.time()}\n")
                log.flush()
            if rate_sleep:
                time.sleep(rate_sleep)
        else:
            time.sleep(0.001)
    elif cmd == "ack":
        if log:
            log.write(f"ack {msg['id']} {time.time()}\n")
            log.flush()
        acks_seen += 1
        if die_after and acks_seen >= die_after and not os.path.exists(died_marker):
            open(died_marker, "w").close()
            os.kill(os.getpid(), signal.SIGKILL)   # the ack was received, never confirmed
    elif cmd == "fail":
        if log:
            log.write(f"fail {msg['id']} {time.time()}\n")
            log.flush()
        todo.append(msg["id"])
    elif cmd in ("activate", "deactivate") and log:
        log.write(f"{cmd} - {time.time()}\n")
        log.flush()
    if conf.get("test.spout.misbehave") and cmd == "next":
        send({"command": "ack", "id": 1})
    send({"command": "sync"})
