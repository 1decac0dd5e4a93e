"""The conference booklet: every city's snapshot in one PDF, after a cover and contents.

Each city is laid out exactly as its own PDF would be (same template, stylesheets, variant
and the same flow onto a third page when it does not fit), then the pages of all of them
are combined with WeasyPrint's Document API behind the front matter (cover and contents)
and before the back cover. Page numbers run on through the whole booklet, the contents
give (and link to) the page each city starts on, and the outline has one bookmark per
city, its sections under it.

The booklet is ready for a press (paginate): each city starts on a left-hand (even) page,
so its two pages face each other; blank pages fill the gaps, and make the total a
multiple of four, the pages of the sheets a booklet is folded from.

    read -> normalise -> compare -> lay out each city -> paginate -> front and back -> PDF
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from anyascii import anyascii
from markupsafe import Markup

from snapshotpdf import files
from snapshotpdf.batch import manifest, plan
from snapshotpdf.batch.build import check_fit
from snapshotpdf.batch.check import Printable
from snapshotpdf.batch.result import BuildResult
from snapshotpdf.batch.settings import creation_date
from snapshotpdf.errors import LayoutError, SnapshotError
from snapshotpdf.limits import MAX_COVER_CHARS
from snapshotpdf.models import CityRecord, Inputs, Location, Severity, SurveyFigures, date_text
from snapshotpdf.render import glyphs, wording
from snapshotpdf.render.brand import check_logo, print_warning
from snapshotpdf.render.catalog import choose_language
from snapshotpdf.render.diagnose import template_errors
from snapshotpdf.render.html import Renderer
from snapshotpdf.render.layout import Layout, load_layout
from snapshotpdf.render.variants import get_variant
from snapshotpdf.reporter import Reporter
from snapshotpdf.survey import values
from snapshotpdf.survey.figures import survey_figures

CONTENTS_PAGE = 3  # where the contents start: the first right-hand page after the cover


@dataclass(frozen=True)
class Cover:
    """What the cover says besides the survey's counts. None: the catalog's title (in the
    booklet's language), the counts as subtitle, no year, no logo."""

    title: str | None = None
    subtitle: str | None = None
    year: int | None = None
    logo: Path | None = None  # an SVG or PNG of the user's (render/brand.py: check_logo);
    # None: the layout's [brand] logo, if it has one


@dataclass(frozen=True)
class BookletSettings:
    inputs: Inputs = field(default_factory=Inputs)  # which survey, profile, sheet, layout
    output: Path = Path("outputs/booklet.pdf")
    paper: str = "a4"
    variant: str = "screen"  # snapshotpdf/variants.py
    # The organisation on the cover ("Prepared by ...") and as the PDF's author; when not
    # given, the layout's [brand] organisation; with neither, none (no author line).
    author: str | None = None
    cover: Cover = field(default_factory=Cover)
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


@dataclass(frozen=True)
class Pagination:
    """Where each page of the booklet goes. Page 1 is the cover, page 2 (its back) is
    blank, the contents start on page 3, a right-hand page; every city starts on an even,
    left-hand page, so its first two pages face each other; the back cover is the last
    page, and the total is a multiple of 4."""

    starts: tuple[int, ...]  # the page each city starts on, in booklet order
    blanks: tuple[int, ...]  # the blank pages
    pages: int  # in all, the back cover's number


def paginate(contents: int, lengths: Sequence[int]) -> Pagination:
    """The booklet's pages for contents that take `contents` pages and cities of the given
    lengths, in booklet order. A blank page comes before a city that would start on an
    odd page (after contents of one page less, after a city of three pages), and as many
    as it takes before the back cover for the total to be a multiple of 4: a booklet is
    folded from sheets of four pages."""
    blanks = list(range(2, CONTENTS_PAGE))
    page = CONTENTS_PAGE + contents  # the first page after the contents
    starts = []
    for length in lengths:
        if page % 2:
            blanks.append(page)
            page += 1
        starts.append(page)
        page += length
    while page % 4:
        blanks.append(page)
        page += 1
    return Pagination(tuple(starts), tuple(blanks), page)


def check_cover(cover: Cover, author: str | None) -> tuple[Cover, str | None]:
    """The lines given for the covers, read as survey text is (values.clean_text: spaces
    folded, bidi controls closed, text that shows nothing is none), each of them printable:
    no control character, at most limits.MAX_COVER_CHARS, every character in a bundled
    font, as every answer of a city must be (render/glyphs.py)."""
    lines = {"title": cover.title, "subtitle": cover.subtitle, "author": author}
    for option, given in list(lines.items()):
        text = lines[option] = values.clean_text(given) if given else None
        if not text:
            continue
        if any(unicodedata.category(ch) == "Cc" and not ch.isspace() for ch in given or ""):
            raise SnapshotError(
                f"the covers' {option} holds a control character",
                hint=f"give --{option} as plain text",
            )
        if len(text) > MAX_COVER_CHARS:
            raise SnapshotError(
                f"the covers' {option} has {len(text):,} characters, more than a cover line"
                f" may have ({MAX_COVER_CHARS}, limits.MAX_COVER_CHARS)",
                hint=f"give a shorter --{option}",
            )
        chars = glyphs.missing(text)
        if chars:
            raise SnapshotError(
                f"the covers' {option}: no bundled font has {glyphs.describe(chars)}",
                hint=f"give --{option} without them (docs/fonts.md: the scripts that print)",
            )
    cleaned = dataclasses.replace(cover, title=lines["title"], subtitle=lines["subtitle"])
    return cleaned, lines["author"]


def make_booklet(settings: BookletSettings, reporter: Reporter | None = None) -> BuildResult:
    """Read and check the survey, lay out every valid city, write one PDF; holding the
    lock of the folder it goes into, as a build does (no build writes there meanwhile)."""
    output = settings.output
    if output.is_dir():
        raise SnapshotError(
            f"{output} is a folder: the booklet is one PDF file",
            hint=f"give the booklet's file name, such as -o {output / 'booklet.pdf'}",
        )
    read = [settings.inputs.survey_path, settings.inputs.profile, settings.cover.logo]
    if output.exists() and any(p and p.exists() and output.samefile(p) for p in read):
        raise SnapshotError(
            f"{output} is a file the booklet reads (the survey, the profile or the logo):"
            " writing the booklet there would destroy it",
            hint="give the booklet a file name of its own, such as -o booklet.pdf",
        )
    _check_not_kept(output)
    cover, author = check_cover(settings.cover, settings.author)
    settings = dataclasses.replace(settings, cover=cover, author=author)
    logo = check_logo(settings.cover.logo) if settings.cover.logo else None
    with files.output_lock(output.parent):
        return _make_booklet(settings, logo, BuildResult(reporter or Reporter(), booklet=output))


def _check_not_kept(output: Path) -> None:
    """The booklet replaces no file a run keeps: it is a PDF (its name says so), not a PDF
    a build made and listed (a city's, which mail would refuse to send after), and not a
    file that is no PDF (a mail ledger, a manifest, a layout's layout.toml)."""
    hint = "give the booklet a file name of its own, such as -o booklet.pdf"
    if output.suffix.lower() != ".pdf":
        raise SnapshotError(f"{output}: the booklet is a PDF; its name ends in .pdf", hint=hint)
    if not output.is_file():
        return
    with output.open("rb") as existing:
        if existing.read(5) != b"%PDF-":
            raise SnapshotError(
                f"{output} is a file that is not a PDF: writing the booklet there would destroy it",
                hint=hint,
            )
    listed = manifest.load(output.parent, removed=True).get(output.name)
    if listed is not None:
        raise SnapshotError(
            f"{output} is the PDF of {listed.city}, {listed.country} that a build made:"
            " writing the booklet there would replace it",
            hint=hint,
        )


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
    result.validation.drop_skipped()
    result.skipped += len(records) - len(kept)
    if not kept:
        raise SnapshotError(
            "no city of the survey can be printed with the bundled fonts: there is nothing"
            " to put in a booklet",
            hint="see the errors above for the characters no font has",
        )
    return kept


def _anchors(records: Sequence[CityRecord]) -> list[str]:
    """The name of each city's first page, which its line of the contents links to: its
    file stem (ASCII, so the PDF's sorted list of destinations is sorted for every
    reader), numbered on in the unlikely case that two cities share one."""
    names: list[str] = []
    for record in records:
        name = base = f"city-{files.slug(record.country, record.city)}"
        number = 1
        while name in names:
            number += 1
            name = f"{base}-{number}"
        names.append(name)
    return names


def _make_booklet(settings: BookletSettings, logo: Path | None, result: BuildResult) -> BuildResult:
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
    given = logo  # --logo, a file of the user's; else the layout's [brand] logo
    logo = logo or layout.logo
    front = _FrontMatter(layout, settings, language, figures.respondents, records, logo)
    maker = PdfMaker.for_layout(
        layout, settings.variant, extra=front.stylesheets, allow=[given] if given else []
    )
    printing = get_variant(settings.variant).condition
    if logo and printing and (warning := print_warning(logo)):
        result.reporter.notice(Severity.WARNING, warning)
    created = creation_date(survey)
    ordered = sorted(records, key=booklet_order)
    names = _anchors(ordered)

    # The contents' length first (their page numbers do not change it), so that each
    # city is laid out knowing the page it starts on.
    placeholders = [(record, 0, name) for record, name in zip(ordered, names, strict=True)]
    contents = len(maker.layout_document(front.html("front", placeholders)).pages) - 1
    result.reporter.step(f"Step 4 - laying out {len(ordered)} snapshot(s) for the booklet")
    documents: list[Any] = []
    seeds: list[str] = []
    lengths: list[int] = []
    said: set[tuple[str, str]] = set()
    for record, name in zip(ordered, names, strict=True):
        page = paginate(contents, [*lengths, 2]).starts[-1]
        city = maker.css(front.city_css(page, name, record.language))
        html = renderer.html(record, figures, settings.paper, created=created)
        refit = renderer.refit(record, figures, settings.paper, created)
        fitted = maker.fitted(html, refit, [city])  # as build fits it, on its own pages
        document = fitted.attempt.document
        for message in fitted.attempt.messages:
            if (named := layout.file_in(message)) is None:
                result.report(Severity.WARNING, record.source, f"renderer: {message}", record)
            elif (named, message) not in said:  # of a layout file: once, of no city
                said.add((named, message))
                result.report(Severity.WARNING, Location(named, None, 0), f"renderer: {message}")
        anchors = tuple(frozenset(p.anchors) for p in document.pages)
        check_fit(layout, record, anchors, result, fitted.says())
        documents.append(document)
        seeds.append(fitted.attempt.html)
        lengths.append(len(document.pages))
    pagination = paginate(contents, lengths)
    result.starts = list(zip(ordered, pagination.starts, strict=True))

    stamp = date_text(created)
    starts = [(r, p, n) for (r, p), n in zip(result.starts, names, strict=True)]
    front_html = front.html("front", starts, created=stamp)
    back_html = front.html("back", blanks=len(pagination.blanks), created=stamp)
    # What the renderer says from here on is about the booklet's own pages, or about what
    # is drawn only as the PDF is written (an image an SVG logo names, refused).
    with capture_warnings() as messages:
        front_document = maker.layout_document(front_html)
        back_document = maker.layout_document(back_html)
        if len(front_document.pages) != contents + 1:  # cannot happen with sane CSS
            raise LayoutError("the booklet's contents changed length once numbered")
        pages = _assemble(pagination, front_document.pages, documents, back_document.pages)
        booklet = front_document.copy(pages)
        result.pages = len(booklet.pages)
        result.reporter.step(f"Step 5 - writing {settings.output} ({result.pages} pages)")
        seed = "\0".join([front.seed(front_html), back_html, *seeds])
        data = maker.write(booklet, seed, ordered, front.author)
    for message in messages:  # kept as the run's warnings: counted, and --strict fails
        where = Location(layout.file_in(message) or settings.output.name, None, 0)
        result.report(Severity.WARNING, where, f"renderer: {message}")
    files.write_atomic(settings.output, data)
    return result


def _assemble(
    pagination: Pagination, front: Sequence[Any], cities: Sequence[Any], back: Sequence[Any]
) -> list[Any]:
    """Every page in its place: the cover, the contents from CONTENTS_PAGE, each city's
    pages from its start, the back matter's blank pages in the gaps, the back cover last."""
    placed = {1: front[0], pagination.pages: back[-1]}
    placed.update(zip(itertools.count(CONTENTS_PAGE), front[1:]))
    placed.update(zip(pagination.blanks, back[:-1], strict=True))
    for first, document in zip(pagination.starts, cities, strict=True):
        placed.update(zip(itertools.count(first), document.pages))
    if sorted(placed) != list(range(1, pagination.pages + 1)):  # cannot happen
        raise LayoutError("the booklet's pages do not follow its pagination")
    return [placed[number] for number in sorted(placed)]


class _FrontMatter:
    """The cover, contents, blank pages and back cover: the layout's [booklet] template
    with its wording."""

    def __init__(
        self,
        layout: Layout,
        settings: BookletSettings,
        language: str,
        respondents: int,
        records: list[CityRecord],
        logo: Path | None = None,
    ) -> None:
        booklet = layout.settings.booklet
        if not booklet:
            raise LayoutError(f"layout {layout.name!r} has no [booklet] in its layout.toml")
        self.layout = layout
        self.settings = settings
        self.cover = settings.cover
        self.template = booklet.template
        self.stylesheets = list(booklet.stylesheets)
        self.catalog = layout.catalog(language)
        self.locale = self.catalog.strings
        words = self.locale["booklet"]
        countries = len({r.country for r in records})
        self.cities = self._count(words["cities"], len(records))
        self.subtitle = _text(self.cover.subtitle) or words["subtitle"].format(
            cities=self.cities,
            countries=self._count(words["countries"], countries),
            respondents=wording.format_number(respondents, language),
        )
        self.title = _text(self.cover.title)
        self.author = _text(settings.author) or layout.settings.brand.organisation
        self.logo = logo.as_uri() if logo else None
        self.logo_digest = hashlib.sha256(logo.read_bytes()).hexdigest() if logo else ""
        self.environment = Renderer(layout).environment

    def _count(self, forms: str | dict[str, str], count: int) -> str:
        """ "16 cities": the plural form for count, with count as the language writes it."""
        language = self.catalog.language
        text = wording.plural(forms, count, language)
        return text.format(count=wording.format_number(count, language))

    def html(
        self,
        part: str,
        starts: Sequence[tuple[CityRecord, int, str]] = (),
        blanks: int = 0,
        created: str | None = None,
    ) -> str:
        """part "front": the cover and the contents (starts: each city, the page it starts
        on and the anchor there); "back": blanks blank pages, then the back cover."""
        entries = []
        previous = None
        for record, page, anchor in starts:
            entries.append(
                {
                    "country": record.country,
                    "city": record.city,
                    "page": page,
                    "anchor": quote(anchor, safe=""),
                    "first_of_country": record.country != previous,
                }
            )
            previous = record.country
        words = self.locale["booklet"]
        language = self.catalog.language
        author = self.author
        pages = f"the booklet's {part} pages"
        with template_errors(self.layout.folders, pages, pages):
            return self.environment.get_template(self.template).render(
                part=part,
                strings=self.locale,
                language=language,
                direction=wording.direction(language),
                title=self.title or words["title"],
                document_title=self.title or words["document_title"].format(cities=self.cities),
                footer=self.title or words["footer"],
                subject=words["subject"].format(cities=self.cities),
                subtitle=self.subtitle,
                year=wording.format_year(self.cover.year, language) if self.cover.year else None,
                author=author,
                logo=self.logo,
                logo_alt=words["logo_of"].format(author=author) if author else words["logo"],
                created=created,
                paper_size=self.layout.papers[self.settings.paper],
                contents_page=CONTENTS_PAGE,
                entries=entries,
                blanks=blanks,
                css_string=wording.css_string,
                page_counter=self.page_counter(),
            )

    def seed(self, html: str) -> str:
        """The front matter's HTML as the PDF's identifier sees it: the logo by its
        content, not where it lies (the same logo elsewhere makes the same booklet)."""
        return html.replace(self.logo, self.logo_digest) if self.logo else html

    def page_counter(self) -> Markup:
        """The catalog's "Page {page}" as CSS content (the booklet's pages have no total)."""
        return wording.page_counter(self.locale["booklet"]["page"])

    def city_css(self, first: int, anchor: str, language: str | None = None) -> str:
        """CSS for a city's pages in the booklet: numbered on from the booklet page it
        starts on, at the end of its footer (the left in a right-to-left language), and
        its first element (the band, at the top of its first page) named as the anchor
        the contents link to."""
        end = "left" if language and wording.direction(language) == "rtl" else "right"
        return (
            f"@page :first {{ counter-reset: page {first}; }}\n"
            f"@page {{ @bottom-{end} {{ content: {self.page_counter()} !important; }} }}\n"
            f"body > :first-child {{ -weasy-anchor: {wording.css_string(anchor)}; }}\n"
        )


def _text(value: str | None) -> str | None:
    """A line given for the cover (a title, an author), its runs of white space one space;
    None when it has no text."""
    return (" ".join(value.split()) or None) if value else None
