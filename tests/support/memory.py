"""What the memory tests (tests/system/test_memory*.py) share: the two survey sizes, the
child processes' memory limit, how much more the larger may take, and a lean profile."""

from __future__ import annotations

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
