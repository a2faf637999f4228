"""A component whose prepare always fails: it answers the handshake, then dies."""

import sys

from rawproto import handshake

handshake()
sys.stderr.write("RuntimeError: cannot connect to the database\n")
sys.exit(4)
