"""Talking to a real Storm cluster.

- ``address``: where Nimbus is (``--nimbus``, topology.yaml, storm.yaml).
- ``nimbus``: the Thrift client (one connection); ``nimbus_errors``: what can go wrong;
  ``leader``: finding the leader among the Nimbus seeds.
- ``upload``, ``submission``: uploading the jar and submitting the topology.
- ``commands``: kill, list, status, activate, deactivate, rebalance, and submit NAME.
- ``tables``: the text tables those commands print.
- ``jsonsmart``: the worker option direct emits need on Storm 2.6+.
- ``stormhome``, ``stormcli``: ``--via-storm-cli``, through Storm's own client;
  ``devcluster``: the directory and record of the ``petrel storm up`` cluster it may use.
"""
