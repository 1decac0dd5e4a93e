"""Unit and property tests for snapshotpdf.render.wording, with the layout's real English locale."""

from __future__ import annotations

import copy
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from snapshotpdf.errors import LayoutError
from snapshotpdf.models import Population, Share, Term
from snapshotpdf.render.layout import Layout, load_layout
from snapshotpdf.render.wording import (
    display_url,
    fill,
    format_population,
    format_term,
    join_list,
    share_words,
    upper,
)


@pytest.fixture(scope="module")
def locale() -> dict[str, Any]:
    return load_layout().locale()


def share_of(percent: int) -> Share:
    """A share whose percent is exactly the given whole number."""
    share = Share(percent, 100)
    assert share.percent == percent
    return share


# --- join_list ----------------------------------------------------------------------------


def test_join_list_english(locale: dict[str, Any]) -> None:
    assert join_list([], locale) == ""
    assert join_list(["A"], locale) == "A"
    assert join_list(["A", "B"], locale) == "A and B"
    assert join_list(["A", "B", "C"], locale) == "A, B, and C"
    assert join_list(["A", "B", "C", "D"], locale) == "A, B, C, and D"


def test_join_list_returns_markup_and_escapes_items(locale: dict[str, Any]) -> None:
    result = join_list(["<b>", "R&D"], locale)
    assert isinstance(result, Markup)
    assert str(result) == "&lt;b&gt; and R&amp;D"
    assert str(join_list(["<b>"], locale)) == "&lt;b&gt;"
    three = join_list(["<b>", "x", "<script>alert(1)</script>"], locale)
    assert str(three) == "&lt;b&gt;, x, and &lt;script&gt;alert(1)&lt;/script&gt;"
    assert "<" not in str(three)


def test_join_list_accepts_any_iterable(locale: dict[str, Any]) -> None:
    assert join_list((x for x in ["A", "B", "C"]), locale) == "A, B, and C"
    assert join_list([1, 2], locale) == "1 and 2"


def test_join_list_without_serial_comma(locale: dict[str, Any]) -> None:
    other = copy.deepcopy(locale)
    other["lists"]["serial_comma"] = False
    assert join_list(["A", "B", "C"], other) == "A, B and C"
    assert join_list(["A", "B"], other) == "A and B"


@pytest.mark.parametrize("serial", [True, False])
def test_join_list_escapes_locale_words_exactly_once(locale: dict[str, Any], serial: bool) -> None:
    other = copy.deepcopy(locale)
    other["lists"] = {"and": "&", "comma": ", ", "serial_comma": serial}
    assert str(join_list(["A", "B"], other)) == "A &amp; B"
    expected = "A, B, &amp; C" if serial else "A, B &amp; C"
    assert str(join_list(["A", "B", "C"], other)) == expected


@settings(max_examples=100)
@given(st.lists(st.text(alphabet="ab<>&\"' ", min_size=1, max_size=5), max_size=6))
def test_join_list_never_leaks_markup(locale: dict[str, Any], items: list[str]) -> None:
    result = str(join_list(items, locale))
    assert "<" not in result and ">" not in result
    assert result.count("&amp;") == sum(item.count("&") for item in items)


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
        assert share_words(share_of(band["up_to"]), locale, "bands") == band["words"]
        assert share_words(share_of(band["up_to"] + 1), locale, "bands") == following["words"]
    last = bands[-1]
    assert share_words(share_of(last["up_to"]), locale, "bands") == last["words"]


def test_share_words_every_percent_uses_its_band(locale: dict[str, Any]) -> None:
    bands = locale["share_bands"]
    for percent in range(0, 101):
        expected = next(b["words"] for b in bands if percent <= b["up_to"])
        assert share_words(share_of(percent), locale, "bands") == expected


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
    assert share_words(share, locale, "bands") == words


def test_share_words_half_rounding_reaches_next_band(locale: dict[str, Any]) -> None:
    # 99.5% rounds up to 100 -> "all"; 49.5% rounds up to 50 -> "half of"
    assert share_words(Share(199, 200), locale, "bands") == "all"
    assert share_words(Share(99, 200), locale, "bands") == "half of"


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
    assert share_words(share, locale) == words
    assert share_words(share, locale, "figures") == words


def test_the_layout_says_which_share_wording() -> None:
    layout = load_layout()
    assert layout.share_style == "figures"
    bands = Layout(layout.name, layout.folder, {**layout.config, "wording": {"shares": "bands"}})
    assert bands.share_style == "bands"
    odd = Layout(layout.name, layout.folder, {**layout.config, "wording": {"shares": "prose"}})
    with pytest.raises(LayoutError, match="prose"):
        odd.share_style  # noqa: B018 - the property checks the setting


def test_share_words_beyond_table_raises(locale: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="101%"):
        share_words(Share(101, 100), locale, "bands")


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
    assert format_population(population, locale) == text


def test_format_population_uses_locale_separators(locale: dict[str, Any]) -> None:
    other = copy.deepcopy(locale)
    other["numbers"].update(thousands=".", decimal=",", million="{value} Mio.")
    assert format_population(Population(850_000), other) == "850.000"
    assert format_population(Population(9_670_000, 2020), other) == "9,67 Mio. (2020)"


def test_format_term(locale: dict[str, Any]) -> None:
    assert format_term(Term(2019, 2022), locale) == "2019–2022"
    assert "\u2013" in format_term(Term(2019, 2022), locale)
    assert format_term(Term(2021), locale) == "2021"


# --- fill ---------------------------------------------------------------------------------


def test_fill_escapes_data_but_keeps_locale_markup(locale: dict[str, Any]) -> None:
    template = locale["vision"]["strategy_yes"]
    assert "<strong>" in template
    result = fill(template, city="<script>", percent=50)
    assert isinstance(result, Markup)
    assert str(result) == (
        "Like 50% of cities surveyed, &lt;script&gt; has a "
        "<strong>formal innovation strategy</strong>."
    )


def test_fill_inline_template() -> None:
    result = fill("Like {percent}% ... <strong>x</strong> {city}", city="<script>", percent=50)
    assert str(result) == "Like 50% ... <strong>x</strong> &lt;script&gt;"


def test_fill_does_not_double_escape_markup_parts(locale: dict[str, Any]) -> None:
    partners = join_list(["R&D labs", "<NGOs>"], locale)
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
