"""Every data row is accounted for, and every answer is either understood or reported.

Property tests (hypothesis): splitting a cell on known options, and the row accounting of
check and build (rendered + not selected + failed + skipped + blank = data rows).
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from snapshotpdf.batch.report import BUILD_STATUSES, CHECK_STATUSES, check_report, run_report
from snapshotpdf.batch.result import BuildResult, Done
from snapshotpdf.batch.settings import Settings
from snapshotpdf.models import CityRecord
from snapshotpdf.survey import vocabulary
from snapshotpdf.survey.profile import load_profile
from snapshotpdf.survey.read import Grid, table_from_grid
from snapshotpdf.survey.validate import validate_table

NBSP = "\u00a0"
MULTI = [q for q in vocabulary.questions() if q not in ("approach", "role_of_data", "open_data")]


@st.composite
def chosen_options(draw: st.DrawFn) -> tuple[str, list[str]]:
    question = draw(st.sampled_from(MULTI))
    keys = draw(st.lists(st.sampled_from(vocabulary.options(question)), unique=True, max_size=6))
    return question, keys


@settings(max_examples=300)
@given(
    chosen=chosen_options(),
    joiner=st.sampled_from([", ", ",", f",{NBSP}", " , "]),
    spelling=st.integers(0, 3),
    upper=st.booleans(),
)
def test_known_options_joined_with_commas_split_back(
    chosen: tuple[str, list[str]], joiner: str, spelling: int, upper: bool
) -> None:
    """Even options that hold a comma ("Social Inclusion, Equity") come back whole."""
    question, keys = chosen
    texts = []
    for key in keys:
        spellings = [t for t in vocabulary.texts(question) if vocabulary.match(question, t) == key]
        text = spellings[spelling % len(spellings)]
        texts.append(text.upper() if upper else text)
    split = vocabulary.split(question, joiner.join(texts), ",")
    assert split.keys == tuple(keys)
    assert split.unknown == ()


@settings(max_examples=200)
@given(
    chosen=chosen_options(),
    stranger=st.text(
        alphabet=st.characters(categories=["L", "Nd"]), min_size=1, max_size=12
    ).filter(lambda t: t.strip()),
    at=st.integers(0, 6),
)
def test_an_unknown_answer_is_never_lost(
    chosen: tuple[str, list[str]], stranger: str, at: int
) -> None:
    question, keys = chosen
    if vocabulary.match(question, stranger) is not None:
        return
    texts = [vocabulary.sample_answer(question, k) for k in keys]
    texts.insert(min(at, len(texts)), stranger)
    split = vocabulary.split(question, "; ".join(texts), ";")
    assert split.keys == tuple(keys)
    assert split.unknown == (stranger.strip(),)


def test_a_profile_spelling_splits_like_a_vocabulary_one() -> None:
    extra = {vocabulary.answer_key("Climate, and more"): "environment"}
    split = vocabulary.split("policy_areas", "Housing, Climate, and more, Moon", ",", extra)
    assert split.keys == ("housing", "environment")
    assert split.unknown == ("Moon",)


# --- rows -------------------------------------------------------------------------------

PROFILE = load_profile()
HEADERS = PROFILE.headers()
BLANKS = [None, "", "  ", NBSP]
row_kinds = st.one_of(
    st.tuples(st.just("blank"), st.sampled_from(BLANKS), st.sampled_from(BLANKS)),
    st.tuples(
        st.just("answer"),
        st.sampled_from(["Lima", "Quito", " quito ", "Łódź", *BLANKS]),
        st.sampled_from(["Peru", "Ecuador", "Poland", *BLANKS]),
    ),
)


def grid_of(kinds: list[tuple[str, object, object]]) -> Grid:
    rows: list[list[object]] = [list(HEADERS)]
    for kind, city, country in kinds:
        row: list[object] = [None] * len(HEADERS)
        if kind == "answer":
            row[0], row[1], row[2] = city, country, "Someone"  # a mayor: never blank
        else:
            row[0], row[1] = city, country
        rows.append(row)
    return Grid("Responses", rows)


@settings(max_examples=100, deadline=None)
@given(st.lists(row_kinds, min_size=1, max_size=25), st.data())
def test_every_data_row_has_exactly_one_status(
    kinds: list[tuple[str, object, object]], data: st.DataObject
) -> None:
    answered = [i + 2 for i, k in enumerate(kinds) if k[0] == "answer"]
    if not answered:
        return  # nothing but blank rows: the file counts as empty
    table = table_from_grid("s.xlsx", grid_of(kinds), 1)
    checked = validate_table(table, PROFILE)
    data_rows = set(range(2, answered[-1] + 1))  # trailing blank rows are not data

    report = check_report(checked, strict=False)
    assert {r["row"] for r in report["rows"]} == data_rows  # type: ignore[index]
    assert len(report["rows"]) == len(data_rows)  # type: ignore[arg-type]
    counts = report["counts"]
    assert sum(counts[s] for s in CHECK_STATUSES) == counts["data_rows"] == len(data_rows)  # type: ignore[index]
    assert counts["blank"] == len([i for i in data_rows if kinds[i - 2][0] == "blank"])  # type: ignore[index]

    # However the build goes for each valid row, the run report still adds up.
    result = BuildResult(settings=Settings(outdir=Path("out")), validation=checked)
    result.data_rows, result.blank_rows = checked.data_rows, len(checked.blank_rows)
    result.skipped, result.problems = len(checked.skipped), list(checked.problems)
    fates = data.draw(
        st.lists(
            st.sampled_from(["written", "unchanged", "failed", "not selected"]),
            min_size=len(checked.records),
            max_size=len(checked.records),
        )
    )
    for record, fate in zip(checked.records, fates, strict=True):
        outcome(result, record, fate)
    build = run_report(result)
    counts = build["counts"]
    assert sum(counts[s.replace(" ", "_")] for s in BUILD_STATUSES) == len(data_rows)  # type: ignore[index]
    assert counts["written"] + counts["unchanged"] == fates.count("written") + fates.count(  # type: ignore[index]
        "unchanged"
    )
    assert {r["row"] for r in build["rows"]} == data_rows  # type: ignore[index]


def outcome(result: BuildResult, record: CityRecord, fate: str) -> None:
    path = Path("out") / f"{record.city}.pdf"
    if fate == "written":
        result.written.append(Done.of(record, path.name))
    elif fate == "unchanged":
        result.unchanged.append(Done.of(record, path.name))
    elif fate == "failed":
        result.failed.append((Done.of(record, path.name), "boom"))


def test_duplicates_and_missing_names_are_skipped_with_their_reason() -> None:
    kinds = [
        ("answer", "Lima", "Peru"),
        ("blank", None, None),
        ("answer", " LIMA ", "peru"),
        ("answer", None, "Peru"),
        ("answer", "Quito", "Ecuador"),
    ]
    checked = validate_table(table_from_grid("s.xlsx", grid_of(kinds), 1), PROFILE)
    assert [r.city for r in checked.records] == ["Lima", "Quito"]
    assert checked.blank_rows == (3,)
    assert checked.skipped[4].startswith("LIMA, peru is already in row 2 (both would be")
    assert checked.skipped[5] == "no city: the row is skipped; fill in the city"
    assert checked.summary() == (
        "5 data row(s): 2 valid, 2 row(s) skipped, 1 blank row(s), 2 error(s), 0 warning(s)"
    )
    assert checked.exit_code() == 1
