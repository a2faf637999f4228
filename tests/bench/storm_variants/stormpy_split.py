"""Word count's splitter written with Storm's storm.py (BasicBolt: anchored emits, acked input)."""

import storm


class SplitSentenceBolt(storm.BasicBolt):
    """Splits ``[sentence]`` on spaces and emits ``[word]`` for each word, anchored to it."""

    def process(self, tup):
        """Emit every word of the sentence."""
        for word in tup.values[0].split(" "):
            storm.emit([word])


if __name__ == "__main__":
    SplitSentenceBolt().run()
