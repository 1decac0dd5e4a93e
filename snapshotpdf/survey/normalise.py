"""Raw rows -> CityRecord + problems. One parser per field kind, in one table; a profile's
own fields ([extra]) are read by the parsers of the kinds they name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import cast

from snapshotpdf import limits
from snapshotpdf.models import (
    TYPED,
    CityRecord,
    ExtraAnswers,
    ExtraValue,
    OwnOption,
    Population,
    Problem,
    RawRow,
    Severity,
)
from snapshotpdf.survey import values, vocabulary
from snapshotpdf.survey.fields import (
    DATA_SUFFICIENCY,
    EXTRA_KINDS,
    FIELDS,
    REQUIRED_FIELDS,
    Field,
)
from snapshotpdf.survey.profile import Profile, Source

_RECORD_FIELDS = set(CityRecord.__dataclass_fields__)


@dataclass(frozen=True)
class Chosen:
    """A question laid out one column per option: the columns with something in them,
    as (column key, option text from the header, cell value)."""

    picks: tuple[tuple[str, str, object], ...]

    def __str__(self) -> str:
        return "; ".join(option or str(cell) for _key, option, cell in self.picks)


@dataclass
class FieldContext:
    """What a field parser may need beyond the cell: the row, the profile, a warning sink."""

    row: RawRow
    profile: Profile
    field_name: str = ""
    # (message, raw value, column key when not the field's first column)
    warnings: list[tuple[str, str | None, str | None]] = field(default_factory=list)
    # the options of the row with their own wording (the profile's, or typed): the record's
    own: dict[tuple[str, str], OwnOption] = field(default_factory=dict)

    def warn(self, message: str, raw: object = None, column: str | None = None) -> None:
        self.warnings.append((message, None if raw is None else str(raw), column))

    def cell(self, field_name: str) -> object:
        source = self.profile.sources.get(field_name)
        if source is None or not source.columns:
            return None
        return self.row.cells.get(source.columns[0][0])

    def extra(self, question: str) -> dict[str, str]:
        """The profile's own answer texts for a question ([answers.QUESTION])."""
        return self.profile.answers.get(question, {})

    def chosen(self, question: str, key: str) -> str:
        """An option chosen: a profile's own one has its wording kept for the record."""
        own = self.profile.options.get(question, {}).get(key)
        if own is not None:
            self.own[question, key] = own
        return key

    def typed(self, question: str, text: str) -> str:
        """An answer that matches no option: kept, to be printed as the city typed it."""
        key = TYPED + text
        self.own[question, key] = OwnOption(question, key, text, text)
        return key


Parser = Callable[[object, FieldContext], object]


def _plain(parse: Callable[[object], object]) -> Parser:
    return lambda value, _ctx: parse(value)


def _yes_no(value: object, ctx: FieldContext) -> bool | None:
    if not isinstance(value, bool) and (text := values.parse_text(value)) is not None:
        key = vocabulary.match(vocabulary.YES_NO, text, ctx.extra(vocabulary.YES_NO))
        if key is not None:
            return key == "yes"
    try:
        return values.parse_yes_no(value)
    except ValueError as exc:
        raise ValueError(
            f"{exc} (or map this answer to yes or no in the profile's [answers.yes_no])"
        ) from None


def _unknown_hint(question: str) -> str:
    return (
        f"to print it as an option, map it in the profile's [answers.{question}] to one of: "
        + ", ".join(vocabulary.options(question))
        + f"; or add it there as an option, [answers.{question}.KEY] (docs/vocabulary.md)"
    )


def _printed(key: str) -> str:
    """An option key as a message names it: a typed answer by its text."""
    return repr(key.removeprefix(TYPED)) if key.startswith(TYPED) else key


def _picks(question: str, chosen: Chosen, ctx: FieldContext, keep: bool = True) -> list[str]:
    """The options chosen in one-column-per-option answers; unknown ones warned, by column,
    and kept as typed (keep) or dropped. A cell counts as chosen unless it says no (No, 0,
    FALSE); its text is the answer when it is a known option (an "Other" column), else the
    column's option text is; typed text in an unknown column is printed as typed."""
    keys: list[str] = []
    for column, option, cell in chosen.picks:
        text = values.parse_text(cell)
        if text is None or _says_no(text):
            continue
        key = None if _says_yes(text) else vocabulary.match(question, text, ctx.extra(question))
        if key is None and option:
            key = vocabulary.match(question, option, ctx.extra(question))
        if key is None:
            answer = option if _says_yes(text) and option else text
            if keep:
                key = ctx.typed(question, answer)
                what = "is printed as typed"
            else:
                what = "was dropped"
            ctx.warn(
                f"the answer {answer!r} matches no known option and {what}; "
                + _unknown_hint(question),
                cell,
                column,
            )
        else:
            key = ctx.chosen(question, key)
        if key is not None and key not in keys:
            keys.append(key)
    return keys


def _says_yes(text: str) -> bool:
    return text.casefold() in values.YES


def _says_no(text: str) -> bool:
    return text.casefold() in values.NO


def _options(question: str, limit: int | None = None) -> Parser:
    def parse(value: object, ctx: FieldContext) -> tuple[str, ...]:
        if isinstance(value, Chosen):
            chosen = _picks(question, value, ctx)
        else:
            text = values.parse_text(value)
            if text is None:
                return ()
            separator = ctx.profile.separator(ctx.field_name)
            split = vocabulary.split(question, text, separator, ctx.extra(question))
            chosen = [
                ctx.typed(question, piece) if key is None else ctx.chosen(question, key)
                for key, piece in split.pieces
            ]
            if split.unknown:
                ctx.warn(
                    f"{len(split.unknown)} answer(s) match no known option and are printed"
                    " as typed: "
                    + "; ".join(repr(u) for u in split.unknown)
                    + f" (options are separated by {separator!r}; "
                    + _unknown_hint(question)
                    + ")",
                    value,
                )
        if limit is not None and len(chosen) > limit:
            dropped = ", ".join(_printed(key) for key in chosen[limit:])
            ctx.warn(f"only the first {limit} are printed; dropped {dropped}", value)
            chosen = chosen[:limit]
        return tuple(chosen)

    return parse


def _one_option(question: str) -> Parser:
    def parse(value: object, ctx: FieldContext) -> str | None:
        if isinstance(value, Chosen):
            keys = _picks(question, value, ctx, keep=False)
            if len(keys) > 1:
                raise ValueError(f"expected one answer, found {len(keys)}: {', '.join(keys)}")
            return keys[0] if keys else None
        text = values.parse_text(value)
        if text is None:
            return None
        key = vocabulary.match(question, text, ctx.extra(question))
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
    except ValueError as exc:  # said at the year's own cell, not the population's
        source = ctx.profile.sources.get("population_year")
        column = source.columns[0][0] if source and source.columns else None
        ctx.warn(f"population year dropped: {exc}", ctx.cell("population_year"), column)
        year = None
    count = values.parse_population(value)
    return None if count is None else Population(count, year)


def _name(value: object, ctx: FieldContext) -> str | None:
    name = values.parse_name(value)
    if name is not None and len(name) > limits.MAX_NAME_CHARS:
        raise ValueError(
            f"a name of {len(name)} characters (at most {limits.MAX_NAME_CHARS}): check that"
            " this cell holds the name alone"
        )
    if name is not None and len(name) > limits.LONG_NAME_CHARS:
        ctx.warn(
            f"a name of {len(name)} characters is printed in smaller type and wraps; check"
            " that this cell holds the name alone",
            name,
        )
    return name


def _shorten(text: str, limit: int, ctx: FieldContext) -> str:
    """An answer cut to limit characters (at a word, with an ellipsis) with a warning: an
    answer no page can hold never reaches the renderer."""
    if len(text) <= limit:
        return text
    kept = text[: limit - 1]
    if " " in kept[limit // 2 :]:
        kept = kept[: kept.rindex(" ")]
    ctx.warn(
        f"the answer has {len(text):,} characters; the first {len(kept):,} are printed"
        f" (at most {limit:,}, limits.py): shorten it to what a page can hold"
    )
    return kept.rstrip() + "…"


def _fewer_lines(text: str, ctx: FieldContext) -> str:
    """A free-text answer cut to limits.MAX_ANSWER_LINES lines (its paragraphs and the
    lines of its lists; the blank line between paragraphs aside), with a warning."""
    lines = text.split("\n")
    filled = [i for i, line in enumerate(lines) if line]
    if len(filled) <= limits.MAX_ANSWER_LINES:
        return text
    ctx.warn(
        f"the answer has {len(filled):,} lines; the first {limits.MAX_ANSWER_LINES} are"
        f" printed (at most {limits.MAX_ANSWER_LINES}, limits.py): join short lines into"
        " paragraphs"
    )
    return "\n".join(lines[: filled[limits.MAX_ANSWER_LINES - 1] + 1])


def _cut(parse: Callable[[object], str | None], limit: int) -> Parser:
    """A free-text parser whose answer is cut to limit characters (_shorten), and a text of
    several lines to limits.MAX_ANSWER_LINES of them."""

    def parse_cut(value: object, ctx: FieldContext) -> str | None:
        text = parse(value)
        if text is None:
            return None
        return _shorten(_fewer_lines(text, ctx) if "\n" in text else text, limit, ctx)

    return parse_cut


def _list(value: object, ctx: FieldContext) -> tuple[str, ...] | None:
    """Texts split on the field's separator, each one line as a text answer is (cut at
    limits.MAX_LINE_CHARS); those past limits.MAX_ANSWER_CHARS in all are dropped."""
    items = values.parse_list(value, ctx.profile.separator(ctx.field_name))
    if items is None:
        return None
    kept: list[str] = []
    total = 0
    for item in items:
        text = _shorten(item, limits.MAX_LINE_CHARS, ctx)
        total += len(text)
        if total > limits.MAX_ANSWER_CHARS and kept:
            ctx.warn(
                f"only the first {len(kept)} of {len(items)} items are printed (at most"
                f" {limits.MAX_ANSWER_CHARS:,} characters in all, limits.py)",
                value,
            )
            break
        kept.append(text)
    return tuple(kept)


_PLAIN: dict[str, Parser] = {
    "name": _name,
    "text": _cut(values.parse_text, limits.MAX_LINE_CHARS),
    "paragraphs": _cut(values.parse_paragraphs, limits.MAX_ANSWER_CHARS),
    "term": _plain(values.parse_term),
    "website": _plain(values.parse_website),
    "email": _plain(values.parse_email),
    "language": _plain(values.parse_language),
    "population": _population,
    "yes_no": _yes_no,
    "number": _plain(values.parse_number),
    "date": _plain(values.parse_date),
    "list": _list,
}


def parser(spec: Field) -> Parser:
    """The parser of a field of the catalogue (fields.FIELDS)."""
    if spec.kind == "many":
        assert spec.question is not None
        return _options(spec.question, spec.limit)
    if spec.kind == "one":
        assert spec.question is not None
        return _one_option(spec.question)
    return _PLAIN[spec.kind]


FIELD_PARSERS: dict[str, Parser] = {name: parser(spec) for name, spec in FIELDS.items()}
# An own field's parser, by its kind: the record field kind's of the same name.
EXTRA_PARSERS: dict[str, Parser] = {kind: parser(Field(kind)) for kind in EXTRA_KINDS}


def field_value(row: RawRow, source: Source) -> object:
    """What a field parser gets: the cell, or the chosen columns of a one-column-per-option
    question."""
    if source.layout == "columns":
        picks = tuple(
            (key, option, row.cells[key])
            for key, option in source.columns
            if row.cells.get(key) is not None
        )
        return Chosen(picks)
    return row.cells.get(source.columns[0][0]) if source.columns else None


def normalise_row(row: RawRow, profile: Profile) -> tuple[CityRecord | None, list[Problem]]:
    """Every field parsed; a bad optional value is dropped with a warning, a missing
    required one skips the row with an error. Problems name the cell as Excel shows it."""
    problems: list[Problem] = []
    parsed: dict[str, object] = {}
    refused: set[str] = set()  # required fields whose answer was refused (already said)
    own: dict[tuple[str, str], OwnOption] = {}  # every field's options with their own wording
    city_name = values.clean_text(field_value(row, profile.sources["city"]))

    def report(severity: Severity, header: str, message: str, raw: str | None) -> None:
        problems.append(Problem(severity, row.cell_location(header), message, raw, city_name))

    def read(name: str, source: Source, parse: Parser) -> object:
        """The field's value, its problems reported at its cell; None when refused."""
        header = source.columns[0][0] if source.columns else source.label
        ctx = FieldContext(row, profile, name, own=own)
        raw = field_value(row, source)
        label = name.replace("_", " ")
        value = None
        try:
            value = parse(raw, ctx)
        except ValueError as exc:
            if name in REQUIRED_FIELDS:  # no record without it: the reason is the error
                refused.add(name)
                report(Severity.ERROR, header, f"{label}: {exc}; the row is skipped", str(raw))
            else:
                report(Severity.WARNING, header, f"{label}: {_dropped(str(exc))}", str(raw))
        for message, raw_value, column in ctx.warnings:
            report(Severity.WARNING, column or header, f"{label}: {message}", raw_value)
        return value

    for name, source in profile.sources.items():
        parse = FIELD_PARSERS.get(name)
        if parse is not None:
            parsed[name] = read(name, source, parse)

    extra: dict[str, ExtraValue] = {}
    for name, own_field in profile.extra.items():
        if own_field.source is None:  # the export has no such column (columns.bind said)
            extra[name] = None
        else:  # the kind's parser gives that kind's value (fields.EXTRA_KINDS)
            value = read(name, own_field.source, EXTRA_PARSERS[own_field.kind])
            extra[name] = cast(ExtraValue, value)

    sufficiency: list[tuple[str, bool]] = []
    ctx = FieldContext(row, profile, DATA_SUFFICIENCY)
    for area, header, raw in _sufficiency_cells(row, profile):
        try:
            answer = _yes_no(raw, ctx)
        except ValueError as exc:
            report(Severity.WARNING, header, f"data sufficiency: {_dropped(str(exc))}", str(raw))
            continue
        if answer is not None and area not in dict(sufficiency):
            sufficiency.append((area, answer))

    for name in REQUIRED_FIELDS:
        if not parsed.get(name) and name not in refused:
            source = profile.sources[name]
            header = source.columns[0][0] if source.columns else source.label
            raw = row.cells.get(header) if source.columns else None
            unseen = isinstance(raw, str) and raw.strip() != "" and not values.visible(raw)
            why = " (the cell holds only characters that show nothing)"
            report(
                Severity.ERROR,
                header,
                f"no {name}{why if unseen else ''}: the row is skipped; fill in the {name}",
                " ".join(f"U+{ord(ch):04X}" for ch in str(raw).strip()[:10]) if unseen else None,
            )
    if any(p.severity is Severity.ERROR for p in problems):
        return None, problems

    fields = {k: v for k, v in parsed.items() if v is not None and k in _RECORD_FIELDS}
    used = {key for value in fields.values() if isinstance(value, tuple) for key in value}
    record = CityRecord(
        source=row.location,
        data_sufficiency=tuple(sufficiency),
        own_options=tuple(option for option in own.values() if option.key in used),
        extra=ExtraAnswers(extra),
        **fields,  # type: ignore[arg-type]
    )
    return record, problems


def _dropped(message: str) -> str:
    """Say that the answer was left out, unless the parser's message says so already."""
    return message if "dropped" in message else f"{message}; this answer was dropped"


def _sufficiency_cells(row: RawRow, profile: Profile) -> list[tuple[str, str, object]]:
    """(policy area, column key, cell) of every data-sufficiency answer, in the profile's
    order: the [data_sufficiency] table, or the grid question's option columns."""
    cells: list[tuple[str, str, object]] = []
    for area, source in profile.grid.items():
        for key, _option in source.columns[:1]:
            cells.append((area, key, row.cells.get(key)))
    grid = profile.sources.get(DATA_SUFFICIENCY)
    if grid is not None:
        extra = profile.answers.get(vocabulary.POLICY_AREAS, {})
        for key, option in grid.columns:
            matched = vocabulary.match(vocabulary.POLICY_AREAS, option, extra)
            if matched is not None:  # columns.bind warned about the others once
                cells.append((matched, key, row.cells.get(key)))
    return cells
