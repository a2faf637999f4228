"""Debugger tests: the shared helpers live in debug_helpers.py next to this file."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
