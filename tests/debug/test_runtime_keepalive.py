"""The runtime starts the debugger keep-alive for a component that imported rpdb2 itself."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "conformance"))

from host import BoltHost, component_env, make_context  # noqa: E402

BOLT = """
{imports}
import threading
from petrel import storm
from petrel.emitter import BasicBolt

class ThreadsBolt(BasicBolt):
    def declareOutputFields(self):
        return ["keepalive"]

    def process(self, tup):
        names = [t.name for t in threading.enumerate()]
        storm.emit(["petrel-debug-keepalive" in names])

def run():
    ThreadsBolt().run()
"""


def _keep_alive_running(tmp_path: Path, imports: str) -> bool:
    (tmp_path / "threadsbolt.py").write_text(textwrap.dedent(BOLT.format(imports=imports)))
    argv = [sys.executable, "-m", "petrel.run", "threadsbolt"]
    with BoltHost(argv, tmp_path, component_env()) as proc:
        proc.handshake({}, make_context("bolt", 3, {"default": ["keepalive"]},
                                        {"spout": {"default": ["word"]}}))
        proc.send_tuple(["x"])
        emit = proc.messages_until(lambda m: m.get("command") == "emit")[-1]
        assert proc.stop() == 0
        return emit["tuple"][0]


@pytest.mark.skipif(sys.version_info >= (3, 12),
                    reason="a bare 'import rpdb2' fails on Python 3.12+ (no 'imp' module)")
def test_bare_rpdb2_import_starts_the_keep_alive(tmp_path: Path) -> None:
    pytest.importorskip("rpdb2", reason="rpdb2 is installed with the dev extras")
    # the book's way: import rpdb2 at module level, call rpdb2.start_embedded_debugger later
    assert _keep_alive_running(tmp_path, "import rpdb2  # noqa: F401") is True


def test_no_keep_alive_without_a_debugger(tmp_path: Path) -> None:
    assert _keep_alive_running(tmp_path, "") is False
