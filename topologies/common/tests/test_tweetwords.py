"""TweetWords: NLTK tokenizing with no downloaded data, stop words from NLTK or the bundled list."""

import sys
import types

import pytest
import tweetwords
from tweetwords import BUNDLED_STOP_WORDS, TWEET_NOISE, TweetWords, load_stop_words


@pytest.fixture(scope="module")
def splitter():
    return TweetWords()


def test_keeps_lower_case_alphabetic_words_without_stop_words(splitter):
    text = "RT @pydev: The Storm topology is GREAT, and Python too!! https://t.co/a1B2c3 42 times"
    assert splitter.words(text) == ["storm", "topology", "great", "python", "times"]


def test_hashtags_count_as_words_and_mentions_urls_and_numbers_do_not(splitter):
    assert splitter.words("#Coffee with @bob at http://example.com/x 9am #2024") == ["coffee"]


def test_tweet_noise_is_dropped(splitter):
    assert splitter.words("http https rt amp via storm") == ["storm"]


def test_non_ascii_letters_and_repeats(splitter):
    assert splitter.words("Café café CAFÉ sooooo good") == ["café", "café", "café", "sooo", "good"]


def test_empty_and_punctuation_only_text(splitter):
    assert splitter.words("") == []
    assert splitter.words("!!! ... 😂😂") == []


def test_given_stop_words_replace_the_defaults():
    assert TweetWords(frozenset({"storm"})).words("the storm") == ["the"]


def test_bundled_list_when_nltk_has_no_stopwords_corpus(monkeypatch):
    class MissingCorpus:
        def words(self, lang):
            raise LookupError("Resource stopwords not found.")

    fake = types.ModuleType("nltk.corpus")
    fake.stopwords = MissingCorpus()
    monkeypatch.setitem(sys.modules, "nltk.corpus", fake)
    words, source = load_stop_words()
    assert source == "bundled"
    assert words == BUNDLED_STOP_WORDS | TWEET_NOISE


def test_nltk_list_when_the_corpus_is_installed(monkeypatch):
    class Corpus:
        def words(self, lang):
            assert lang == "english"
            return ["The", "and", "zebra"]

    fake = types.ModuleType("nltk.corpus")
    fake.stopwords = Corpus()
    monkeypatch.setitem(sys.modules, "nltk.corpus", fake)
    words, source = load_stop_words()
    assert source == "nltk"
    assert words == frozenset({"the", "and", "zebra"}) | TWEET_NOISE
    assert TweetWords().words("the zebra and the storm") == ["storm"]


def test_missing_nltk_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "nltk.tokenize.casual", None)
    with pytest.raises(ImportError, match="requirements.txt.*pip install nltk"):
        tweetwords.TweetWords()
