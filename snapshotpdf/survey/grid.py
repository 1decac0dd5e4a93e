"""What every reader gives: a grid of cells, with notes on cells, and the one message for a
file that cannot be read at all. Readers (xlsx, text) make grids; read.py makes tables."""

from __future__ import annotations

from dataclasses import dataclass, field

from snapshotpdf.errors import SurveyReadError

READ_AGAIN = "open the export in Excel and save it again as .xlsx or CSV UTF-8"


def unreadable(name: str, kind: str, reason: str, hint: str = READ_AGAIN) -> SurveyReadError:
    """The one message for a file that cannot be read at all."""
    return SurveyReadError(f"{name} cannot be read as a {kind} survey export: {reason}", hint=hint)


@dataclass(frozen=True)
class Note:
    """Something a reader noticed about a cell or the file (row 1 is the first row)."""

    row: int
    column: int | None  # 0-based column index, None for the whole row
    message: str
    value: str | None = None


@dataclass(frozen=True)
class Grid:
    """Every cell of one sheet, as the user sees it; formulas already their saved values."""

    sheet: str | None
    rows: list[list[object]]
    notes: list[Note] = field(default_factory=list)
