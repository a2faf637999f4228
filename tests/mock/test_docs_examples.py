"""Every ```python block of docs/testing.md runs, in order, and its test functions pass."""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from typing import Any, Dict, List

import pytest

from petrel import mock

DOC = Path(__file__).resolve().parents[2] / "docs" / "testing.md"
_BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def doc_blocks() -> List[str]:
    """The python blocks of docs/testing.md."""
    return _BLOCK.findall(DOC.read_text(encoding="utf-8"))


def test_the_page_has_examples() -> None:
    assert len(doc_blocks()) >= 6


def test_docs_examples_run() -> None:
    namespace: Dict[str, Any] = {"__name__": "testing_md"}
    for number, block in enumerate(doc_blocks(), start=1):
        code = compile(block, f"docs/testing.md block {number}", "exec")
        exec(code, namespace)
    tests = {name: f for name, f in namespace.items()
             if name.startswith("test_") and callable(f)}
    assert len(tests) >= 7
    fixtures = {"mock_task": lambda component, config=None, **kw: mock.MockTask(
        component, config, **kw)}
    for name, func in tests.items():
        args = [fixtures[p] for p in inspect.signature(func).parameters]
        try:
            func(*args)
        except Exception:
            pytest.fail(f"docs/testing.md: {name} failed", pytrace=True)
