"""Chaos suite: the helpers live in chaos_run.py next to this file."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
