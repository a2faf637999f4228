"""batch_spout.py written with pystorm: sentences in batches, without message ids."""

from pystorm import Spout

SENTENCES = ["the cow jumped over the moon", "an apple a day keeps the doctor away"]
BATCH = 100


class BatchSpout(Spout):
    """Emits BATCH ``[sentence]`` tuples per ``next_tuple``, alternating the two sentences."""

    def initialize(self, conf, context):
        """Build the batch once."""
        self.batch = [[SENTENCES[i % 2]] for i in range(BATCH)]

    def next_tuple(self):
        """One batch of sentences, without message ids."""
        for values in self.batch:
            self.emit(values)


if __name__ == "__main__":
    BatchSpout().run()
