"""City mentions per minute in MongoDB: upserts into ``cities.minute`` and the hourly report.

Pure Python plus pymongo, no Storm. Each document is ``{hour, minute, city, count}``
(hour and minute are UTC datetimes truncated to the hour and the minute); a unique index
on ``(minute, city)``, created on start, keeps one document per city and minute.

Settings (topology.yaml): ``mongo_citycount.mongodb_url`` (default
``mongodb://localhost:27017``), ``.database`` (``cities``), ``.collection`` (``minute``),
``.connect_timeout_secs`` (3: how long to look for the server before calling it down).
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any, Callable, Dict, List, Optional, Tuple, Type

from storelink import StoreLink, safe_url
from topology_settings import SettingsError

__all__ = ["INDEX_NAME", "MongoCitySettings", "MongoLink", "SettingsError", "ensure_index",
           "hour_and_minute", "hourly_counts", "open_client", "record_mention", "safe_url",
           "utc_now"]

PREFIX = "mongo_citycount."
INDEX_NAME = "minute_city_unique"


class MongoCitySettings:
    """Where the counts go: server URL, database and collection."""

    def __init__(self, conf: Dict[str, Any]) -> None:
        self.mongodb_url = conf.get(PREFIX + "mongodb_url", "mongodb://localhost:27017")
        if not isinstance(self.mongodb_url, str) or not self.mongodb_url.startswith(
                ("mongodb://", "mongodb+srv://")):
            raise SettingsError(f"{PREFIX}mongodb_url in topology.yaml must be a URL like "
                                f"mongodb://localhost:27017, got {self.mongodb_url!r}")
        self.database = _name(conf, "database", "cities")
        self.collection = _name(conf, "collection", "minute")
        self.connect_timeout_secs = conf.get(PREFIX + "connect_timeout_secs", 3)
        if isinstance(self.connect_timeout_secs, bool) or not isinstance(
                self.connect_timeout_secs, (int, float)) or self.connect_timeout_secs <= 0:
            raise SettingsError(f"{PREFIX}connect_timeout_secs in topology.yaml must be a "
                                f"number of seconds > 0, got {self.connect_timeout_secs!r}")

    def __repr__(self) -> str:
        return (f"MongoCitySettings(mongodb_url={safe_url(self.mongodb_url)!r}, "
                f"database={self.database!r}, collection={self.collection!r}, "
                f"connect_timeout_secs={self.connect_timeout_secs})")


def _name(conf: Dict[str, Any], key: str, default: str) -> str:
    value = conf.get(PREFIX + key, default)
    if not isinstance(value, str) or not value or any(c in value for c in ' $/\\."'):
        raise SettingsError(f"{PREFIX}{key} in topology.yaml must be a plain name like "
                            f"{default!r}, got {value!r}")
    return value


def utc_now() -> dt.datetime:
    """The current UTC time as a naive datetime (how pymongo returns stored dates)."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def hour_and_minute(when: dt.datetime) -> Tuple[dt.datetime, dt.datetime]:
    """``when`` truncated to its hour and to its minute."""
    minute = when.replace(second=0, microsecond=0)
    return minute.replace(minute=0), minute


def ensure_index(collection: Any) -> None:
    """The unique index on (minute, city); creating it again is harmless."""
    collection.create_index([("minute", 1), ("city", 1)], unique=True, name=INDEX_NAME)


def record_mention(collection: Any, city: str, when: dt.datetime,
                   duplicate_key_error: Type[BaseException] = Exception) -> None:
    """``$inc`` the count of ``city`` for the minute of ``when``, creating the document."""
    hour, minute = hour_and_minute(when)
    key = {"hour": hour, "minute": minute, "city": city}
    try:
        collection.update_one(key, {"$inc": {"count": 1}}, upsert=True)
    except duplicate_key_error:
        # Two tasks inserted the same (minute, city) at once; the document exists now.
        collection.update_one(key, {"$inc": {"count": 1}}, upsert=True)


def hourly_counts(collection: Any, since: Optional[dt.datetime] = None
                  ) -> List[Tuple[dt.datetime, str, int]]:
    """``(hour, city, mentions)`` summed over each hour's minutes: hours in order, then
    cities by mentions (most first) and name."""
    pipeline: List[Dict[str, Any]] = []
    if since is not None:
        pipeline.append({"$match": {"hour": {"$gte": since}}})
    pipeline.append({"$group": {"_id": {"hour": "$hour", "city": "$city"},
                                "count": {"$sum": "$count"}}})
    rows = [(d["_id"]["hour"], d["_id"]["city"], int(d["count"]))
            for d in collection.aggregate(pipeline)]
    rows.sort(key=lambda r: (r[0], -r[2], r[1]))
    return rows


class MongoLink(StoreLink):
    """MongoDB, allowed to be down (see ``storelink.StoreLink``): ``get()`` returns the
    collection, with its unique index made."""

    store = "MongoDB"

    def __init__(self, settings: MongoCitySettings, retry_secs: float = 5.0,
                 on_down: Optional[Callable[[str], None]] = None,
                 connect: Optional[Callable[[MongoCitySettings], Any]] = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(settings.mongodb_url, retry_secs, on_down, clock)
        self.settings = settings
        self._connect = connect or open_client
        # The duplicate-key exception, raised when two tasks insert one (minute, city).
        self.duplicate_key_error: Type[BaseException] = KeyError
        try:
            import pymongo.errors
        except ImportError:
            if connect is None:
                raise ImportError(
                    "this topology needs pymongo: it is listed in requirements.txt (which the "
                    "worker installs); for a local run with --venv self, run 'pip install "
                    "pymongo'") from None
        else:
            self.errors = (pymongo.errors.PyMongoError, OSError)
            self.duplicate_key_error = pymongo.errors.DuplicateKeyError

    def open(self) -> Any:
        """The collection of the settings, with the unique (minute, city) index."""
        client = self._connect(self.settings)
        collection = client[self.settings.database][self.settings.collection]
        ensure_index(collection)
        return collection

    def fix(self) -> str:
        """Start the server, or point the topology elsewhere."""
        return f"start mongod there or set {PREFIX}mongodb_url in topology.yaml"

    def first_line(self, exc: BaseException) -> str:
        """pymongo's server-selection errors append timeouts and a topology dump: the cause."""
        text = str(exc).split(" (configured timeouts", 1)[0].split(", Timeout: ", 1)[0]
        return text.splitlines()[0][:200] if text else ""


def open_client(settings: MongoCitySettings) -> Any:
    """A pymongo client for the settings' URL, checked with a ping."""
    import pymongo

    timeout_ms = int(settings.connect_timeout_secs * 1000)
    client = pymongo.MongoClient(settings.mongodb_url, serverSelectionTimeoutMS=timeout_ms,
                                 connectTimeoutMS=timeout_ms)
    client.admin.command("ping")
    return client
