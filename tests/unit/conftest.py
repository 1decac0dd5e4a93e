"""The unit tier renders nothing: a test here that imports WeasyPrint fails (it renders, so
it belongs in tests/integration). `make test-fast` runs this tier alone."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def no_weasyprint() -> Iterator[None]:
    before = "weasyprint" in sys.modules
    yield
    assert before or "weasyprint" not in sys.modules, (
        "this unit test imported WeasyPrint: it renders, so it belongs in tests/integration"
    )
