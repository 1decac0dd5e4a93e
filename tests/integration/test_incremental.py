"""Re-runs rebuild exactly what changed; the same inputs give the same bytes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.helpers import minimal_city, write_survey

from snapshotpdf.batch.build import build
from snapshotpdf.batch.manifest import sha256_file
from snapshotpdf.batch.settings import Settings
from snapshotpdf.models import Inputs

CITIES = [
    minimal_city("Alpha", "Ruritania", mayor="Ann Alpha"),
    minimal_city("Beta", "Ruritania", mayor="Ben Beta"),
    minimal_city("Gamma", "Ruritania", mayor="Gil Gamma", dedicated_funding="Yes"),
]


def run(tmp_path: Path, rows: list[dict], outdir: str = "out", force: bool = False):
    survey = write_survey(tmp_path / "survey.xlsx", rows)
    result = build(Settings(inputs=Inputs(survey=survey), outdir=tmp_path / outdir, force=force))
    return sorted(d.city for d in result.written), result


@pytest.fixture(autouse=True)
def fixed_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")


def test_second_run_renders_nothing_and_manifest_describes_the_files(tmp_path: Path) -> None:
    built, _ = run(tmp_path, CITIES)
    assert built == ["Alpha", "Beta", "Gamma"]
    built, result = run(tmp_path, CITIES)
    assert built == [] and len(result.unchanged) == 3
    assert "0 PDF(s) written, 3 unchanged" in result.summary()
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert [e["file"] for e in manifest["cities"]] == [
        "ruritania-alpha.pdf",
        "ruritania-beta.pdf",
        "ruritania-gamma.pdf",
    ]
    for entry in manifest["cities"]:
        # Answers for three sections: they flow onto one page (render/fitting.py).
        assert entry["status"] == "unchanged" and entry["pages"] == 1
        assert entry["sha256"] == sha256_file(tmp_path / "out" / entry["file"])


def test_one_changed_answer_rebuilds_that_city_only(tmp_path: Path) -> None:
    run(tmp_path, CITIES)
    edited = [dict(c) for c in CITIES]
    edited[1]["mayor"] = "Bea Beta"
    assert run(tmp_path, edited)[0] == ["Beta"]


def test_a_changed_compared_answer_rebuilds_every_city_whose_figures_change(
    tmp_path: Path,
) -> None:
    run(tmp_path, CITIES)
    edited = [dict(c) for c in CITIES]
    edited[1]["formal_strategy"] = "No"  # 100% -> 67% for Alpha and Gamma, 33% for Beta
    assert run(tmp_path, edited)[0] == ["Alpha", "Beta", "Gamma"]
    edited[2]["dedicated_funding"] = "No"  # only the funding sentence changes, for everyone
    assert run(tmp_path, edited)[0] == ["Alpha", "Beta", "Gamma"]
    edited[0]["mayor"] = "Ann Other"
    assert run(tmp_path, edited)[0] == ["Alpha"]


def test_a_missing_or_altered_file_is_rebuilt_and_force_rebuilds_all(tmp_path: Path) -> None:
    run(tmp_path, CITIES)
    (tmp_path / "out" / "ruritania-alpha.pdf").unlink()
    (tmp_path / "out" / "ruritania-beta.pdf").write_bytes(b"%PDF-1.7 truncated")
    assert run(tmp_path, CITIES)[0] == ["Alpha", "Beta"]
    assert run(tmp_path, CITIES, force=True)[0] == ["Alpha", "Beta", "Gamma"]


def test_same_inputs_give_byte_identical_pdfs(tmp_path: Path) -> None:
    run(tmp_path, CITIES, outdir="one")
    run(tmp_path, CITIES, outdir="two")
    for pdf in (tmp_path / "one").glob("*.pdf"):
        assert pdf.read_bytes() == (tmp_path / "two" / pdf.name).read_bytes(), pdf.name


def test_manifest_lists_skipped_rows_without_touching_the_valid_city(tmp_path: Path) -> None:
    rows = [*CITIES, minimal_city("Delta", None), minimal_city("Alpha", "Ruritania")]
    built, result = run(tmp_path, rows)
    assert built == ["Alpha", "Beta", "Gamma"] and result.exit_code() == 1
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    skipped = [e for e in manifest["cities"] if e["status"] == "skipped"]
    assert [(e["row"], e["file"]) for e in skipped] == [(5, ""), (6, "")]
    assert skipped[0]["city"] == "Delta" and "country" in skipped[0]["warnings"][0]
    alpha = [e for e in manifest["cities"] if e["file"] == "ruritania-alpha.pdf"]
    assert [e["status"] for e in alpha] == ["built"]
    assert run(tmp_path, rows)[0] == []  # skipped rows do not disturb what is current


def test_only_files_that_shape_a_pdf_are_in_its_fingerprint() -> None:
    from snapshotpdf.render.layout import load_layout

    layout = load_layout()
    parts = {p.relative_to(layout.folder).parts[0] for p in layout.files()}
    assert {"snapshot.css", "snapshot.html.j2", "icons", "locales"} <= parts
    assert "mail" not in parts  # an e-mail template edit must not re-render every PDF
