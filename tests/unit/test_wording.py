"""Unit and property tests for snapshotpdf.render.wording, with the layout's real English
catalog and CLDR's data (Babel) for English, Spanish, French and Portuguese."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from snapshotpdf.models import Population, Share, Term
from snapshotpdf.render.layout import load_layout
from snapshotpdf.render.wording import (
    display_url,
    fill,
    format_number,
    format_percent,
    format_population,
    format_term,
    isolate,
    join_list,
    plural,
    share_words,
    text_direction,
    upper,
)


@pytest.fixture(scope="module")
def locale() -> dict[str, Any]:
    """The English catalog's strings."""
    return load_layout().catalog("en").strings


def share_of(percent: int) -> Share:
    """A share whose percent is exactly the given whole number."""
    share = Share(percent, 100)
    assert share.percent == percent
    return share


# --- join_list ----------------------------------------------------------------------------


def test_join_list_english() -> None:
    assert join_list([], "en") == ""
    assert join_list(["A"], "en") == "A"
    assert join_list(["A", "B"], "en") == "A and B"
    assert join_list(["A", "B", "C"], "en") == "A, B, and C"  # as in the reference snapshot
    assert join_list(["A", "B", "C", "D"], "en") == "A, B, C, and D"


@pytest.mark.parametrize(
    ("language", "two", "three", "four"),
    [
        ("es", "A y B", "A, B y C", "A, B, C y D"),
        ("fr", "A et B", "A, B et C", "A, B, C et D"),
        ("pt", "A e B", "A, B e C", "A, B, C e D"),
        ("pt-br", "A e B", "A, B e C", "A, B, C e D"),
    ],
)
def test_join_list_follows_the_language(language: str, two: str, three: str, four: str) -> None:
    assert join_list(["A", "B"], language) == two
    assert join_list(["A", "B", "C"], language) == three
    assert join_list(["A", "B", "C", "D"], language) == four


def test_join_list_returns_markup_and_escapes_items() -> None:
    result = join_list(["<b>", "R&D"], "en")
    assert isinstance(result, Markup)
    assert str(result) == "&lt;b&gt; and R&amp;D"
    assert str(join_list(["<b>"], "en")) == "&lt;b&gt;"
    three = join_list(["<b>", "x", "<script>alert(1)</script>"], "en")
    assert str(three) == "&lt;b&gt;, x, and &lt;script&gt;alert(1)&lt;/script&gt;"
    assert "<" not in str(three)


def test_join_list_accepts_any_iterable() -> None:
    assert join_list((x for x in ["A", "B", "C"]), "en") == "A, B, and C"
    assert join_list([1, 2], "en") == "1 and 2"


@settings(max_examples=100)
@given(
    st.lists(st.text(alphabet="ab<>&\"' ", min_size=1, max_size=5), max_size=6),
    st.sampled_from(["en", "es", "fr", "pt", "he", "ar"]),
)
def test_join_list_never_leaks_markup(items: list[str], language: str) -> None:
    result = str(join_list(items, language))
    assert "<" not in result and ">" not in result
    assert result.count("&amp;") == sum(item.count("&") for item in items)


# --- plural -------------------------------------------------------------------------------


def test_plural_picks_the_cldr_category() -> None:
    forms = {"one": "{count} city", "other": "{count} cities"}
    assert plural(forms, 1, "en") == "{count} city"
    assert plural(forms, 0, "en") == "{count} cities"
    assert plural(forms, 2, "en") == "{count} cities"
    assert plural(forms, 0, "fr") == "{count} city"  # French: 0 is singular
    hebrew = {"one": "one", "two": "two", "other": "other"}
    assert [plural(hebrew, n, "he") for n in (1, 2, 3)] == ["one", "two", "other"]
    assert plural({"other": "any"}, 1, "en") == "any"  # a missing category: other
    assert plural("plain", 5, "en") == "plain"


# --- share_words --------------------------------------------------------------------------


def test_share_bands_cover_0_to_100_in_order(locale: dict[str, Any]) -> None:
    limits = [band["up_to"] for band in locale["share_bands"]]
    assert limits == sorted(limits)
    assert len(set(limits)) == len(limits)
    assert limits[-1] == 100


def test_share_words_at_every_band_boundary(locale: dict[str, Any]) -> None:
    bands = locale["share_bands"]
    assert len(bands) >= 2
    for band, following in zip(bands, bands[1:], strict=False):
        assert share_words(share_of(band["up_to"]), locale, "en", "bands") == band["words"]
        assert share_words(share_of(band["up_to"] + 1), locale, "en", "bands") == following["words"]
    last = bands[-1]
    assert share_words(share_of(last["up_to"]), locale, "en", "bands") == last["words"]


def test_share_words_every_percent_uses_its_band(locale: dict[str, Any]) -> None:
    bands = locale["share_bands"]
    for percent in range(0, 101):
        expected = next(b["words"] for b in bands if percent <= b["up_to"])
        assert share_words(share_of(percent), locale, "en", "bands") == expected


@pytest.mark.parametrize(
    ("share", "words"),
    [
        (Share(1, 100), "a few"),
        (Share(1, 16), "a few"),  # 6%
        (Share(50, 100), "half of"),
        (Share(8, 16), "half of"),
        (Share(56, 100), "more than half of"),
        (Share(9, 16), "more than half of"),  # 56%
        (Share(13, 16), "most"),  # 81%
        (Share(100, 100), "all"),
        (Share(16, 16), "all"),
    ],
)
def test_share_words_examples(locale: dict[str, Any], share: Share, words: str) -> None:
    assert share_words(share, locale, "en", "bands") == words


def test_share_words_half_rounding_reaches_next_band(locale: dict[str, Any]) -> None:
    # 99.5% rounds up to 100 -> "all"; 49.5% rounds up to 50 -> "half of"
    assert share_words(Share(199, 200), locale, "en", "bands") == "all"
    assert share_words(Share(99, 200), locale, "en", "bands") == "half of"


@pytest.mark.parametrize(
    ("share", "words"),
    [
        (Share(4, 20), "20% of"),  # the published wording: "Similar to 20% of cities surveyed"
        (Share(6, 25), "24% of"),
        (Share(1, 16), "6% of"),
        (Share(8, 16), "50% of"),  # half is not a majority
        (Share(99, 200), "50% of"),
        (Share(9, 16), "more than half of"),
        (Share(13, 16), "more than half of"),
        (Share(16, 16), "more than half of"),
    ],
)
def test_share_words_default_is_the_figure_and_words_for_a_majority(
    locale: dict[str, Any], share: Share, words: str
) -> None:
    assert share_words(share, locale, "en") == words
    assert share_words(share, locale, "en", "figures") == words


def test_the_layout_says_which_share_wording() -> None:
    layout = load_layout()
    assert layout.share_style == "figures"
    bands = replace(layout, settings=replace(layout.settings, shares="bands"))
    assert bands.share_style == "bands"


def test_share_words_beyond_table_raises(locale: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="101%"):
        share_words(Share(101, 100), locale, "en", "bands")


# --- Share.percent ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "total", "percent"),
    [
        (13, 16, 81),  # 81.25
        (8, 16, 50),
        (9, 16, 56),  # 56.25
        (1, 8, 13),  # 12.5 -> halves round up
        (3, 8, 38),  # 37.5
        (1, 3, 33),
        (2, 3, 67),
        (0, 5, 0),
        (5, 5, 100),
        (1, 200, 1),  # 0.5 -> 1
    ],
)
def test_share_percent(count: int, total: int, percent: int) -> None:
    assert Share(count, total).percent == percent


@settings(max_examples=200)
@given(st.integers(1, 5000).flatmap(lambda t: st.tuples(st.integers(0, t), st.just(t))))
def test_share_percent_is_round_half_up(pair: tuple[int, int]) -> None:
    count, total = pair
    exact = Fraction(100 * count, total)
    expected = int(exact + Fraction(1, 2))  # floor(x + 1/2): round half up for x >= 0
    percent = Share(count, total).percent
    assert percent == expected
    assert 0 <= percent <= 100
    assert abs(Fraction(percent) - exact) <= Fraction(1, 2)


# --- numbers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("population", "text"),
    [
        (Population(9_670_000, 2020), "9.67 million (2020)"),
        (Population(850_000, 2019), "850,000 (2019)"),
        (Population(12_000_000), "12 million"),
        (Population(1_500_000), "1.5 million"),
        (Population(1_000_000), "1 million"),
        (Population(10_000_000), "10 million"),
        (Population(999_999), "999,999"),
        (Population(950), "950"),
        (Population(0), "0"),
    ],
)
def test_format_population(locale: dict[str, Any], population: Population, text: str) -> None:
    assert format_population(population, locale, "en") == text


@pytest.mark.parametrize(
    ("language", "millions", "thousands", "one_million"),
    [
        ("es", "9,67 millones (2020)", "850.000", "1 millón"),
        ("fr", "9,67 millions (2020)", "850\u202f000", "1 million"),
        ("pt", "9,67 milhões (2020)", "850.000", "1 milhão"),
    ],
)
def test_format_population_follows_the_language(
    locale: dict[str, Any], language: str, millions: str, thousands: str, one_million: str
) -> None:
    assert format_population(Population(9_670_000, 2020), locale, language) == millions
    assert format_population(Population(850_000), locale, language) == thousands
    assert format_population(Population(1_000_000), locale, language) == one_million


def test_format_population_rounds_halves_up(locale: dict[str, Any]) -> None:
    assert format_population(Population(1_245_000), locale, "en") == "1.25 million"
    assert format_population(Population(1_244_999), locale, "en") == "1.24 million"


@pytest.mark.parametrize(
    ("language", "percent"),
    [("en", "81%"), ("es", "81\xa0%"), ("fr", "81\xa0%"), ("pt", "81%"), ("pt-br", "81%")],
)
def test_format_percent_follows_the_language(language: str, percent: str) -> None:
    assert format_percent(81, language) == percent
    assert format_percent(0, language).startswith("0")
    assert format_percent(100, language).startswith("100")


def test_share_words_figure_follows_the_language(locale: dict[str, Any]) -> None:
    french = {**locale, "shares": {"majority": "plus de la moitié des", "figure": "{percent} des"}}
    assert share_words(Share(4, 20), french, "fr") == "20\xa0% des"
    assert share_words(Share(13, 16), french, "fr") == "plus de la moitié des"


def test_format_term() -> None:
    assert format_term(Term(2019, 2022), "en", "{start}–{end}") == "2019–2022"
    assert format_term(Term(2021), "en") == "2021"
    assert format_term(Term(2019, 2022), "es") == "2019–2022"  # CLDR's own interval
    assert format_term(Term(2019, 2022), "fr") == "2019–2022"
    assert format_term(Term(2019, 2022), "en") == "2019\u2009–\u20092022"  # CLDR's English


def test_the_english_catalog_prints_years_closed_up_as_the_reference() -> None:
    assert load_layout().catalog("en").format("year_range") == "{start}–{end}"


def test_format_number() -> None:
    assert format_number(16, "en") == "16"
    assert format_number(12_345, "en") == "12,345"
    assert format_number(12_345, "es") == "12.345"
    assert format_number(12_345, "fr") == "12\u202f345"


# --- fill ---------------------------------------------------------------------------------


def test_fill_escapes_data_but_keeps_locale_markup(locale: dict[str, Any]) -> None:
    template = locale["vision"]["strategy_yes"]
    assert "<strong>" in template
    result = fill(template, city="<script>", percent="50%")
    assert isinstance(result, Markup)
    assert str(result) == (
        "Like 50% of cities surveyed, &lt;script&gt; has a "
        "<strong>formal innovation strategy</strong>."
    )


def test_fill_inline_template() -> None:
    result = fill("Like {percent}% ... <strong>x</strong> {city}", city="<script>", percent=50)
    assert str(result) == "Like 50% ... <strong>x</strong> &lt;script&gt;"


def test_fill_does_not_double_escape_markup_parts(locale: dict[str, Any]) -> None:
    partners = join_list(["R&D labs", "<NGOs>"], "en")
    result = fill(locale["partnerships"]["innovation"], city="Lima", partners=partners)
    assert "R&amp;D labs and &lt;NGOs&gt;" in str(result)
    assert "&amp;amp;" not in str(result)
    assert "<strong>promote innovation capacity</strong>" in str(result)


# --- text helpers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Łódź", "ŁÓDŹ"), ("İstanbul", "İSTANBUL"), ("São Paulo", "SÃO PAULO"), ("Lima", "LIMA")],
)
def test_upper(text: str, expected: str) -> None:
    assert upper(text) == expected


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://datosabiertos.munlima.gob.pe/", "datosabiertos.munlima.gob.pe"),
        ("https://example.org", "example.org"),
        ("https://example.org/open-data/", "example.org/open-data/"),
        ("https://example.org/a/b", "example.org/a/b"),
    ],
)
def test_display_url(url: str, shown: str) -> None:
    assert display_url(url) == shown


# A survey text's direction, and names set inside the page's sentences.


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Lima", "ltr"),
        ("גבעת הזית", "rtl"),
        ("مدينة الواحة", "rtl"),
        # An English sentence that begins with a Hebrew name is still English.
        ("גבעת הזית coordinates innovation through a working group.", "ltr"),
        ("Lima تعمل مع الجامعات والمجتمع المدني", "rtl"),
        ("אב cd", "rtl"),  # a tie: the first letter's
        ("2019–2023", None),
    ],
)
def test_text_direction_is_that_of_most_letters(text: str, expected: str | None) -> None:
    assert text_direction(text) == expected


def test_a_name_written_the_other_way_is_held_between_marks_of_the_page() -> None:
    lrm, rlm = "\u200e", "\u200f"
    assert isolate("גבעת הזית", "ltr") == f"{lrm}גבעת הזית{lrm}"
    assert isolate("Lima", "rtl") == f"{rlm}Lima{rlm}"
    # Text of the page's own direction (and digits) is left as it is.
    assert isolate("Lima", "ltr") == "Lima"
    assert isolate("עמאן", "rtl") == "עמאן"
    assert isolate("2020", "ltr") == "2020"
