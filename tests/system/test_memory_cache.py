"""A build that reads its survey from the output folder's cache (batch/cache.py) holds one
row at a time too: planning 5,000 cached rows takes no more memory than planning 500, and
writing the cache the first time costs none either (tests/system/test_memory.py measures
the same without a cache)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from support.memory import LARGE, LIMIT, PROFILE, SLACK, SMALL, write_survey

from snapshotpdf.batch.cache import CACHE

# Pass 1 of a build (batch/plan.py). Prints the child's peak resident memory (KiB), the
# cities planned, and whether the survey's workbook reader ran (not when from the cache).
PLAN = textwrap.dedent(
    f"""
    import resource, sys
    resource.setrlimit(resource.RLIMIT_AS, ({LIMIT}, {LIMIT}))
    from pathlib import Path
    from snapshotpdf.batch import cache
    from snapshotpdf.batch.plan import plan
    from snapshotpdf.batch.result import BuildResult
    from snapshotpdf.batch.settings import Settings
    from snapshotpdf.models import Inputs

    survey, profile, outdir = map(Path, sys.argv[1:])
    outdir.mkdir(exist_ok=True)
    cache.digest.own_files = lambda: []  # the key steady while this checkout is edited
    read = []
    real = cache.read_survey
    cache.read_survey = lambda *args: read.append(1) or real(*args)
    result = BuildResult()
    planned = plan(Settings(Inputs(survey=survey, profile=profile), outdir=outdir), result)
    assert planned is not None and not result.problems, [str(p) for p in result.problems]
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, planned.total, len(read))
    planned.spool.close()
    """
)


def planned(tmp_path: Path, rows: int) -> tuple[int, int]:
    """Peak memory (KiB) of planning the survey twice into one folder: the first time
    (the cache written), the second (read from it)."""
    survey = write_survey(tmp_path / f"survey-{rows}.csv", rows, seed=16)
    profile = tmp_path / "lean.toml"
    profile.write_text(PROFILE, encoding="utf-8")
    outdir = tmp_path / f"out-{rows}"
    peaks = []
    for expected_reads in (1, 0):
        done = subprocess.run(
            [sys.executable, "-c", PLAN, str(survey), str(profile), str(outdir)],
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert done.returncode == 0, done.stderr
        peak, total, reads = map(int, done.stdout.split())
        assert total == rows and reads == expected_reads
        assert (outdir / CACHE).is_file()
        peaks.append(peak)
    return peaks[0], peaks[1]


def test_planning_from_the_cache_is_flat_in_the_number_of_rows(tmp_path: Path) -> None:
    (small_written, small_cached), (large_written, large_cached) = (
        planned(tmp_path, SMALL),
        planned(tmp_path, LARGE),
    )
    assert large_cached <= small_cached * (1 + SLACK), (small_cached, large_cached)
    assert large_written <= small_written * (1 + SLACK), (small_written, large_written)
