"""The box check rendered (render/overflow.py): small documents with one mistake each, laid
out from their check copy by WeasyPrint, and what overflowing() says of them; and the check
copy of sample cities, laid out and written as the cities are. The layout check's command
is tests/integration/test_layout_check.py's."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from snapshotpdf.batch import plan
from snapshotpdf.batch.result import BuildResult
from snapshotpdf.batch.settings import Settings, creation_date
from snapshotpdf.batch.workers import CityRenderer
from snapshotpdf.cli.options import inputs
from snapshotpdf.models import CityRecord, SurveyFigures
from snapshotpdf.render.fitting import Refit
from snapshotpdf.render.layout import load_layout
from snapshotpdf.render.overflow import CheckCopier, overflowing
from snapshotpdf.render.pdf import PdfMaker
from snapshotpdf.survey.figures import survey_figures

PAGE = "@page { size: 100mm 100mm; margin: 10mm } body { margin: 0; font: 10pt 'Noto Sans' }\n"


def own_anchors(document: Any) -> list[dict[str, Any]]:
    """Each page's anchors of the elements' own ids (not the check's)."""
    return [
        {name: rectangle for name, rectangle in page.anchors.items() if "snapshotpdf" not in name}
        for page in document.pages
    ]


def said(tmp_path: Path, css: str, body: str) -> list[str]:
    """What the box check says of a document with this body under this stylesheet, its
    check copy laid out as the original is."""
    sheet = tmp_path / "mistake.css"
    sheet.write_text(PAGE + css, encoding="utf-8")
    layout = load_layout()
    sheets = [layout.file("fonts.css"), sheet]
    folders = [tmp_path, *layout.folders]
    maker = PdfMaker(folders, sheets)
    html = f'<!DOCTYPE html><html lang="en"><head><title>t</title></head><body>{body}</body></html>'
    copy = maker.layout_document(CheckCopier(sheets, folders)(html))
    assert own_anchors(copy) == own_anchors(maker.layout_document(html))  # laid out the same
    return [str(found) for found in overflowing(copy.pages)]


@pytest.mark.parametrize(
    ("css", "body", "findings"),
    [
        (  # a box too wide, named once
            ".wide { width: 150mm; background: #eee }",
            '<section id="s"><div class="wide"><p>Hello</p><p>there</p></div></section>',
            ["page 1: div.wide in #s runs 70.0 mm past the right edge of the page area"],
        ),
        (  # the same, painting nothing itself: what it holds does
            ".wide { width: 150mm }",
            '<section id="s"><div class="wide"><p>Hello world</p></div></section>',
            [
                "page 1: div.wide in #s ('Hello world') runs 70.0 mm past the right edge of the"
                " page area"
            ],
        ),
        (  # a word that cannot break: its paragraph, with the word
            "p { overflow-wrap: normal }",
            '<section id="s"><p>Words then Averyveryveryveryveryveryverylong'
            "unbreakablewordthatcannotfit and more</p></section>",
            [
                "page 1: p in #s ('Averyveryveryveryveryveryvery…') runs 29.7 mm past the right"
                " edge of the page area"
            ],
        ),
        (  # ... that does break
            "p { overflow-wrap: break-word }",
            "<p>Words then Averyveryveryveryveryveryverylongunbreakablewordthatcannotfit</p>",
            [],
        ),
        (  # a line that does not wrap
            "p { white-space: nowrap }",
            "<p>This line does not wrap and it is much too long for the page area</p>",
            [
                "page 1: p ('This line does not wrap and i…') runs 26.7 mm past the right edge of"
                " the page area"
            ],
        ),
        (  # a box of a fixed height taller than the page
            ".tall { height: 200mm; background: #eee }",
            '<div class="tall"></div>',
            ["page 1: html runs 120.0 mm past the bottom edge of the page area"],
        ),
        (  # moved by relative positioning
            ".r { position: relative; left: 120mm }",
            '<p class="r">moved</p>',
            ["page 1: p.r ('moved') runs 120.0 mm past the right edge of the page area"],
        ),
        (  # a first line started before its box
            "p { text-indent: -20mm }",
            "<p>Indented first line</p>",
            ["page 1: p ('Indented') runs 20.0 mm past the left edge of the page area"],
        ),
        (  # what CSS generates after it
            "p::after { content: 'generated'; margin-left: 75mm; white-space: nowrap }",
            "<p>x</p>",
            ["page 1: p runs 14.0 mm past the right edge of the page area"],
        ),
        (  # by design, none of these
            ".b { position: absolute; left: -20mm; width: 150mm; background: red }"
            ".f { position: fixed; inset: -5mm -5mm auto; height: 3mm; background: red }"
            ".r { position: running(top) } @page { @top-center { content: element(top) } }"
            ".r span { display: block; width: 200mm; background: red }"
            ".c { overflow: hidden; width: 50mm } .c p { width: 150mm; background: red }"
            "ul { margin: 0 -2mm; padding: 0; list-style: none } li { padding: 0 2mm }",
            '<div class="b">band</div><div class="f">x</div>'
            '<div class="r"><span>header</span></div><div class="c"><p>clipped</p></div>'
            "<ul><li><span>inside</span></li></ul>",
            [],
        ),
    ],
)
def test_what_runs_past_the_page_area_is_said(
    tmp_path: Path, css: str, body: str, findings: list[str]
) -> None:
    assert said(tmp_path, css, body) == findings


@pytest.fixture(scope="module")
def sample() -> tuple[CityRenderer, list[CityRecord], SurveyFigures, datetime | None]:
    settings = Settings(inputs=inputs(None, None, None, "snapshot"))
    records = plan.read(settings.inputs, BuildResult())
    renderer = CityRenderer("snapshot")
    records = plan.in_languages(renderer.layout, records, None, BuildResult())
    return renderer, records, survey_figures(records), creation_date(settings.inputs.survey_path)


@pytest.mark.parametrize("city", ["Lima", "مدينة الواحة"])
def test_the_check_copy_of_a_city_is_laid_out_and_written_as_the_city(
    sample: tuple[CityRenderer, list[CityRecord], SurveyFigures, datetime | None], city: str
) -> None:
    renderer, records, figures, created = sample
    record = next(r for r in records if r.city == city)
    maker = renderer.maker("screen")
    copy = CheckCopier.for_layout(renderer.layout, "screen")
    html = renderer.html.html(record, figures, "a4", created=created)
    refit = renderer.html.refit(record, figures, "a4", created)
    copied = Refit(refit.pages, refit.steps, lambda flow, steps: copy(refit.html(flow, steps)))
    built = maker.render(html, record, refit=refit)
    checked = maker.render(copy(html), record, refit=copied, inspect_boxes=True)
    assert checked.pages == built.pages and checked.fitted == built.fitted
    assert checked.renderer_warnings == built.renderer_warnings
    assert [
        names - {n for n in names if "snapshotpdf" in n} for names in checked.anchors_by_page
    ] == [set(names) for names in built.anchors_by_page]
    assert checked.overflows == ()  # the bundled layout keeps to its pages
    assert own_anchors(maker.layout_document(copy(html))) == own_anchors(
        maker.layout_document(html)
    )
