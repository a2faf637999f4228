"""The live dashboard of a local run: ``petrel submit --ui`` serves it in the browser.

The local runner's event loop stays single-threaded: about once a second its timer hands
itself to ``Dashboard.publish``, which builds a snapshot of the run (``snapshot``: rates,
per-task state, latencies; ``events``: the latest errors and, with ``topology.debug``, a
sample of the latest tuples) as plain JSON-able dicts and swaps it into the ``hub``. The
HTTP server (``server``) runs in background threads and serves only what the hub holds:
the page and its assets (``static/``), ``/api/topology``, ``/api/stats`` (the
``--stats-json`` document), ``/api/snapshot`` and ``/api/events`` (server-sent events).
It is read-only and listens on 127.0.0.1 unless told otherwise (``session``).
"""

from __future__ import annotations

from petrel.dashboard.session import Dashboard, start_dashboard

__all__ = ["Dashboard", "start_dashboard"]
