"""Raw rows -> CityRecord + problems. One parser per field kind, in one table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from snapshotpdf import values, vocabulary
from snapshotpdf.models import CityRecord, Population, Problem, RawRow, Severity

if TYPE_CHECKING:
    from snapshotpdf.profile import Profile

REQUIRED_FIELDS = ("city", "country")
_RECORD_FIELDS = set(CityRecord.__dataclass_fields__)


@dataclass
class FieldContext:
    """What a field parser may need beyond the cell: the row, the profile, a warning sink."""

    row: RawRow
    profile: Profile
    warnings: list[tuple[str, str | None]]  # (message, raw value)

    def warn(self, message: str, raw: object = None) -> None:
        self.warnings.append((message, None if raw is None else str(raw)))

    def cell(self, field: str) -> object:
        header = self.profile.fields.get(field)
        return None if header is None else self.row.cells.get(header)


Parser = Callable[[object, FieldContext], object]


def _plain(parse: Callable[[object], object]) -> Parser:
    return lambda value, _ctx: parse(value)


def _options(question: str, limit: int | None = None) -> Parser:
    def parse(value: object, ctx: FieldContext) -> tuple[str, ...]:
        text = values.parse_text(value)
        if text is None:
            return ()
        chosen: list[str] = []
        unknown: list[str] = []
        for piece in text.split(ctx.profile.list_separator):
            piece = piece.strip()
            if not piece:
                continue
            key = vocabulary.match(question, piece)
            if key is None:
                unknown.append(piece)
            elif key not in chosen:
                chosen.append(key)
        if unknown:
            ctx.warn(
                f"{len(unknown)} answer(s) match no known option and were dropped: "
                + "; ".join(repr(u) for u in unknown)
                + f" (separate options with {ctx.profile.list_separator!r};"
                " known options are listed in snapshotpdf/vocabulary.toml)",
                value,
            )
        if limit is not None and len(chosen) > limit:
            ctx.warn(
                f"only the first {limit} are printed; dropped {', '.join(chosen[limit:])}", value
            )
            chosen = chosen[:limit]
        return tuple(chosen)

    return parse


def _one_option(question: str) -> Parser:
    def parse(value: object, _ctx: FieldContext) -> str | None:
        text = values.parse_text(value)
        if text is None:
            return None
        key = vocabulary.match(question, text)
        if key is None:
            known = ", ".join(
                repr(vocabulary.sample_answer(question, k)) for k in vocabulary.options(question)
            )
            raise ValueError(f"expected one of {known}")
        return key

    return parse


def _population(value: object, ctx: FieldContext) -> object:
    try:
        year = values.parse_year(ctx.cell("population_year"))
    except ValueError as exc:
        ctx.warn(f"population year dropped: {exc}", ctx.cell("population_year"))
        year = None
    count = values.parse_population(value)
    return None if count is None else Population(count, year)


FIELD_PARSERS: dict[str, Parser] = {
    "city": _plain(values.parse_text),
    "country": _plain(values.parse_text),
    "mayor": _plain(values.parse_text),
    "term": _plain(values.parse_term),
    "innovation_lead": _plain(values.parse_text),
    "population": _population,
    "website": _plain(values.parse_website),
    "org_structure": _plain(values.parse_paragraphs),
    "staff_profiles": _options("staff_profiles"),
    "spotlight": _plain(values.parse_paragraphs),
    "formal_strategy": _plain(values.parse_yes_no),
    "innovation_associations": _options("innovation_associations"),
    "approach": _one_option("approach"),
    "priority_areas": _options(vocabulary.POLICY_AREAS, limit=2),
    "partners_innovation": _options("partners"),
    "partners_data": _options("partners"),
    "dedicated_funding": _plain(values.parse_yes_no),
    "funding_sources": _options("funding_sources"),
    "funding_directed": _options("funding_directed"),
    "innovation_helps": _options("innovation_helps"),
    "success_factors": _options("success_factors"),
    "role_of_data": _one_option("role_of_data"),
    "data_uses": _options("data_uses"),
    "data_challenges": _options("data_challenges"),
    "open_data": _one_option("open_data"),
    "contact_email": _plain(values.parse_email),
    "language": _plain(values.parse_language),
}


def normalise_row(row: RawRow, profile: Profile) -> tuple[CityRecord | None, list[Problem]]:
    """Every field parsed; a bad optional value is dropped with a warning, a missing
    required one skips the row with an error. Problems name the cell as Excel shows it."""
    problems: list[Problem] = []
    parsed: dict[str, object] = {}
    city_name = values.clean_text(row.cells.get(profile.fields["city"]))

    def report(severity: Severity, header: str, message: str, raw: str | None) -> None:
        problems.append(Problem(severity, row.cell_location(header), message, raw, city_name))

    for field, header in profile.fields.items():
        parser = FIELD_PARSERS.get(field)
        if parser is None:
            continue
        ctx = FieldContext(row, profile, [])
        raw = row.cells.get(header)
        try:
            parsed[field] = parser(raw, ctx)
        except ValueError as exc:
            report(Severity.WARNING, header, f"{field.replace('_', ' ')}: {exc}", str(raw))
        for message, raw_value in ctx.warnings:
            report(Severity.WARNING, header, f"{field.replace('_', ' ')}: {message}", raw_value)

    sufficiency: list[tuple[str, bool]] = []
    for area, header in profile.data_sufficiency.items():
        raw = row.cells.get(header)
        try:
            answer = values.parse_yes_no(raw)
        except ValueError as exc:
            report(Severity.WARNING, header, f"data sufficiency: {exc}", str(raw))
            continue
        if answer is not None:
            sufficiency.append((area, answer))

    for field in REQUIRED_FIELDS:
        if not parsed.get(field):
            header = profile.fields[field]
            report(
                Severity.ERROR, header, f"no {field}: the row is skipped; fill in the {field}", None
            )
    if any(p.severity is Severity.ERROR for p in problems):
        return None, problems

    fields = {k: v for k, v in parsed.items() if v is not None and k in _RECORD_FIELDS}
    record = CityRecord(source=row.location, data_sufficiency=tuple(sufficiency), **fields)  # type: ignore[arg-type]
    return record, problems
