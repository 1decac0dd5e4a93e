"""What a step does not need, it does not import: reading a workbook leaves numpy out
(openpyxl imports it only for the cells it writes), and numpy stays importable after."""

from __future__ import annotations

import os
import subprocess
import sys

from support.helpers import FIXTURES, ROOT

READ = """
import sys
from pathlib import Path
from snapshotpdf.survey.validate import validate
checked = validate(Path(sys.argv[1]))
print(len(checked.records), 'openpyxl' in sys.modules, 'numpy' in sys.modules)
import numpy, openpyxl
print(numpy.__name__)
"""


def read_workbook(program: str) -> list[str]:
    """What the program printed, run in a fresh Python on the tidy five-city workbook."""
    run = subprocess.run(
        [sys.executable, "-c", program, str(FIXTURES / "five-cities-tidy.xlsx")],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    return run.stdout.split()


def test_reading_a_workbook_imports_no_numpy() -> None:
    assert read_workbook(READ) == ["5", "True", "False", "numpy"]


def test_a_workbook_is_read_as_well_when_numpy_is_there_already() -> None:
    assert read_workbook("import numpy\n" + READ) == ["5", "True", "True", "numpy"]
