"""mongo_citycount's own test set-up: the MongoDB backend (a real server or mongomock) and
the replay file's city mentions (the shared part is topologies/conftest.py)."""

from __future__ import annotations

import os
from typing import Any, Dict, List

import pytest


@pytest.fixture
def city_mentions(sample_texts: List[str]) -> Dict[str, int]:
    """How often the replay file's tweets mention each city (geotext, as the bolt counts)."""
    import collections

    from geocities import CityFinder

    finder = CityFinder()
    return collections.Counter(c for text in sample_texts for c in finder.cities(text))


# -- MongoDB ---------------------------------------------------------------------------------
MONGODB_URL = os.environ.get("PETREL_TEST_MONGODB_URL", "")
MONGO_BACKEND = "mongodb" if MONGODB_URL else "mongomock"
_mongo_used: List[str] = []


class MongoBackend:
    """Where the Mongo tests write: a real server (PETREL_TEST_MONGODB_URL) or mongomock."""

    def __init__(self, kind: str, client: Any, url: str, database: str) -> None:
        self.kind = kind
        self.client = client
        self.url = url
        self.database = database

    def conf(self, **extra: Any) -> Dict[str, Any]:
        """Topology settings pointing the components at this backend."""
        conf = {"mongo_citycount.mongodb_url": self.url,
                "mongo_citycount.database": self.database}
        conf.update(extra)
        return conf

    @property
    def collection(self) -> Any:
        """The cities.minute collection of this test."""
        return self.client[self.database]["minute"]


@pytest.fixture(params=[MONGO_BACKEND])
def mongo(request: Any, monkeypatch: Any) -> Any:
    """A MongoBackend with an empty database; the test id says which backend ran."""
    import uuid

    _mongo_used.append(request.param)
    database = f"petrel_test_{uuid.uuid4().hex[:12]}"
    if request.param == "mongodb":
        import pymongo

        client = pymongo.MongoClient(MONGODB_URL, serverSelectionTimeoutMS=5000)
        backend = MongoBackend("mongodb", client, MONGODB_URL, database)
    else:
        import mongomock
        import pymongo

        client = mongomock.MongoClient()
        backend = MongoBackend("mongomock", client, "mongodb://mongomock.invalid:27017",
                               database)
        # At pymongo itself, not cityminutes.open_client: mock.run_topology imports afresh
        # any topology module the test has not imported itself, and every copy of
        # cityminutes must reach mongomock.
        monkeypatch.setattr(pymongo, "MongoClient", lambda *args, **kwargs: client)
    try:
        yield backend
    finally:
        client.drop_database(database)
        client.close()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say which MongoDB the mongo_citycount tests used."""
    if _mongo_used:
        where = (f"a real MongoDB ({MONGODB_URL})" if MONGO_BACKEND == "mongodb"
                 else "mongomock (set PETREL_TEST_MONGODB_URL to use a real MongoDB)")
        terminalreporter.write_line(f"mongo_citycount: {len(_mongo_used)} tests ran against "
                                    f"{where}")
