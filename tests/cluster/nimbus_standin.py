"""A Nimbus stand-in for tests: a real framed binary Thrift server on 127.0.0.1.

It is served from petrel's own IDL (or a variant of it, to imitate other Storm versions)
and checks every call's arguments the way Nimbus does (docs/internals/thrift.md): the
uploaded bytes, the topology's structure, jsonConf, the options. Whatever Nimbus would
reject it rejects with the same exception type; whatever Nimbus would accept but a test
should still notice goes to ``problems``. Run it by hand with
``python3 tests/cluster/nimbus_standin.py --port 6627``.
"""

from __future__ import annotations

import json
import re
import socket
import struct
import threading
import time
import uuid
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, Optional

from thriftpy2.protocol.binary import TBinaryProtocol
from thriftpy2.thrift import TApplicationException, TMessageType, TType
from thriftpy2.transport import TMemoryBuffer

from petrel.topology.thrift import load_idl

MAX_BUFFER_SIZE = 1_048_576
_NAME_RE = re.compile(r"^[^/.:\\]+$")
_INT_KEYS = {"topology.workers": False, "topology.message.timeout.secs": True,
             "topology.max.spout.pending": True, "topology.shellbolt.max.pending": True}


@dataclass
class Running:
    """One topology the stand-in runs."""

    id: str
    name: str
    topology: Any
    conf: dict
    jar: bytes
    status: str
    started: float = field(default_factory=time.time)
    errors: dict = field(default_factory=dict)


class StandInNimbus:
    """A threaded framed-binary Thrift server imitating one Nimbus."""

    def __init__(
        self,
        *,
        reply_idl: Optional[ModuleType] = None,
        version: str = "2.8.4",
        leader: Optional[tuple[str, int]] = None,
        methods_missing: tuple[str, ...] = (),
        max_buffer_size: int = MAX_BUFFER_SIZE,
        kill_delay: Optional[float] = 0.2,
    ) -> None:
        self.idl = load_idl()                    # how requests are decoded
        self.reply_idl = reply_idl or self.idl   # how replies are encoded (version variants)
        self.version = version
        self.leader = leader                     # None: this one is the leader
        self.methods_missing = set(methods_missing)
        self.max_buffer_size = max_buffer_size
        self.kill_delay = kill_delay             # seconds before a killed topology is removed
        self.reject_submit_with: Optional[str] = None   # InvalidTopologyException message
        self.deny: set[str] = set()              # methods refused with AuthorizationException
        self.topologies: dict[str, Running] = {}
        self.uploads: dict[str, bytearray] = {}
        self.finished: set[str] = set()
        self.calls: list[tuple[str, tuple]] = []
        self.frames: list[bytes] = []            # every request payload, as received
        self.chunk_sizes: list[int] = []
        self.problems: list[str] = []            # accepted but wrong; tests assert it is empty
        self.oversize_frames = 0
        self._counter = 0
        self._lock = threading.Lock()
        self._sock: Optional[socket.socket] = None
        self._threads: list[threading.Thread] = []
        self._stop = threading.Event()
        self.port = 0

    # ---------------------------------------------------------------- server

    def start(self, port: int = 0) -> StandInNimbus:
        """Listen on 127.0.0.1 (an ephemeral port by default) and serve in background threads."""
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", port))
        self._sock.listen(16)
        self.port = self._sock.getsockname()[1]
        t = threading.Thread(target=self._accept_loop, daemon=True)
        t.start()
        self._threads.append(t)
        return self

    def stop(self) -> None:
        """Stop accepting and close the listening socket."""
        self._stop.set()
        if self._sock is not None:
            self._sock.close()

    def __enter__(self) -> StandInNimbus:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def address(self) -> str:
        """``127.0.0.1:PORT``."""
        return f"127.0.0.1:{self.port}"

    def _accept_loop(self) -> None:
        assert self._sock is not None
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            t = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            t.start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            while True:
                header = _recv_exact(conn, 4)
                if header is None:
                    return
                size = struct.unpack("!i", header)[0]
                if size < 0 or size > self.max_buffer_size:
                    # Storm <= 2.5 (Thrift <= 0.13) drops such a connection.
                    self.oversize_frames += 1
                    return
                payload = _recv_exact(conn, size)
                if payload is None:
                    return
                self.frames.append(payload)
                reply = self._process(payload)
                conn.sendall(struct.pack("!i", len(reply)) + reply)

    def _process(self, payload: bytes) -> bytes:
        iprot = TBinaryProtocol(TMemoryBuffer(payload), strict_read=False)
        out = TMemoryBuffer()
        oprot = TBinaryProtocol(out, strict_write=True)
        name, mtype, seqid = iprot.read_message_begin()
        if mtype != TMessageType.CALL:
            self.problems.append(f"message type {mtype} for {name}")
        service = self.idl.Nimbus
        handler = getattr(self, "h_" + name, None)
        if name not in service.thrift_services or name in self.methods_missing or handler is None:
            iprot.skip(TType.STRUCT)
            exc = TApplicationException(TApplicationException.UNKNOWN_METHOD,
                                        f"Invalid method name: '{name}'")
            return self._exception(oprot, out, name, seqid, exc)
        args = getattr(service, name + "_args")()
        args.read(iprot)
        values = [getattr(args, spec[1]) for _, spec in sorted(args.thrift_spec.items())]
        with self._lock:
            self.calls.append((name, tuple(values)))
        result = getattr(self.reply_idl.Nimbus, name + "_result")()
        try:
            if name in self.deny:
                raise self.idl.AuthorizationException(
                    msg=f"anonymous user is not authorized to {name}")
            success = handler(*values)
        except TApplicationException as exc:
            return self._exception(oprot, out, name, seqid, exc)
        except Exception as exc:  # a declared exception of this method, else INTERNAL_ERROR
            for _, spec in sorted(result.thrift_spec.items()):
                if spec[1] != "success" and type(exc).__name__ == spec[2].__name__:
                    setattr(result, spec[1], spec[2](msg=getattr(exc, "msg", str(exc))))
                    break
            else:
                app = TApplicationException(TApplicationException.INTERNAL_ERROR, str(exc))
                return self._exception(oprot, out, name, seqid, app)
        else:
            if success is not None:
                result.success = success
        oprot.write_message_begin(name, TMessageType.REPLY, seqid)
        result.write(oprot)
        return out.getvalue()

    @staticmethod
    def _exception(oprot: Any, out: Any, name: str, seqid: int, exc: Any) -> bytes:
        oprot.write_message_begin(name, TMessageType.EXCEPTION, seqid)
        exc.write(oprot)
        return out.getvalue()

    # ---------------------------------------------------------------- helpers

    def _require_leader(self) -> None:
        if self.leader is not None:
            host, port = self.leader
            raise TApplicationException(
                TApplicationException.INTERNAL_ERROR,
                f"not a leader, current leader is NimbusInfo{{host='{host}', port={port}, "
                "isLeader=true}",
            )

    def _alive(self, name: str) -> Running:
        with self._lock:
            running = self.topologies.get(name)
        if running is None or running.status == "KILLED":
            raise self.idl.NotAliveException(msg=f"{name} is not alive")
        return running

    def add_running(self, name: str, *, status: str = "ACTIVE", topology: Any = None,
                    conf: Optional[dict] = None, errors: Optional[dict] = None) -> Running:
        """Put a topology in the cluster directly (for list/status/kill tests)."""
        with self._lock:
            self._counter += 1
            tid = f"{name}-{self._counter}-{int(time.time())}"
            running = Running(tid, name, topology or _tiny_topology(self.idl), conf or {}, b"",
                              status, errors=errors or {})
            self.topologies[name] = running
        return running

    # ---------------------------------------------------------------- read calls

    def _nimbus_summary(self, host: str, port: int, is_leader: bool) -> Any:
        return self.reply_idl.NimbusSummary(host=host, port=port, uptime_secs=42,
                                            isLeader=is_leader, version=self.version)

    def h_getLeader(self) -> Any:
        if self.leader is not None:
            return self._nimbus_summary(self.leader[0], self.leader[1], True)
        return self._nimbus_summary("127.0.0.1", self.port, True)

    def h_getClusterInfo(self) -> Any:
        t = self.reply_idl
        nimbuses = [self._nimbus_summary("127.0.0.1", self.port, self.leader is None)]
        if self.leader is not None:
            nimbuses.append(self._nimbus_summary(self.leader[0], self.leader[1], True))
        with self._lock:
            running = list(self.topologies.values())
        summaries = []
        for r in running:
            comps = list(r.topology.spouts.values()) + list(r.topology.bolts.values())
            executors = sum((c.common.parallelism_hint or 1) for c in comps)
            kwargs = dict(id=r.id, name=r.name, num_tasks=executors + 1,
                          num_executors=executors + 1, num_workers=1,
                          uptime_secs=int(time.time() - r.started), status=r.status)
            summaries.append(t.TopologySummary(**_known(t.TopologySummary, kwargs)))
        kwargs = dict(supervisors=[], topologies=summaries, nimbuses=nimbuses)
        return t.ClusterSummary(**_known(t.ClusterSummary, kwargs))

    def h_isTopologyNameAllowed(self, name: str) -> bool:
        with self._lock:
            taken = name in self.topologies
        return bool(_NAME_RE.match(name or "")) and not taken

    def h_getTopologyInfo(self, topology_id: str) -> Any:
        t = self.reply_idl
        with self._lock:
            running = next((r for r in self.topologies.values() if r.id == topology_id), None)
        if running is None:
            raise self.idl.NotAliveException(msg=f"{topology_id} is not alive")
        executors = []
        task = 1
        comps = [(cid, c, "spout") for cid, c in running.topology.spouts.items()]
        comps += [(cid, c, "bolt") for cid, c in running.topology.bolts.items()]
        comps.append(("__acker", None, "bolt"))
        for cid, comp, kind in comps:
            n = (comp.common.parallelism_hint or 1) if comp is not None else 1
            for _ in range(n):
                emitted = {":all-time": {"default": 100, "__ack_init": 7}, "600": {"default": 5}}
                if kind == "spout":
                    specific = t.ExecutorSpecificStats(spout=t.SpoutStats(
                        acked={":all-time": {"default": 90}}, failed={":all-time": {"default": 3}},
                        complete_ms_avg={":all-time": {"default": 1.5}}))
                else:
                    gsid = t.GlobalStreamId(componentId="x", streamId="default")
                    specific = t.ExecutorSpecificStats(bolt=t.BoltStats(**_known(t.BoltStats, dict(
                        acked={":all-time": {gsid: 80}}, failed={":all-time": {gsid: 2}},
                        process_ms_avg={":all-time": {gsid: 0.5}},
                        executed={":all-time": {gsid: 82}}))))
                stats = t.ExecutorStats(**_known(t.ExecutorStats, dict(
                    emitted=emitted, transferred=emitted, specific=specific, rate=1.0)))
                executors.append(t.ExecutorSummary(**_known(t.ExecutorSummary, dict(
                    executor_info=t.ExecutorInfo(task_start=task, task_end=task),
                    component_id=cid, host="127.0.0.1", port=6700, uptime_secs=10,
                    stats=stats))))
                task += 1
        errors = {cid: [t.ErrorInfo(**_known(t.ErrorInfo, e)) for e in errs]
                  for cid, errs in running.errors.items()}
        uptime = int(time.time() - running.started)
        kwargs = dict(id=running.id, name=running.name, uptime_secs=uptime, executors=executors,
                      status=running.status, errors=errors)
        return t.TopologyInfo(**_known(t.TopologyInfo, kwargs))

    # ---------------------------------------------------------------- upload

    def h_beginFileUpload(self) -> str:
        self._require_leader()
        location = f"/var/storm/nimbus/inbox/stormjar-{uuid.uuid4()}.jar"
        with self._lock:
            self.uploads[location] = bytearray()
        return location

    def h_uploadChunk(self, location: str, chunk: bytes) -> None:
        self._require_leader()
        with self._lock:
            if location not in self.uploads or location in self.finished:
                raise TApplicationException(TApplicationException.INTERNAL_ERROR,
                                            "File for that location does not exist (or timed out)")
            self.uploads[location] += chunk
            self.chunk_sizes.append(len(chunk))

    def h_finishFileUpload(self, location: str) -> None:
        self._require_leader()
        with self._lock:
            if location not in self.uploads:
                raise TApplicationException(TApplicationException.INTERNAL_ERROR,
                                            "File for that location does not exist (or timed out)")
            self.finished.add(location)

    # ---------------------------------------------------------------- submit

    def h_submitTopology(self, name: str, location: str, json_conf: str, topology: Any) -> None:
        self.h_submitTopologyWithOpts(name, location, json_conf, topology,
                                      self.idl.SubmitOptions(initial_status=1))

    def h_submitTopologyWithOpts(self, name: str, location: str, json_conf: str,
                                 topology: Any, options: Any) -> None:
        t = self.idl
        self._require_leader()
        if options is None or options.initial_status not in (1, 2):
            raise t.InvalidTopologyException(msg="Submit options must have an initial status")
        if not name or not _NAME_RE.match(name):
            raise t.InvalidTopologyException(msg=f"Topology name must match ^[^/.:\\\\]+$: {name}")
        with self._lock:
            if name in self.topologies:
                raise t.AlreadyAliveException(msg=f"{name} is already alive")
        try:
            conf = json.loads(json_conf)
        except (TypeError, ValueError):
            raise RuntimeError("jsonConf is not JSON") from None
        if not isinstance(conf, dict):
            raise RuntimeError("jsonConf is not a JSON object")
        for key, positive in _INT_KEYS.items():
            value = conf.get(key)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int) or not -2**31 <= value < 2**31:
                raise t.InvalidTopologyException(msg=f"Field {key} must be of type Integer")
            if positive and value <= 0:
                raise t.InvalidTopologyException(msg=f"Field {key} must be a positive integer")
        if self.reject_submit_with:
            raise t.InvalidTopologyException(msg=self.reject_submit_with)
        problem = topology_problem(topology, self.version)
        if problem:
            raise t.InvalidTopologyException(msg=problem)
        with self._lock:
            if location not in self.finished:
                raise RuntimeError(f"uploaded jar {location} does not exist")
            self._counter += 1
            tid = f"{name}-{self._counter}-{int(time.time())}"
            status = "ACTIVE" if options.initial_status == 1 else "INACTIVE"
            self.topologies[name] = Running(tid, name, topology, conf,
                                            bytes(self.uploads[location]), status)

    # ---------------------------------------------------------------- management

    def h_killTopology(self, name: str) -> None:
        self.h_killTopologyWithOpts(name, self.idl.KillOptions())

    def h_killTopologyWithOpts(self, name: str, options: Any) -> None:
        self._require_leader()
        running = self._alive(name)
        running.status = "KILLED"
        delay = self.kill_delay
        if delay is None:
            delay = options.wait_secs if options and options.wait_secs is not None else 30

        def remove() -> None:
            with self._lock:
                if self.topologies.get(name) is running:
                    del self.topologies[name]

        threading.Timer(delay, remove).start()

    def h_activate(self, name: str) -> None:
        self._require_leader()
        self._alive(name).status = "ACTIVE"

    def h_deactivate(self, name: str) -> None:
        self._require_leader()
        self._alive(name).status = "INACTIVE"

    def h_rebalance(self, name: str, options: Any) -> None:
        self._require_leader()
        running = self._alive(name)
        if options is not None:
            if options.num_workers is not None and options.num_workers <= 0:
                raise self.idl.InvalidTopologyException(msg="Number of workers must be positive")
            known = set(running.topology.spouts) | set(running.topology.bolts)
            for comp, n in (options.num_executors or {}).items():
                if comp not in known:
                    raise self.idl.InvalidTopologyException(
                        msg=f"Component {comp} does not exist in topology {name}")
                if n <= 0:
                    raise self.idl.InvalidTopologyException(
                        msg="Number of executors must be positive")
        running.status = "REBALANCING"


# ---------------------------------------------------------------- Nimbus's topology checks


def topology_problem(topo: Any, version: str = "2.8.4") -> Optional[str]:
    """The message Nimbus would put in an InvalidTopologyException, or None."""
    if topo is None or topo.spouts is None or topo.bolts is None or topo.state_spouts is None:
        return "Required field spouts/bolts/state_spouts is unset"
    if topo.storm_version is not None and topo.storm_version.split(".")[0] != version.split(".")[0]:
        return (f"Topology submitted with storm version {topo.storm_version} but could not "
                "find a configured compatible version to use")
    ids: list[str] = list(topo.spouts) + list(topo.bolts) + list(topo.state_spouts)
    if len(ids) != len(set(ids)):
        return "Duplicate component ids"
    comps = {**topo.spouts, **topo.bolts}
    for cid, comp in comps.items():
        if cid.startswith("__"):
            return f"{cid} is not a valid component id."
        obj = comp.spout_object if cid in topo.spouts else comp.bolt_object
        members = [m for m in ("serialized_java", "shell", "java_object")
                   if getattr(obj, m, None) is not None]
        if len(members) != 1:
            return f"Component {cid} has {len(members)} ComponentObject members set"
        if obj.shell is not None:
            cmd, script = obj.shell.execution_command, obj.shell.script
            if not cmd or not script or " " in cmd:
                return f"Component {cid}: ShellComponent needs execution_command and script"
        common = comp.common
        if common is None or common.inputs is None or common.streams is None:
            return f"Component {cid}: ComponentCommon.inputs and streams are required"
        if common.parallelism_hint is not None and common.parallelism_hint <= 0:
            return f"Component {cid}: parallelism hint must be positive"
        if common.json_conf is not None:
            try:
                if not isinstance(json.loads(common.json_conf), dict):
                    raise ValueError
            except ValueError:
                return f"Component {cid}: json_conf is not a JSON object"
        for sid, info in common.streams.items():
            if sid.startswith("__"):
                return f"{sid} is not a valid stream id."
            if info.output_fields is None or info.direct is None:
                return f"Component {cid}: StreamInfo fields are required"
        if cid in topo.spouts and common.inputs:
            return "May not declare inputs for a spout"
    for cid, comp in comps.items():
        for gsid, grouping in comp.common.inputs.items():
            src = comps.get(gsid.componentId)
            if src is None:
                return (f"Component: [{cid}] subscribes from non-existent component "
                        f"[{gsid.componentId}]")
            if gsid.streamId not in src.common.streams:
                return (f"Component: [{cid}] subscribes from non-existent stream: "
                        f"[{gsid.streamId}] of component [{gsid.componentId}]")
            members = [m for m in ("fields", "shuffle", "all", "none", "direct", "custom_object",
                                   "custom_serialized", "local_or_shuffle")
                       if getattr(grouping, m, None) is not None]
            if len(members) != 1:
                return f"Component {cid}: a Grouping must have exactly one member, has {members}"
            if grouping.fields:
                declared = {f for s in src.common.streams.values() for f in s.output_fields}
                missing = [f for f in grouping.fields if f not in declared]
                if missing:
                    return (f"Component: [{cid}] subscribes from stream: [{gsid.streamId}] of "
                            f"component [{gsid.componentId}] with non-existent fields: {missing}")
    return None


def _tiny_topology(t: ModuleType) -> Any:
    stream = {"default": t.StreamInfo(output_fields=["word"], direct=False)}
    spout = t.SpoutSpec(
        spout_object=t.ComponentObject(shell=t.ShellComponent("python3", "spout.py")),
        common=t.ComponentCommon(inputs={}, streams=stream, parallelism_hint=1))
    gsid = t.GlobalStreamId(componentId="spout", streamId="default")
    bolt = t.Bolt(
        bolt_object=t.ComponentObject(shell=t.ShellComponent("python3", "count.py")),
        common=t.ComponentCommon(inputs={gsid: t.Grouping(fields=["word"])}, streams={},
                                 parallelism_hint=2))
    return t.StormTopology(spouts={"spout": spout}, bolts={"count": bolt}, state_spouts={})


def _known(cls: type, kwargs: dict) -> dict:
    """Only the fields ``cls`` declares (variant IDLs lack some)."""
    names = {spec[1] for spec in cls.thrift_spec.values()}
    return {k: v for k, v in kwargs.items() if k in names}


def _recv_exact(conn: socket.socket, n: int) -> Optional[bytes]:
    buf = b""
    while len(buf) < n:
        try:
            chunk = conn.recv(n - len(buf))
        except OSError:
            return None
        if not chunk:
            return None
        buf += chunk
    return buf


if __name__ == "__main__":  # pragma: no cover - manual use
    import argparse

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=6627)
    ns = parser.parse_args()
    server = StandInNimbus()
    server.start(ns.port)
    print(f"stand-in Nimbus on {server.address} (Ctrl+C to stop)")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()
