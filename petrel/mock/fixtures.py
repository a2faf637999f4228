"""pytest fixtures for petrel.mock: ``mock_task`` and ``mock_topology``.

Make them available to a test directory with one line in its conftest.py::

    from petrel.mock.fixtures import mock_task, mock_topology  # noqa: F401

(or ``pytest_plugins = ["petrel.mock.fixtures"]`` in the rootdir's conftest.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterator, List, Optional

import pytest

from petrel.mock.errors import MockError
from petrel.mock.results import TopologyResult
from petrel.mock.task import MockTask
from petrel.mock.topology import run_topology


@pytest.fixture
def mock_task() -> Iterator[Callable[..., MockTask]]:
    """``mock_task(component, config=None, **options)`` -> a started MockTask.

    Every task made is closed after the test (``petrel.storm`` gets its previous
    component back).
    """
    made: List[MockTask] = []

    def make(component: Any, config: Any = None, **options: Any) -> MockTask:
        task = MockTask(component, config, **options)
        made.append(task)
        return task

    yield make
    for task in reversed(made):
        task.close()


def find_topology_dir(start: Path) -> Optional[Path]:
    """The nearest directory holding create.py, from ``start`` upwards."""
    for directory in [start, *start.parents]:
        if (directory / "create.py").is_file():
            return directory
    return None


@pytest.fixture
def mock_topology(request: pytest.FixtureRequest) -> Callable[..., TopologyResult]:
    """``mock_topology(spout_data=None, **options)`` -> ``mock.run_topology`` of the topology
    whose create.py is nearest above the test file (``definition=`` picks another)."""
    test_dir = Path(str(request.node.fspath)).resolve().parent

    def run(spout_data: Any = None, definition: Any = None, **options: Any) -> TopologyResult:
        if definition is None:
            definition = find_topology_dir(test_dir)
            if definition is None:
                raise MockError(f"no create.py in {test_dir} or above; pass definition=")
        return run_topology(definition, spout_data, **options)

    return run
