"""A component that does not speak MessagePack: it answers any handshake in JSON."""

import os
import sys
import time

sys.stdout.write(f'{{"pid": {os.getpid()}}}\nend\n')
sys.stdout.flush()
time.sleep(30)
