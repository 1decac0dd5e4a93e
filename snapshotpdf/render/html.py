"""Record + survey figures -> HTML, through the layout's Jinja2 template.

Autoescape is on for everything and undefined names fail: survey text is data, never markup.
A layout may come from anyone, so its templates run in Jinja2's sandbox: they use the names
they are given, and cannot reach past them into Python (no `__class__`, no `range` of more
than jinja2.sandbox.MAX_RANGE items; no value bigger than limits.MAX_TEMPLATE_VALUE with `*`:
render/sandbox.py); trying to is a layout error at the template's line.
The template is given the names of TemplateVariables: `record`, `strings`, `snapshot` (a
SnapshotContext) and a few more; docs/templates.md lists them all, with the record's fields,
the context's helpers and the filters (scripts/template_reference.py makes it from here).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from functools import cached_property, partial
from typing import Any, NamedTuple

import jinja2
import jinja2.meta
from markupsafe import Markup

from snapshotpdf.errors import LayoutError
from snapshotpdf.models import CityRecord, OwnOption, Share, SurveyFigures, date_text, doc
from snapshotpdf.render import measure, wording
from snapshotpdf.render.catalog import Catalog
from snapshotpdf.render.diagnose import template_errors
from snapshotpdf.render.fitting import FitStep, Refit
from snapshotpdf.render.layout import Layout, template_source
from snapshotpdf.render.sandbox import LayoutSandbox
from snapshotpdf.render.settings import Brand
from snapshotpdf.survey import vocabulary


def template_loader(layout: Layout) -> jinja2.BaseLoader:
    """The layout's templates: a file of its own folder, else of the layout it extends;
    the extended layout's as "NAME/FILE" too ({% extends "snapshot/snapshot.html.j2" %}),
    so a template of the same name can change one block of it. Found as every file of a
    layout is (layout.template_source): never outside its folders."""
    parents = {
        folder.name: jinja2.FunctionLoader(partial(template_source, (folder,)))
        for folder in layout.folders[1:]
    }
    own = jinja2.FunctionLoader(partial(template_source, layout.folders))
    return jinja2.ChoiceLoader([own, jinja2.PrefixLoader(parents)])


class _CompiledTemplates(jinja2.BytecodeCache):
    """The templates this process has compiled, by file, kept in memory (Jinja2's public
    bytecode cache): a Renderer made again for the same layout (a booklet after a build,
    a check, the previewer after an edit, a service building again and again) reuses the
    compiled code instead of compiling the template again (about 0.1 s). Jinja2 compiles
    anew when a file's text changed (its checksum). Every Renderer's environment has the
    same options, so the code fits any of them. At most COMPILED_TEMPLATES files."""

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self.code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.code.pop(bucket.key, None)
        self.code[bucket.key] = bucket.bytecode_to_string()  # the most recent last
        while len(self.code) > COMPILED_TEMPLATES:
            del self.code[next(iter(self.code))]


COMPILED_TEMPLATES = 32
_COMPILED = _CompiledTemplates()


# A template a template names: {% extends/include/import/from "NAME" ... %}; a name that is
# not one string literal alone (a variable, a list, "a" ~ b) is matched without its name.
_REFERENCES = re.compile(
    r"\{%[-+]?\s*(?:extends|include|import|from)\s+"
    r"(?:([\"'])(?P<name>[^\"'\\]*)\1"
    r"(?=\s*(?:[-+]?%\}|as\b|import\b|ignore\b|with\b|without\b)))?"
)


class Renderer:
    """One per layout and process: the Jinja2 environment is built once."""

    def __init__(self, layout: Layout) -> None:
        self.layout = layout

    @cached_property
    def environment(self) -> jinja2.Environment:
        # Sandboxed, not immutable: a template may build a list ({% set _ = x.append(y) %}).
        env = LayoutSandbox(
            loader=template_loader(self.layout),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            bytecode_cache=_COMPILED,
        )
        env.filters.update(
            fill=wording.fill,
            upper_text=wording.upper,
            display_url=wording.display_url,
        )
        return env

    @cached_property
    def dated(self) -> bool:
        """Whether the snapshot's HTML depends on the date its PDF carries: its template, or
        one it includes, imports or extends, uses `created` (or names a template only as it
        runs). When not, the HTML a build fingerprints (undated) is the HTML to render, and
        the renderer writes the date into the PDF (PdfMaker.render's created). Read from
        the templates' text; one that has the word is parsed to see whether it is the name
        (Jinja2's AST), which takes a tenth of a second for the bundled one."""
        env = self.environment
        pending, seen = [self.layout.template], set()
        with template_errors(self.layout.folders, f"layout {self.layout.name!r}", "its template"):
            while pending:
                name = pending.pop()
                if name in seen:
                    continue
                seen.add(name)
                try:
                    source = env.loader.get_source(env, name)[0] if env.loader else ""
                except jinja2.TemplateNotFound:  # "ignore missing", or said when it runs
                    continue
                if "created" in source and "created" in jinja2.meta.find_undeclared_variables(
                    env.parse(source, name)
                ):
                    return True
                for found in _REFERENCES.finditer(source):
                    if found["name"] is None:
                        return True  # named as it runs: it may
                    pending.append(found["name"])
        return False

    def html(
        self,
        record: CityRecord,
        figures: SurveyFigures,
        paper: str = "a4",
        flow: bool = False,
        created: datetime | None = None,
        fit: tuple[FitStep, ...] = (),
    ) -> str:
        """The snapshot's HTML; flow=True lets content run on past its pages in columns;
        fit: the copy-fitting steps applied (classes on its root element)."""
        if paper not in self.layout.papers:
            raise LayoutError(
                f"unknown paper {paper!r}", hint=f"papers: {', '.join(self.layout.papers)}"
            )
        catalog = self.layout.catalog(record.language)
        paper_size = self.layout.papers[paper]
        variables = TemplateVariables(
            record=record,
            strings=catalog.strings,
            snapshot=SnapshotContext(record, figures, self.layout, catalog, paper_size),
            paper_size=paper_size,
            flow=flow,
            created=date_text(created) if created else None,
            root_classes=" ".join([*(["flow"] if flow else []), *(step.name for step in fit)]),
        )
        with template_errors(
            self.layout.folders,
            f"layout {self.layout.name!r} failed for {record.city}",
            f"{record.city}'s snapshot",
        ):
            return self.environment.get_template(self.layout.template).render(variables.names())

    def refit(
        self,
        record: CityRecord,
        figures: SurveyFigures,
        paper: str = "a4",
        created: datetime | None = None,
    ) -> Refit:
        """How the renderer lays this city out again to fit its pages (render/fitting.py)."""

        def html(flow: bool, steps: tuple[FitStep, ...]) -> str:
            return self.html(record, figures, paper, flow=flow, created=created, fit=steps)

        return Refit(self.layout.pages, self.layout.settings.fitting, html)


@dataclass(frozen=True)
class TemplateVariables:
    """The names a snapshot template is rendered with, and nothing else."""

    record: CityRecord = field(metadata=doc("the city's answers, normalised (below)"))
    strings: dict[str, Any] = field(
        metadata=doc("the catalog of the city's language (locales/LANG.toml) over the source's")
    )
    snapshot: SnapshotContext = field(
        metadata=doc("the helpers: labels, lists, plurals, numbers, shares, icons (below)")
    )
    paper_size: str = field(metadata=doc('the CSS page size of the paper, e.g. "A4"'))
    flow: bool = field(
        metadata=doc("true when content may run on past its pages in columns (a sparse city)")
    )
    created: str | None = field(
        metadata=doc(
            "the date the PDF carries, ISO 8601 (the renderer writes it into the PDF's"
            " metadata); None while a build fingerprints it. A template that uses it is made"
            " again for each PDF; one that does not is made once a city"
        )
    )
    root_classes: str = field(
        metadata=doc(
            'the classes of the root element: "flow", and the copy-fitting steps tried'
            ' ([fitting] in layout.toml, e.g. "fit-tight fit-small"); "" as designed'
        )
    )

    def names(self) -> dict[str, object]:
        """Name -> value, as the template gets them."""
        return {spec.name: getattr(self, spec.name) for spec in fields(self)}


@dataclass(frozen=True)
class SnapshotContext:
    """What the template asks of a record beyond its fields: labels, lists, comparisons."""

    record: CityRecord = field(metadata=doc("the city's answers (the template's record)"))
    figures: SurveyFigures = field(metadata=doc("the survey-wide answer counts"))
    layout: Layout = field(metadata=doc("the layout: its folders and its settings (layout.toml)"))
    catalog: Catalog = field(metadata=doc("the city's language's catalog"))
    paper_size: str = field(
        default="A4", metadata=doc("the CSS page size of the paper (layout.toml [papers])")
    )

    @property
    def language(self) -> str:
        """The language the snapshot is printed in (its catalog's): <html lang>."""
        return self.catalog.language

    @property
    def direction(self) -> str:
        """ "rtl" for a right-to-left language: the page is mirrored (<html dir>)."""
        return wording.direction(self.language)

    @property
    def brand(self) -> Brand:
        """Who publishes the snapshots ([brand] of layout.toml): .organisation, its name,
        and .logo, a file of the layout by its path inside it (an <img> src); each None
        when the layout gives none."""
        return self.layout.settings.brand

    @property
    def strings(self) -> dict[str, Any]:
        """The catalog's strings (the template's strings)."""
        return self.catalog.strings

    def _own(self, question: str, key: str) -> OwnOption | None:
        """The record's own wording of an option (a profile's option, or a typed answer).
        Each question's options have one table of labels, [options.QUESTION]."""
        for option in self.record.own_options:
            if option.question == question and option.key == key:
                return option
        return None

    def labels(self, question: str, keys: tuple[str, ...]) -> list[str]:
        """The options as list items or tiles: the catalog's [options.QUESTION] labels."""
        return [self.label(question, key) for key in keys]

    def label(self, question: str, key: str) -> str:
        """An option as a list item or tile: the record's own wording, else the catalog's."""
        own = self._own(question, key)
        return own.label if own else str(self.strings["options"][question][key])

    def in_sentence(self, question: str, key: str) -> str:
        """An option's wording inside a sentence."""
        own = self._own(question, key)
        return own.in_sentence if own else str(self.strings["options"][question][key])

    def listed(self, question: str, keys: tuple[str, ...]) -> str:
        """The options inside a sentence: "A, B, and C"."""
        return wording.join_list([self.in_sentence(question, k) for k in keys], self.language)

    def listed_bold(self, question: str, keys: tuple[str, ...]) -> tuple[str, Markup]:
        """(article, list): the list with its first item's leading "a"/"an" taken out, for
        a sentence that bolds the list but not the article, as the reference does."""
        items = [self.in_sentence(question, k) for k in keys]
        article, items[0] = wording.leading_article(items[0], self.strings["articles"])
        return article, wording.join_list(items, self.language)

    def icon_name(self, group: str, key: str) -> str:
        """An option's icon: a profile option's own (when the layout has that file), else
        the layout's."""
        own = self._own(group, key)
        if own and own.icon and self.layout.has_icon(own.icon):
            return own.icon
        return self.layout.icon_name(group, key)

    def priorities(self) -> tuple[str, ...]:
        """The priority policy areas to print (not the answer "no priority areas")."""
        return tuple(a for a in self.record.priority_areas if a != vocabulary.NO_PRIORITY)

    def no_priorities(self) -> bool:
        """The city said it prioritises no policy sectors (and named none)."""
        return vocabulary.NO_PRIORITY in self.record.priority_areas and not self.priorities()

    def count_words(self, count: int) -> str:
        """A small count in words ("two"), as the catalog says them; else its figure."""
        words = self.strings["numbers"]["counts"]
        return str(words[count]) if 0 <= count < len(words) else self.number(count)

    def plural(self, forms: str | dict[str, str], count: int) -> str:
        """The form of a plural string ({one = ..., other = ...}) for count, in the
        snapshot's language (its CLDR plural rules)."""
        return wording.plural(forms, count, self.language)

    def leads(self) -> int:
        """How many people the innovation lead cell names (at least one)."""
        names = _NAMES_SPLIT.split(self.record.innovation_lead or "")
        return max(1, len([n for n in names if n.strip()]))

    def text_direction(self, text: str) -> str:
        """The direction survey text is written in: that of its first letter of a script
        with one (Hebrew, Arabic: "rtl"; Latin, Cyrillic, ...: "ltr"); else the page's."""
        return wording.text_direction(text) or self.direction

    def isolate(self, text: str) -> str:
        """Survey text to set inside the page's sentences, kept in its own direction."""
        return wording.isolate(text, self.direction)

    def blocks(self, text: str) -> list[Block]:
        """Free text as printed: paragraphs (their line breaks kept) and numbered or
        bulleted lines as lists."""
        return text_blocks(text)

    def share(self, question: str) -> Share | None:
        """How many cities answered the question as this one (count, total, percent);
        None when it did not answer."""
        return self.figures.share(question, getattr(self.record, question))

    def share_words(self, share: Share) -> str:
        """A share as the words before "cities surveyed": "20% of", "more than half of"."""
        return wording.share_words(share, self.strings, self.language, self.layout.share_style)

    def percent(self, share: Share) -> str:
        """A share as the language writes a percentage: 81% (en), 81 % (fr)."""
        return wording.format_percent(share.percent, self.language)

    def number(self, number: int | float) -> str:
        """A number as the language writes it: 850,000 (en), 850 000 (fr), 4,5 (es)."""
        return wording.format_number(number, self.language)

    def date(self, value: date) -> str:
        """A date as the language writes it in full: February 20, 2024 (en), 20 février 2024."""
        return wording.format_date(value, self.language)

    def joined(self, items: Iterable[str]) -> Markup:
        """Texts inside a sentence as the language joins them: "A, B, and C"."""
        return wording.join_list(items, self.language)

    def population(self) -> str:
        """The population as printed: "9.67 million (2020)"."""
        assert self.record.population is not None
        return wording.format_population(self.record.population, self.strings, self.language)

    def term(self) -> str:
        """The mayor's term as printed: "2019–2022"."""
        assert self.record.term is not None
        pattern = self.catalog.format("year_range")
        return wording.format_term(self.record.term, self.language, pattern)

    def icon(self, group: str, key: str, alt: str = "", classes: str = "") -> Markup:
        """An option's icon (icon_name) as a glyph of the layout's icon font in a <span
        class="icon">, in its CSS colour like text and as large as its font-size; announced
        with alt text (an image with that name in a tagged PDF), else decorative (an
        artifact). classes: more classes of the span (a disc: "tile")."""
        return self.layout.icon(self.icon_name(group, key), alt, classes)

    def text(self, key: str, **parts: object) -> str:
        """A top-level catalog string with plain (not markup) placeholders filled."""
        return wording.substitute(str(self.strings[key]), **parts)

    def sufficiency(self) -> list[GridCell]:
        """All 15 policy areas in grid order with their answer (None: not answered)."""
        answered = dict(self.record.data_sufficiency)
        return [GridCell(area, answered.get(area)) for area in vocabulary.policy_areas()]

    @property
    def page_width_mm(self) -> float:
        """The paper's width (portrait), for what the template fits to it."""
        return _PAGE_WIDTH_MM.get(self.paper_size.lower(), _PAGE_WIDTH_MM["a4"])

    def fit_line(self, text: str, width_mm: float, size_pt: float) -> str:
        """The text on one line of width_mm at size_pt: as it is, or cut short with an
        ellipsis (the footer's running title, which must not wrap)."""
        return measure.fit_line(text, width_mm * 72 / 25.4, size_pt)

    def page_counter(self) -> Markup:
        """The catalog's "Page {page} of {pages}" as a CSS content value with counters."""
        return wording.page_counter(self.strings["page_of"])

    css_string = staticmethod(wording.css_string)


# Page widths (portrait) of the CSS page sizes a layout's papers name.
_PAGE_WIDTH_MM = {"a5": 148.0, "a4": 210.0, "a3": 297.0, "b5": 176.0, "b4": 250.0}
_PAGE_WIDTH_MM |= {"letter": 215.9, "legal": 215.9, "ledger": 279.4}


class GridCell(NamedTuple):
    """A policy area of the data-sufficiency grid, and the city's answer (None: none)."""

    area: str
    sufficient: bool | None


# Between the names of an innovation lead cell naming several people.
# Not "y" or "et": "José Ortega y Gasset" is one person.
_NAMES_SPLIT = re.compile(r"[,;]|\s+and\s+|\s+&\s+", re.IGNORECASE)
_BULLET = re.compile(r"[-*•·‣▪◦–—]\s+")
_NUMBERED = re.compile(r"\(?(\d{1,3}|[a-z])[.)]\s+")


class Block(NamedTuple):
    """A paragraph ("p": its lines), a bulleted list ("ul": items without their marks) or a
    numbered list ("ol": items as typed, numbers included)."""

    kind: str
    lines: tuple[str, ...]


def text_blocks(text: str) -> list[Block]:
    """Paragraphs split at blank lines; inside one, each run of bulleted or numbered lines
    is a list, each run of other lines a paragraph whose line breaks are kept."""
    blocks: list[Block] = []
    for paragraph in text.split("\n\n"):
        for line in paragraph.split("\n"):
            if bullet := _BULLET.match(line):
                kind, item = "ul", line[bullet.end() :]
            elif _NUMBERED.match(line):
                kind, item = "ol", line
            else:
                kind, item = "p", line
            if blocks and blocks[-1].kind == kind:
                blocks[-1] = Block(kind, (*blocks[-1].lines, item))
            else:
                blocks.append(Block(kind, (item,)))
        blocks.append(Block("", ()))  # the paragraph's end
    return [b for b in blocks if b.kind]
