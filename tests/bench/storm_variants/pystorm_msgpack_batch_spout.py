"""pystorm_batch_spout.py, speaking MessagePack (pystorm's msgpack serializer)."""

from pystorm_batch_spout import BatchSpout

if __name__ == "__main__":
    BatchSpout(serializer="msgpack").run()
