"""`snapshotpdf check`: read and validate an export with its profile, render nothing, and
say every problem in one run (as text, CSV or the JSON run report)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from snapshotpdf.batch.report import check_report, problems_csv
from snapshotpdf.models import Inputs
from snapshotpdf.survey.validate import validate

FORMATS = ("text", "csv", "json")


@dataclass(frozen=True)
class CheckOutcome:
    output: str  # for stdout, in the chosen format
    summary: str  # one line, for stderr
    exit_code: int


def run_check(inputs: Inputs, strict: bool = False, output_format: str = "text") -> CheckOutcome:
    checked = validate(inputs.survey_path, inputs.profile, inputs.sheet)
    if output_format == "json":
        output = json.dumps(check_report(checked, strict), ensure_ascii=False, indent=2) + "\n"
    elif output_format == "csv":
        output = problems_csv(checked.problems)
    else:
        output = "".join(f"{problem}\n" for problem in checked.problems)
    return CheckOutcome(output, checked.summary(), checked.exit_code(strict))
