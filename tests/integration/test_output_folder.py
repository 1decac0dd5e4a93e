"""What a build does to its output folder: the manifest lists only the survey's cities (the
PDF of a removed one goes aside, never to be mailed), re-runs do not depend on file times,
only the build's own temporaries are removed, one build at a time, files get the umask's
mode, and every failure to write is one `error:` line (exit code 2), never a traceback."""

from __future__ import annotations

import errno
import fcntl
import json
import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from support.helpers import ROOT, minimal_city, write_survey
from typer.testing import CliRunner

from snapshotpdf import files
from snapshotpdf.batch import rerun
from snapshotpdf.batch.build import build
from snapshotpdf.batch.manifest import sha256_file
from snapshotpdf.batch.settings import Settings
from snapshotpdf.cli.app import app
from snapshotpdf.mail.plan import manifest_entries
from snapshotpdf.models import CityRecord, Inputs
from snapshotpdf.reporter import Recorder, Reporter

CITIES = [
    minimal_city("Alpha", "Ruritania", mayor="Ann Alpha"),
    minimal_city("Beta", "Ruritania", mayor="Ben Beta"),
    minimal_city("Gamma", "Ruritania", mayor="Gil Gamma"),
]
runner = CliRunner()


@pytest.fixture(autouse=True)
def fixed_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")


def settings_for(tmp_path: Path, rows: list[dict[str, object]], **options: object) -> Settings:
    survey = write_survey(tmp_path / "survey.xlsx", rows)
    return Settings(inputs=Inputs(survey=survey), outdir=tmp_path / "out", jobs=0, **options)  # type: ignore[arg-type]


def manifest_of(outdir: Path) -> dict[str, dict[str, object]]:
    document = json.loads((outdir / "manifest.json").read_text(encoding="utf-8"))
    schema = json.loads(
        (ROOT / "docs" / "schemas" / "manifest.schema.json").read_text(encoding="utf-8")
    )
    assert [e.message for e in Draft202012Validator(schema).iter_errors(document)] == []
    return {str(e["file"]): e for e in document["cities"] if e["file"]}


def cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.output
    return result.exit_code, result.output


# 1. The manifest describes the last build's survey: a removed city is never mailed.


def test_a_city_gone_from_the_survey_is_removed_and_its_pdf_moved_aside(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, CITIES)
    build(settings)
    out = settings.outdir
    gamma = (out / "ruritania-gamma.pdf").read_bytes()
    told = Recorder()
    without = settings_for(tmp_path, CITIES[:2])
    result = build(without, told)
    assert result.written == [] and len(result.unchanged) == 2
    listed = manifest_of(out)
    assert listed["ruritania-gamma.pdf"]["status"] == "removed"
    assert listed["ruritania-gamma.pdf"]["sha256"] is None
    assert not (out / "ruritania-gamma.pdf").exists()
    assert (out / "removed" / "ruritania-gamma.pdf").read_bytes() == gamma
    assert any("Gamma, Ruritania is no longer in the survey" in s for s in told.steps)
    sendable = [e.file for e in manifest_entries(out)]
    assert sendable == ["ruritania-alpha.pdf", "ruritania-beta.pdf"]
    # nothing changed since: the replay and a full build say the same, Gamma still removed
    before = (out / "manifest.json").read_bytes()
    assert rerun.replay(without, Reporter()) is not None
    assert (out / "manifest.json").read_bytes() == before
    again = build(without)  # a full build, as the replay stands for
    assert again.written == [] and (out / "manifest.json").read_bytes() == before


def test_the_mail_dry_run_does_not_offer_a_removed_city(tmp_path: Path) -> None:
    build(settings_for(tmp_path, CITIES))
    renamed = [*CITIES[:2], minimal_city("Gamma-on-Sea", "Ruritania")]
    build(settings_for(tmp_path, renamed))
    listed = manifest_of(tmp_path / "out")
    assert listed["ruritania-gamma.pdf"]["status"] == "removed"
    assert listed["ruritania-gamma-on-sea.pdf"]["status"] == "built"
    code, output = cli("mail", str(tmp_path / "survey.xlsx"), "-o", str(tmp_path / "out"))
    assert "ruritania-gamma.pdf" not in output and "ruritania-gamma-on-sea.pdf" in output, output


def test_a_partial_build_keeps_the_cities_it_did_not_select(tmp_path: Path) -> None:
    build(settings_for(tmp_path, CITIES))
    out = tmp_path / "out"
    beta = manifest_of(out)["ruritania-beta.pdf"]
    result = build(settings_for(tmp_path, [CITIES[0], CITIES[1]], cities=("Alpha",)))
    assert result.not_selected == 1
    listed = manifest_of(out)
    assert listed["ruritania-beta.pdf"] == beta and (out / "ruritania-beta.pdf").is_file()
    assert listed["ruritania-gamma.pdf"]["status"] == "removed"
    assert (out / "removed" / "ruritania-gamma.pdf").is_file()


# 2. Incremental builds depend on content only, never on file times.


def test_without_source_date_epoch_only_the_edited_city_is_rebuilt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    settings = settings_for(tmp_path, CITIES)
    survey = settings.inputs.survey_path
    os.utime(survey, (1_600_000_000, 1_600_000_000))
    build(settings)
    out = settings.outdir
    first = {p.name: p.read_bytes() for p in out.glob("*.pdf")}
    assert {e["created"] for e in manifest_of(out).values()} == {"2020-09-13T12:26:40+00:00"}

    os.utime(survey, (1_650_000_000, 1_650_000_000))  # saved again, unchanged
    assert build(settings).written == []

    edited = [dict(c) for c in CITIES]
    edited[1]["mayor"] = "Bea Beta"
    settings = settings_for(tmp_path, edited)  # written again: a new modification time
    os.utime(survey, (1_700_000_000, 1_700_000_000))
    result = build(settings)
    assert [d.city for d in result.written] == ["Beta"]
    assert sorted(d.city for d in result.unchanged) == ["Alpha", "Gamma"]
    for name in ("ruritania-alpha.pdf", "ruritania-gamma.pdf"):
        assert (out / name).read_bytes() == first[name], name
    listed = manifest_of(out)
    assert listed["ruritania-beta.pdf"]["created"] == "2023-11-14T22:13:20+00:00"
    assert listed["ruritania-alpha.pdf"]["created"] == "2020-09-13T12:26:40+00:00"
    # a deleted PDF of an unchanged city comes back with the same bytes (and date)
    (out / "ruritania-alpha.pdf").unlink()
    assert [d.city for d in build(settings).written] == ["Alpha"]
    assert (out / "ruritania-alpha.pdf").read_bytes() == first["ruritania-alpha.pdf"]


SHOWS_DATE = """{% extends "snapshot/snapshot.html.j2" %}{% block spotlight %}{{ super() }}
<p>Printed on {{ created }}</p>{% endblock %}"""
EXTENDS = 'extends = "snapshot"\n'


@pytest.mark.parametrize("shows_date", [False, True], ids=["bundled", "template shows the date"])
def test_every_pdf_carries_the_date_the_manifest_keeps_and_its_html_is_made_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shows_date: bool
) -> None:
    """The bundled template does not use the date: the HTML the build fingerprints is the
    one rendered (one HTML a city), and the renderer writes the date into the PDF. A template
    that shows it is made again, dated, for its PDF."""
    from datetime import datetime

    from pypdf import PdfReader
    from support.layouts import user_layout

    from snapshotpdf.render.html import Renderer

    made: list[str] = []  # the cities whose HTML was made as designed (not to refit)
    html = Renderer.html

    def counted(self: Renderer, record: CityRecord, *args: Any, **kwargs: Any) -> str:
        if not kwargs.get("flow") and not kwargs.get("fit"):
            made.append(record.city)
        return html(self, record, *args, **kwargs)

    monkeypatch.setattr(Renderer, "html", counted)
    layout = (
        str(user_layout(tmp_path / "mine", EXTENDS, {"snapshot.html.j2": SHOWS_DATE}))
        if shows_date
        else "snapshot"
    )
    survey = write_survey(tmp_path / "survey.xlsx", CITIES)
    settings = Settings(
        inputs=Inputs(survey=survey, layout=layout), outdir=tmp_path / "out", jobs=0
    )
    assert len(build(settings).written) == len(CITIES)
    assert len(made) == len(CITIES) * (2 if shows_date else 1)
    for name, entry in manifest_of(settings.outdir).items():
        created = datetime.fromisoformat(str(entry["created"]))
        pdf = PdfReader(settings.outdir / name)
        assert pdf.metadata is not None and pdf.metadata.creation_date == created
        printed = f"Printed on {entry['created']}" in pdf.pages[0].extract_text()
        assert printed is shows_date


def test_another_source_date_epoch_rebuilds_every_city(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = settings_for(tmp_path, CITIES[:2])
    build(settings)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    assert len(build(settings).written) == 2
    assert {e["created"] for e in manifest_of(settings.outdir).values()} == {
        "2027-01-15T08:00:00+00:00"
    }


# 3. A build removes only the temporaries it wrote.


def test_only_the_builds_own_temporaries_are_removed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    notes = out / ".notes.tmp"
    notes.write_text("mine", encoding="utf-8")
    ours = out / ".snapshotpdf-ruritania-alpha.pdf.1a2b3c4d.tmp"
    ours.write_bytes(b"%PDF half")
    older = out / ".manifest.json.x8y7z6w5.tmp"  # an older snapshotpdf's name
    older.write_text("{", encoding="utf-8")
    precious = tmp_path / "precious.txt"
    precious.write_text("keep", encoding="utf-8")
    link = out / ".snapshotpdf-link.tmp"
    link.symlink_to(precious)
    build(settings_for(tmp_path, CITIES[:1]))
    assert notes.read_text(encoding="utf-8") == "mine"
    assert not ours.exists() and not older.exists()
    assert link.is_symlink() and precious.read_text(encoding="utf-8") == "keep"


def test_temporaries_are_named_as_the_tools_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str] = []
    real = os.replace

    def spy(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        seen.append(Path(src).name)
        real(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    files.write_atomic(tmp_path / "a.pdf", b"data")
    assert seen and seen[0].startswith(".snapshotpdf-a.pdf.") and seen[0].endswith(".tmp")


# 4. One build at a time into a folder.


@pytest.fixture()
def held_lock(tmp_path: Path) -> Iterator[Path]:
    """The output folder's lock, held as another process would hold it."""
    out = tmp_path / "out"
    out.mkdir()
    fd = os.open(out / files.LOCK, os.O_RDWR | os.O_CREAT, 0o666)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    try:
        yield out
    finally:
        os.close(fd)


def test_a_second_build_into_a_locked_folder_stops_with_one_error_line(
    tmp_path: Path, held_lock: Path
) -> None:
    survey = write_survey(tmp_path / "survey.xlsx", CITIES[:1])
    code, output = cli("build", str(survey), "-o", str(held_lock), "-q", "-j", "0")
    assert code == 2
    assert output.startswith("error: another snapshotpdf run is writing into"), output
    assert not list(held_lock.glob("*.pdf")) and not (held_lock / "manifest.json").exists()


def test_the_lock_is_released_after_a_build_and_after_an_error(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, CITIES[:1])
    build(settings)
    with files.output_lock(settings.outdir), files.output_lock(settings.outdir):
        pass  # free again, and re-entrant within one process
    fd = os.open(settings.outdir / files.LOCK, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # nobody holds it
    finally:
        os.close(fd)


# 5. Failures to write are one error line, exit code 2, never a traceback.


def test_a_read_only_output_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    survey = write_survey(tmp_path / "survey.xlsx", CITIES[:1])
    out = tmp_path / "out"
    out.mkdir()
    real = os.open

    def read_only(path: str | os.PathLike[str], flags: int, *args: int, **kw: object) -> int:
        if Path(path).parent == out and flags & (os.O_WRONLY | os.O_RDWR):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return real(path, flags, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", read_only)
    code, output = cli("build", str(survey), "-o", str(out), "-q", "-j", "0")
    assert code == 2 and output.startswith("error: cannot write"), output
    assert "Read-only file system" in output and f"make {out} writable" in output


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only folder")
def test_a_folder_without_write_permission(tmp_path: Path) -> None:
    survey = write_survey(tmp_path / "survey.xlsx", CITIES[:1])
    out = tmp_path / "out"
    out.mkdir()
    out.chmod(0o555)
    try:
        code, output = cli("build", str(survey), "-o", str(out), "-q", "-j", "0")
    finally:
        out.chmod(0o755)
    assert code == 2 and output.startswith("error: cannot write"), output


def test_a_full_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    survey = write_survey(tmp_path / "survey.xlsx", CITIES[:1])
    out = tmp_path / "out"

    real = os.write

    def full(fd: int, data: bytes) -> int:  # the disk is full for snapshotpdf's own files
        if sys._getframe(1).f_code.co_filename == files.__file__:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(fd, data)

    monkeypatch.setattr(os, "write", full)
    code, output = cli("build", str(survey), "-o", str(out), "-q", "-j", "0")
    assert code == 2, output
    errors = [line for line in output.splitlines() if line.startswith("error:")]
    assert errors and errors[0].startswith(f"error: cannot write {out}"), output
    assert "No space left on device" in output and "free some space" in output
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def test_a_manifest_that_is_json_but_not_an_object_is_ignored_with_a_warning(
    tmp_path: Path,
) -> None:
    survey = write_survey(tmp_path / "survey.xlsx", CITIES[:1])
    out = tmp_path / "out"
    out.mkdir()
    (out / "manifest.json").write_text("[]", encoding="utf-8")
    code, output = cli("build", str(survey), "-o", str(out), "-q", "-j", "0")
    assert code == 0, output
    assert "warning:" in output and "manifest.json is not a manifest" in output
    assert manifest_of(out)["ruritania-alpha.pdf"]["status"] == "built"
    assert manifest_entries(out)  # and mail reads it


def test_a_folder_where_a_pdf_should_be(tmp_path: Path) -> None:
    survey = write_survey(tmp_path / "survey.xlsx", CITIES[:2])
    out = tmp_path / "out"
    (out / "ruritania-alpha.pdf").mkdir(parents=True)
    code, output = cli("build", str(survey), "-o", str(out), "-q", "-j", "0")
    assert code == 2, output
    assert output.startswith(f"error: {out / 'ruritania-alpha.pdf'} is a folder"), output
    assert not (out / "ruritania-beta.pdf").exists()  # it stopped before rendering
    assert "hint: move that folder out of the way" in output


def test_a_folder_where_the_manifest_should_be(tmp_path: Path) -> None:
    survey = write_survey(tmp_path / "survey.xlsx", CITIES[:1])
    out = tmp_path / "out"
    (out / "manifest.json").mkdir(parents=True)
    code, output = cli("build", str(survey), "-o", str(out), "-q", "-j", "0")
    assert code == 2, output
    assert f"error: {out / 'manifest.json'} is a folder" in output, output
    assert not (out / "ruritania-alpha.pdf").exists()  # it stopped before rendering


def test_a_booklet_into_an_existing_folder(tmp_path: Path) -> None:
    survey = write_survey(tmp_path / "survey.xlsx", CITIES[:1])
    folder = tmp_path / "out"
    folder.mkdir()
    code, output = cli("booklet", str(survey), "-o", str(folder), "-q")
    assert code == 2
    assert output.startswith(f"error: {folder} is a folder: the booklet is one PDF file"), output
    assert f"-o {folder / 'booklet.pdf'}" in output


@pytest.mark.parametrize("kept", ["mail/ledger.sqlite", "manifest.json", "ruritania-alpha.pdf"])
def test_a_booklet_never_replaces_what_a_build_or_mail_keeps(tmp_path: Path, kept: str) -> None:
    """booklet -o out/mail/ledger.sqlite replaced the record of what was sent (mail then
    stopped: 'damaged'); -o out/manifest.json or a city's PDF, the build's."""
    survey = write_survey(tmp_path / "survey.xlsx", CITIES[:1])
    out = tmp_path / "out"
    assert cli("build", str(survey), "-o", str(out), "-q", "-j", "0")[0] == 0
    target = out / kept
    target.parent.mkdir(exist_ok=True)
    if not target.exists():
        target.write_bytes(b"SQLite format 3\0")
    before = target.read_bytes()
    code, output = cli("booklet", str(survey), "-o", str(target), "-q")
    assert code == 2, output
    assert output.startswith(f"error: {target}"), output
    assert target.read_bytes() == before


# 6. Files get the mode the umask gives.


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600)])
def test_files_are_written_with_the_umasks_mode(tmp_path: Path, umask: int, mode: int) -> None:
    previous = os.umask(umask)
    try:
        build(settings_for(tmp_path, CITIES[:1]))
    finally:
        os.umask(previous)
    out = tmp_path / "out"
    for name in ("ruritania-alpha.pdf", "manifest.json", "report.json"):
        assert stat.S_IMODE((out / name).stat().st_mode) == mode, name
    assert (
        sha256_file(out / "ruritania-alpha.pdf")
        == manifest_of(out)["ruritania-alpha.pdf"]["sha256"]
    )


def test_a_build_into_its_layout_folder_is_refused_before_it_writes(tmp_path: Path) -> None:
    """Its PDFs and manifest counted as files of the layout: every build made every city
    again, and -o layouts/snapshot did so to every output folder of the bundled layout."""
    survey = write_survey(tmp_path / "survey.xlsx", CITIES[:1])
    layout = tmp_path / "mine"
    layout.mkdir()
    (layout / "layout.toml").write_text('extends = "snapshot"\n', encoding="utf-8")
    before = sorted(p.name for p in layout.iterdir())
    for out in (layout, layout / "pdfs"):
        code, output = cli("build", str(survey), "-o", str(out), "--layout", str(layout), "-q")
        assert code == 2, output
        assert f"error: the output folder {out} is in the layout folder" in output, output
    assert sorted(p.name for p in layout.iterdir()) == before
