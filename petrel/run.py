"""The worker entry point: ``python -m petrel.run <module>`` runs one spout or bolt module.

Storm (through petrel's launcher) starts every petrel task this way, in the topology's
``resources/`` directory. Standard library only; see ``petrel.runtime.worker``.
"""

from __future__ import annotations

import sys

from petrel.runtime.worker import main

if __name__ == "__main__":
    sys.exit(main())
