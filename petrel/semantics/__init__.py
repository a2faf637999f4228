"""Storm's semantics, shared by the local runner (``petrel.local``) and ``petrel.mock``.

What a Storm worker decides, independent of how tasks are hosted (processes and pipes in
the local runner, in-process calls in the mock):

- ``layout``: task ids, the conf every task sees, each task's topology context;
- ``groupings``: stream groupings and Storm's fields hash (Java ``hashCode``);
- ``routes``: the subscriptions of one stream and the targets of a regular emit;
- ``direct``: which task a direct emit may target;
- ``acker``: the acker's XOR tuple trees, pending trees and message-timeout rotation;
- ``ticks``: which tasks get tick tuples, their schedule and shape;
- ``stats``: the counters and latency samples these feed.

It imports ``petrel.topology`` and ``petrel.runtime`` only, never a host package.
"""
