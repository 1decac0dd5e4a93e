"""A build holds one row at a time (issue 14): planning 5,000 rows takes no more memory
than planning 500, measured in child processes that run under a memory limit."""

from __future__ import annotations

import csv
import random
import subprocess
import sys
import textwrap
from pathlib import Path

from support.memory import LARGE, LIMIT, PROFILE, SLACK, SMALL

# Pass 1 of a build (batch/plan.py): every row read, checked, compared and put aside;
# no HTML, no PDF. Prints the child's peak resident memory (KiB) and the cities planned.
PLAN = textwrap.dedent(
    f"""
    import resource, sys
    resource.setrlimit(resource.RLIMIT_AS, ({LIMIT}, {LIMIT}))
    from pathlib import Path
    from snapshotpdf.batch.plan import plan
    from snapshotpdf.batch.result import BuildResult
    from snapshotpdf.batch.settings import Settings
    from snapshotpdf.models import Inputs

    survey, profile, outdir = map(Path, sys.argv[1:])
    result = BuildResult()
    planned = plan(Settings(Inputs(survey=survey, profile=profile), outdir=outdir), result)
    assert planned is not None and not result.problems, [str(p) for p in result.problems]
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, planned.total)
    planned.spool.close()
    """
)


def write_survey(path: Path, rows: int) -> Path:
    """A CSV export of `rows` cities, about 2 KB a row, nearly all of it in a column no
    field reads (a long answer costs its parsing time, which this test need not spend):
    were the rows or their records all held, 5,000 would take over 7 MB more than 500."""
    rng = random.Random(14)

    def words(count: int) -> str:
        return " ".join(f"word{rng.randrange(1000)}" for _ in range(count)).capitalize() + "."

    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["City", "Country", "Spotlight", "Organisational structure", "Notes"])
        for number in range(1, rows + 1):
            writer.writerow([f"City {number:05d}", "Ruritania", words(8), words(8), words(250)])
    return path


def planned_peak(tmp_path: Path, rows: int) -> int:
    survey = write_survey(tmp_path / f"survey-{rows}.csv", rows)
    profile = tmp_path / "lean.toml"
    profile.write_text(PROFILE, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", PLAN, str(survey), str(profile), str(tmp_path / f"out-{rows}")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    peak, planned = map(int, done.stdout.split())
    assert planned == rows
    return peak


def test_planning_memory_is_flat_in_the_number_of_rows(tmp_path: Path) -> None:
    small, large = planned_peak(tmp_path, SMALL), planned_peak(tmp_path, LARGE)
    assert large <= small * (1 + SLACK), f"peak {small} KiB for {SMALL} rows, {large} for {LARGE}"
