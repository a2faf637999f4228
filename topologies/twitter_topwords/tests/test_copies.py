"""The tweet spout, its sources, the splitter and the sample file are copied into
redis_topwords and mongo_citycount (each topology directory ships alone in its jar):
the copies must stay identical to the originals here."""

from pathlib import Path

import pytest

TOPOLOGIES = Path(__file__).resolve().parents[2]
SHARED = {
    "twitterstream.py": ["redis_topwords", "mongo_citycount"],
    "tweetsource.py": ["redis_topwords", "mongo_citycount"],
    "tweets_sample.jsonl": ["redis_topwords", "mongo_citycount"],
    "logconfig.ini": ["redis_topwords", "mongo_citycount"],
    "splittweet.py": ["redis_topwords"],
    "tweetwords.py": ["redis_topwords"],
}


@pytest.mark.parametrize("name, other", [(n, o) for n, others in SHARED.items() for o in others])
def test_copy_is_identical(name, other):
    original = TOPOLOGIES / "twitter_topwords" / name
    copy = TOPOLOGIES / other / name
    assert copy.read_bytes() == original.read_bytes(), (
        f"{copy} differs from {original}: edit twitter_topwords/{name}, then copy it over")


def test_conftest_common_part_is_identical():
    marker = "\n\n# -- "
    original = (TOPOLOGIES / "twitter_topwords" / "tests" / "conftest.py").read_text()
    for other in ["redis_topwords", "mongo_citycount"]:
        text = (TOPOLOGIES / other / "tests" / "conftest.py").read_text()
        assert text.split(marker)[0].rstrip() == original.rstrip(), other
