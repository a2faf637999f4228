"""The pass-through bolt written with pystorm (auto-anchored emit, auto-acked input)."""

from pystorm import Bolt


class PassBolt(Bolt):
    """Emits every input's values unchanged, anchored to it."""

    auto_anchor = True
    auto_ack = True
    auto_fail = True

    def process(self, tup):
        """Send the values on."""
        self.emit(tup.values)


if __name__ == "__main__":
    PassBolt().run()
