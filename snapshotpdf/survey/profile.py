"""Survey profiles: where each record field comes from in one survey export (a TOML file).

A field is read from one column (`"City"`, or a header path `["City", "Response"]` when the
export has several header rows), or from one column per option (`{ question = "...",
layout = "columns" }`); several options in one cell are split on a separator. [answers]
maps an export's own answer texts to canonical options. [extra] adds fields of the
profile's own to the record (`pledge = "Climate pledge"`), which templates print as
`record.extra.pledge`. docs/profiles.md, "Survey profiles".
"""

from __future__ import annotations

import keyword
import re
import tomllib
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from pathlib import Path

from snapshotpdf import limits
from snapshotpdf.assets import package_file
from snapshotpdf.errors import ProfileError
from snapshotpdf.files import NOT_FOUND, input_problem, size_text
from snapshotpdf.models import CityRecord, ExtraAnswers, OwnOption
from snapshotpdf.survey import values, vocabulary
from snapshotpdf.survey.fields import (
    DATA_SUFFICIENCY,
    DEFAULT_EXTRA_KIND,
    EXTRA_KINDS,
    FIELDS,
    REQUIRED_FIELDS,
)

# Fields read together with another one rather than on their own.
COMPANION_FIELDS = {"population_year"}
LAYOUTS = ("cell", "columns")
MAX_HEADER_ROWS = 3
PATH_SEPARATOR = " › "  # between the header cells of one column, in messages
_PROFILE_KEYS = {"name", "description", "sheet", "header_rows", "list_separator", "language"}
_SOURCE_KEYS = {"column", "question", "layout", "separator"}
_EXTRA_KEYS = {"column", "type", "separator"}
_TABLES = ("profile", "fields", "data_sufficiency", "answers", "extra")
_OPTION_KEYS = {"texts", "label", "in_sentence", "icon"}
_OPTION_NAME = re.compile(r"[a-z][a-z0-9_]*")
_ONE_OPTION_QUESTIONS = {f.question for f in FIELDS.values() if f.kind == "one"}
_ICON_NAME = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


@dataclass(frozen=True)
class Source:
    """Where one record field (or one data-sufficiency area) is read from."""

    header: tuple[str, ...]  # header text(s) naming the column, or the question
    layout: str = "cell"  # "cell": one column; "columns": one column per option
    separator: str | None = None  # between options in one cell; None: the profile's
    bound: tuple[tuple[str, str], ...] = ()  # (column key, option text), set by columns.bind

    @property
    def label(self) -> str:
        return PATH_SEPARATOR.join(self.header)

    @property
    def columns(self) -> tuple[tuple[str, str], ...]:
        """The columns to read: as bound to an export, else the header itself (one row)."""
        if self.bound or self.layout == "columns":
            return self.bound
        return ((self.label, ""),)


@dataclass(frozen=True)
class ExtraField:
    """A field of the profile's own ([extra] NAME): a column the program does not know,
    read as one kind of answer (fields.EXTRA_KINDS) into the record's extra answers."""

    name: str  # as templates name it: record.extra.NAME
    source: Source | None  # None: bound to an export that lacks the column (columns.bind)
    kind: str = DEFAULT_EXTRA_KIND


@dataclass(frozen=True)
class Profile:
    name: str
    path: Path
    sources: dict[str, Source]  # record field -> where it is read
    grid: dict[str, Source] = field(default_factory=dict)  # policy area -> [data_sufficiency]
    answers: dict[str, dict[str, str]] = field(default_factory=dict)  # question -> text -> key
    # question -> key -> the options the profile adds ([answers.QUESTION.KEY])
    options: dict[str, dict[str, OwnOption]] = field(default_factory=dict)
    list_separator: str = ";"
    sheet: str | None = None
    header_rows: int = 1
    description: str = ""
    language: str | None = None  # the survey's cities' language where a row gives none
    extra: dict[str, ExtraField] = field(default_factory=dict)  # [extra], in its order

    @property
    def fields(self) -> dict[str, str]:
        """Record field -> the header (or question) it is read from, as the profile says."""
        return {name: source.label for name, source in self.sources.items()}

    @property
    def extra_fields(self) -> dict[str, str]:
        """Own field ([extra]) -> the header it is read from (those the export has)."""
        return {name: own.source.label for name, own in self.extra.items() if own.source}

    def source(self, name: str) -> Source | None:
        """Where a record field, or an own field of [extra], is read from."""
        own = self.extra.get(name)
        return self.sources.get(name) or (own.source if own else None)

    @property
    def data_sufficiency(self) -> dict[str, str]:
        """Policy area -> the header of its sufficiency answer ([data_sufficiency] table)."""
        return {area: source.label for area, source in self.grid.items()}

    def headers(self) -> list[str]:
        return [*self.fields.values(), *self.data_sufficiency.values(), *self.extra_fields.values()]

    def separator(self, field_name: str) -> str:
        source = self.source(field_name)
        return source.separator if source and source.separator else self.list_separator


def default_profile_path() -> Path:
    return package_file("survey/profiles/sample.toml")


def load_profile(path: Path | None = None) -> Profile:
    """Read and check a profile; every mistake in it is reported in one ProfileError."""
    path = path or default_profile_path()
    data = _read_profile_file(path)
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ProfileError(f"profile {path} is not valid TOML: {exc}") from None
    except RecursionError:
        raise ProfileError(
            f"profile {path} nests its arrays or tables too deeply to be read",
            hint="a profile needs at most a list of header cells inside a field's table",
        ) from None
    except Exception as exc:  # noqa: BLE001 - whatever tomllib fails with, the file is at fault
        raise ProfileError(
            f"profile {path} cannot be read as TOML ({type(exc).__name__}: {exc})"
        ) from None
    return parse_profile(raw, path)


def _read_profile_file(path: Path) -> bytes:
    """The profile's bytes: a regular file of at most limits.MAX_PROFILE_BYTES."""
    limit = limits.MAX_PROFILE_BYTES
    problem = input_problem(path)  # a folder, a device, a pipe, a link loop: the survey's rule
    if problem == NOT_FOUND:
        raise ProfileError(f"profile not found: {path}")
    if problem:
        raise ProfileError(f"profile {path} {problem}", hint="give a .toml file")
    try:
        with path.open("rb") as f:
            data = f.read(limit + 1)
    except FileNotFoundError:
        raise ProfileError(f"profile not found: {path}") from None
    except OSError as exc:
        raise ProfileError(f"profile {path} cannot be read: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise ProfileError(
            f"profile {path} holds more than {size_text(limit)}, the most a profile may"
            " hold (limits.MAX_PROFILE_BYTES)",
            hint="a profile is a short TOML file: check that this is the one you meant",
        )
    return data


def parse_profile(raw: dict[str, object], path: Path) -> Profile:
    problems: list[str] = []
    unknown_tables = sorted(set(raw) - set(_TABLES))
    if unknown_tables:
        known_tables = ", ".join(f"[{name}]" for name in _TABLES)
        problems.append(
            f"unknown table(s) {', '.join(unknown_tables)}: a profile has {known_tables}"
        )
    meta = _table(raw, "profile", problems)
    fields = _table(raw, "fields", problems)
    grid = _table(raw, "data_sufficiency", problems)
    answer_tables = _table(raw, "answers", problems)
    extra_table = _table(raw, "extra", problems)

    for key in sorted(set(meta) - _PROFILE_KEYS):
        problems.append(
            f"[profile] has an unknown key {key!r}; known: {', '.join(sorted(_PROFILE_KEYS))}"
        )
    header_rows = meta.get("header_rows", 1)
    if isinstance(header_rows, bool) or not (
        isinstance(header_rows, int) and 1 <= header_rows <= MAX_HEADER_ROWS
    ):
        problems.append(f"[profile] header_rows must be 1, 2 or 3 (found {header_rows!r})")
        header_rows = 1
    list_separator = meta.get("list_separator", ";")
    if not (isinstance(list_separator, str) and list_separator):
        problems.append('[profile] list_separator must be a non-empty string such as ";"')
        list_separator = ";"
    sheet = meta.get("sheet")
    if sheet is not None and not (isinstance(sheet, str) and sheet):
        problems.append('[profile] sheet must be the name of a sheet, e.g. "Responses"')
        sheet = None
    language = None
    if "language" in meta:
        try:
            language = values.parse_language(meta["language"])
        except ValueError:
            language = None
        if language is None:
            problems.append(
                f'[profile] language must be a language code such as "es" or "pt-BR"'
                f" (found {meta['language']!r})"
            )

    known = set(FIELDS) | COMPANION_FIELDS | {DATA_SUFFICIENCY}
    unknown = sorted(set(fields) - known)
    if unknown:
        problems.append(
            f"[fields] has unknown field(s) {', '.join(unknown)}; known fields: "
            + ", ".join(sorted(known))
        )
    sources: dict[str, Source] = {}
    for name, spec in fields.items():
        if name in known:
            source = _source(f"[fields] {name}", spec, problems)
            if source is not None and _source_fits(name, source, problems):
                sources[name] = source
    missing = [f for f in REQUIRED_FIELDS if f not in fields]
    if missing:
        problems.append(f"[fields] must name the column of {', '.join(missing)}")

    areas = vocabulary.policy_areas()
    bad_areas = sorted(set(grid) - set(areas))
    if bad_areas:
        problems.append(
            f"[data_sufficiency] has unknown policy area(s) {', '.join(bad_areas)};"
            f" policy areas: {', '.join(areas)}"
        )
    grid_sources: dict[str, Source] = {}
    for area, spec in grid.items():
        source = _source(f"[data_sufficiency] {area}", spec, problems)
        if source is not None and area in areas:
            if source.layout != "cell":
                problems.append(f"[data_sufficiency] {area}: name one column per policy area")
            grid_sources[area] = source
    if grid and DATA_SUFFICIENCY in fields:
        problems.append(
            "the data-sufficiency answers are named twice: keep either [data_sufficiency]"
            " (one column per area) or data_sufficiency in [fields] (the grid question)"
        )
    answer_map, own_options = _answers(answer_tables, problems)
    extra = _extra_fields(extra_table, problems)

    if problems:
        raise ProfileError(
            f"profile {path} has {len(problems)} problem(s):\n  - " + "\n  - ".join(problems),
            hint="README.md, section 'Survey profiles', describes the format",
        )
    return Profile(
        name=str(meta.get("name", path.stem)),
        path=path,
        sources=sources,
        grid=grid_sources,
        answers=answer_map,
        options=own_options,
        list_separator=list_separator,
        sheet=sheet,
        header_rows=header_rows,
        description=str(meta.get("description", "")),
        language=language,
        extra=extra,
    )


def _table(raw: dict[str, object], name: str, problems: list[str]) -> dict[str, object]:
    value = raw.get(name, {})
    if isinstance(value, dict):
        return value
    problems.append(f"{name} must be a table: [{name}]")
    return {}


def _header(where: str, value: object, problems: list[str]) -> tuple[str, ...] | None:
    """A header is a non-empty string, or a list of them (one per header row)."""
    if isinstance(value, str) and value.strip():
        return (value,)
    if isinstance(value, list) and value and all(isinstance(v, str) and v.strip() for v in value):
        return tuple(value)
    problems.append(
        f'{where}: expected a column header such as "City", or a list of header cells'
        f' such as ["City", "Response"] (found {value!r})'
    )
    return None


def _source(where: str, spec: object, problems: list[str]) -> Source | None:
    if not isinstance(spec, dict):
        header = _header(where, spec, problems)
        return None if header is None else Source(header)
    unknown = sorted(set(spec) - _SOURCE_KEYS)
    if unknown:
        problems.append(
            f"{where}: unknown key(s) {', '.join(unknown)};"
            f" known: {', '.join(sorted(_SOURCE_KEYS))}"
        )
    if ("column" in spec) == ("question" in spec):
        problems.append(f'{where}: give either column = "..." or question = "..."')
        return None
    header = _header(where, spec.get("column", spec.get("question")), problems)
    layout = spec.get("layout", "cell")
    if layout not in LAYOUTS:
        problems.append(f'{where}: layout must be "cell" or "columns" (found {layout!r})')
        return None
    separator = spec.get("separator")
    if separator is not None and not (isinstance(separator, str) and separator):
        problems.append(f'{where}: separator must be a non-empty string such as ","')
        return None
    if header is None:
        return None
    return Source(header, str(layout), separator)


def _source_fits(name: str, source: Source, problems: list[str]) -> bool:
    """layout and separator make sense only for some kinds of field."""
    kind = FIELDS.get(name)
    question = kind.question if kind else None
    if source.layout == "columns" and question is None and name != DATA_SUFFICIENCY:
        problems.append(
            f'[fields] {name}: layout = "columns" is for multiple-choice questions and the'
            " data-sufficiency grid"
        )
        return False
    if name == DATA_SUFFICIENCY and source.layout != "columns":
        problems.append(
            f'[fields] {name}: the grid question needs layout = "columns" (one column per'
            " policy area); or name each area's column in [data_sufficiency]"
        )
        return False
    if source.separator is not None and not (kind and kind.many and source.layout == "cell"):
        problems.append(
            f"[fields] {name}: separator is only for several options in one cell"
            ' (a multiple-choice question with layout = "cell")'
        )
        return False
    return True


def _answers(
    tables: dict[str, object], problems: list[str]
) -> tuple[dict[str, dict[str, str]], dict[str, dict[str, OwnOption]]]:
    """[answers.QUESTION]: raw text = option key, checked against the vocabulary and the
    options the profile adds there as tables ([answers.QUESTION.KEY], _own_option)."""
    result: dict[str, dict[str, str]] = {}
    added: dict[str, dict[str, OwnOption]] = {}
    for question, mapping in tables.items():
        if question not in vocabulary.profile_questions():
            problems.append(
                f"[answers.{question}]: unknown question;"
                f" questions: {', '.join(vocabulary.profile_questions())}"
            )
            continue
        if not isinstance(mapping, dict):
            problems.append(f'[answers.{question}] must be a table of "answer text" = "option"')
            continue
        own: dict[str, OwnOption] = {}
        table: dict[str, str] = {}
        for name, spec in mapping.items():
            if isinstance(spec, dict):
                option = _own_option(question, name, spec, problems)
                if option is not None:
                    own[name] = option
                    for text in spec["texts"]:
                        table[vocabulary.answer_key(text)] = name
        options = (*vocabulary.options(question), *own)
        for text, key in mapping.items():
            if isinstance(key, dict):
                continue
            if key not in options:
                problems.append(
                    f"[answers.{question}] {text!r} = {key!r}: not an option of {question};"
                    f" options: {', '.join(options)}"
                )
            else:
                table[vocabulary.answer_key(text)] = key
        result[question] = table
        if own:
            added[question] = own
    return result, added


def _own_option(
    question: str, name: str, spec: dict[str, object], problems: list[str]
) -> OwnOption | None:
    """[answers.QUESTION.KEY]: an option the vocabulary lacks, with its answer texts, its
    label on the page, its wording inside a sentence and (a policy area) its icon."""
    where = f"[answers.{question}.{name}]"
    before = len(problems)
    if question == vocabulary.YES_NO:
        problems.append(f"{where}: yes_no has no options to add; map answers to yes or no")
        return None
    if question in _ONE_OPTION_QUESTIONS:
        problems.append(
            f"{where}: {question} takes one of its own options, each with its own sentence;"
            f' map answer texts to one of them: "answer text" = "{vocabulary.options(question)[0]}"'
        )
        return None
    if not _OPTION_NAME.fullmatch(name):
        problems.append(f"{where}: an option key is lower-case letters, digits and _")
    elif name in vocabulary.options(question):
        problems.append(
            f"{where}: {name} is an option of {question} already; give it more answer texts"
            f' with "answer text" = "{name}"'
        )
    unknown = sorted(set(spec) - _OPTION_KEYS)
    if unknown:
        problems.append(
            f"{where}: unknown key(s) {', '.join(unknown)};"
            f" known: {', '.join(sorted(_OPTION_KEYS))}"
        )
    texts = spec.get("texts")
    if not (
        isinstance(texts, list) and texts and all(isinstance(t, str) and t.strip() for t in texts)
    ):
        problems.append(f'{where}: texts must list the answer texts, e.g. texts = ["Resilience"]')
    label = spec.get("label")
    if not (isinstance(label, str) and label.strip()):
        problems.append(f'{where}: label must say how the option is printed, e.g. label = "..."')
    in_sentence = spec.get("in_sentence", label)
    if "in_sentence" in spec and not (isinstance(in_sentence, str) and in_sentence.strip()):
        problems.append(f"{where}: in_sentence must be the option's wording inside a sentence")
    icon = spec.get("icon")
    if icon is not None and question != vocabulary.POLICY_AREAS:
        problems.append(f"{where}: icon is only for policy areas (their tiles have one)")
    elif icon is not None and not (isinstance(icon, str) and _ICON_NAME.fullmatch(icon)):
        problems.append(
            f'{where}: icon must name a file of the layout\'s icons/ folder, e.g. icon = "leaf"'
        )
    if len(problems) > before:
        return None
    return OwnOption(question, name, str(label), str(in_sentence), str(icon) if icon else None)


# Names an own field may not take: the record's fields and the profile's (record.city is
# the city already), and the extra answers' own attributes (record.extra.items is theirs).
_TAKEN_NAMES = {f.name for f in dataclass_fields(CityRecord)} | set(FIELDS) | COMPANION_FIELDS
_MAPPING_NAMES = {name for name in dir(ExtraAnswers) if not name.startswith("_")}


def _extra_fields(table: dict[str, object], problems: list[str]) -> dict[str, ExtraField]:
    """[extra]: NAME = "header" or { column = ..., type = ..., separator = ... }, each
    checked; at most limits.MAX_EXTRA_FIELDS of them."""
    if len(table) > limits.MAX_EXTRA_FIELDS:
        problems.append(
            f"[extra] names {len(table)} fields; at most {limits.MAX_EXTRA_FIELDS} may be"
            " added (limits.MAX_EXTRA_FIELDS): keep those the layout prints"
        )
        return {}
    extra: dict[str, ExtraField] = {}
    for name, spec in table.items():
        where = f"[extra] {name}"
        before = len(problems)
        _extra_name(where, name, problems)
        kind, separator = DEFAULT_EXTRA_KIND, None
        if isinstance(spec, dict):
            unknown = sorted(set(spec) - _EXTRA_KEYS)
            if unknown:
                problems.append(
                    f"{where}: unknown key(s) {', '.join(unknown)};"
                    f" known: {', '.join(sorted(_EXTRA_KEYS))}"
                )
            if "column" not in spec:
                problems.append(f'{where}: give the column it is read from: column = "..."')
            kind = spec.get("type", DEFAULT_EXTRA_KIND)
            if not (isinstance(kind, str) and kind in EXTRA_KINDS):
                problems.append(
                    f"{where}: type must be one of {', '.join(EXTRA_KINDS)} (found {kind!r})"
                )
            separator = spec.get("separator")
            if separator is not None and not (isinstance(separator, str) and separator):
                problems.append(f'{where}: separator must be a non-empty string such as ","')
            elif separator is not None and kind != "list":
                problems.append(f'{where}: separator is only for type = "list"')
            spec = spec.get("column")
        header = _header(where, spec, problems) if spec is not None else None
        if len(problems) == before and header is not None:
            extra[name] = ExtraField(name, Source(header, separator=separator), str(kind))
    return extra


def _extra_name(where: str, name: str, problems: list[str]) -> None:
    """An own field's name is how templates name it, record.extra.NAME: a lower-case
    identifier that no record field and nothing of record.extra itself already is."""
    if not _OPTION_NAME.fullmatch(name) or keyword.iskeyword(name):
        problems.append(
            f"{where}: a name is lower-case letters, digits and _, starting with a letter"
            " (and not a Python keyword), e.g. climate_pledge"
        )
    elif name in _TAKEN_NAMES:
        problems.append(
            f"{where}: {name} is a field of the record already; name the own field"
            f" otherwise, or read that column into [fields] {name}"
        )
    elif name in _MAPPING_NAMES:
        problems.append(
            f"{where}: record.extra.{name} is taken by the extra answers themselves (as"
            f" items, keys, get); name the field otherwise, e.g. {name}_answer"
        )
