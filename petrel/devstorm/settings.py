"""The cluster directory of ``petrel storm up`` made ready: ``prepare`` and ``conf/storm.yaml``.

One directory holds everything one local cluster owns::

    conf/storm.yaml    the cluster's Storm configuration (daemons and workers read it)
    run/*.pid          one pid file per daemon petrel started
    logs/              daemon logs, and workers-artifacts/ with each worker's logs
    data/              storm.local.dir (Nimbus's blobs, the supervisor's worker dirs)
    zookeeper/         the development ZooKeeper's data
    cluster.json       what ``up`` started: Storm version, home, Java, ports

Its paths, ports and record are ``petrel.cluster.devcluster`` (``--via-storm-cli`` reads the
record too). Every host name written is ``127.0.0.1``: workers,
supervisor and Nimbus find each other over loopback. Storm's own Thrift and ZooKeeper servers
have no bind-address setting and listen on every interface; the UI is bound to loopback.
One setting differs from Storm's defaults: workers report executor statistics every 5 s
instead of every 60 s, so ``petrel status`` shows a new topology's counts at once; and on
Storm 1.x, whose workers need Java 8 to 13, ``worker.childopts`` drops the Java 8-only
GC-logging flags of Storm 1.x's defaults so that a worker starts on Java 9 to 13.
"""

from __future__ import annotations

from typing import Any

import yaml

from petrel.cluster.devcluster import ClusterDir, Ports

LOOPBACK = "127.0.0.1"
STATS_EVERY_SECS = 5
STORM_1_WORKER_CHILDOPTS = ("-Xmx%HEAP-MEM%m -XX:+HeapDumpOnOutOfMemoryError "
                            "-XX:HeapDumpPath=artifacts/heapdump")


def prepare(cluster: ClusterDir, ports: Ports, *, ui: bool, storm_1: bool = False) -> None:
    """Fresh conf, logs, data and ZooKeeper directories, and ``conf/storm.yaml``."""
    for d in (cluster.conf, cluster.run, cluster.logs, cluster.data, cluster.zookeeper):
        d.mkdir(parents=True, exist_ok=True)
    text = storm_yaml(cluster, ports, ui=ui, storm_1=storm_1)
    (cluster.conf / "storm.yaml").write_text(text, encoding="utf-8")


def storm_yaml(cluster: ClusterDir, ports: Ports, *, ui: bool, storm_1: bool = False) -> str:
    """The cluster's ``storm.yaml``: loopback everywhere, this directory's paths and ports."""
    conf: dict[str, Any] = {
        "storm.zookeeper.servers": [LOOPBACK],
        "storm.zookeeper.port": ports.zookeeper,
        "storm.local.hostname": LOOPBACK,
        "storm.local.dir": str(cluster.data),
        "dev.zookeeper.path": str(cluster.zookeeper),
        "nimbus.seeds": [LOOPBACK],
        "nimbus.thrift.port": ports.nimbus,
        "supervisor.thrift.port": ports.supervisor,
        "supervisor.slots.ports": list(ports.slots),
        # Workers send executor statistics to Nimbus every 60 s by default; a development
        # cluster shows them sooner (petrel status, getTopologyInfo).
        "executor.metrics.frequency.secs": STATS_EVERY_SECS,
    }
    if ui:
        conf.update({"ui.host": LOOPBACK, "ui.port": ports.ui})
    if storm_1:
        # Storm 1.x's default worker.childopts hold Java 8 GC-logging flags that Java 9 and
        # newer refuse ("Unrecognized VM option"), so no worker could start.
        conf["worker.childopts"] = STORM_1_WORKER_CHILDOPTS
    head = "# Written by 'petrel storm up'; rewritten at every start.\n"
    return head + yaml.safe_dump(conf, default_flow_style=False, sort_keys=False)
