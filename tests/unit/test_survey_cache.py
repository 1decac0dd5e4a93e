"""The survey cache (batch/cache.py): a survey read once is read from the output folder's
cache after, with exactly what reading it gave; a cache that is not exactly one this
survey's reading left is never used, and never a reason to fail."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest
from support.helpers import FIXTURES, ROOT, minimal_city, write_survey

from snapshotpdf.assets import package_file
from snapshotpdf.batch import cache, typedjson
from snapshotpdf.batch.cache import CACHE
from snapshotpdf.errors import SnapshotError
from snapshotpdf.models import (
    CityRecord,
    ExtraAnswers,
    Inputs,
    Location,
    OwnOption,
    Population,
    Problem,
    Severity,
    Term,
)
from snapshotpdf.survey.validate import Validation, validate

SURVEYS = {
    "five-cities-tidy.xlsx": "sample",
    "five-cities-unicode-text.txt": "sample",
    "five-cities-surveymonkey.xlsx": "surveymonkey",
    "five-cities-qualtrics.csv": "qualtrics",
    "five-cities-googleforms.csv": "googleforms",
    "bad/blank-rows.csv": "sample",
    "bad/cp1252.csv": "sample",
    "bad/duplicate-city.csv": "sample",
    "bad/unknown-options.csv": "sample",
    "bad/wrong-types.csv": "sample",
}


@pytest.fixture(autouse=True)
def own_files(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """snapshotpdf's own files as the key sees them: one, so that the key stays the same
    while this checkout is edited (test_an_edit_of_snapshotpdf_itself changes it)."""
    files = [package_file("version.py")]
    monkeypatch.setattr(cache.digest, "own_files", lambda: files)
    return files


def inputs_of(path: Path, profile: str) -> Inputs:
    return Inputs(survey=path, profile=package_file(f"survey/profiles/{profile}.toml"))


def as_read(checked: Validation) -> tuple[object, ...]:
    """Everything a validation says, the profile by what was bound."""
    profile = checked.profile
    return (
        checked.records,
        checked.problems,
        checked.skipped,
        checked.respondents,
        checked.table,
        checked.data_rows,
        (profile.name, profile.sources, profile.grid, profile.extra, profile.language),
    )


def read_twice(inputs: Inputs, folder: Path) -> tuple[Validation, Validation]:
    """The survey read and cached, then read from the cache (which must be there)."""
    first = cache.validate(inputs, folder)
    assert (folder / CACHE).is_file()
    assert cache._Cached.open(folder / CACHE, key(inputs)) is not None
    return first, cache.validate(inputs, folder)


def key(inputs: Inputs) -> str:
    found = cache.survey_key(inputs)
    assert found is not None
    return found.text


@pytest.mark.parametrize("name", sorted(SURVEYS))
def test_a_survey_from_the_cache_is_the_survey_as_read(name: str, tmp_path: Path) -> None:
    inputs = inputs_of(FIXTURES / name, SURVEYS[name])
    direct = validate(inputs.survey_path, inputs.profile)
    first, cached = read_twice(inputs, tmp_path)
    assert as_read(first) == as_read(direct)
    assert as_read(cached) == as_read(direct)
    assert [str(p) for p in cached.problems] == [str(p) for p in direct.problems]


@pytest.mark.parametrize(
    "name", ["bad/xml-entities.xlsx", "bad/not-a-spreadsheet.xlsx", "bad/empty.csv"]
)
def test_a_survey_that_cannot_be_read_says_so_each_time_and_is_not_cached(
    name: str, tmp_path: Path
) -> None:
    inputs = Inputs(survey=FIXTURES / name)
    with pytest.raises(SnapshotError) as direct:
        validate(inputs.survey_path)
    for _ in range(2):
        with pytest.raises(SnapshotError) as cached:
            cache.validate(inputs, tmp_path)
        assert str(cached.value) == str(direct.value)
    assert list(tmp_path.iterdir()) == []


def test_the_sample_and_a_sheet_asked_for(tmp_path: Path) -> None:
    sample = Inputs()
    direct = validate(sample.survey_path)
    (tmp_path / "a").mkdir()
    assert as_read(read_twice(sample, tmp_path / "a")[1]) == as_read(direct)
    sheeted = Inputs(sheet="Responses")
    direct = validate(sheeted.survey_path, None, "Responses")
    (tmp_path / "b").mkdir()
    assert as_read(read_twice(sheeted, tmp_path / "b")[1]) == as_read(direct)


def test_the_cache_does_not_read_the_workbook(tmp_path: Path) -> None:
    """From the cache, the survey's file is hashed, never parsed: no openpyxl."""
    survey = write_survey(tmp_path / "survey.xlsx", [minimal_city("Alpha", "Ruritania")])
    program = (
        "import sys\n"
        "from pathlib import Path\n"
        "from snapshotpdf.batch import cache\n"
        "from snapshotpdf.models import Inputs\n"
        "cache.digest.own_files = lambda: []  # the key steady while the checkout is edited\n"
        "checked = cache.validate(Inputs(survey=Path(sys.argv[1])), Path(sys.argv[2]))\n"
        "print(len(checked.records), 'openpyxl' in sys.modules)\n"
    )
    (tmp_path / "out").mkdir()
    run = [sys.executable, "-c", program, str(survey), str(tmp_path / "out")]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    first = subprocess.run(run, capture_output=True, text=True, check=True, env=env)
    again = subprocess.run(run, capture_output=True, text=True, check=True, env=env)
    assert first.stdout.split() == ["1", "True"]
    assert again.stdout.split() == ["1", "False"]


def test_what_the_key_holds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    survey = write_survey(tmp_path / "survey.xlsx", [minimal_city("Alpha", "Ruritania")])
    inputs = Inputs(survey=survey)
    same = key(inputs)
    os.utime(survey, (1, 1))  # saved again, unchanged: the same survey
    assert key(inputs) == same
    monkeypatch.chdir(tmp_path)
    assert key(Inputs(survey=Path("survey.xlsx"))) == same  # however the path is typed
    twin = tmp_path / "elsewhere" / "survey.xlsx"
    twin.parent.mkdir()
    shutil.copy(survey, twin)
    assert key(Inputs(survey=twin)) == same  # the same bytes under the same name
    renamed = tmp_path / "renamed.xlsx"  # its problems name the file: another reading
    shutil.copy(survey, renamed)
    assert key(Inputs(survey=renamed)) != same
    assert key(replace(inputs, sheet="Responses")) != same
    profile = tmp_path / "sample.toml"
    shutil.copy(package_file("survey/profiles/sample.toml"), profile)
    with_profile = key(replace(inputs, profile=profile))
    assert with_profile != same
    profile.write_text(profile.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert key(replace(inputs, profile=profile)) != with_profile
    write_survey(survey, [minimal_city("Alpha", "Ruritania", mayor="Ann")])
    assert key(inputs) != same


def test_no_key_for_what_is_not_a_regular_file(tmp_path: Path) -> None:
    assert cache.survey_key(Inputs(survey=tmp_path / "missing.xlsx")) is None
    assert cache.survey_key(Inputs(survey=tmp_path)) is None
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    assert cache.survey_key(Inputs(survey=fifo)) is None  # never opened: it would block


@pytest.fixture()
def cached(tmp_path: Path) -> tuple[Inputs, Path, Validation]:
    """A survey with a warning, an error and a blank row, read once (so cached)."""
    rows = [
        minimal_city("Alpha", "Ruritania", website="ftp://alpha.example"),
        {},
        minimal_city("", "Ruritania", mayor="Nobody"),
        minimal_city("Beta", "Ruritania"),
    ]
    inputs = Inputs(survey=write_survey(tmp_path / "survey.xlsx", rows))
    out = tmp_path / "out"
    out.mkdir()
    direct = cache.validate(inputs, out)
    assert direct.problems and direct.skipped and direct.blank_rows
    return inputs, out / CACHE, direct


def lines(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines(keepends=True)


def rewrite(path: Path, change: object) -> None:
    assert callable(change)
    path.write_bytes(b"".join(change(lines(path))))


def first_record(found: list[bytes]) -> int:
    """The index of the cache's first record line."""
    return next(i for i, line in enumerate(found) if line.startswith(b'{"r":'))


def tampered_record(found: list[bytes]) -> list[bytes]:
    """A record's city changed, the line still JSON: the digest no longer matches."""
    index = first_record(found)
    found[index] = found[index].replace(b"Alpha", b"Omega")
    return found


def with_answer(found: list[bytes], field: str, value: str) -> list[bytes]:
    """The first record with field set to value, the digest made to match."""
    index = first_record(found)
    raw = json.loads(found[index])
    raw["r"][field] = value
    found[index] = json.dumps(raw).encode() + b"\n"
    return with_digest(found)


def retyped_record(found: list[bytes]) -> list[bytes]:
    """A record's field of another type, the digest made to match: still not trusted."""
    return with_answer(found, "formal_strategy", "yes")


def unknown_field(found: list[bytes]) -> list[bytes]:
    return with_answer(found, "__class__", "os.system")


def with_digest(found: list[bytes]) -> list[bytes]:
    """The end line made to match the lines before it."""
    end = json.loads(found[-1])
    end["end"]["sha256"] = hashlib.sha256(b"".join(found[:-1])).hexdigest()
    return [*found[:-1], json.dumps(end).encode() + b"\n"]


CORRUPTIONS = {
    "empty": lambda found: [],
    "truncated": lambda found: found[:-1],
    "cut-mid-line": lambda found: [*found[:-1], found[-1][:10]],
    "no-newline-at-end": lambda found: [*found[:-1], found[-1].rstrip(b"\n")],
    "a-line-more": lambda found: [*found, b'{"p": null}\n'],
    "line-dropped": lambda found: [found[0], found[1], *found[3:]],
    "not-json": lambda found: [b"{not json\n", *found[1:]],
    "binary": lambda found: [b"\x00\xff\xfe" * 100 + b"\n"],
    "another-schema": lambda found: [found[0].replace(b'"schema":1', b'"schema":99'), *found[1:]],
    "another-key": lambda found: [found[0].replace(b'"key":"', b'"key":"0'), *found[1:]],
    "tampered-record": tampered_record,
    "retyped-record": retyped_record,
    "unknown-field": unknown_field,
    "deeply-nested": lambda found: [found[0], found[1], b"[" * 100_000 + b"\n"],
    "a-list": lambda found: [b"[]\n"],
}


@pytest.mark.parametrize("corruption", sorted(CORRUPTIONS))
def test_a_cache_that_is_not_whole_and_ours_is_read_anew(
    cached: tuple[Inputs, Path, Validation], corruption: str
) -> None:
    inputs, path, direct = cached
    rewrite(path, CORRUPTIONS[corruption])
    assert cache._Cached.open(path, key(inputs)) is None
    again = cache.validate(inputs, path.parent)  # read again, the cache written anew
    assert as_read(again) == as_read(direct)
    assert cache._Cached.open(path, key(inputs)) is not None


def test_a_link_a_folder_or_a_pipe_is_never_read(
    cached: tuple[Inputs, Path, Validation], tmp_path: Path
) -> None:
    inputs, path, direct = cached
    elsewhere = tmp_path / "elsewhere.jsonl"
    path.rename(elsewhere)
    path.symlink_to(elsewhere)  # a whole cache, but through a link
    assert cache._Cached.open(path, key(inputs)) is None
    path.unlink()
    os.mkfifo(path)
    assert cache._Cached.open(path, key(inputs)) is None  # and it does not block
    assert as_read(cache.validate(inputs, path.parent)) == as_read(direct)
    path.unlink()
    path.mkdir()  # the cache cannot be written: the survey is read, nothing fails
    assert as_read(cache.validate(inputs, path.parent)) == as_read(direct)
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]


def test_a_folder_that_cannot_be_written_reads_without_a_cache(
    cached: tuple[Inputs, Path, Validation], tmp_path: Path
) -> None:
    inputs, _path, direct = cached
    assert as_read(cache.validate(inputs, tmp_path / "missing")) == as_read(direct)
    assert not (tmp_path / "missing").exists()


def test_a_read_that_stops_keeps_no_cache(tmp_path: Path) -> None:
    inputs = Inputs(survey=write_survey(tmp_path / "survey.xlsx", [minimal_city("A", "B")] * 3))
    checked, records = cache.validate_stream(inputs, tmp_path)
    next(records)
    records.close()  # abandoned half way: a build that stopped
    assert not (tmp_path / CACHE).exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_a_survey_saved_again_while_it_is_read_keeps_no_cache(tmp_path: Path) -> None:
    survey = write_survey(tmp_path / "survey.xlsx", [minimal_city("A", "B")])
    checked, records = cache.validate_stream(Inputs(survey=survey), tmp_path)
    list(records)
    assert (tmp_path / CACHE).exists()
    (tmp_path / CACHE).unlink()
    checked, records = cache.validate_stream(Inputs(survey=survey), tmp_path)
    write_survey(survey, [minimal_city("A", "B", mayor="Changed")])
    list(records)
    assert not (tmp_path / CACHE).exists()


def test_a_cache_of_another_snapshotpdf_is_not_used(
    cached: tuple[Inputs, Path, Validation],
    monkeypatch: pytest.MonkeyPatch,
    own_files: list[Path],
    tmp_path: Path,
) -> None:
    inputs, path, _direct = cached
    before = key(inputs)
    with monkeypatch.context() as patched:
        patched.setattr(cache, "__version__", "99.0")
        assert key(inputs) != before
    with monkeypatch.context() as patched:
        patched.setattr(cache.digest, "_version", lambda name: "99")  # another openpyxl
        assert key(inputs) != before
    code = tmp_path / "module.py"  # an edit of snapshotpdf itself (a checkout)
    code.write_text("A = 1\n", encoding="utf-8")
    own_files.append(code)
    with_code = key(inputs)
    assert with_code != before
    code.write_text("A = 2\n", encoding="utf-8")
    assert key(inputs) != with_code
    assert cache._Cached.open(path, key(inputs)) is None


# --- the codec --------------------------------------------------------------------------


def a_record(**changes: object) -> CityRecord:
    record = CityRecord(
        Location("survey.xlsx", "Responses", 7, "C", "City"),
        "Kalamopoli",
        "Greece",
        mayor="Ελένη",
        term=Term(2019, None),
        population=Population(120_000, 2021),
        staff_profiles=("designers", "data"),
        formal_strategy=True,
        dedicated_funding=False,
        data_sufficiency=(("health", True), ("housing", False)),
        own_options=(OwnOption("partners", "typed:Guild", "Guild", "the guild", None),),
        extra=ExtraAnswers(
            {
                "pledge": True,
                "count": 3,
                "share": 0.25,
                "signed": date(2024, 2, 20),
                "tags": ("a", "b"),
                "note": "",
                "missing": None,
            }
        ),
    )
    return replace(record, **changes)  # type: ignore[arg-type]


def round_trip(value: object, hint: object) -> object:
    return typedjson.decoder(hint)(json.loads(json.dumps(typedjson.to_json(value))))


def test_records_and_problems_come_back_exactly() -> None:
    record = a_record()
    back = round_trip(record, CityRecord)
    assert back == record and isinstance(back, CityRecord)
    assert isinstance(back.extra, ExtraAnswers) and type(back.extra["signed"]) is date
    assert type(back.extra["count"]) is int and type(back.extra["pledge"]) is bool
    problem = Problem(Severity.ERROR, record.source, "a message", "a value", "Kalamopoli")
    assert round_trip(problem, Problem) == problem


@pytest.mark.parametrize(
    "raw",
    [
        {"$date": "2024-02-30"},
        {"$date": 20240220},
        {"$date": "2024-02-20", "x": 1},
        {"$datetime": "2024-02-20T10:00:00"},  # a datetime is not a date of an answer
        float("nan"),
        {"eval": "1+1"},
        [["a"]],
    ],
)
def test_an_answer_of_no_known_type_is_refused(raw: object) -> None:
    encoded = typedjson.to_json(a_record())
    assert isinstance(encoded, dict)
    encoded["extra"]["signed"] = raw
    with pytest.raises(ValueError):
        typedjson.decoder(CityRecord)(encoded)


def test_types_are_exact() -> None:
    encoded = typedjson.to_json(a_record())
    assert isinstance(encoded, dict)
    for field, wrong in [
        ("formal_strategy", 1),
        ("term", {"start": True, "end": None}),
        ("population", {"count": 1.0, "year": None}),
        ("staff_profiles", "designers"),
        ("source", None),
        ("data_sufficiency", [["health"]]),
    ]:
        with pytest.raises(ValueError):
            typedjson.decoder(CityRecord)({**encoded, field: wrong})
    missing = {k: v for k, v in encoded.items() if k != "mayor"}
    with pytest.raises(ValueError):
        typedjson.decoder(CityRecord)(missing)


def test_a_value_without_a_json_form_is_refused() -> None:
    for value in (float("inf"), object(), {1: "a"}, datetime.now):
        with pytest.raises(typedjson.TypedJsonError):
            typedjson.to_json(value)
