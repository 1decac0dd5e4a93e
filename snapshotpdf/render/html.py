"""Record + survey figures -> HTML, through the layout's Jinja2 template.

Autoescape is on for everything and undefined names fail: survey text is data, never markup.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any, NamedTuple

import jinja2
from markupsafe import Markup

from snapshotpdf.errors import LayoutError
from snapshotpdf.models import CityRecord, Share, SurveyFigures
from snapshotpdf.render import wording
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
        locale = self.layout.locale(record.language)
        context = SnapshotContext(record, figures, self.layout, locale)
        try:
            return self.environment.get_template(self.layout.template).render(
                r=record,
                t=locale,
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
    locale: dict[str, Any]

    def labels(self, question: str, keys: tuple[str, ...]) -> list[str]:
        table = self.locale["options"][question]
        return [table[k] for k in keys]

    def label(self, question: str, key: str) -> str:
        return str(self.locale["options"][question][key])

    def listed(self, question: str, keys: tuple[str, ...]) -> str:
        return wording.join_list(self.labels(question, keys), self.locale)

    def share(self, question: str) -> Share | None:
        return self.figures.share(question, getattr(self.record, question))

    def share_words(self, share: Share) -> str:
        return wording.share_words(share, self.locale)

    def population(self) -> str:
        assert self.record.population is not None
        return wording.format_population(self.record.population, self.locale)

    def term(self) -> str:
        assert self.record.term is not None
        return wording.format_term(self.record.term, self.locale)

    def icon(self, group: str, key: str, tone: str, alt: str = "") -> Markup:
        return self.layout.icon(group, key, tone, alt)

    def text(self, key: str, **parts: object) -> str:
        """A top-level locale string with plain (not markup) placeholders filled."""
        return str(self.locale[key]).format(**parts)

    def sufficiency(self) -> list[GridCell]:
        """All 15 policy areas in grid order with their answer (None: not answered)."""
        answered = dict(self.record.data_sufficiency)
        return [GridCell(area, answered.get(area)) for area in vocabulary.policy_areas()]

    def page_counter(self) -> Markup:
        """The locale's "Page {page} of {pages}" as a CSS content value with counters."""
        return wording.page_counter(self.locale["page_of"])

    css_string = staticmethod(wording.css_string)


class GridCell(NamedTuple):
    area: str
    sufficient: bool | None
