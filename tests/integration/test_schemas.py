"""The JSON Schemas in docs/schemas/ describe what snapshotpdf really writes: the run report
(OUTDIR/report.json, `check --format json`) and the build manifest (OUTDIR/manifest.json)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from support.helpers import FIXTURES, ROOT
from typer.testing import CliRunner

from snapshotpdf.batch.result import BuildResult
from snapshotpdf.cli.app import app

SCHEMAS = ROOT / "docs" / "schemas"
SAMPLE_PROFILE = ROOT / "snapshotpdf" / "survey" / "profiles" / "sample.toml"
runner = CliRunner()


def validator(name: str) -> Draft202012Validator:
    schema = json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def errors(name: str, document: Any) -> list[str]:
    found = validator(name).iter_errors(document)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in found]


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def test_the_report_of_a_build_matches_its_schema(
    sample_build: tuple[BuildResult, Path],
) -> None:
    report = load(sample_build[1] / "report.json")
    assert errors("report", report) == []
    assert report["command"] == "build" and report["rows"]
    statuses = {key: value for key, value in report["counts"].items() if key != "data_rows"}
    del statuses["errors"], statuses["warnings"]
    assert sum(statuses.values()) == report["counts"]["data_rows"]


def test_the_manifest_of_a_build_matches_its_schema(
    sample_build: tuple[BuildResult, Path],
) -> None:
    document = load(sample_build[1] / "manifest.json")
    assert errors("manifest", document) == []
    assert {entry["status"] for entry in document["cities"]} <= {"built", "unchanged"}


@pytest.mark.parametrize(
    "args",
    [
        [],  # the bundled sample: every row valid
        [str(FIXTURES / "bad" / "missing-city.csv"), "--profile", str(SAMPLE_PROFILE)],
        [str(FIXTURES / "bad" / "blank-rows.csv"), "--profile", str(SAMPLE_PROFILE)],
    ],
    ids=["sample", "skipped-rows", "blank-rows"],
)
def test_check_format_json_matches_the_report_schema(args: list[str]) -> None:
    from snapshotpdf.assets import sample_survey

    survey = args or [str(sample_survey())]
    result = runner.invoke(app, ["check", "--format", "json", *survey])
    assert result.exit_code in (0, 1), result.output
    report = json.loads(result.stdout)
    assert report["command"] == "check"
    assert errors("report", report) == []


def test_the_report_schema_rejects_an_unknown_status(
    sample_build: tuple[BuildResult, Path],
) -> None:
    report = load(sample_build[1] / "report.json")
    bad = copy.deepcopy(report)
    bad["rows"][0]["status"] = "exploded"
    assert any("exploded" in error for error in errors("report", bad))
    # a check status in a build report is wrong too, and so is an unknown key
    wrong = copy.deepcopy(report)
    wrong["rows"][0]["status"] = "valid"
    assert errors("report", wrong)
    extra = copy.deepcopy(report)
    extra["colour"] = "blue"
    assert errors("report", extra)


def test_the_manifest_schema_rejects_what_the_writer_never_writes(
    sample_build: tuple[BuildResult, Path],
) -> None:
    document = load(sample_build[1] / "manifest.json")
    for change in (
        lambda e: e.update(status="rendered"),
        lambda e: e.update(sha256=None),
        lambda e: e.pop("fingerprint"),
        lambda e: e.update(extra=1),
    ):
        bad = copy.deepcopy(document)
        change(bad["cities"][0])
        assert errors("manifest", bad), bad["cities"][0]


def test_the_example_in_the_manual_matches_the_schema() -> None:
    page = (ROOT / "docs" / "reports.md").read_text(encoding="utf-8")
    section = page.split("## The run report", 1)[1]
    example = json.loads(section.split("```json\n", 1)[1].split("```", 1)[0])
    assert errors("report", example) == []
