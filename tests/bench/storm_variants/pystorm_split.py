"""Word count's splitter written with pystorm (auto-anchored emits, auto-acked input)."""

from pystorm import Bolt


class SplitSentenceBolt(Bolt):
    """Splits ``[sentence]`` on spaces and emits ``[word]`` for each word, anchored to it."""

    auto_anchor = True
    auto_ack = True
    auto_fail = True

    def process(self, tup):
        """Emit every word of the sentence."""
        for word in tup.values[0].split(" "):
            self.emit([word])


if __name__ == "__main__":
    SplitSentenceBolt().run()
