"""CityCountBolt alone with petrel.mock's MockTask, city_report.py, create.py, and the whole
topology in-process over the replay file's tweets: MongoDB ends up with the file's own city
counts."""

import collections
import datetime as dt
import logging
from pathlib import Path

import city_report
from citycount import CityCountBolt
from cityminutes import INDEX_NAME, hourly_counts

from petrel.config import load_config
from petrel.package.manifest import section_dirs
from petrel.topology.loader import load_topology

TOPOLOGY_DIR = Path(__file__).resolve().parents[1]


def test_bolt_creates_the_unique_index_on_start(mock_task, mongo):
    mock_task(CityCountBolt(), mongo.conf())
    assert INDEX_NAME in mongo.collection.index_information()


def test_bolt_counts_each_city_of_a_tweet_in_the_current_minute(mock_task, mongo):
    task = mock_task(CityCountBolt(), mongo.conf())
    before = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, second=0, microsecond=0)
    a = task.send(["Rain in London, sun in Paris, rain in London again"])
    b = task.send(["Back in London"])
    c = task.send(["no city here"])
    assert task.acked == [a.id, b.id, c.id] and task.failed == [] and task.emits == []
    docs = {d["city"]: d for d in mongo.collection.find()}
    assert {city: d["count"] for city, d in docs.items()} == {"London": 2, "Paris": 1}
    minute = docs["London"]["minute"]
    assert before <= minute <= before + dt.timedelta(minutes=1)
    assert docs["London"]["hour"] == minute.replace(minute=0)


def test_unreachable_mongodb_is_reported_at_initialize_and_tweets_are_failed(mock_task, caplog,
                                                                             closed_port):
    url = f"mongodb://127.0.0.1:{closed_port}"
    conf = {"mongo_citycount.mongodb_url": url, "mongo_citycount.connect_timeout_secs": 0.2}
    with caplog.at_level(logging.ERROR):
        task = mock_task(CityCountBolt(), conf)
    assert len(task.errors) == 1
    assert f"cannot reach MongoDB at {url}" in task.errors[0]
    assert "mongo_citycount.mongodb_url" in task.errors[0]
    failed = [task.send(["Hello from Tokyo"]) for _ in range(5)]
    cityless = task.send(["hello from nowhere"])
    assert task.failed == [t.id for t in failed]
    assert task.acked == [cityless.id]
    assert len(task.errors) == 1


def test_create_py_wires_spout_and_city_counter():
    conf = load_config(TOPOLOGY_DIR / "topology.yaml")
    topo = load_topology(TOPOLOGY_DIR, "create.create", conf,
                         shared_dirs=section_dirs(TOPOLOGY_DIR))
    assert list(topo.components) == ["spout", "city-counter"]
    counter = topo.components["city-counter"]
    assert counter.module == "citycount" and counter.parallelism == 2
    assert counter.inputs[("spout", "default")].kind == "shuffle"


def test_replay_file_city_counts_end_up_in_mongodb(mock_topology, mongo, sample_texts,
                                                   city_mentions):
    """tweets -> 2 city counters (shuffle grouping), as create.py wires them."""
    assert len(city_mentions) >= 10 and sum(city_mentions.values()) >= 100
    result = mock_topology(spout_data={"spout": [[t] for t in sample_texts]},
                           config=mongo.conf())
    result.assert_no_errors()
    result.assert_all_acked()
    assert sorted(result.acked) == list(range(len(sample_texts))) and result.failed == []
    assert all(result.received("city-counter", task=t) for t in result.tasks["city-counter"])
    totals = collections.Counter()
    for _hour, city, n in hourly_counts(mongo.collection):
        totals[city] += n
    assert totals == city_mentions


def test_city_report_prints_hourly_counts(mongo, capsys, tmp_path):
    coll = mongo.collection
    coll.insert_many([
        {"hour": dt.datetime(2024, 5, 1, 12), "minute": dt.datetime(2024, 5, 1, 12, 1),
         "city": "Tokyo", "count": 2},
        {"hour": dt.datetime(2024, 5, 1, 12), "minute": dt.datetime(2024, 5, 1, 12, 2),
         "city": "Tokyo", "count": 3},
        {"hour": dt.datetime(2024, 5, 1, 12), "minute": dt.datetime(2024, 5, 1, 12, 2),
         "city": "São Paulo", "count": 7},
        {"hour": dt.datetime(2024, 5, 1, 13), "minute": dt.datetime(2024, 5, 1, 13, 0),
         "city": "Lima", "count": 1},
    ])
    config = tmp_path / "topology.yaml"
    config.write_text(f"mongo_citycount.database: {mongo.database}\n")
    assert city_report.main(["--config", str(config), "--url", mongo.url],
                            client=mongo.client) == 0
    assert capsys.readouterr().out.splitlines() == [
        "hour (UTC)        city       mentions",
        "----------------  ---------  --------",
        "2024-05-01 12:00  São Paulo         7",
        "2024-05-01 12:00  Tokyo             5",
        "2024-05-01 13:00  Lima              1",
    ]


def test_city_report_on_an_empty_collection(mongo, capsys, tmp_path):
    config = tmp_path / "topology.yaml"
    config.write_text(f"mongo_citycount.database: {mongo.database}\n")
    assert city_report.main(["--config", str(config)], client=mongo.client) == 0
    assert "no city mentions recorded" in capsys.readouterr().out


def test_city_report_with_mongodb_unreachable_says_so_without_a_traceback(capsys, tmp_path,
                                                                         closed_port):
    config = tmp_path / "topology.yaml"
    config.write_text("mongo_citycount.connect_timeout_secs: 0.2\n")
    url = f"mongodb://127.0.0.1:{closed_port}"
    assert city_report.main(["--config", str(config), "--url", url]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"city_report: error: cannot read cities.minute from MongoDB at {url}")
    assert "Traceback" not in err


def test_city_report_with_a_bad_setting(capsys, tmp_path):
    config = tmp_path / "topology.yaml"
    config.write_text("mongo_citycount.database: 'no.dots'\n")
    assert city_report.main(["--config", str(config)]) == 1
    assert "mongo_citycount.database" in capsys.readouterr().err
