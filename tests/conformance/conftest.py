"""Fixtures for the protocol conformance tests: interpreters, a topology directory, hosts."""

from __future__ import annotations

import os
import sys
import textwrap
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from host import (  # noqa: E402
    INTERPRETERS,
    BoltHost,
    ComponentProcess,
    SpoutHost,
    component_env,
    make_context,
)


@pytest.fixture(params=list(INTERPRETERS))
def python(request: pytest.FixtureRequest) -> str:
    """Each interpreter the worker runtime supports; skipped (saying which) when absent."""
    path = INTERPRETERS[request.param]
    if not os.path.exists(path):
        pytest.skip(f"interpreter {request.param} ({path}) is not installed on this machine")
    return path


class Workspace:
    """A temporary topology directory (the component's cwd) and the hosts started in it."""

    def __init__(self, root: Path, python: str) -> None:
        self.root = root
        self.python = python
        self.procs: List[ComponentProcess] = []

    def write(self, name: str, source: str) -> Path:
        """Write ``<name>.py`` (or a file with the exact name) with dedented ``source``."""
        path = self.root / (name if "." in name else f"{name}.py")
        path.write_text(textwrap.dedent(source), encoding="utf-8")
        return path

    def _start(self, cls: type, module: str, env: Optional[Dict[str, str]],
               argv: Optional[List[str]]) -> Any:
        argv = argv or [self.python, "-m", "petrel.run", module]
        proc = cls(argv, self.root, component_env(env))
        self.procs.append(proc)
        return proc

    def bolt(self, module: str, env: Optional[Dict[str, str]] = None,
             argv: Optional[List[str]] = None) -> BoltHost:
        """Start ``module`` under the bolt host (no handshake yet)."""
        return self._start(BoltHost, module, env, argv)

    def spout(self, module: str, env: Optional[Dict[str, str]] = None,
              argv: Optional[List[str]] = None) -> SpoutHost:
        """Start ``module`` under the spout host (no handshake yet)."""
        return self._start(SpoutHost, module, env, argv)

    def started_bolt(self, module: str, fields: Optional[List[str]] = None,
                     conf: Optional[Dict[str, Any]] = None,
                     streams: Optional[Dict[str, List[str]]] = None,
                     env: Optional[Dict[str, str]] = None) -> BoltHost:
        """A bolt after the handshake; its input is 'spout' stream 'default' with ``fields``."""
        proc = self.bolt(module, env)
        context = make_context("bolt", 3, streams or {"default": ["word"]},
                               {"spout": {"default": fields or ["word"]}})
        proc.handshake(conf or {}, context)
        return proc

    def started_spout(self, module: str, conf: Optional[Dict[str, Any]] = None,
                      streams: Optional[Dict[str, List[str]]] = None,
                      env: Optional[Dict[str, str]] = None) -> SpoutHost:
        """A spout after the handshake."""
        proc = self.spout(module, env)
        proc.handshake(conf or {}, make_context("spout", 4, streams or {"default": ["word"]}))
        return proc

    def close(self) -> None:
        """Kill whatever is still running."""
        for proc in self.procs:
            proc.__exit__()


@pytest.fixture
def ws(tmp_path: Path, python: str) -> Any:
    """A workspace whose components run under each supported interpreter."""
    workspace = Workspace(tmp_path, python)
    yield workspace
    workspace.close()


@pytest.fixture
def ws_default(tmp_path: Path) -> Any:
    """A workspace for tests that need only the default interpreter."""
    workspace = Workspace(tmp_path, sys.executable)
    yield workspace
    workspace.close()
