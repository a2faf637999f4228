"""The handshake and the bolt and spout protocol loops of a component subprocess.

The loops return only by raising: ``ChannelClosed`` when Storm closes the pipes (the normal
end), ``ProtocolError`` when the host sends something that is not the protocol, or
``FatalComponentError`` when ``petrel.on_error: exit`` asks to stop. Each has a plain
version and a profiled version, chosen once at start (the profiled one times every tuple;
it runs only when profile lines or a profile summary are wanted).
"""

from __future__ import annotations

import logging
import os
import time
from typing import Any, Dict, Optional
from typing import Tuple as TypingTuple

from petrel import storm
from petrel.runtime.collector import ProtocolCollector
from petrel.runtime.failures import report_exception
from petrel.runtime.kinds import BASIC_BOLT, BOLT, SPOUT, kind_of
from petrel.runtime.messages import (
    bad_tuple,
    check_setup,
    command_without_id,
    not_a_command,
    show,
    write_pid_file,
)
from petrel.runtime.profiling import BoltProfile, Profile, SpoutProfile
from petrel.runtime.protocol import Channel, ChannelClosed
from petrel.runtime.tuples import HEARTBEAT_STREAM, Tuple

log = logging.getLogger("storm")

SYNC = ProtocolCollector.SYNC   # in JSON; each loop takes its channel's (sync_message)
SYNC_COMMAND = {"command": "sync"}
# While a bolt works through a batch of input, pending output is flushed once this many
# messages wait (so the host can refill its window while we go on), or at the latest this
# long after the previous flush (so a slow bolt still shows Storm acks and signs of life).
FLUSH_MESSAGES = 200
FLUSH_INTERVAL = 0.02
_NO_FIELDS: Dict[str, Any] = {}


def handshake(channel: Channel) -> TypingTuple[Dict[str, Any], Dict[str, Any]]:
    """Read Storm's setup message, create the pid file, reply with our pid (our first output).

    A setup message that is not Storm's (not an object, no ``pidDir``, a ``context`` of the
    wrong type) or a ``pidDir`` where the pid file cannot be created raises ProtocolError.
    """
    pid_dir, conf, context = check_setup(channel.next_message())
    pid = os.getpid()
    # Created before the reply, so the file exists by the time Storm knows the pid.
    write_pid_file(pid_dir, pid)
    channel.send({"pid": pid})
    channel.flush()
    return conf, context


def sync_message(channel: Channel) -> bytes:
    """The framed ``sync`` in the channel's format (JSON: the same bytes as SYNC)."""
    return channel.frame_message(SYNC_COMMAND)


def _tuple_of(msg: Any, fields_for: Any) -> Optional[Tuple]:
    """The tuple in a bolt's message, None for a heartbeat, ProtocolError for anything else."""
    if type(msg) is dict:
        stream = msg.get("stream")
        if stream == HEARTBEAT_STREAM:
            return None
        comp, values, task = msg.get("comp"), msg.get("tuple"), msg.get("task")
        if type(values) is list and type(stream) is str and type(task) is int \
                and (comp is None or type(comp) is str) and "id" in msg and "comp" in msg:
            return Tuple(msg["id"], comp, stream, task, values,
                         fields_for.get(comp, _NO_FIELDS).get(stream))
    raise bad_tuple(msg)


def bolt_loop(component: Any, channel: Channel) -> None:
    """Deliver every tuple to ``component.deliver``; answer heartbeats with ``sync``."""
    queue = channel.queue
    fill = channel.fill
    flush = channel.flush
    write = channel.write
    out = channel.pending
    clock = time.monotonic
    deliver = component.deliver
    fields_for = component._petrel_input_fields
    no_fields = _NO_FIELDS
    make = Tuple
    sync = sync_message(channel)
    flushed = clock()
    while True:
        if not queue:
            fill()
            flushed = clock()
        msg = queue.popleft()
        if type(msg) is not dict:
            raise bad_tuple(msg)
        try:
            stream = msg["stream"]
            if stream == HEARTBEAT_STREAM:
                write(sync)
                continue
            comp = msg["comp"]
            values = msg["tuple"]
            task = msg["task"]
            if type(values) is not list or type(stream) is not str or type(task) is not int \
                    or (comp is not None and type(comp) is not str):
                raise KeyError
            tup = make(msg["id"], comp, stream, task, values,
                       fields_for.get(comp, no_fields).get(stream))
        except KeyError:
            raise bad_tuple(msg) from None
        deliver(tup)
        waiting = len(out)
        if waiting >= FLUSH_MESSAGES or (waiting and clock() - flushed > FLUSH_INTERVAL):
            flush()
            flushed = clock()


def bolt_loop_profiled(component: Any, channel: Channel, profile: BoltProfile) -> None:
    """``bolt_loop`` that also times reading, ``process`` and acking for the profile.

    Two clock readings per tuple (the end of one tuple starts the next one's read time),
    two more around a BasicBolt's automatic ack.
    """
    queue = channel.queue
    collector = component._petrel_collector
    plain_ack = collector.ack
    clock = time.perf_counter
    ack_time = [0.0]

    def timed_ack(tuple_id: Any) -> None:
        start = clock()
        plain_ack(tuple_id)
        ack_time[0] += clock() - start

    collector.ack = timed_ack
    fields_for = component._petrel_input_fields
    sync = sync_message(channel)
    done = flushed = clock()
    try:
        while True:
            if not queue:
                channel.fill()
                flushed = clock()
            tup = _tuple_of(queue.popleft(), fields_for)
            if tup is None:
                channel.write(sync)
                continue
            read_done = clock()
            ack_time[0] = 0.0
            try:
                component.deliver(tup)
            finally:  # also count the tuple that makes the component exit
                now = clock()
                acking = ack_time[0]
                profile.add(read_done - done, now - read_done - acking, acking, now)
            done = now
            waiting = len(channel.pending)
            if waiting >= FLUSH_MESSAGES or (waiting and now - flushed > FLUSH_INTERVAL):
                channel.flush()
                flushed = now
    finally:
        collector.ack = plain_ack


def _spout_dispatch(component: Any) -> Dict[Any, Any]:
    return {
        "next": lambda msg: component.deliver_next(),
        "ack": lambda msg: component.deliver_ack(msg.get("id")),
        "fail": lambda msg: component.deliver_fail(msg.get("id")),
        "activate": lambda msg: component.deliver_activate(),
        "deactivate": lambda msg: component.deliver_deactivate(),
    }


def _handle_spout_message(msg: Any, dispatch: Dict[Any, Any]) -> None:
    """Run one decoded spout command (answered with ``sync``); ProtocolError if not one."""
    if type(msg) is not dict:
        raise not_a_command(msg)
    command = msg.get("command")
    if type(command) is not str:
        raise not_a_command(msg)
    handler = dispatch.get(command)
    if handler is None:
        # Storm's own multilang library ignores a command it does not know, and syncs.
        log.warning("unknown spout command %r ignored: %s", command, show(msg))
    elif command in ("ack", "fail") and "id" not in msg:
        raise command_without_id(command, msg)
    else:
        handler(msg)


# Storm sends these commands as the same bytes every time (their "id" is always ""), so
# the spout loop remembers the raw bytes of each after decoding it once (a few entries at
# most: one per command and key order). ack/fail carry varying ids and are never kept.
MEMO_COMMANDS = ("next", "activate", "deactivate")
MEMO_MAX_BYTES = 100
MEMO_MAX_ENTRIES = 16
SPOUT_READ_SIZE = 64 * 1024


def _memo_command(msg: Any) -> Optional[str]:
    """The command name when ``msg`` is a command without a message id, else None."""
    if type(msg) is dict and msg.get("command") in MEMO_COMMANDS and msg.get("id", "") == "" \
            and len(msg) <= 2 and ("id" in msg or len(msg) == 1):
        return msg["command"]
    return None


def spout_loop(component: Any, channel: Channel) -> None:
    """Answer each command (next, ack, fail, activate, deactivate) and end it with ``sync``.

    A spout's rate is bounded by the round trip (Storm waits for ``sync`` before the next
    command), so this loop does as little as it can: the answer to a command (its emits
    and ``sync``) goes out in one write right before the next read, and a command whose
    bytes were seen before is dispatched by a dict lookup on those bytes, not decoded,
    straight to the user's method (what ``deliver_next`` and friends do, without the call).
    """
    queue = channel.queue
    pending = channel.pending
    partial = channel.partial
    read = os.read
    write = os.write
    out_fd = channel.out_fd
    in_fd = channel.in_fd
    feed = channel.feed
    dispatch = _spout_dispatch(component)
    methods = {"next": component.nextTuple, "activate": component.activate,
               "deactivate": component.deactivate}
    known: Dict[bytes, Any] = {}   # raw bytes of a whole message -> the user's method
    last_chunk, last_method = b"", None
    sync = sync_message(channel)
    storm.set_current(component)  # one component per worker: the only one ever current
    while True:
        if queue:
            _handle_spout_message(queue.popleft(), dispatch)
            pending.append(sync)
            continue
        if pending:
            # Our answer to the previous command. Channel.flush() takes a lock for every
            # write; the owner thread need not while no other thread has ever written
            # (see Channel.owner_writing), and a spout pays this on every round trip.
            channel.owner_writing = True
            if channel.shared:
                channel.owner_writing = False
                channel.flush()
            else:
                try:
                    # As in flush(): a message another thread appends meanwhile stays.
                    n = len(pending)
                    data = b"".join(pending)
                    if len(pending) != n:
                        data = b"".join(pending[:n])
                    del pending[:n]
                    written = write(out_fd, data)
                    if written != len(data):
                        channel.write_all(data, written)
                except BrokenPipeError:
                    raise ChannelClosed("stdout closed by the host") from None
                finally:
                    channel.owner_writing = False
        try:
            # A fresh bytes object per read (not the channel's preallocated buffer):
            # commands are small, and 64 KiB stays below malloc's mmap threshold.
            chunk = read(in_fd, SPOUT_READ_SIZE)
        except OSError as exc:
            raise ChannelClosed(f"stdin unreadable ({exc})", channel.partial_bytes()) from None
        if not chunk:
            raise ChannelClosed("stdin closed by the host", channel.partial_bytes())
        if partial:
            feed(chunk)
            continue
        if chunk == last_chunk:  # the same command again (next, next, ...): skip the hash
            method = last_method
        else:
            method = known.get(chunk)
            if method is not None:
                last_chunk, last_method = chunk, method
        if method is not None:
            try:
                method()
            except Exception as exc:
                report_exception(component, method.__name__ + "()", exc)
            pending.append(sync)
            continue
        feed(chunk)
        if len(queue) == 1 and not partial and len(chunk) <= MEMO_MAX_BYTES \
                and len(known) < MEMO_MAX_ENTRIES:
            name = _memo_command(queue[0])
            if name is not None:
                known[chunk] = methods[name]


def spout_loop_profiled(component: Any, channel: Channel, profile: SpoutProfile) -> None:
    """``spout_loop`` that also times reading and user code for the profile (no shortcuts)."""
    queue = channel.queue
    clock = time.perf_counter
    dispatch = _spout_dispatch(component)
    sync = sync_message(channel)
    done = clock()
    while True:
        if not queue:
            channel.fill()
        msg = queue.popleft()
        command = msg.get("command") if type(msg) is dict else None
        read_done = clock()
        try:
            _handle_spout_message(msg, dispatch)
        finally:  # also count the command that makes the component exit
            now = clock()
            spent = now - read_done
            if command == "next":
                profile.add(read_done - done, spent, 0.0, now)
            elif command in ("ack", "fail"):
                profile.add(read_done - done, 0.0, spent, now)
            else:
                profile.add(read_done - done, 0.0, 0.0, now, spent)
        channel.write(sync)
        done = now


def new_profile(component: Any, log_lines: bool) -> Profile:
    """The profile that fits the component (spout, bolt, BasicBolt)."""
    kind = kind_of(component)
    if kind == SPOUT:
        return SpoutProfile(log_lines=log_lines)
    return BoltProfile(kind == BASIC_BOLT, log_lines=log_lines)


def run_loop(component: Any, channel: Channel, profile: Optional[Profile] = None) -> None:
    """Run the loop that fits the component (spout or bolt), timed when given a profile."""
    kind = kind_of(component)
    if kind == SPOUT:
        if isinstance(profile, SpoutProfile):
            spout_loop_profiled(component, channel, profile)
        else:
            spout_loop(component, channel)
    elif kind in (BOLT, BASIC_BOLT):
        if isinstance(profile, BoltProfile):
            bolt_loop_profiled(component, channel, profile)
        else:
            bolt_loop(component, channel)
    else:
        raise TypeError(f"{type(component).__name__} is neither a petrel Spout nor a Bolt")
