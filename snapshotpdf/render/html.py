"""Record + survey figures -> HTML, through the layout's Jinja2 template.

Autoescape is on for everything and undefined names fail: survey text is data, never markup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any, NamedTuple

import jinja2
from markupsafe import Markup

from snapshotpdf.errors import LayoutError
from snapshotpdf.models import CityRecord, OwnOption, Share, SurveyFigures
from snapshotpdf.render import measure, wording
from snapshotpdf.render.catalog import Catalog
from snapshotpdf.render.layout import Layout
from snapshotpdf.survey import vocabulary


class Renderer:
    """One per layout and process: the Jinja2 environment is built once."""

    def __init__(self, layout: Layout) -> None:
        self.layout = layout

    @cached_property
    def environment(self) -> jinja2.Environment:
        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(self.layout.folder),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        env.filters.update(
            fill=wording.fill,
            upper_text=wording.upper,
            display_url=wording.display_url,
        )
        return env

    def html(
        self,
        record: CityRecord,
        figures: SurveyFigures,
        paper: str = "a4",
        flow: bool = False,
        created: datetime | None = None,
    ) -> str:
        """The snapshot's HTML; flow=True lets content run on past its pages in columns."""
        if paper not in self.layout.papers:
            raise LayoutError(
                f"unknown paper {paper!r}", hint=f"papers: {', '.join(self.layout.papers)}"
            )
        catalog = self.layout.catalog(record.language)
        context = SnapshotContext(record, figures, self.layout, catalog, self.layout.papers[paper])
        try:
            return self.environment.get_template(self.layout.template).render(
                r=record,
                t=catalog.strings,
                c=context,
                paper_size=self.layout.papers[paper],
                flow=flow,
                created=created.isoformat(timespec="seconds") if created else None,
            )
        except jinja2.TemplateError as exc:
            raise LayoutError(
                f"layout {self.layout.name!r} failed for {record.city}: {exc}"
            ) from exc


@dataclass(frozen=True)
class SnapshotContext:
    """What the template asks of a record beyond its fields: labels, lists, comparisons."""

    record: CityRecord
    figures: SurveyFigures
    layout: Layout
    catalog: Catalog
    paper_size: str = "A4"  # the CSS page size of the paper (layout.toml [papers])

    @property
    def language(self) -> str:
        """The language the snapshot is printed in (its catalog's): <html lang>."""
        return self.catalog.language

    @property
    def direction(self) -> str:
        """ "rtl" for a right-to-left language: the page is mirrored (<html dir>)."""
        return wording.direction(self.language)

    @property
    def strings(self) -> dict[str, Any]:
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
        own = self._own(question, key)
        return own.label if own else str(self.strings["options"][question][key])

    def in_sentence(self, question: str, key: str) -> str:
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
        return self.figures.share(question, getattr(self.record, question))

    def share_words(self, share: Share) -> str:
        return wording.share_words(share, self.strings, self.language, self.layout.share_style)

    def percent(self, share: Share) -> str:
        """A share as the language writes a percentage: 81% (en), 81 % (fr)."""
        return wording.format_percent(share.percent, self.language)

    def number(self, number: int) -> str:
        return wording.format_number(number, self.language)

    def population(self) -> str:
        assert self.record.population is not None
        return wording.format_population(self.record.population, self.strings, self.language)

    def term(self) -> str:
        assert self.record.term is not None
        pattern = self.catalog.format("year_range")
        return wording.format_term(self.record.term, self.language, pattern)

    def icon(self, group: str, key: str, tone: str, alt: str = "") -> Markup:
        return self.layout.icon(group, key, tone, alt)

    def text(self, key: str, **parts: object) -> str:
        """A top-level catalog string with plain (not markup) placeholders filled."""
        return str(self.strings[key]).format(**parts)

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
