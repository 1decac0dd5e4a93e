"""What the snapshot's HTML says for a record (no PDF): the reference's bold, shares in the
published wording or in bands, free text in its shape, leads, priorities, own options."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from support.layouts import user_layout

from snapshotpdf.models import CityRecord, Location, OwnOption, SurveyFigures
from snapshotpdf.render.html import Block, Renderer, text_blocks
from snapshotpdf.render.layout import Layout, load_layout

WHERE = Location("s.xlsx", "Responses", 2)


def html(
    record: CityRecord, figures: SurveyFigures | None = None, layout: Layout | None = None
) -> str:
    figures = figures or SurveyFigures(1, {})
    return " ".join(Renderer(layout or load_layout()).html(record, figures).split())


def city(**fields: object) -> CityRecord:
    return CityRecord(source=WHERE, city="Lima", country="Peru", **fields)  # type: ignore[arg-type]


def test_a_leading_article_stands_before_the_bold_as_in_the_reference() -> None:
    page = html(
        city(success_factors=("metrics", "hr", "mayor"), data_challenges=("infrastructure",))
    )
    assert (
        "are a <strong>focus on metrics, Human Resource involvement, and leadership from the"
        " Mayor.</strong>" in page
    )
    assert "include a <strong>lack of technical infrastructure.</strong>" in page
    assert "are <strong>dedicated funding" in html(city(success_factors=("funding", "team")))


@pytest.mark.parametrize(
    ("count", "words"),
    [(2, "20% of"), (5, "50% of"), (6, "more than half of")],
)
def test_the_approach_share_as_the_published_snapshots_say_it(count: int, words: str) -> None:
    figures = SurveyFigures(10, {"approach": {"holistic": count, "both": 10 - count}})
    page = html(city(approach="holistic"), figures)
    assert f"Similar to {words} cities surveyed, Lima approaches innovation capacity" in page


def test_word_bands_are_a_layout_option() -> None:
    layout = load_layout()
    bands = replace(layout, settings=replace(layout.settings, shares="bands"))
    figures = SurveyFigures(10, {"approach": {"holistic": 2, "both": 8}})
    page = html(city(approach="holistic"), figures, bands)
    assert "Similar to about a quarter of cities surveyed" in page


@pytest.mark.parametrize(
    ("lead", "label"),
    [
        ("Rubén Parra Williams", "Innovation Lead:"),
        ("Santtu von Bruun, Mikko Rusama", "Innovation Leads:"),
        ("Ana Ruiz; Luis Gómez", "Innovation Leads:"),
        ("Ana Ruiz and Luis Gómez", "Innovation Leads:"),
        ("Anderson Andrews", "Innovation Lead:"),
        ("José Ortega y Gasset", "Innovation Lead:"),
    ],
)
def test_innovation_leads_when_the_cell_names_several_people(lead: str, label: str) -> None:
    page = html(city(innovation_lead=lead))
    assert re.search(rf'<strong class="fact-label">{label}</strong>', page)


def test_free_text_keeps_its_paragraphs_lines_and_lists() -> None:
    text = "Our model:\n1. Listen\n2. Build\n\nWe work with:\n- residents\n- firms\nand more."
    assert text_blocks(text) == [
        Block("p", ("Our model:",)),
        Block("ol", ("1. Listen", "2. Build")),
        Block("p", ("We work with:",)),
        Block("ul", ("residents", "firms")),
        Block("p", ("and more.",)),
    ]
    page = html(city(spotlight=text, org_structure="Line one\nline two <b>"))
    assert '<ul class="typed-numbers"> <li>1. Listen</li> <li>2. Build</li> </ul>' in page
    assert '<ul class="typed-bullets"> <li>residents</li> <li>firms</li> </ul>' in page
    assert "<p>Line one<br>line two &lt;b&gt;</p>" in page


def test_priorities_in_the_citys_order_and_the_no_priority_sentence() -> None:
    page = html(city(priority_areas=("connectivity", "housing", "future_of_work")))
    assert "The top three priority policy areas for the city&#39;s innovation work are:" in page
    labels = re.findall(r'<span class="tile-label">([^<]+)</span>', page)
    assert labels == ["Connectivity", "Housing", "Future of work"]
    page = html(city(priority_areas=("no_priority",)))
    assert (
        "Lima <strong>does not prioritise policy sectors</strong> for its innovation work." in page
    )
    assert "priority policy area" not in page


def test_own_options_print_with_their_wording_and_escaped() -> None:
    typed = OwnOption("staff_profiles", "typed:<Urbanist>", "<Urbanist>", "<Urbanist>")
    trust = OwnOption("success_factors", "trust", "Trust", "the trust of residents")
    area = OwnOption("policy_areas", "night_economy", "Night economy", "Night economy", "shield")
    page = html(
        city(
            staff_profiles=("engineer", typed.key),
            success_factors=(trust.key,),
            priority_areas=(area.key,),
            own_options=(typed, trust, area),
        )
    )
    assert "<li>Engineer</li> <li>&lt;Urbanist&gt;</li>" in page
    assert "work is <strong>the trust of residents.</strong>" in page
    assert icon_of("shield") in page and '<span class="tile-label">Night economy</span>' in page


def icon_of(name: str, classes: str = "tile") -> str:
    """A decorative icon as the page shows it (a priority's: on its tile): its glyph
    (render/iconfont.py)."""
    glyph = load_layout().icon_characters[name]
    return f'<span class="icon {classes}" aria-hidden="true">{glyph}</span>'


def test_an_own_icon_the_layout_lacks_falls_back_to_the_layouts() -> None:
    area = OwnOption("policy_areas", "night_economy", "Night", "Night", "no-such-icon")
    page = html(city(priority_areas=(area.key,), own_options=(area,)))
    assert "no-such-icon" not in page and icon_of("bulb") in page


def test_every_option_has_a_label_and_every_area_an_icon() -> None:
    from snapshotpdf.survey import vocabulary

    layout = load_layout()
    options = layout.catalog().strings["options"]
    for question in vocabulary.questions():
        if question in ("approach", "role_of_data", "open_data"):
            continue  # worded by their own sentences
        assert set(vocabulary.options(question)) <= set(options[question]), question
    for area in vocabulary.options("policy_areas"):
        assert layout.has_icon(layout.icon_name("policy_areas", area)), area
    assert set(vocabulary.policy_areas()) <= set(options["policy_areas"])
    assert len(vocabulary.policy_areas()) == 15


def test_each_policy_area_is_spelled_one_way_in_every_language() -> None:
    """One table of labels for the priorities and the outcomes grid (issue 15: "Government
    finance" beside "Government Finance" on one page); no two areas share a label."""
    layout = load_layout()
    for language in layout.languages:
        options = layout.catalog(language).strings["options"]
        assert not {"policy_areas_priority", "policy_areas_grid"} & set(options), language
        labels = [str(v) for v in options["policy_areas"].values()]
        assert len({label.casefold() for label in labels}) == len(labels), language
    page = html(
        city(
            priority_areas=("government_finance",), data_sufficiency=(("government_finance", True),)
        )
    )
    assert page.count(">Government Finance<") == 2  # its tile and its grid cell
    assert "Government finance" not in page


@pytest.mark.parametrize(
    ("template", "others", "dated"),
    [
        (None, {}, False),  # the bundled one: the renderer writes the date into the PDF
        ('{% extends "snapshot/snapshot.html.j2" %}', {}, False),
        (
            '{% extends "snapshot/snapshot.html.j2" %}{% block footer %}{{ super() }}'
            "/* {{ created }} */{% endblock %}",
            {},
            True,
        ),
        ('{% include "parts.j2" %}', {"parts.j2": "<p>{{ created or '' }}</p>"}, True),
        (
            '{% import "macros.j2" as m %}{{ m.x() }}',
            {"macros.j2": "{% macro x() %}x{% endmacro %}"},
            False,
        ),  # noqa: E501
        ("{% include name_of_part %}", {}, True),  # named only as it runs: assume it does
        ('{% include "par" ~ "ts.j2" %}', {"parts.j2": "{{ created }}"}, True),
        ('{% include ["parts.j2"] %}', {"parts.j2": "<p></p>"}, True),
        (
            '{%- from "m.j2" import x -%}{{ x() }}',
            {"m.j2": "{% macro x() %}{{ created }}{% endmacro %}"},
            True,
        ),  # noqa: E501
        ("{% include 'parts.j2' without context %}", {"parts.j2": "<p>{# created #}</p>"}, False),
        ('{% include "gone.j2" ignore missing %}<p></p>', {}, False),
    ],
)
def test_whether_a_template_depends_on_the_date(
    tmp_path: Path, template: str | None, others: dict[str, str], dated: bool
) -> None:
    files = {**others, **({"snapshot.html.j2": template} if template else {})}
    layout = load_layout(str(user_layout(tmp_path / "mine", 'extends = "snapshot"\n', files)))
    assert Renderer(layout).dated is dated
