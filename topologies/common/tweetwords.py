"""Tweet text to the words worth counting, with NLTK and no downloaded NLTK data.

NLTK's tweet tokenizer is pure code (no corpus to download). English stop words come
from NLTK's ``stopwords`` corpus when it is installed on the machine, otherwise from
the list below; ``http``, ``https``, ``rt`` and ``amp`` are always dropped too.
"""

from __future__ import annotations

import logging
from typing import Callable, FrozenSet, Iterable, List, Optional, Tuple

log = logging.getLogger(__name__)

# Tweet debris that is not a word anyone wants ranked.
TWEET_NOISE = frozenset({"http", "https", "rt", "amp", "via"})

# A common English stop-word list, used when NLTK's corpus has not been downloaded.
BUNDLED_STOP_WORDS = frozenset("""
a about above after again against ain all also am an and any are aren as at be because
been before being below between both but by can could couldn d did didn do does doesn
doing don down during each few for from further get got had hadn has hasn have haven
having he her here hers herself him himself his how i if in into is isn it its itself
just ll m ma me might mightn more most much must mustn my myself needn no nor not now o
of off on once only or other our ours ourselves out over own re s same shan she should
shouldn so some such t than that the their theirs them themselves then there these they
this those through to too under until up us ve very was wasn we were weren what when
where which while who whom why will with won would wouldn y you your yours yourself
yourselves
""".split())


def load_stop_words() -> Tuple[FrozenSet[str], str]:
    """English stop words plus TWEET_NOISE, and where they came from ('nltk' or 'bundled')."""
    try:
        from nltk.corpus import stopwords

        words: Iterable[str] = stopwords.words("english")
        source = "nltk"
    except (ImportError, LookupError, OSError):
        words, source = BUNDLED_STOP_WORDS, "bundled"
    return frozenset(w.lower() for w in words) | TWEET_NOISE, source


def _nltk_tokenizer() -> Callable[[str], List[str]]:
    try:
        from nltk.tokenize.casual import TweetTokenizer
    except ImportError:
        raise ImportError(
            "the splitter needs NLTK: it is listed in requirements.txt (which the worker "
            "installs); for a local run with --venv self, run 'pip install nltk'"
        ) from None
    # Lower-cases, shortens 'sooooo' to 'sooo', keeps URLs and @handles as single tokens.
    return TweetTokenizer(preserve_case=False, reduce_len=True, strip_handles=True).tokenize


class TweetWords:
    """Splits tweet text into lower-case alphabetic words that are not stop words."""

    def __init__(self, stop_words: Optional[FrozenSet[str]] = None) -> None:
        self._tokenize = _nltk_tokenizer()
        if stop_words is None:
            stop_words, self.stop_words_source = load_stop_words()
        else:
            self.stop_words_source = "given"
        self.stop_words = stop_words

    def words(self, text: str) -> List[str]:
        """The countable words of ``text`` in order (repeats kept); '#storm' counts as 'storm'."""
        out = []
        for token in self._tokenize(text):
            token = token.lstrip("#")
            if token.isalpha() and token not in self.stop_words:
                out.append(token)
        return out
