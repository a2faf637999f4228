"""A component that dies before its handshake, like a module that cannot be imported."""

import sys

sys.stderr.write("Traceback (most recent call last):\n")
sys.stderr.write("ModuleNotFoundError: No module named 'nltk'\n")
sys.exit(3)
