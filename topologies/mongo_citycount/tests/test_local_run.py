"""``petrel submit`` runs a copy of the Mongo topology locally, one process per task.

Without MongoDB (no PETREL_TEST_MONGODB_URL) the run points at a port where nothing
listens: each city counter reports the problem once at initialize and keeps running,
tweets that mention a city are failed and replayed, nothing restarts. With a real
MongoDB the stored counts must equal the replay file's own city mentions.
"""

import collections
import os
import uuid

import pytest
from cityminutes import hourly_counts

REPLAY_ONCE = {"twitter.replay_rate": 0, "twitter.replay_loop": False}


@pytest.mark.slow
def test_local_run_with_mongodb_unreachable_reports_once_and_keeps_running(local_run,
                                                                           closed_port):
    url = f"mongodb://127.0.0.1:{closed_port}"
    run = local_run(dict(REPLAY_ONCE, **{"mongo_citycount.mongodb_url": url,
                                         "mongo_citycount.connect_timeout_secs": 0.3}),
                    until=lambda r: any("times, dropped" in line
                                        for line in r.log_lines("tweetspout")))
    # the spout drops tweets that failed too often: lost data, so the run ends with status 1
    assert run.code == 1, run.explain()
    assert run.stats["spout_lost"] > 0
    assert "tuple tree(s) lost" in run.stderr, run.explain()
    counter = run.stats["components"]["city-counter"]
    assert run.stats["restarts"] == 0 and counter["errors"] == counter["tasks"] == 2
    assert counter["failed"] > 0 and counter["acked"] > 0      # city-less tweets still acked
    assert run.stats["spout_failed"] > 0
    log = "\n".join(run.log_lines("citycount"))
    assert log.count(f"[cityminutes][ERROR]cannot reach MongoDB at {url} (") == 2, run.explain()
    assert "mongo_citycount.mongodb_url" in log


@pytest.mark.slow
@pytest.mark.skipif(not os.environ.get("PETREL_TEST_MONGODB_URL"),
                    reason="needs a real MongoDB: set PETREL_TEST_MONGODB_URL "
                           "(the mongomock tests cover the same code in-process)")
def test_local_run_stores_the_city_counts_of_the_replay_file(local_run, sample_texts,
                                                             city_mentions):
    import pymongo

    url = os.environ["PETREL_TEST_MONGODB_URL"]
    database = f"petrel_test_{uuid.uuid4().hex[:12]}"
    client = pymongo.MongoClient(url, serverSelectionTimeoutMS=5000)

    def stored():
        totals = collections.Counter()
        for _hour, city, n in hourly_counts(client[database]["minute"]):
            totals[city] += n
        return totals

    try:
        run = local_run(dict(REPLAY_ONCE, **{"mongo_citycount.mongodb_url": url,
                                             "mongo_citycount.database": database}),
                        until=lambda r: stored() == city_mentions)
        assert run.code == 0, run.explain()
        assert stored() == city_mentions
        assert run.stats["spout_acked"] == len(sample_texts) and run.stats["restarts"] == 0
    finally:
        client.drop_database(database)
        client.close()
