"""petrel: Apache Storm topologies in 100% Python.

The package splits into the worker side (``petrel.emitter``, ``petrel.storm``,
``petrel.run`` and ``petrel.runtime``: standard library only, shipped inside every
jar, importable on Python 3.9+) and the developer side (``petrel.cli``,
``petrel.topology``, ``petrel.package``, ``petrel.cluster``, ``petrel.local``,
``petrel.mock``), which needs Python 3.10+ and the packages in pyproject.toml.
Nothing in this file may import the developer side.
"""

__version__ = "2.0.0.dev0"
