"""Packaging a topology: manifest.txt, the deterministic jar, and ``petrel build``.

``manifest`` reads manifest.txt, ``contents`` decides what goes under the jar's
``resources/`` (worker runtime, component modules, launcher scripts, config files),
``jar`` writes the zip byte-for-byte reproducibly, and ``command`` ties them together
(``build_topology_jar`` for ``petrel submit``, ``run_build`` for ``petrel build``).
The worker-side counterpart, the launcher that prepares the Python environment on a
Storm worker, is ``petrel.runtime.launcher`` (standard library only).
"""
