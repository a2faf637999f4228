"""pystorm_pass.py, speaking MessagePack (pystorm's msgpack serializer)."""

from pystorm_pass import PassBolt

if __name__ == "__main__":
    PassBolt(serializer="msgpack").run()
