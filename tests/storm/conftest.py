"""One real Apache Storm cluster for the whole test session, started with ``petrel storm up``.

The cluster runs Storm's own jars (fetched with Maven on the first run and cached) in a
temporary cluster directory on free ports, so it never meets a developer's own cluster.
``PETREL_TEST_STORM_VERSION`` picks the version (default: the newest 2.8.x that resolves).
Without ``java`` or ``mvn`` the tests skip and say which is missing; ``.ci/run`` installs
both, so CI always runs them.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Iterator

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from storm_helpers import (  # noqa: E402
    VERSION,
    RealStorm,
    missing_tools,
    start_cluster,
    stop_cluster,
)
from storm_report import cluster_report  # noqa: E402


@pytest.fixture(scope="session")
def storm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealStorm]:
    """The session's real Storm cluster."""
    reason = missing_tools()
    if reason:
        pytest.skip(reason)
    cluster = start_cluster(tmp_path_factory.mktemp("storm-cluster"), VERSION)
    yield cluster
    stop_cluster(cluster)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Iterator[None]:
    """A failed test on the session cluster shows the cluster's state and its daemons' logs."""
    outcome = yield
    report = outcome.get_result()
    cluster = getattr(item, "funcargs", {}).get("storm")
    if report.failed and isinstance(cluster, RealStorm):
        report.sections.append(("storm cluster", cluster_report(cluster)))
