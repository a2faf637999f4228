"""Docs tests: the shared helpers live next to this file (error_catalog.py)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
