"""Shared fixtures: the sample survey built once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from snapshotpdf.batch.build import build
from snapshotpdf.batch.result import BuildResult
from snapshotpdf.batch.settings import Settings


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[BuildResult, Path]:
    outdir = tmp_path_factory.mktemp("sample-build")
    return build(Settings(outdir=outdir)), outdir


@pytest.fixture(scope="session")
def lima_pdf(sample_build: tuple[BuildResult, Path]) -> Path:
    return sample_build[1] / "peru-lima.pdf"
