"""The exception petrel.mock raises when a test run cannot go on."""

from __future__ import annotations


class MockError(Exception):
    """A mock run stopped: bad input, a component error, or a spout that never ends.

    The message names the component (and task) and says what to fix; when user code
    raised, the original exception is chained so pytest shows its traceback too.
    """
