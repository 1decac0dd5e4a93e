"""A build holds one row at a time (issue 14): planning 5,000 rows takes no more memory
than planning 500, measured in child processes that run under a memory limit."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from support.memory import LARGE, LIMIT, PROFILE, SLACK, SMALL, write_survey

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


def planned_peak(tmp_path: Path, rows: int) -> int:
    survey = write_survey(tmp_path / f"survey-{rows}.csv", rows, seed=14)
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
