"""What the memory tests (tests/system/test_memory*.py) share: the two survey sizes, the
child processes' memory limit, how much more the larger may take, and a lean profile."""

from __future__ import annotations

import csv
import random
from pathlib import Path

SMALL, LARGE = 500, 5_000
LIMIT = 1536 * 2**20  # bytes of address space each child may have

# What the larger survey's peak may exceed the smaller's by: a build keeps a little of each
# row (its city for the run report, under 0.5 KB: about 7 % here); holding the rows or
# their records instead would cost over 40 %.
SLACK = 0.15

# Four fields, so that the test's time goes on rows, not on parsing answers.
PROFILE = """\
[profile]
name = "lean"
[fields]
city = "City"
country = "Country"
spotlight = "Spotlight"
org_structure = "Organisational structure"
"""


def write_survey(path: Path, rows: int, seed: int) -> Path:
    """A CSV export of `rows` cities, about 2 KB a row, nearly all of it in a column no
    field of PROFILE reads (a long answer costs its parsing time, which these tests need
    not spend; the cache holds little of each row, as the records do). Were the rows or
    their records all held, 5,000 would take over 7 MB more than 500."""
    rng = random.Random(seed)

    def words(count: int) -> str:
        return " ".join(f"word{rng.randrange(1000)}" for _ in range(count)).capitalize() + "."

    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["City", "Country", "Spotlight", "Organisational structure", "Notes"])
        for number in range(1, rows + 1):
            writer.writerow([f"City {number:05d}", "Ruritania", words(8), words(8), words(250)])
    return path
