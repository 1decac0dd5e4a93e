"""The conference booklet: every city's snapshot in one PDF, after a cover and contents.

Each city is laid out exactly as its own PDF would be (same template, stylesheets, variant
and the same flow onto a third page when it does not fit), then the pages of all of them
are combined with WeasyPrint's Document API behind the front matter (cover and contents).
Page numbers run on through the whole booklet, the contents give the page each city starts
on, and the outline has one bookmark per city, its sections under it.

    read -> normalise -> compare -> lay out each city -> front matter -> one PDF
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from anyascii import anyascii
from markupsafe import Markup

from snapshotpdf import files
from snapshotpdf.batch import plan
from snapshotpdf.batch.build import check_fit
from snapshotpdf.batch.check import Printable
from snapshotpdf.batch.result import BuildResult
from snapshotpdf.batch.settings import creation_date
from snapshotpdf.errors import LayoutError, SnapshotError
from snapshotpdf.models import CityRecord, Inputs, Severity, SurveyFigures
from snapshotpdf.render import wording
from snapshotpdf.render.catalog import choose_language
from snapshotpdf.render.html import Renderer
from snapshotpdf.render.layout import Layout, load_layout
from snapshotpdf.reporter import Reporter
from snapshotpdf.survey.figures import survey_figures


@dataclass(frozen=True)
class BookletSettings:
    inputs: Inputs = field(default_factory=Inputs)  # which survey, profile, sheet, layout
    output: Path = Path("outputs/booklet.pdf")
    paper: str = "a4"
    variant: str = "screen"  # snapshotpdf/variants.py
    author: str = "snapshotpdf"
    strict: bool = False
    language: str | None = None  # --lang: the booklet and every city in this language


def booklet_order(record: CityRecord) -> tuple[str, str, str, str]:
    """By country, then city, as a reader looks them up: accents and case aside
    (Żółtawa with the Z's), then exactly."""
    return (
        anyascii(record.country).casefold(),
        anyascii(record.city).casefold(),
        record.country,
        record.city,
    )


def make_booklet(settings: BookletSettings, reporter: Reporter | None = None) -> BuildResult:
    """Read and check the survey, lay out every valid city, write one PDF; holding the
    lock of the folder it goes into, as a build does (no build writes there meanwhile)."""
    output = settings.output
    if output.is_dir():
        raise SnapshotError(
            f"{output} is a folder: the booklet is one PDF file",
            hint=f"give the booklet's file name, such as -o {output / 'booklet.pdf'}",
        )
    with files.output_lock(output.parent):
        return _make_booklet(settings, BuildResult(reporter or Reporter(), booklet=output))


def _printable(
    records: list[CityRecord],
    renderer: Renderer,
    figures: SurveyFigures,
    paper: str,
    result: BuildResult,
) -> list[CityRecord]:
    """The cities whose snapshot prints only characters the bundled fonts have; each other
    one is reported at its cell and left out of the booklet, as a build skips it."""
    assert result.validation is not None
    printable = Printable(result.validation, renderer.layout.name, result.add)
    kept = [r for r in records if printable(r, renderer.html(r, figures, paper))]
    result.skipped += len(records) - len(kept)
    if not kept:
        raise SnapshotError(
            "no city of the survey can be printed with the bundled fonts: there is nothing"
            " to put in a booklet",
            hint="see the errors above for the characters no font has",
        )
    return kept


def _make_booklet(settings: BookletSettings, result: BuildResult) -> BuildResult:
    from snapshotpdf.render.pdf import PdfMaker, capture_warnings

    survey = settings.inputs.survey_path
    records = plan.read(settings.inputs, result)
    if not records:
        raise SnapshotError(
            f"no valid city in {survey.name}: there is nothing to put in a booklet",
            hint="run snapshotpdf check on the export to see why each row was skipped",
        )
    figures = survey_figures(records)
    layout = load_layout(settings.inputs.layout)
    if settings.paper not in layout.papers:
        raise LayoutError(
            f"unknown paper {settings.paper!r}", hint=f"papers: {', '.join(layout.papers)}"
        )
    profile = result.validation.profile.language if result.validation else None
    language = choose_language(  # of the cover and contents
        layout.languages, layout.default_language, override=settings.language, profile=profile
    )
    records = plan.in_languages(layout, records, settings.language, result, front=language)
    renderer = Renderer(layout)
    records = _printable(records, renderer, figures, settings.paper, result)
    front = _FrontMatter(layout, settings, language, figures.respondents, records)
    maker = PdfMaker.for_layout(
        layout.folder, layout.config, settings.variant, extra=front.stylesheets
    )
    created = creation_date(survey)
    ordered = sorted(records, key=booklet_order)

    # The front matter's length first (its page numbers do not change it), so that each
    # city is laid out knowing the page it starts on.
    placeholders = [(record, 0) for record in ordered]
    front_pages = len(maker.layout_document(front.html(placeholders)).pages)
    result.reporter.step(f"Step 4 - laying out {len(ordered)} snapshot(s) for the booklet")
    city_pages: list[Any] = []
    seeds: list[str] = []
    page = front_pages + 1
    for record in ordered:
        numbering = maker.css(front.numbering(page, record.language))
        html = renderer.html(record, figures, settings.paper, created=created)
        with capture_warnings() as messages:
            document = maker.layout_document(html, [numbering])
            if len(document.pages) > layout.pages:
                html = renderer.html(record, figures, settings.paper, flow=True, created=created)
                document = maker.layout_document(html, [numbering])
        for message in messages:
            result.report(Severity.WARNING, record.source, f"renderer: {message}", record)
        check_fit(layout, record, tuple(frozenset(p.anchors) for p in document.pages), result)
        result.starts.append((record, page))
        city_pages.extend(document.pages)
        seeds.append(html)
        page += len(document.pages)

    front_html = front.html(result.starts, created.isoformat(timespec="seconds"))
    with capture_warnings() as messages:
        front_document = maker.layout_document(front_html)
    for message in messages:
        result.reporter.notice(Severity.WARNING, f"booklet front matter: renderer: {message}")
    if len(front_document.pages) != front_pages:  # cannot happen with sane CSS
        raise LayoutError("the booklet's contents changed length once numbered")
    booklet = front_document.copy([*front_document.pages, *city_pages])
    result.pages = len(booklet.pages)
    result.reporter.step(f"Step 5 - writing {settings.output} ({result.pages} pages)")
    data = maker.write(booklet, "\0".join([front_html, *seeds]), ordered, settings.author)
    files.write_atomic(settings.output, data)
    return result


class _FrontMatter:
    """The cover and contents: the layout's [booklet] template with its wording."""

    def __init__(
        self,
        layout: Layout,
        settings: BookletSettings,
        language: str,
        respondents: int,
        records: list[CityRecord],
    ) -> None:
        config = layout.config.get("booklet")
        if not config:
            raise LayoutError(f"layout {layout.name!r} has no [booklet] in its layout.toml")
        self.layout = layout
        self.settings = settings
        self.template = str(config["template"])
        self.stylesheets = [str(name) for name in config.get("stylesheets", [])]
        self.catalog = layout.catalog(language)
        self.locale = self.catalog.strings
        words = self.locale["booklet"]
        countries = len({r.country for r in records})
        self.cities = self._count(words["cities"], len(records))
        self.subtitle = words["subtitle"].format(
            cities=self.cities,
            countries=self._count(words["countries"], countries),
            respondents=wording.format_number(respondents, language),
        )
        self.environment = Renderer(layout).environment

    def _count(self, forms: str | dict[str, str], count: int) -> str:
        """ "16 cities": the plural form for count, with count as the language writes it."""
        language = self.catalog.language
        text = wording.plural(forms, count, language)
        return text.format(count=wording.format_number(count, language))

    def html(self, starts: list[tuple[CityRecord, int]], created: str | None = None) -> str:
        entries = []
        previous = None
        for record, page in starts:
            entries.append(
                {
                    "country": record.country,
                    "city": record.city,
                    "page": page,
                    "first_of_country": record.country != previous,
                }
            )
            previous = record.country
        words = self.locale["booklet"]
        return self.environment.get_template(self.template).render(
            t=self.locale,
            language=self.catalog.language,
            direction=wording.direction(self.catalog.language),
            title=words["document_title"].format(cities=self.cities),
            subject=words["subject"].format(cities=self.cities),
            subtitle=self.subtitle,
            author=self.settings.author,
            created=created,
            paper_size=self.layout.papers[self.settings.paper],
            entries=entries,
            css_string=wording.css_string,
            page_counter=self.page_counter(),
        )

    def page_counter(self) -> Markup:
        """The catalog's "Page {page}" as CSS content (the booklet's pages have no total)."""
        return wording.page_counter(self.locale["booklet"]["page"])

    def numbering(self, first: int, language: str | None = None) -> str:
        """CSS that numbers a city's pages on from the booklet page it starts on, at the
        end of its footer (the left in a right-to-left language)."""
        end = "left" if language and wording.direction(language) == "rtl" else "right"
        return (
            f"@page :first {{ counter-reset: page {first}; }}\n"
            f"@page {{ @bottom-{end} {{ content: {self.page_counter()} !important; }} }}\n"
        )
