"""Shared fixtures: each build the integration tests read is made once per session, one per
survey and variant (support/pdfcheck.make_build), and only when a test asks for it."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.pdfcheck import BuildOf, Built, make_build


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> BuildOf:
    """built(variant="screen", survey="sample"): that build, made on first use."""
    made: dict[tuple[str, str], Built] = {}

    def get(variant: str = "screen", survey: str = "sample") -> Built:
        if (variant, survey) not in made:
            folder = tmp_path_factory.mktemp(f"{survey}-{variant}")
            made[variant, survey] = make_build(folder, variant, survey)
        return made[variant, survey]

    return get


@pytest.fixture(scope="session")
def sample_build(built: BuildOf) -> Built:
    """The bundled sample survey, every city, screen variant."""
    return built()


@pytest.fixture(scope="session")
def lima_pdf(sample_build: Built) -> Path:
    return sample_build.pdf("peru-lima")


# With pytest-xdist (make test), tests are handed out a group per worker, so each worker
# makes the builds its tests ask for once: a test file is a group, and the files that read
# the sample's builds (and the extreme survey's) are one group together, so each is built
# once in all.
SAMPLE_BUILD_FILES = {"test_sample_build.py", "test_schemas.py", "test_variants.py"}
SAMPLE_BUILD_FILES |= {"test_visual.py", "test_font_subsets.py", "test_tags.py", "test_fit.py"}
SAMPLE_BUILD_FILES |= {"test_extreme.py"}


# tryfirst: xdist's own hook reads the groups into the test ids, and it runs before a
# conftest's hook otherwise: the groups were then ignored, and a file's session fixtures
# built on both workers.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        name = item.path.name
        group = "sample-builds" if name in SAMPLE_BUILD_FILES else str(item.path)
        item.add_marker(pytest.mark.xdist_group(group))
