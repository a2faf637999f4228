"""``petrel storm up | status | down | logs``: a real Apache Storm on this machine.

Storm's own jars come from Maven (``org.apache.storm``) and are laid out as Storm's binary
distribution lays them out (``lib/``, ``lib-worker/``, ``lib-webapp/``, ``log4j2/``), cached
per version; then Storm's own main classes run as background JVMs: the development
ZooKeeper, Nimbus, one Supervisor and the UI. Nothing here is a stand-in for Storm.

Layers, each importing only those above it in this list:

- ``versions``: Storm version numbers, series and the Java each needs.
- ``java``: finding a ``java`` and ``mvn`` that fit.
- ``maven``: resolving Storm's artifacts into directories with Maven.
- ``home``: a Storm home (laid out from Maven into the cache, or the user's own ``--home``).
- ``settings``: the cluster directory made ready, its ``conf/storm.yaml`` (the directory's
  paths, ports and record, ``cluster.json``, are ``petrel.cluster.devcluster``).
- ``daemons``: starting, recognising and stopping one daemon by its pid file.
- ``cluster``: ``up``, ``status`` and ``down`` of the whole cluster.
- ``command``: the CLI handlers.
"""
