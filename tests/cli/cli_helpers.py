"""Running ``python -m petrel.cli`` as a user would, on this checkout."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Optional

REPO = Path(__file__).resolve().parents[2]


def cli_env(**extra: str) -> Dict[str, str]:
    """The environment of a ``python -m petrel.cli`` subprocess: this checkout, no debug."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PETREL_")}
    env["PYTHONPATH"] = str(REPO)
    env.update(extra)
    return env


def cli_argv(*args: str) -> List[str]:
    """``python -m petrel.cli ARGS``."""
    return [sys.executable, "-m", "petrel.cli", *args]


def petrel_cli(*args: str, cwd: Optional[Path] = None,
               **env: str) -> subprocess.CompletedProcess[str]:
    """Run ``python -m petrel.cli ARGS`` to its end and capture its output."""
    return subprocess.run(cli_argv(*args), cwd=cwd, env=cli_env(**env), capture_output=True,
                          text=True, timeout=120)
