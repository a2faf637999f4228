"""Plain classes of mongo_citycount: geotext city finding, per-minute upserts with the unique
index, the hourly aggregation, settings, and MongoLink while MongoDB is unreachable."""

import datetime as dt
import logging

import pytest
from cityminutes import (
    INDEX_NAME,
    MongoCitySettings,
    MongoLink,
    SettingsError,
    ensure_index,
    hour_and_minute,
    hourly_counts,
    record_mention,
    safe_url,
)
from geocities import CityFinder

T = dt.datetime(2024, 5, 1, 12, 34, 56, 789000)


def test_city_finder_finds_each_city_once_in_order():
    finder = CityFinder()
    text = "flying from London to Paris, then back to London. New York next!"
    assert finder.cities(text) == ["London", "Paris", "New York"]
    assert finder.cities("just coffee, no travel") == []
    assert finder.cities("") == []
    assert finder.cities("Lunch in São Paulo") == ["São Paulo"]


def test_hour_and_minute_truncate():
    assert hour_and_minute(T) == (dt.datetime(2024, 5, 1, 12), dt.datetime(2024, 5, 1, 12, 34))


def test_record_mention_upserts_one_document_per_city_and_minute(mongo):
    coll = mongo.collection
    ensure_index(coll)
    record_mention(coll, "London", T)
    record_mention(coll, "London", T + dt.timedelta(seconds=2))
    record_mention(coll, "Paris", T)
    record_mention(coll, "London", T + dt.timedelta(minutes=1))
    docs = sorted(coll.find({}, {"_id": 0}), key=lambda d: (d["minute"], d["city"]))
    assert docs == [
        {"hour": dt.datetime(2024, 5, 1, 12), "minute": dt.datetime(2024, 5, 1, 12, 34),
         "city": "London", "count": 2},
        {"hour": dt.datetime(2024, 5, 1, 12), "minute": dt.datetime(2024, 5, 1, 12, 34),
         "city": "Paris", "count": 1},
        {"hour": dt.datetime(2024, 5, 1, 12), "minute": dt.datetime(2024, 5, 1, 12, 35),
         "city": "London", "count": 1},
    ]


def test_the_unique_index_is_on_minute_and_city_and_can_be_made_twice(mongo):
    import pymongo.errors

    coll = mongo.collection
    ensure_index(coll)
    ensure_index(coll)
    index = coll.index_information()[INDEX_NAME]
    assert index["key"] == [("minute", 1), ("city", 1)] and index["unique"]
    minute = dt.datetime(2024, 5, 1, 12, 34)
    coll.insert_one({"hour": minute.replace(minute=0), "minute": minute, "city": "Oslo"})
    with pytest.raises(pymongo.errors.DuplicateKeyError):
        coll.insert_one({"hour": minute.replace(minute=0), "minute": minute, "city": "Oslo"})


def test_hourly_counts_sum_the_minutes_of_each_hour(mongo):
    coll = mongo.collection
    ensure_index(coll)
    for minutes, city in [(0, "Tokyo"), (1, "Tokyo"), (59, "Lima"), (60, "Lima"), (61, "Lima"),
                          (2, "Lima"), (3, "Lima")]:
        record_mention(coll, city, dt.datetime(2024, 5, 1, 12) + dt.timedelta(minutes=minutes))
    h12, h13 = dt.datetime(2024, 5, 1, 12), dt.datetime(2024, 5, 1, 13)
    assert hourly_counts(coll) == [(h12, "Lima", 3), (h12, "Tokyo", 2), (h13, "Lima", 2)]
    assert hourly_counts(coll, since=h13) == [(h13, "Lima", 2)]


def test_hourly_counts_of_an_empty_collection(mongo):
    assert hourly_counts(mongo.collection) == []


def test_settings_defaults_and_password_hiding():
    s = MongoCitySettings({})
    assert (s.mongodb_url, s.database, s.collection) == ("mongodb://localhost:27017", "cities",
                                                         "minute")
    url = "mongodb://app:hunter2@db1:27017,db2:27017/?replicaSet=rs0"
    assert safe_url(url) == "mongodb://app:***@db1:27017,db2:27017/?replicaSet=rs0"
    assert "hunter2" not in repr(MongoCitySettings({"mongo_citycount.mongodb_url": url}))


@pytest.mark.parametrize("conf, key", [
    ({"mongo_citycount.mongodb_url": "localhost:27017"}, "mongodb_url"),
    ({"mongo_citycount.database": "my.db"}, "database"),
    ({"mongo_citycount.collection": ""}, "collection"),
    ({"mongo_citycount.connect_timeout_secs": 0}, "connect_timeout_secs"),
])
def test_bad_settings_name_the_key(conf, key):
    with pytest.raises(SettingsError, match=f"mongo_citycount.{key}"):
        MongoCitySettings(conf)


def test_unreachable_mongodb_is_reported_once_then_retried_when_due(closed_port, caplog):
    url = f"mongodb://app:pw123@127.0.0.1:{closed_port}"
    settings = MongoCitySettings({"mongo_citycount.mongodb_url": url,
                                  "mongo_citycount.connect_timeout_secs": 0.2})
    clock = [0.0]
    reported = []
    link = MongoLink(settings, retry_secs=5, on_down=reported.append, clock=lambda: clock[0])
    with caplog.at_level(logging.DEBUG, logger="cityminutes"):
        assert link.get() is None
        assert link.get() is None                      # not retried before 5 s
        clock[0] = 5
        assert link.get() is None
    assert link.failures == 2 and len(reported) == 1
    assert "cannot reach MongoDB at mongodb://app:***@127.0.0.1:" in reported[0]
    assert "mongo_citycount.mongodb_url" in reported[0] and "mongod" in reported[0]
    assert "pw123" not in caplog.text


def test_link_comes_back_and_makes_the_index(mongo, caplog):
    calls = []

    def connect(settings):
        calls.append(settings.mongodb_url)
        if len(calls) == 1:
            raise ConnectionRefusedError("refused")
        return mongo.client

    clock = [0.0]
    link = MongoLink(MongoCitySettings(mongo.conf()), retry_secs=1, connect=connect,
                     clock=lambda: clock[0])
    with caplog.at_level(logging.WARNING, logger="cityminutes"):
        assert link.get() is None
        clock[0] = 1
        coll = link.get()
    assert coll is not None and INDEX_NAME in coll.index_information()
    assert "reachable again" in caplog.text
