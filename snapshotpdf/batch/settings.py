"""What a build is asked to do, and the date its PDFs carry. A light module: the command
line reads it before deciding whether the heavy pipeline is needed at all."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from snapshotpdf.models import Inputs


@dataclass(frozen=True)
class Settings:
    inputs: Inputs = field(default_factory=Inputs)  # which survey, profile, sheet, layout
    outdir: Path = Path("outputs")
    cities: tuple[str, ...] = ()  # only these (by city name or file slug); all when empty
    paper: str = "a4"
    strict: bool = False
    force: bool = False  # rebuild even what the manifest says is current
    jobs: int = 0  # worker processes; 0 renders in this process (no crash isolation)
    variant: str = "screen"  # output variant (render/variants.py): screen, print, archive
    # The organisation named as every PDF's author; None: the layout's [brand]
    # organisation, else "snapshotpdf" (Plan.author).
    author: str | None = None
    language: str | None = None  # --lang: every city in this language (docs/languages.md)


def default_workers() -> int:
    """All the cores this process may use: how many worker processes --jobs auto starts."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def source_date() -> datetime | None:
    """SOURCE_DATE_EPOCH (reproducible builds) when it is set to a number of seconds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return datetime.fromtimestamp(int(epoch), tz=UTC) if epoch and epoch.isdigit() else None


def creation_date(survey: Path) -> datetime:
    """SOURCE_DATE_EPOCH when set (reproducible builds), else when the survey was saved.
    A build dates each city's PDF by when its content last changed (batch/plan.py), a
    booklet by this."""
    return source_date() or datetime.fromtimestamp(int(survey.stat().st_mtime), tz=UTC)


def outside_layout(outdir: Path, layout: str) -> None:
    """The output folder is no layout folder, nor inside one (the layout given by its path,
    and the bundled ones every layout extends): the PDFs and the manifest would be files
    of the layout, which would then change with every build, so that every city is made
    again, in every output folder that uses it. Checked before anything is written."""
    from snapshotpdf.assets import folder_of, layouts_dir
    from snapshotpdf.errors import SnapshotError

    where = outdir.resolve()
    given = folder_of(layout)
    folders = [layouts_dir(), *([given] if given.is_dir() else [])]
    for folder in folders:
        if where.is_relative_to(folder.resolve()):
            raise SnapshotError(
                f"the output folder {outdir} is in the layout folder {folder}: what a build"
                " writes would count as the layout's own files",
                hint="give the PDFs a folder of their own, such as -o outputs",
            )
