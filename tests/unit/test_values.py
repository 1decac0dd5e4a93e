"""Unit and property tests for the pure cell parsers in snapshotpdf.survey.values."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from snapshotpdf.addresses import normalise_address
from snapshotpdf.models import Term
from snapshotpdf.survey import values
from snapshotpdf.survey.values import (
    clean_paragraphs,
    clean_text,
    parse_email,
    parse_population,
    parse_term,
    parse_website,
    parse_year,
    parse_yes_no,
)

NBSP = "\u00a0"
DASHES = ["-", "‐", "‑", "‒", "–", "—"]


# --- clean_text ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Lima  ", "Lima"),
        (f"{NBSP}Lima{NBSP}", "Lima"),
        (f"São{NBSP}{NBSP}Paulo", "São Paulo"),
        ("\tNew\n  York\r\n", "New York"),
        ("Bogote\u0301", "Bogoté"),  # decomposed e + combining acute -> é
        (2020.0, "2020"),  # Excel float that is a whole number
        (12, "12"),
    ],
)
def test_clean_text_trims_folds_and_normalises(raw: object, expected: str) -> None:
    assert clean_text(raw) == expected


def test_clean_text_nfc_composes_decomposed_accent() -> None:
    result = clean_text("e\u0301")
    assert result == "é"
    assert result == "\u00e9"
    assert len(result) == 1


@pytest.mark.parametrize("raw", [None, float("nan"), "", "   ", f"{NBSP}{NBSP}", "\n\t"])
def test_clean_text_empty_is_none(raw: object) -> None:
    assert clean_text(raw) is None


@settings(max_examples=200)
@given(st.text())
def test_clean_text_idempotent_and_trimmed(text: str) -> None:
    once = clean_text(text)
    assert clean_text(once) == once
    if once is not None:
        assert once != ""
        assert once == once.strip()
        assert "  " not in once
        assert unicodedata.is_normalized("NFC", once)


@settings(max_examples=200)
@given(
    st.text(
        alphabet=st.sampled_from(["a", "e", "\u0301", " ", NBSP, "\t", "\n", "\u2003", "Z"]),
    )
)
def test_clean_text_whitespace_heavy_inputs(text: str) -> None:
    once = clean_text(text)
    assert once is None or (once and once == once.strip() and clean_text(once) == once)
    if once is None:
        assert text.strip() == ""


# --- clean_paragraphs ---------------------------------------------------------------------


def test_clean_paragraphs_keeps_paragraphs_and_line_breaks_and_folds_spaces() -> None:
    raw = f"  First   line\nstill first.\r\n\r\n\n  Second{NBSP}paragraph  "
    assert clean_paragraphs(raw) == "First line\nstill first.\n\nSecond paragraph"


def test_clean_paragraphs_keeps_a_typed_list_line_by_line() -> None:
    raw = "Our priorities:\n1. Open data\r\n2.  Digital  services\n \n- one\n- two"
    assert (
        clean_paragraphs(raw)
        == "Our priorities:\n1. Open data\n2. Digital services\n\n- one\n- two"
    )


def test_clean_paragraphs_nfc_and_empty() -> None:
    assert clean_paragraphs("Bogote\u0301") == "Bogoté"
    assert clean_paragraphs(None) is None
    assert clean_paragraphs(float("nan")) is None
    assert clean_paragraphs(" \n\n \n ") is None


# --- parse_yes_no -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw", ["Yes", "yes", "YES", "Y", "y", "TRUE", "true", "1", 1, 1.0, f"yes{NBSP}", " Yes ", True]
)
def test_parse_yes_no_true(raw: object) -> None:
    assert parse_yes_no(raw) is True


@pytest.mark.parametrize("raw", ["No", "no", "N", "n", "FALSE", "false", "0", 0, 0.0, False])
def test_parse_yes_no_false(raw: object) -> None:
    assert parse_yes_no(raw) is False


@pytest.mark.parametrize("raw", [None, "", "  ", "n/a", "N/A", float("nan")])
def test_parse_yes_no_missing(raw: object) -> None:
    assert parse_yes_no(raw) is None


@pytest.mark.parametrize("raw", ["maybe", "Yess", "2", "oui", "yes no", -1])
def test_parse_yes_no_garbage(raw: object) -> None:
    with pytest.raises(ValueError, match="Yes or No"):
        parse_yes_no(raw)


# --- parse_year ---------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "expected"), [("2020", 2020), (2020, 2020), (2020.0, 2020)])
def test_parse_year(raw: object, expected: int) -> None:
    assert parse_year(raw) == expected


def test_parse_year_missing_and_bad() -> None:
    assert parse_year(None) is None
    assert parse_year("n/a") is None
    for bad in ["20", "year 2020", "2020.5", "3020"]:
        with pytest.raises(ValueError):
            parse_year(bad)


# --- parse_term ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "2019-2022",
        "2019 - 2022",
        "2019 – 2022",
        "2019–2022",
        "2019—2022",
        "2019 to 2022",
        "2019 TO 2022",
        "2019/2022",
        f"2019{NBSP}–{NBSP}2022",
    ],
)
def test_parse_term_ranges(raw: str) -> None:
    assert parse_term(raw) == Term(2019, 2022)


def test_parse_term_single_year() -> None:
    assert parse_term("2021") == Term(2021)
    assert parse_term(2021) == Term(2021, None)
    assert parse_term(2021.0) == Term(2021)


def test_parse_term_missing() -> None:
    assert parse_term(None) is None
    assert parse_term("n/a") is None
    assert parse_term("") is None


def test_parse_term_end_before_start() -> None:
    with pytest.raises(ValueError, match="ends before it starts"):
        parse_term("2022-2019")


@pytest.mark.parametrize("raw", ["since 2019", "2019-22", "2019 until 2022", "twenty", "2019-"])
def test_parse_term_garbage(raw: str) -> None:
    with pytest.raises(ValueError):
        parse_term(raw)


@settings(max_examples=200)
@given(
    start=st.integers(1800, 2199),
    length=st.integers(0, 399),
    dash=st.sampled_from([*DASHES, "to", "/"]),
    left=st.sampled_from(["", " ", NBSP]),
    right=st.sampled_from(["", " ", NBSP]),
)
def test_parse_term_round_trip(start: int, length: int, dash: str, left: str, right: str) -> None:
    end = min(start + length, 2199)
    assert parse_term(f"{start}{left}{dash}{right}{end}") == Term(start, end)


@settings(max_examples=100)
@given(start=st.integers(1801, 2199), back=st.integers(1, 100), dash=st.sampled_from(DASHES))
def test_parse_term_reversed_always_rejected(start: int, back: int, dash: str) -> None:
    end = max(start - back, 1800)
    with pytest.raises(ValueError):
        parse_term(f"{start}{dash}{end}")


# --- parse_population ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "9,670,000",
        "9.670.000",
        "9 670 000",
        f"9{NBSP}670{NBSP}000",
        "9\u202f670\u202f000",
        "9'670'000",
        "9.67 million",
        "9.67 Million",
        "9,67 million",
        "9.67m",
        "9670 thousand",
        "9670000",
        9670000,
        9670000.0,
    ],
)
def test_parse_population_formats(raw: object) -> None:
    assert parse_population(raw) == 9_670_000


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("850,000", 850_000), ("1.5 million", 1_500_000), ("12 million", 12_000_000)],
)
def test_parse_population_other_values(raw: object, expected: int) -> None:
    assert parse_population(raw) == expected


@pytest.mark.parametrize("raw", ["n/a", "N/A", "", None, float("nan"), "-", "?"])
def test_parse_population_missing(raw: object) -> None:
    assert parse_population(raw) is None


@pytest.mark.parametrize(
    "raw",
    [
        -5,
        -5.0,
        "-5",
        "-9,670,000",
        9670000.5,
        "about nine million",
        "9.67 zillion",
        "lots",
        "9,67,0000",
        "9.6.7",
        True,
    ],
)
def test_parse_population_garbage(raw: object) -> None:
    with pytest.raises(ValueError):
        parse_population(raw)


@settings(max_examples=200)
@given(st.integers(1, 10**9))
def test_parse_population_round_trips_plain_and_grouped(n: int) -> None:
    assert parse_population(str(n)) == n
    assert parse_population(n) == n
    assert parse_population(float(n)) == n
    grouped = f"{n:,}"
    assert parse_population(grouped) == n
    assert parse_population(grouped.replace(",", ".")) == n
    assert parse_population(grouped.replace(",", " ")) == n
    assert parse_population(grouped.replace(",", NBSP)) == n


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("9,670 thousand", 9_670_000),  # a comma before three digits groups them ...
        ("2,500k", 2_500_000),
        ("10,000 k", 10_000_000),
        ("2,5 million", 2_500_000),  # ... any other is a decimal comma
        ("9.67 million", 9_670_000),
        ("1.234 million", 1_234_000),
    ],
)
def test_a_number_with_a_multiplier_reads_its_commas_as_a_number_alone_does(
    raw: str, expected: int
) -> None:
    assert parse_population(raw) == expected


@pytest.mark.parametrize("raw", [0, "0", -5, "0 million"])
def test_a_population_of_nobody_is_no_population(raw: object) -> None:
    with pytest.raises(ValueError, match="positive number of inhabitants"):
        parse_population(raw)


# --- parse_website ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://datosabiertos.munlima.gob.pe/",
        "https://example.org",
        "https://example.org/path?q=1#frag",
        "HTTPS://EXAMPLE.ORG/",
        "http://localhost:8000/x",
    ],
)
def test_parse_website_keeps_http_and_https(url: str) -> None:
    assert parse_website(url) == url


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("example.org", "https://example.org"),
        ("www.lima.gob.pe", "https://www.lima.gob.pe"),
        ("datos.city.gov/open-data", "https://datos.city.gov/open-data"),
        ("city.gov:8080/portal", "https://city.gov:8080/portal"),
        (f"  example.org{NBSP}", "https://example.org"),
    ],
)
def test_parse_website_bare_domain_gets_https(raw: str, expected: str) -> None:
    assert parse_website(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "javascript:alert(1)",
        "JavaScript:alert(document.cookie)",
        "file:///etc/passwd",
        "data:text/html,<script>alert(1)</script>",
        "ftp://ftp.example.org/pub",
        "mailto:someone@example.org",
        "vbscript:msgbox(1)",
    ],
)
def test_parse_website_rejects_unsafe_schemes(raw: str) -> None:
    with pytest.raises(ValueError, match="http"):
        parse_website(raw)


@pytest.mark.parametrize(
    "raw",
    [
        "http://exa mple.org",
        "https://example.org/a b",
        "http://example.org/\x00",
        "http://exa\x07mple.org",
        "http://example.org/\x7f",  # DEL
        "http://example.org/\x9b",  # C1 control (CSI)
        "example.org/a\x00b",  # a bare domain is checked too
        "example.org/\x1b[31m",
        "http:example.org",  # no host
        "http://",
        "https://www.munlima.gob.pe@evil.example/login",  # leads to evil.example
        "https://user:pass@example.org/",
        "example.org:99999999999",  # no port
        "https://example.org:65536/",
        "not a url",
    ],
)
def test_parse_website_rejects_spaces_and_control_chars(raw: str) -> None:
    with pytest.raises(ValueError):
        parse_website(raw)


@pytest.mark.parametrize("raw", [None, "", "n/a", "-"])
def test_parse_website_missing(raw: object) -> None:
    assert parse_website(raw) is None


@settings(max_examples=100)
@given(
    st.sampled_from(["javascript", "file", "data", "ftp", "vbscript", "JAVASCRIPT", "Data"]),
    st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), max_size=30),
)
def test_parse_website_never_returns_unsafe_scheme(scheme: str, rest: str) -> None:
    try:
        result = parse_website(f"{scheme}:{rest}")
    except ValueError:
        return
    assert result is not None
    assert result.lower().startswith(("http://", "https://"))


# --- parse_email --------------------------------------------------------------------------


def test_parse_email() -> None:
    assert parse_email(" innovation@city.gov ") == "innovation@city.gov"
    assert parse_email(None) is None
    assert parse_email("n/a") is None
    for bad in ["innovation", "innovation@city", "a b@city.gov", "@city.gov", "a@@city.gov"]:
        with pytest.raises(ValueError, match="e-mail"):
            parse_email(bad)


@pytest.mark.parametrize(
    "bad",
    ["<a@b.example>", "mailto:a@b.example", "a@b..example", "a@-b.example", "a\u200b@b.example"],
)
def test_check_refuses_an_address_mail_would_refuse(bad: str) -> None:
    with pytest.raises(ValueError, match="expected an e-mail address"):
        parse_email(bad)
    with pytest.raises(ValueError):
        normalise_address(bad)


def test_several_addresses_separated_by_semicolons_are_one_answer_as_mail_reads_them() -> None:
    assert parse_email("a@b.example; c@d.example;") == "a@b.example; c@d.example"


@pytest.mark.parametrize(
    "url", ["https://example.org/\u200bx", "https://exa\u202emple.org", "example.org/\u00adpath"]
)
def test_websites_with_invisible_characters_are_refused(url: str) -> None:
    with pytest.raises(ValueError):
        values.parse_website(url)


def test_population_takes_only_ascii_digits() -> None:
    with pytest.raises(ValueError):
        values.parse_population("٣٠٠")


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("Lima", "Lima"),
        ("\u202eLima", "\u202eLima\u202c"),  # an override ends with the name
        ("\u2067القاهرة", "\u2067القاهرة\u2069"),  # so does an isolate
        ("A\u202cB\u2069C", "ABC"),  # closers with nothing to close are dropped
        ("\u2068a\u202bb\u2069c", "\u2068a\u202bb\u202c\u2069c"),  # embeddings end in isolates
        ("\u202ex\u202c y", "\u202ex\u202c y"),  # already balanced: as typed
    ],
)
def test_bidi_controls_stay_inside_the_answer(typed: str, kept: str) -> None:
    assert clean_text(typed) == kept


def test_bidi_controls_stay_inside_each_paragraph() -> None:
    assert clean_paragraphs("\u202eone\n\ntwo") == "\u202eone\u202c\n\ntwo"


def test_control_characters_show_nothing_and_are_left_out_of_an_answer() -> None:
    """A font draws an empty box for U+0007 or U+009B: they are left out, as Excel shows
    them (nothing); a vertical tab or form feed is a line break, as FileMaker exports one."""
    assert values.clean_text("Li\x07ma\x9b \x1bPeru") == "Lima Peru"
    assert values.clean_text("\x07\x00") is None
    assert values.clean_paragraphs("first line\x0bsecond\x0cthird\x08") == (
        "first line\nsecond\nthird"
    )


def test_no_letter_carries_more_marks_than_real_text_stacks() -> None:
    """50 accents on one letter drew up through the lines above and off the page."""
    from snapshotpdf import limits

    zalgo = values.clean_text("Zalgo" + "\u0301" * 50 + "town")
    assert zalgo is not None and zalgo.count("\u0301") == limits.MAX_COMBINING_MARKS
    for real in ("Hà Nội", "སྒྲུབ", "क़्ष", "שָׁלוֹם"):
        assert values.clean_text(real) == real


def test_a_website_too_long_to_print_is_dropped_not_cut() -> None:
    with pytest.raises(ValueError, match="this link was dropped"):
        parse_website("https://city.example/" + "a" * 400)


def test_a_website_in_its_own_script_links_as_dns_names_it_and_prints_as_typed() -> None:
    from snapshotpdf.render.wording import display_url

    url = parse_website("https://мэрия.рф/путь")
    assert url == "https://xn--h1ahm5cm.xn--p1ai/путь"  # not a percent-encoded host
    assert display_url(url) == "мэрия.рф/путь"
    assert display_url(parse_website("münchen.de") or "") == "münchen.de"
