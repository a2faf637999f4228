"""petrel.mock tests: components live in mock_components.py next to this file.

The fixtures come from petrel.mock.fixtures, as a user's conftest.py would get them.
"""

import sys
from pathlib import Path

from petrel.mock.fixtures import mock_task, mock_topology  # noqa: F401

sys.path.insert(0, str(Path(__file__).parent))
