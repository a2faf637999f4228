"""The exception petrel.mock raises when a test run cannot go on."""

from __future__ import annotations

from typing import Any, Optional


class MockError(Exception):
    """A mock run stopped: bad input, a component error, or a spout that never ends.

    The message names the component (and task) and says what to fix. When user code
    raised, the MockError is also an instance of that exception's class (a
    ``ValueError`` raised in ``process`` stops the test with an error that both
    ``pytest.raises(ValueError)`` and ``pytest.raises(mock.MockError)`` catch), the
    original exception is ``.original`` and is chained, so pytest shows its traceback too.
    """

    original: Optional[BaseException] = None


def _wrapper_class(kind: type) -> Optional[Any]:
    """A class deriving from MockError and ``kind``, or None when Python refuses one."""
    if issubclass(kind, MockError) or not issubclass(kind, Exception):
        return None
    try:
        # BaseException.__str__: the MockError's message, whatever ``kind`` prints.
        return type(kind.__name__, (MockError, kind),
                    {"__module__": kind.__module__, "__qualname__": kind.__qualname__,
                     "__str__": BaseException.__str__, "__doc__": MockError.__doc__})
    except TypeError:   # e.g. a final class or an instance layout conflict
        return None


def user_error(message: str, original: BaseException) -> MockError:
    """A MockError for ``original`` (raised by user code) that is also of its class."""
    kind = _wrapper_class(type(original))
    error: MockError
    if kind is None:
        error = MockError(message)
    else:
        try:
            # __new__ only: the original's __init__ may want other arguments.
            error = kind.__new__(kind, message)
            error.args = (message,)
            error.__dict__.update(getattr(original, "__dict__", {}))
        except Exception:  # noqa: BLE001 - a user class whose __new__ refuses
            error = MockError(message)
    error.original = original
    return error
