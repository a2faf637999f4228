"""Talking to a real Storm cluster: Nimbus address resolution, the Thrift client with leader
discovery, jar upload and submission, and the kill/list/status/activate/deactivate/rebalance
commands."""
