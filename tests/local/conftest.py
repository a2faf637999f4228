"""Local runner tests: the shared helpers live in local_helpers.py next to this file."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
