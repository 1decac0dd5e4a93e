"""A question snapshotpdf does not know, printed without touching Python: a profile's own
fields ([extra]) read from an export and checked, through the records a build puts aside,
into a layout whose template prints them (the HTML a build fingerprints; no PDF here)."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import pytest
from support.workbook import write_xlsx

from snapshotpdf.batch import manifest
from snapshotpdf.errors import LayoutError
from snapshotpdf.models import CityRecord
from snapshotpdf.render.html import Renderer
from snapshotpdf.render.layout import Layout, load_layout
from snapshotpdf.survey.figures import survey_figures
from snapshotpdf.survey.validate import RecordSpool, validate

PROFILE = """
[profile]
name = "own"

[fields]
city = "City"
country = "Country"
language = "Language"

[extra]
pledge = "Climate pledge"
signed = { column = "Pledge signed", type = "date" }
budget = { column = "Budget", type = "number" }
open_source = { column = "Open source", type = "yes_no" }
networks = { column = "Networks", type = "list", separator = "," }
"""
HEADER = [
    "City",
    "Country",
    "Language",
    "Climate pledge",
    "Pledge signed",
    "Budget",
    "Open source",
    "Networks",
]
ROWS: list[list[object]] = [
    [
        "Lima",
        "Peru",
        "en",
        "Net zero by 2050",
        datetime(2021, 4, 22),
        "1,250,000",
        "Yes",
        "C40,ICLEI,Eurocities",
    ],
    ["Quito", "Ecuador", "es", "Ciudad verde", "2023-09-01", 2.5, "No", None],
    ["Kyiv", "Ukraine", "en", None, None, None, None, None],
    ["Tallinn", "Estonia", "en", "<b>Bold</b> & {{ 7*7 }}", None, "lots", None, None],
]
# Printed before the end of <main>: what a team adds to its copy of the template.
SECTION = """
{% if record.extra.pledge %}
<section id="pledge">
  <p class="pledge">Pledge: {{ record.extra.pledge }}</p>
  {% if record.extra.signed %}
  <p class="signed">Signed {{ snapshot.date(record.extra.signed) }}</p>
  {% endif %}
  {% if record.extra.budget is not none %}
  <p class="budget">Budget {{ snapshot.number(record.extra.budget) }}</p>
  {% endif %}
  {% if record.extra.open_source %}<p class="open-source">Open source</p>{% endif %}
  {% if record.extra.networks %}
  <p class="networks">Member of {{ snapshot.joined(record.extra.networks) }}</p>
  {% endif %}
</section>
{% endif %}
"""


def own_layout(folder: Path, section: str = SECTION) -> Layout:
    """A copy of the bundled layout whose template prints the own fields."""
    shutil.copytree(load_layout().folder, folder)
    template = folder / "snapshot.html.j2"
    text = template.read_text(encoding="utf-8")
    assert text.count("</main>") == 1
    template.write_text(text.replace("</main>", section + "</main>"), encoding="utf-8")
    return load_layout(str(folder))


def records(folder: Path, rows: list[list[object]] = ROWS) -> list[CityRecord]:
    folder.mkdir(parents=True, exist_ok=True)
    profile = folder / "own.toml"
    profile.write_text(PROFILE, encoding="utf-8")
    checked = validate(write_xlsx(folder / "survey.xlsx", [HEADER, *rows]), profile)
    assert [p.message for p in checked.problems] == [
        "budget: expected a number, such as 12, 3.5 or 1,234,567; this answer was dropped"
    ]
    with RecordSpool() as spool:  # as a build puts them aside between its two passes
        for record in checked.records:
            spool.add(record)
        return list(spool)


def pages(layout: Layout, cities: list[CityRecord]) -> dict[str, str]:
    renderer = Renderer(layout)
    figures = survey_figures(cities)
    return {r.city: " ".join(renderer.html(r, figures).split()) for r in cities}


@pytest.fixture(scope="module")
def layout(tmp_path_factory: pytest.TempPathFactory) -> Layout:
    return own_layout(tmp_path_factory.mktemp("layout") / "mine")


def test_a_template_prints_own_fields_typed_in_the_citys_language(
    layout: Layout, tmp_path: Path
) -> None:
    html = pages(layout, records(tmp_path))
    lima = html["Lima"]
    assert '<p class="pledge">Pledge: Net zero by 2050</p>' in lima
    assert '<p class="signed">Signed April 22, 2021</p>' in lima
    assert '<p class="budget">Budget 1,250,000</p>' in lima
    assert '<p class="open-source">Open source</p>' in lima
    assert '<p class="networks">Member of C40, ICLEI, and Eurocities</p>' in lima
    quito = html["Quito"]
    assert '<p class="signed">Signed 1 de septiembre de 2023</p>' in quito
    assert '<p class="budget">Budget 2,5</p>' in quito
    assert "open-source" not in quito and "networks" not in quito
    assert 'id="pledge"' not in html["Kyiv"]  # no answer: None, the section left out


def test_an_own_answer_is_data_escaped_like_any_other(layout: Layout, tmp_path: Path) -> None:
    tallinn = pages(layout, records(tmp_path))["Tallinn"]
    assert "Pledge: &lt;b&gt;Bold&lt;/b&gt; &amp; {{ 7*7 }}</p>" in tallinn
    assert "<b>Bold</b>" not in tallinn and "49" not in tallinn
    assert 'class="budget"' not in tallinn  # its bad cell was dropped, with the warning


def test_a_changed_own_answer_changes_the_citys_fingerprint(layout: Layout, tmp_path: Path) -> None:
    context = manifest.build_context(layout.files(), "a4")
    before = pages(layout, records(tmp_path / "before"))
    again = pages(layout, records(tmp_path / "again"))
    changed_rows = [list(row) for row in ROWS]
    changed_rows[0][3] = "Net zero by 2040"
    after = pages(layout, records(tmp_path / "after", changed_rows))

    def prints(html: dict[str, str]) -> dict[str, str]:
        return {city: manifest.fingerprint(text, context) for city, text in html.items()}

    assert prints(again) == prints(before)
    changed = {city for city, value in prints(after).items() if value != prints(before)[city]}
    assert changed == {"Lima"}


def test_a_name_the_profile_does_not_give_stops_the_render(tmp_path: Path) -> None:
    layout = own_layout(tmp_path / "mine", "<p>{{ record.extra.no_such_answer }}</p>")
    (lima, *_) = records(tmp_path / "survey")
    with pytest.raises(LayoutError, match="no_such_answer"):
        Renderer(layout).html(lima, survey_figures([lima]))
