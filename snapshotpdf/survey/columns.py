"""The export's columns, and which of them each field of a profile is read from.

A column has one header cell per header row. In an upper header row a blank cell continues
the question on its left (that is how merged cells read), so with two header rows a
SurveyMonkey column reads ("Which partners ...?", "Private firms"). A profile names a column
by any of its header cells, or by several of them in order; a question laid out one column
per option names the question, and each column's option is the header cell below it, or
what follows the question in the same cell ("Question - Option", "Question [Option]").

A header cell is matched as it is written. When a field's column is missing, the message
suggests the closest header; one that only shows as the field's header (it holds invisible
characters, a right-to-left override or Excel's _xHHHH_ escapes) is suggested with what to
delete, never taken in its place.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cached_property

from snapshotpdf.models import Location, Problem, Severity
from snapshotpdf.survey import vocabulary
from snapshotpdf.survey.fields import DATA_SUFFICIENCY, REQUIRED_FIELDS
from snapshotpdf.survey.grid import EXCEL_ESCAPE, excel_unescaped
from snapshotpdf.survey.profile import PATH_SEPARATOR, ExtraField, Profile, Source

_OPTION_MARKS = "-–—:|›[("  # what may stand between a question and its option in one cell


@dataclass(frozen=True)
class Column:
    index: int
    letter: str  # as Excel names it: A, B, ... AA
    cells: tuple[str, ...]  # header cells, top to bottom, blank continuations filled in
    key: str  # unique name in messages and rows: the telling header cells joined by " › "

    @cached_property
    def folded_key(self) -> str:
        """The key as header texts are compared (fold): folded once, not for every field a
        profile looks for (a wide export has hundreds of columns, a profile dozens of
        fields)."""
        return fold(self.key)

    @cached_property
    def folded_cells(self) -> tuple[str, ...]:
        """The header cells as they are compared (fold), top to bottom."""
        return tuple(fold(cell) for cell in self.cells)


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: the column name Excel shows."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def fold(text: str) -> str:
    """How header texts are compared: NFC, whitespace folded, case folded."""
    return vocabulary.answer_key(text)


def is_metadata(cell: str) -> bool:
    """Header cells that identify rather than name, such as Qualtrics' {"ImportId":"QID1"}."""
    return cell.startswith("{") and cell.endswith("}")


def header_columns(header_grid: Sequence[Sequence[str]]) -> tuple[Column, ...]:
    """The columns named by the header rows (cells already as text, "" when blank)."""
    width = max((len(row) for row in header_grid), default=0)
    grid = [list(row) + [""] * (width - len(row)) for row in header_grid]
    for r in range(len(grid) - 1):  # the last header row names options: never continued
        for c in range(1, width):
            below = any(
                grid[lower][c] and not is_metadata(grid[lower][c])
                for lower in range(r + 1, len(grid))
            )
            same_above = all(grid[upper][c] == grid[upper][c - 1] for upper in range(r))
            if not grid[r][c] and below and same_above:
                grid[r][c] = grid[r][c - 1]
    columns: list[Column] = []
    used: set[str] = set()
    for c in range(width):
        cells = tuple(row[c] for row in grid)
        telling: list[str] = []
        for cell in cells:
            if cell and not is_metadata(cell) and cell not in telling:
                telling.append(cell)
        if not telling:
            continue
        key = PATH_SEPARATOR.join(telling)
        if key in used:
            key = f"{key} [{column_letter(c)}]"
        used.add(key)
        columns.append(Column(c, column_letter(c), cells, key))
    return tuple(columns)


def find(columns: Sequence[Column], header: Sequence[str]) -> list[Column]:
    """The columns whose header cells include every given text, in order."""
    wanted = [fold(h) for h in header]
    joined = fold(PATH_SEPARATOR.join(header))
    hits = []
    for column in columns:
        cells = iter(column.folded_cells)
        if column.folded_key == joined or all(any(c == w for c in cells) for w in wanted):
            hits.append(column)
    return hits


def find_options(columns: Sequence[Column], question: str) -> list[tuple[Column, str]]:
    """The columns of a question laid out one column per option, each with its option."""
    wanted = fold(question)
    hits = []
    for column in columns:
        cells = [
            (c, f)
            for c, f in zip(column.cells, column.folded_cells, strict=True)
            if c and not is_metadata(c)
        ]
        for i, (cell, folded) in enumerate(cells):
            if folded == wanted:
                below = [c for c, f in cells[i + 1 :] if f != wanted]
                if below:
                    hits.append((column, below[-1]))
                break
            if folded.startswith(wanted) and (option := _option_after(cell, question)):
                hits.append((column, option))
                break
    return hits


def _option_after(cell: str, question: str) -> str | None:
    """ "Question - Option" or "Question [Option]" -> "Option"; None if no mark follows."""
    rest = " ".join(cell.split())[len(" ".join(question.split())) :].lstrip()
    if not rest or rest[0] not in _OPTION_MARKS:
        return None
    bracketed = rest[0] in "[(" and rest[-1] in "])"
    return (rest[1:-1] if bracketed else rest.lstrip(_OPTION_MARKS + " ")).strip() or None


def bind(
    profile: Profile, columns: Sequence[Column], where: Location
) -> tuple[Profile, list[Problem]]:
    """The profile with each source tied to the export's columns; fields whose columns are
    missing are left out, with a problem (an error for city and country), and own fields
    ([extra]) are kept without a source (their answers are None). where: the header row,
    for problems about columns that are not there."""
    problems: list[Problem] = []
    sources: dict[str, Source] = {}
    for name, source in profile.sources.items():
        what = "the data-sufficiency grid" if name == DATA_SUFFICIENCY else f"field {name}"
        bound = _bind(source, what, name in REQUIRED_FIELDS, columns, where, problems, profile)
        if bound is not None:
            sources[name] = bound
    grid: dict[str, Source] = {}
    for area, source in profile.grid.items():
        bound = _bind(source, f"area {area}", False, columns, where, problems, profile)
        if bound is not None:
            grid[area] = bound
    own_fields: dict[str, ExtraField] = {}
    for name, own in profile.extra.items():
        found = None
        if own.source is not None:
            what = f"own field {name}"
            found = _bind(own.source, what, False, columns, where, problems, profile)
        own_fields[name] = replace(own, source=found)
    if DATA_SUFFICIENCY in sources:
        extra = profile.answers.get(vocabulary.POLICY_AREAS, {})
        by_key = {c.key: c for c in columns}
        for key, option in sources[DATA_SUFFICIENCY].bound:
            if vocabulary.match(vocabulary.POLICY_AREAS, option, extra) is None:
                problems.append(
                    _problem(
                        Severity.WARNING,
                        where,
                        by_key[key],
                        f"{option!r} is not a policy area, so this column's answers are left"
                        f" out; map it in the profile's [answers.{vocabulary.POLICY_AREAS}] to"
                        f" one of: {', '.join(vocabulary.policy_areas())}",
                    )
                )
    return replace(profile, sources=sources, grid=grid, extra=own_fields), problems


# A number as a header cell never is one, and as an answer often is (a population).
_NUMBER_LIKE = re.compile(r"[0-9][0-9 .,'’]*")


def answers_in_header(profile: Profile, columns: Sequence[Column], where: Location) -> str | None:
    """When the profile reads more than one header row (where.row: the lowest), what the
    lowest one holds that is an answer: a number under a column a field is read from. That
    row is then a respondent read as a header (an export with fewer header rows than the
    profile says), which would otherwise be lost without a word. None when none is."""
    if where.row < 2:
        return None
    by_key = {c.key: c for c in columns}
    for name, source in profile.sources.items():
        for key, _ in source.bound:
            column = by_key.get(key)
            if column is not None and _NUMBER_LIKE.fullmatch(column.cells[-1]):
                return (
                    f"row {where.row} is read as a header row (the profile's header_rows ="
                    f" {where.row}), but it holds {column.cells[-1]!r} in column"
                    f" {column.letter}, where field {name} is read: an answer, not a header."
                    " This export has fewer header rows than the profile expects, and that"
                    " row is a respondent"
                )
    return None


def _bind(
    source: Source,
    what: str,
    required: bool,
    columns: Sequence[Column],
    where: Location,
    problems: list[Problem],
    profile: Profile,
) -> Source | None:
    if source.layout == "columns":
        options = find_options(columns, source.header[-1])
        if options:
            return replace(source, bound=tuple((c.key, option) for c, option in options))
        kind = "no question"
    else:
        hits = find(columns, source.header)
        if len(hits) > 1:
            example = ", ".join(f'"{cell}"' for cell in hits[0].cells if cell)
            problems.append(
                _problem(
                    Severity.WARNING,
                    where,
                    hits[0],
                    f"{source.label!r} names {len(hits)} columns "
                    f"({', '.join(h.letter for h in hits)}); {what} is read from column "
                    f"{hits[0].letter}: to choose another, give its header cells, e.g. "
                    f"[{example}]",
                )
            )
        if hits:
            return replace(source, bound=((hits[0].key, ""),))
        kind = "no column"
    severity = Severity.ERROR if required else Severity.WARNING
    consequence = "every row needs it" if required else "its answers are left out"
    message = f"{kind} {source.label!r} for {what} (profile {profile.name}); {consequence}"
    if suggestion := _closest(source.header[-1], columns):
        message += f"; {suggestion}"
    problems.append(Problem(severity, where, message))
    return None


def _closest(text: str, columns: Sequence[Column]) -> str | None:
    """The "did you mean" for a header no column has: a header cell that shows as text but
    holds what cannot be seen (said, with what to delete), else the closest in spelling."""
    wanted = fold(text)
    for column in columns:
        for cell in column.cells:
            if cell and fold(cell) != wanted and fold(shown(cell)) == wanted:
                return (
                    f"did you mean {cell!r} (column {column.letter})? It shows as"
                    f" {shown(cell)!r} but holds {_hidden(cell)}: delete them (type the header"
                    " cell again) and save"
                )
    cells = sorted({cell for column in columns for cell in column.cells if cell})
    close = difflib.get_close_matches(text, cells, n=1, cutoff=0.6)
    if not close:
        return None
    return f"did you mean {close[0]!r}?" + _letters_apart(close[0], text)


def _letters_apart(cell: str, text: str) -> str:
    """When a header cell differs from the wanted text only in letters that look alike
    (a Cyrillic С for a Latin C), which they are: the suggestion alone would show as the
    very header it says is missing."""
    if len(cell) != len(text):
        return ""
    apart = [(a, b) for a, b in zip(cell, text, strict=True) if a.casefold() != b.casefold()]
    if not apart or len(apart) > _MOST_NAMED or any(a.isascii() for a, _ in apart):
        return ""
    named = "; ".join(
        f"its {a!r} is U+{ord(a):04X} {unicodedata.name(a, 'a letter')}, not {b!r}"
        for a, b in apart
    )
    return f" It looks the same but {named}: type the header again"


_OVERRIDE_RTL = "\u202e"  # right-to-left override: what follows shows reversed ...
_OVERRIDE_ENDS = ("\u202c", "\u202d", "\u2069")  # ... until a pop, or another override
_MOST_NAMED = 3  # invisible characters named in a message, at most


def shown(text: str) -> str:
    """A header cell as a spreadsheet shows it: Excel's _xHHHH_ escapes read, the text a
    right-to-left override governs reversed ("\u202eytiC" shows as "City"), and what
    cannot be seen (direction marks, zero-width and control characters) left out."""
    text = excel_unescaped(text)
    parts: list[str] = []
    run: list[str] = []
    reversing = False
    for char in text:
        if char == _OVERRIDE_RTL or char in _OVERRIDE_ENDS:
            parts.append("".join(reversed(run) if reversing else run))
            run = []
            reversing = char == _OVERRIDE_RTL
        elif _visible(char):
            run.append(char)
    parts.append("".join(reversed(run) if reversing else run))
    return "".join(parts)


def _visible(char: str) -> bool:
    return char.isspace() or unicodedata.category(char) not in ("Cc", "Cf")


def _hidden(cell: str) -> str:
    """What in a header cell cannot be seen, as a message names it: Excel's escapes
    ("_x0007_") and the invisible characters (by their Unicode names)."""
    escapes = list(dict.fromkeys(m.group(0) for m in EXCEL_ESCAPE.finditer(cell)))
    rest = EXCEL_ESCAPE.sub("", cell)
    invisible = list(dict.fromkeys(c for c in rest if not _visible(c)))
    said = []
    if escapes:
        said.append(f"Excel's escape(s) {', '.join(escapes[:_MOST_NAMED])}")
    if invisible:
        names = [f"U+{ord(c):04X} {unicodedata.name(c, 'control character')}" for c in invisible]
        more = " ..." if len(names) > _MOST_NAMED else ""
        said.append(f"invisible characters ({', '.join(names[:_MOST_NAMED])}{more})")
    if not said:  # shown differs only as Excel would lay it out
        return "characters that change how it is shown"
    return " and ".join(said)


def _problem(severity: Severity, where: Location, column: Column, message: str) -> Problem:
    location = Location(where.file, where.sheet, where.row, column.letter, column.key)
    return Problem(severity, location, message)
