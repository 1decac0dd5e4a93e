"""The run report: every data row of the export and what became of it, as JSON
(OUTDIR/report.json after a build, `check --format json`), and problems as CSV rows.

Every data row has exactly one status. build: written, unchanged (its PDF was current),
failed, not selected (--city), skipped (an error, with its reason) or blank; check: valid,
skipped or blank. So the counts always add up to data_rows.
"""

from __future__ import annotations

import csv
import heapq
import io
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator

from snapshotpdf.batch import jsontext
from snapshotpdf.batch.result import BuildResult
from snapshotpdf.files import write_atomic
from snapshotpdf.models import Problem, Severity
from snapshotpdf.survey.validate import Respondent, Validation
from snapshotpdf.version import __version__

REPORT = "report.json"
SCHEMA = 1
BUILD_STATUSES = ("written", "unchanged", "failed", "not selected", "skipped", "blank")
CHECK_STATUSES = ("valid", "skipped", "blank")
PROBLEM_COLUMNS = ("severity", "file", "sheet", "row", "column", "header", "message", "value")
_FORMULA_STARTS = ("=", "+", "-", "@")


def run_report(result: BuildResult) -> dict[str, object]:
    """The report of a build: each valid row's status comes from what the build did."""
    return _build_report(result).document()


def check_report(validation: Validation, strict: bool) -> dict[str, object]:
    return _Report(
        "check",
        validation,
        validation.problems,
        lambda _valid: {"status": "valid"},
        CHECK_STATUSES,
        validation.exit_code(strict),
    ).document()


def write_run_report(result: BuildResult) -> None:
    """OUTDIR/report.json, written atomically; nothing when the survey was never read."""
    if result.settings is None or result.validation is None:
        return
    write_atomic(result.settings.outdir / REPORT, jsontext.encode(run_report_pieces(result)))


def run_report_text(result: BuildResult) -> str:
    """report.json's text for a build."""
    return "".join(run_report_pieces(result))


def run_report_pieces(result: BuildResult) -> Iterator[str]:
    """report.json's text for a build, a row at a time (jsontext.pieces)."""
    report = _build_report(result)
    return jsontext.pieces(report.head(), "rows", report.rows())


def _build_report(result: BuildResult) -> _Report:
    assert result.validation is not None and result.settings is not None
    done: dict[int, tuple[str, str]] = {}  # row -> (status, file or reason)
    for city in result.written:
        done[city.row] = ("written", city.file)
    for city in result.unchanged:
        done[city.row] = ("unchanged", city.file)
    for city, error in result.failed:
        done[city.row] = ("failed", error)

    def status(respondent: Respondent) -> dict[str, object]:
        state, value = done.get(respondent.row, ("not selected", ""))
        if state == "not selected":
            return {"status": state}
        return {"status": state, "reason" if state == "failed" else "file": value}

    return _Report(
        "build",
        result.validation,
        result.problems,
        status,
        BUILD_STATUSES,
        result.exit_code(result.settings.strict),
    )


class _Report:
    """A run report: its rows made one at a time, in row order, as often as asked."""

    def __init__(
        self,
        command: str,
        validation: Validation,
        problems: list[Problem],
        status: Callable[[Respondent], dict[str, object]],
        statuses: tuple[str, ...],
        exit_code: int,
    ) -> None:
        self.command = command
        self.validation = validation
        self.problems = problems
        self.status = status
        self.statuses = statuses
        self.exit_code = exit_code
        table = validation.table
        self.by_row: dict[int, list[Problem]] = {}  # the problems of a data row
        for problem in problems:
            if problem.location.file == table.file and problem.location.row > table.header_rows:
                self.by_row.setdefault(problem.location.row, []).append(problem)

    def rows(self) -> Iterator[dict[str, object]]:
        """Every data row with its status, in row order: the valid rows (the respondents
        in file order), skipped rows and blank rows merged."""
        validation, by_row = self.validation, self.by_row
        valid = (
            (v.row, self.status(v) | {"city": v.city, "country": v.country})
            for v in validation.respondents
            if v.row not in validation.skipped  # a city check or build skipped after all
        )
        skipped = (
            (row, {"status": "skipped", "reason": reason} | _given("city", _city(by_row, row)))
            for row, reason in sorted(validation.skipped.items())
        )
        blank: Iterator[tuple[int, dict[str, object]]] = (
            (row, {"status": "blank"}) for row in validation.blank_rows
        )
        for row, entry in heapq.merge(valid, skipped, blank, key=lambda pair: pair[0]):
            warnings = [p.message for p in by_row.get(row, []) if p.severity is Severity.WARNING]
            yield {"row": row} | entry | _given("warnings", warnings or None)

    def head(self) -> dict[str, object]:
        """Everything but the rows (counted from them)."""
        validation, problems = self.validation, self.problems
        counted = Counter(str(entry["status"]) for entry in self.rows())
        counts: dict[str, int] = {"data_rows": validation.data_rows}
        counts |= {name.replace(" ", "_"): counted[name] for name in self.statuses}
        counts["errors"] = sum(p.severity is Severity.ERROR for p in problems)
        counts["warnings"] = sum(p.severity is Severity.WARNING for p in problems)
        return {
            "snapshotpdf": __version__,
            "schema": SCHEMA,
            "command": self.command,
            "survey": validation.table.file,
            "sheet": validation.table.sheet,
            "profile": validation.profile.name,
            "exit_code": self.exit_code,
            "counts": counts,
            "rows": [],
            "problems": [problem_fields(p) for p in problems],
        }

    def document(self) -> dict[str, object]:
        return self.head() | {"rows": list(self.rows())}


def _city(by_row: dict[int, list[Problem]], row: int) -> str | None:
    return next((p.city for p in by_row.get(row, []) if p.city), None)


def _given(key: str, value: object) -> dict[str, object]:
    return {} if value is None else {key: value}


def problem_fields(problem: Problem) -> dict[str, object]:
    loc = problem.location
    return {
        "severity": problem.severity.value,
        "file": loc.file,
        "sheet": loc.sheet,
        "row": loc.row,
        "column": loc.column,
        "header": loc.header,
        "message": problem.message,
        "value": problem.value,
        "city": problem.city,
    }


def problems_csv(problems: list[Problem]) -> str:
    """Problems as CSV for a spreadsheet: every field quoted, so a line break or carriage
    return inside a value never starts a new row; no cell can start a formula (safe_cell)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(PROBLEM_COLUMNS)
    for problem in problems:
        fields = problem_fields(problem)
        writer.writerow([safe_cell(fields[name]) for name in PROBLEM_COLUMNS])
    return out.getvalue()


def safe_cell(value: object) -> str:
    """A cell a spreadsheet will not run: text starting with = + - @, also after leading
    spaces or invisible characters (" =1+1", "\\r=1+1"), or starting with a tab or carriage
    return, gets a leading apostrophe, so '=HYPERLINK(...)' stays text."""
    text = "" if value is None else str(value)
    start = next((c for c in text if not _skipped_before_formula(c)), "")
    if start in _FORMULA_STARTS or text.startswith(("\t", "\r")):
        return f"'{text}"
    return text


def _skipped_before_formula(char: str) -> bool:
    """Whether a spreadsheet may pass over char at a cell's start and still read what
    follows as a formula: whitespace, control and format (invisible) characters."""
    return char.isspace() or unicodedata.category(char) in ("Cc", "Cf")
