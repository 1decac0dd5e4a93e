"""The test tiers share one module namespace (no __init__.py, pytest's default import
mode): two test files of one name in two tiers make a whole run collect only one of them,
with an import-file-mismatch error."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent


def test_no_two_test_files_share_a_name() -> None:
    names = Counter(path.name for path in TESTS.rglob("test_*.py"))
    assert [name for name, count in names.items() if count > 1] == []
