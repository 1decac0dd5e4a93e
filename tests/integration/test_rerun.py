"""A re-run with nothing changed is replayed: the same problems, summary, exit code,
manifest.json and report.json as a full build, without reading or rendering anything."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from support.helpers import minimal_city, write_survey

from snapshotpdf.batch import rerun
from snapshotpdf.batch.build import build
from snapshotpdf.batch.settings import Settings
from snapshotpdf.batch.workers import CRASH_HOOK
from snapshotpdf.models import Inputs
from snapshotpdf.reporter import Recorder, Reporter

CITIES = [
    minimal_city("Alpha", "Ruritania", website="ftp://alpha.example"),  # a warning
    minimal_city("Beta", "Ruritania"),
    minimal_city("", "Ruritania", mayor="Nobody"),  # an error: the row is skipped
]


@pytest.fixture(autouse=True)
def fixed_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")


@pytest.fixture()
def built(tmp_path: Path) -> Settings:
    survey = write_survey(tmp_path / "survey.xlsx", CITIES)
    settings = Settings(inputs=Inputs(survey=survey), outdir=tmp_path / "out")
    build(settings)
    return settings


def problems_said(told: Recorder) -> list[str]:
    """Every problem a reporter was told of, as the terminal shows it."""
    return [str(p) for p in told.problems] + [f"{s.value}: {m}" for s, m in told.notices]


def test_a_replay_says_and_writes_what_a_full_rerun_does(built: Settings, tmp_path: Path) -> None:
    twin = replace(built, outdir=tmp_path / "twin")
    shutil.copytree(built.outdir, twin.outdir)

    told_replay, told_build = Recorder(), Recorder()
    replayed = rerun.replay(built, told_replay)
    said_by_replay = problems_said(told_replay)
    full = build(twin, told_build)
    said_by_build = problems_said(told_build)

    assert replayed is not None and full.written == [] and len(full.unchanged) == 2
    assert said_by_replay == said_by_build and len(said_by_build) >= 2  # warning and error
    assert replayed.problems == [(p.severity.value, str(p)) for p in full.problems]
    assert replayed.summary == full.summary()
    assert "0 PDF(s) written, 2 unchanged, 1 row(s) skipped" in replayed.summary
    assert replayed.exit_code == full.exit_code() == 1
    for name in ("manifest.json", "report.json"):
        assert (built.outdir / name).read_bytes() == (twin.outdir / name).read_bytes(), name
    assert '"status": "unchanged"' in (built.outdir / "report.json").read_text()


def test_the_replay_holds_as_long_as_nothing_changes(built: Settings) -> None:
    assert rerun.replay(built, Reporter()) is not None
    assert rerun.replay(built, Reporter()) is not None  # a replay leaves the record as it was


def edit_survey(settings: Settings) -> Settings:
    assert settings.inputs.survey is not None
    write_survey(settings.inputs.survey, [*CITIES, minimal_city("Gamma", "Ruritania")])
    return settings


def alter_pdf(settings: Settings) -> Settings:
    (settings.outdir / "ruritania-beta.pdf").write_bytes(b"%PDF-1.7 truncated")
    return settings


def delete_pdf(settings: Settings) -> Settings:
    (settings.outdir / "ruritania-alpha.pdf").unlink()
    return settings


def delete_record(settings: Settings) -> Settings:
    (settings.outdir / rerun.STATE).unlink()
    return settings


def corrupt_record(settings: Settings) -> Settings:
    (settings.outdir / rerun.STATE).write_text("{not json", encoding="utf-8")
    return settings


def another_date(settings: Settings) -> Settings:
    os.environ["SOURCE_DATE_EPOCH"] = "1800000000"  # undone by the fixture's monkeypatch
    return settings


@pytest.mark.parametrize(
    "change",
    [
        edit_survey,
        alter_pdf,
        delete_pdf,
        delete_record,
        corrupt_record,
        another_date,
        lambda s: replace(s, force=True),
        lambda s: replace(s, paper="letter"),
        lambda s: replace(s, variant="print"),
        lambda s: replace(s, author="Another office"),
        lambda s: replace(s, cities=("Alpha",)),
        lambda s: replace(s, strict=True),
    ],
    ids=[
        "survey",
        "altered-pdf",
        "deleted-pdf",
        "deleted-record",
        "corrupt-record",
        "date",
        "force",
        "paper",
        "variant",
        "author",
        "city",
        "strict",
    ],
)
def test_any_change_that_shapes_the_outputs_runs_the_whole_build(
    built: Settings, change: object
) -> None:
    assert callable(change)
    assert rerun.replay(change(built), Reporter()) is None


def test_a_change_in_snapshotpdf_itself_or_its_libraries_runs_the_whole_build(
    built: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = tmp_path / "module.py"
    code.write_text("A = 1\n", encoding="utf-8")
    files = [*rerun._own_files(), code]
    monkeypatch.setattr(rerun, "_own_files", lambda: files)
    build(built)  # recorded with this extra "module"
    assert rerun.replay(built, Reporter()) is not None
    code.write_text("A = 2\n", encoding="utf-8")
    assert rerun.replay(built, Reporter()) is None
    code.write_text("A = 1\n", encoding="utf-8")
    monkeypatch.setattr(rerun, "_version", lambda name: "99" if name == "pandas" else "1")
    assert rerun.replay(built, Reporter()) is None


def test_a_build_with_a_failed_city_leaves_nothing_to_replay(
    built: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CRASH_HOOK, "Beta")
    result = build(replace(built, force=True, jobs=1))
    assert [r.city for r, _ in result.failed] == ["Beta"]
    assert not (built.outdir / rerun.STATE).exists()
    assert rerun.replay(built, Reporter()) is None  # the next build renders Beta again


def test_the_command_replays_without_importing_pandas_or_weasyprint(built: Settings) -> None:
    assert built.inputs.survey is not None
    program = (
        "import sys\n"
        "from snapshotpdf.cli.app import app\n"
        "try:\n"
        f"    app(['build', {str(built.inputs.survey)!r}, '-o', {str(built.outdir)!r}])\n"
        "except SystemExit as exit:\n"
        "    print(exit.code, 'pandas' in sys.modules, 'weasyprint' in sys.modules)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True
    )
    assert run.stdout.split() == ["1", "False", "False"]
    assert "Nothing changed since the last build: 2 PDF(s)" in run.stderr
    assert "ftp://alpha.example" in run.stderr  # the warnings are said again
    assert "0 PDF(s) written, 2 unchanged, 1 row(s) skipped" in run.stderr


def test_a_replay_holds_however_the_survey_path_is_written(
    built: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    survey = built.inputs.survey
    assert survey is not None and survey.is_absolute()
    monkeypatch.chdir(survey.parent)
    relative = replace(built, inputs=Inputs(survey=Path(survey.name)))
    assert rerun.replay(relative, Reporter()) is not None
    dotted = replace(
        built, inputs=Inputs(survey=Path(".") / ".." / survey.parent.name / survey.name)
    )
    assert rerun.replay(dotted, Reporter()) is not None


def test_a_replay_holds_through_a_link_that_keeps_the_file_name(
    built: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    survey = built.inputs.survey
    assert survey is not None
    linked = tmp_path / "exports"
    linked.symlink_to(survey.parent, target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    through = replace(built, inputs=Inputs(survey=Path("exports") / survey.name))
    assert rerun.replay(through, Reporter()) is not None
    absolute = replace(built, inputs=Inputs(survey=linked.resolve() / survey.name))
    assert rerun.replay(absolute, Reporter()) is not None


def test_a_survey_under_another_name_is_built_as_that_name(built: Settings, tmp_path: Path) -> None:
    """Its problems and manifest name the file as it was given: not a replay of the
    survey's own name."""
    survey = built.inputs.survey
    assert survey is not None
    other = tmp_path / "latest.xlsx"
    other.symlink_to(survey)
    renamed = replace(built, inputs=Inputs(survey=other))
    assert rerun.replay(renamed, Reporter()) is None
    told = Recorder()
    result = build(renamed, told)
    assert result.written == [] and len(result.unchanged) == 2
    assert all(p.location.file == "latest.xlsx" for p in told.problems)
    assert '"survey": "latest.xlsx"' in (built.outdir / "manifest.json").read_text()
    assert rerun.replay(renamed, Reporter()) is not None


def test_a_survey_that_is_not_a_file_is_never_opened_to_be_digested(
    built: Settings, tmp_path: Path
) -> None:
    pipe = tmp_path / "survey.csv"
    os.mkfifo(pipe)  # opening it to read would wait for a writer forever
    assert rerun.inputs_digest(replace(built, inputs=Inputs(survey=pipe))) is None
