"""The one exception type for mistakes a user can fix; the CLI prints it without a traceback."""

from __future__ import annotations


class PetrelError(Exception):
    """A user-fixable problem: the message names the file or component and says what to do."""

    exit_code = 2

    def __init__(self, message: str, *, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code

    @property
    def message(self) -> str:
        """The text shown to the user."""
        return str(self.args[0]) if self.args else ""
