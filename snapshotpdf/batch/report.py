"""The run report: every data row of the export and what became of it, as JSON
(OUTDIR/report.json after a build, `check --format json`), and problems as CSV rows.

Every data row has exactly one status. build: written, unchanged (its PDF was current),
failed, not selected (--city), skipped (an error, with its reason) or blank; check: valid,
skipped or blank. So the counts always add up to data_rows.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Callable

from snapshotpdf.batch.result import BuildResult
from snapshotpdf.files import write_atomic
from snapshotpdf.models import CityRecord, Problem, Severity
from snapshotpdf.survey.validate import Validation
from snapshotpdf.version import __version__

REPORT = "report.json"
SCHEMA = 1
BUILD_STATUSES = ("written", "unchanged", "failed", "not selected", "skipped", "blank")
CHECK_STATUSES = ("valid", "skipped", "blank")
PROBLEM_COLUMNS = ("severity", "file", "sheet", "row", "column", "header", "message", "value")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def run_report(result: BuildResult) -> dict[str, object]:
    """The report of a build: each valid row's status comes from what the build did."""
    assert result.validation is not None and result.settings is not None
    done: dict[int, dict[str, object]] = {}
    for record, path in result.written:
        done[record.source.row] = {"status": "written", "file": path.name}
    for record, path in result.unchanged:
        done[record.source.row] = {"status": "unchanged", "file": path.name}
    for record, error in result.failed:
        done[record.source.row] = {"status": "failed", "reason": error}

    def status(record: CityRecord) -> dict[str, object]:
        return done.get(record.source.row, {"status": "not selected"})

    return _report(
        "build",
        result.validation,
        result.problems,
        status,
        BUILD_STATUSES,
        result.exit_code(result.settings.strict),
    )


def check_report(validation: Validation, strict: bool) -> dict[str, object]:
    return _report(
        "check",
        validation,
        validation.problems,
        lambda _record: {"status": "valid"},
        CHECK_STATUSES,
        validation.exit_code(strict),
    )


def write_run_report(result: BuildResult) -> None:
    """OUTDIR/report.json, written atomically; nothing when the survey was never read."""
    if result.settings is None or result.validation is None:
        return
    write_atomic(result.settings.outdir / REPORT, run_report_text(result).encode("utf-8"))


def run_report_text(result: BuildResult) -> str:
    """report.json's text for a build."""
    return json.dumps(run_report(result), ensure_ascii=False, indent=2) + "\n"


def _report(
    command: str,
    validation: Validation,
    problems: list[Problem],
    status: Callable[[CityRecord], dict[str, object]],
    statuses: tuple[str, ...],
    exit_code: int,
) -> dict[str, object]:
    table = validation.table
    by_row: dict[int, list[Problem]] = {}
    for problem in problems:
        if problem.location.file == table.file and problem.location.row > table.header_rows:
            by_row.setdefault(problem.location.row, []).append(problem)
    numbered: list[tuple[int, dict[str, object]]] = []
    for record in validation.records:
        numbered.append(
            (record.source.row, status(record) | {"city": record.city, "country": record.country})
        )
    for row, reason in validation.skipped.items():
        city = next((p.city for p in by_row.get(row, []) if p.city), None)
        numbered.append((row, {"status": "skipped", "reason": reason} | _given("city", city)))
    for row in validation.blank_rows:
        numbered.append((row, {"status": "blank"}))
    rows: list[dict[str, object]] = []
    for row, entry in sorted(numbered, key=lambda pair: pair[0]):
        warnings = [p.message for p in by_row.get(row, []) if p.severity is Severity.WARNING]
        rows.append({"row": row} | entry | _given("warnings", warnings or None))
    counted = Counter(str(entry["status"]) for entry in rows)
    counts: dict[str, int] = {"data_rows": validation.data_rows}
    counts |= {name.replace(" ", "_"): counted[name] for name in statuses}
    counts["errors"] = sum(p.severity is Severity.ERROR for p in problems)
    counts["warnings"] = sum(p.severity is Severity.WARNING for p in problems)
    return {
        "snapshotpdf": __version__,
        "schema": SCHEMA,
        "command": command,
        "survey": table.file,
        "sheet": table.sheet,
        "profile": validation.profile.name,
        "exit_code": exit_code,
        "counts": counts,
        "rows": rows,
        "problems": [problem_fields(p) for p in problems],
    }


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
    """Problems as CSV for a spreadsheet; no cell can start a formula (see safe_cell)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(PROBLEM_COLUMNS)
    for problem in problems:
        fields = problem_fields(problem)
        writer.writerow([safe_cell(fields[name]) for name in PROBLEM_COLUMNS])
    return out.getvalue()


def safe_cell(value: object) -> str:
    """A cell a spreadsheet will not run: text starting with = + - @ (or a tab or carriage
    return) gets a leading apostrophe, so '=HYPERLINK(...)' stays text."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text
