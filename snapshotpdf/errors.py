"""One error family: every failure the user can fix is a SnapshotError with a hint."""

from __future__ import annotations


class SnapshotError(Exception):
    """A problem the user can act on; the CLI prints it without a traceback."""

    exit_code = 2

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n  hint: {self.hint}" if self.hint else self.message


class SurveyReadError(SnapshotError):
    """The survey file cannot be read at all (missing, empty, not a spreadsheet)."""


class ProfileError(SnapshotError):
    """The survey profile is malformed or names columns the survey does not have."""


class LayoutError(SnapshotError):
    """The layout folder is incomplete or its templates fail."""
