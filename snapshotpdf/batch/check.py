"""`snapshotpdf check`: read and validate an export with its profile, render nothing, and
say every problem in one run (as text, CSV or the JSON run report).

Beyond the survey's own checks, each valid city's snapshot is made as HTML (no PDF) to find
the characters it would print that no bundled font has (Printable, which `build` uses too):
such a row is skipped, as it would be by `build`."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

from snapshotpdf.batch.report import check_report, problems_csv
from snapshotpdf.models import CityRecord, Inputs, Problem, Severity
from snapshotpdf.render import glyphs
from snapshotpdf.render.html import Renderer
from snapshotpdf.render.layout import load_layout
from snapshotpdf.reporter import Reporter
from snapshotpdf.survey.figures import survey_figures
from snapshotpdf.survey.validate import Validation, validate

FORMATS = ("text", "csv", "json")


@dataclass(frozen=True)
class CheckOutcome:
    output: str  # for stdout, in the chosen format
    summary: str  # one line, for stderr
    exit_code: int


def run_check(
    inputs: Inputs,
    strict: bool = False,
    output_format: str = "text",
    reporter: Reporter | None = None,
) -> CheckOutcome:
    """reporter: told the progress of making each city's HTML, the long part of a check
    (about 10 ms a city)."""
    checked = validate(inputs.survey_path, inputs.profile, inputs.sheet)
    check_printable(checked, inputs.layout, reporter)
    if output_format == "json":
        output = json.dumps(check_report(checked, strict), ensure_ascii=False, indent=2) + "\n"
    elif output_format == "csv":
        output = problems_csv(checked.problems)
    else:
        output = "".join(f"{problem}\n" for problem in checked.problems)
    return CheckOutcome(output, checked.summary(), checked.exit_code(strict))


def check_printable(
    checked: Validation, layout_name: str = "snapshot", reporter: Reporter | None = None
) -> None:
    """Make every valid city's HTML, as `build` would, and skip those that print a
    character no bundled font has (their problems join checked.problems). reporter: told
    the progress, city by city."""
    if not checked.records:
        return
    reporter = reporter or Reporter()
    layout = load_layout(layout_name)
    renderer = Renderer(layout)
    figures = survey_figures(checked.records)
    printable = Printable(checked, layout.name, checked.problems.append)
    total = len(checked.records)
    for done, record in enumerate(checked.records, 1):
        printable(record, renderer.html(record, figures))
        reporter.progress(done, total, record.city)
    checked.drop_skipped()


@dataclass
class Printable:
    """Tells, for each city, whether its snapshot prints only characters the bundled fonts
    have (render/glyphs.py). When not, it reports each answer holding such a character as
    an error at its cell (the row's), and the layout's own such characters once, as one
    error; it then skips the row: into validation.skipped with the first reason, so the
    run report accounts for it as for any row with an error (a caller holding the records
    drops the skipped ones once, Validation.drop_skipped: not one pass per city)."""

    validation: Validation
    layout: str  # its name
    report: Callable[[Problem], None]
    said: set[str] = field(default_factory=set)  # the layout's characters reported already

    def __call__(self, record: CityRecord, html: str) -> bool:
        found = glyphs.unprintable(record, html)
        if not found:
            return True
        problems = glyphs.row_problems(record, found, self.validation)
        for problem in problems:
            self.report(problem)
        layout_chars = "".join(item.chars for item in found if item.field is None)
        reason = problems[0].message if problems else ""
        if layout_chars:
            message = glyphs.layout_message(self.layout, layout_chars)
            reason = reason or message
            new = "".join(c for c in layout_chars if c not in self.said)
            if new:
                self.said.update(new)
                self.report(Problem(Severity.ERROR, record.source, message, city=record.city))
        self.validation.skipped[record.source.row] = reason  # records: drop_skipped()
        return False
