"""`snapshotpdf profile init`: draft a survey profile from an export's headers and answers.

Each field is matched to the column (or the question spread over several columns) whose
wording is closest to the field's, helped by what the answers look like: option texts the
vocabulary knows, Yes/No, years, numbers, e-mail addresses, links. The best pairs are taken
first, each column and each field once. The draft is for a person to review: it says which
fields it did not find, which columns it did not use and which answers match no option.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from snapshotpdf.survey import values, vocabulary
from snapshotpdf.survey.columns import Column, find, is_metadata
from snapshotpdf.survey.fields import DATA_SUFFICIENCY, FIELDS
from snapshotpdf.survey.read import SurveyTable, is_blank, read_grid, table_from_grid

MIN_SCORE = 0.3  # below this a pairing is a guess, not a match
SEPARATORS = (";", ",", "|", "\n")
_SAMPLE = 40  # answers looked at per column
_GENERIC = {"response", "open-ended response"}  # SurveyMonkey: the one answer of a question
# Columns a survey tool adds about the response, not answers to the questionnaire
# (SurveyMonkey, Qualtrics, Google Forms), compared case and spacing aside: never a field.
TOOL_METADATA = frozenset(
    {"respondent id", "collector id", "start date", "end date", "ip address", "email address"}
    | {"first name", "last name", "custom data", "timestamp", "startdate", "enddate"}
    | {"status", "ipaddress", "progress", "duration (in seconds)", "finished", "recordeddate"}
    | {"responseid", "response id", "recipientlastname", "recipientfirstname"}
    | {"recipientemail", "externalreference", "externaldatareference", "locationlatitude"}
    | {"locationlongitude", "distributionchannel", "userlanguage"}
)
# SurveyMonkey's standard question whose sub-fields are separate answers, not options.
_CONTACT_QUESTIONS = ("contact information", "contact info")

# What each field is about, in the words questions use for it.
FIELD_WORDS = {
    "city": "city name municipality town represent",
    "country": "country nation",
    "mayor": "mayor name",
    "term": "mayor term office start end year mandate",
    "innovation_lead": "innovation lead leader head chief name",
    "population": "population inhabitants residents size",
    "population_year": "population year figure",
    "website": "website web site url link open data innovation portal",
    "org_structure": "organisational organizational structure organised organized work government",
    "staff_profiles": "staff skills profiles team include roles",
    "spotlight": "spotlight innovation proud story example tell",
    "formal_strategy": "formal innovation strategy",
    "innovation_associations": "innovation capacity associate associated",
    "approach": "innovation approach holistic policy specific",
    "priority_areas": "top two priority priorities policy areas",
    "partners_innovation": "partners promote innovation capacity",
    "partners_data": "partners improve data use",
    "dedicated_funding": "dedicated funding innovation",
    "funding_sources": "funding sources come from",
    "funding_directed": "funding directed towards",
    "innovation_helps": "innovation helping helps",
    "success_factors": "critical success factors",
    "role_of_data": "role data decision making significant",
    "data_uses": "data uses use",
    "data_challenges": "data challenges face using",
    "open_data": "open data publish",
    "contact_email": "contact email mail address",
    "language": "language preferred",
    DATA_SUFFICIENCY: "sufficient data policy areas each",
}
_STOP = frozenset(
    {"a", "an", "and", "are", "do", "does", "for", "from", "has", "have", "how", "in", "is"}
    | {"it", "its", "of", "on", "or", "our", "the", "their", "these", "this", "to", "us", "we"}
    | {"what", "when", "where", "which", "who", "with", "you", "your"}
)


def words(text: str) -> frozenset[str]:
    """Content words, lightly stemmed: "Helping" and "helps" both give "help"."""
    stems = set()
    for word in re.findall(r"[^\W\d_]+", text.casefold()):
        if len(word) < 2 or word in _STOP:
            continue
        for suffix, keep in (("ing", 5), ("ed", 4), ("s", 3)):
            if word.endswith(suffix) and len(word) > keep and not word.endswith("ss"):
                word = word[: -len(suffix)]
                break
        stems.add(word)
    return frozenset(stems)


def wording(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / math.sqrt(len(a) * len(b)) if a and b else 0.0


@dataclass
class Candidate:
    """One column, or one question laid out one column per option."""

    name: str  # what the profile writes: a header cell, or the question
    columns: list[Column]
    options: list[str] = field(default_factory=list)  # per column, when a question
    cells: list[object] = field(default_factory=list)  # sample answers, all columns
    path: list[str] = field(default_factory=list)  # header cells, when no single one is unique

    @property
    def grouped(self) -> bool:
        return bool(self.options)

    @property
    def letters(self) -> str:
        first, last = self.columns[0].letter, self.columns[-1].letter
        return f"column {first}" if first == last else f"columns {first}-{last}"


@dataclass
class Draft:
    text: str  # the TOML
    matched: list[str]
    missing: list[str]
    unused: list[Column]
    unknown_answers: dict[str, list[str]]  # question -> answers matching no option
    header_rows: int = 1  # as given, or as guessed (guess_header_rows)


def draft_profile(path: Path, sheet: str | None = None, header_rows: int | None = None) -> Draft:
    grid = read_grid(path, sheet)
    rows = header_rows or guess_header_rows([[_text(v) for v in row] for row in grid.rows[:4]])
    table = table_from_grid(path.name, grid, rows)
    candidates = [c for c in _candidates(table) if _may_be_a_field(c, bool(table.rows))]
    separator = _separator(candidates)
    pairs = sorted(
        (
            (score, name, i)
            for i, candidate in enumerate(candidates)
            for name in FIELD_WORDS
            if (score := _score(name, candidate, separator)) >= MIN_SCORE
        ),
        key=lambda pair: -pair[0],
    )
    chosen: dict[str, Candidate] = {}
    taken: set[int] = set()
    for _, name, i in pairs:
        if name not in chosen and i not in taken:
            chosen[name] = candidates[i]
            taken.add(i)
    order = [name for name in FIELD_WORDS if name in chosen]
    missing = [name for name in FIELD_WORDS if name not in chosen]
    used = {c.index for name in order for c in chosen[name].columns}
    unused = [c for c in table.columns if c.index not in used]
    unknown = _unknown_answers(chosen, separator)
    text = _toml(path, table, rows, separator, order, chosen, missing, unused, unknown)
    return Draft(text, order, missing, unused, unknown, rows)


def _may_be_a_field(candidate: Candidate, has_answers: bool) -> bool:
    """Not a survey tool's own column about the response, and (when the export has any
    answers) not a column nobody answered."""
    sub_field = bool(candidate.path) and candidate.path[0].casefold().startswith(_CONTACT_QUESTIONS)
    if not candidate.grouped and not sub_field and _is_tool_metadata(candidate.name):
        return False
    return bool(candidate.cells) or not has_answers


def _is_tool_metadata(header: str) -> bool:
    folded = " ".join(header.casefold().split())
    return folded in TOOL_METADATA or re.fullmatch(r"custom data \d+", folded) is not None


def guess_header_rows(top: Sequence[Sequence[str]]) -> int:
    """3 for Qualtrics (import IDs in row 3), 2 when row 2 names options under questions
    that span columns (SurveyMonkey), else 1."""
    if len(top) >= 3 and sum(is_metadata(c) for c in top[2]) >= max(1, len(top[2]) // 2):
        return 3
    if len(top) >= 2:
        first, second = list(top[0]), list(top[1])
        first += [""] * (len(second) - len(first))
        continued = sum(1 for a, b in zip(first, second, strict=False) if not a and b)
        generic = sum(1 for b in second if b.casefold() in _GENERIC)
        # Options under a question are short words; a row with an address, a link, a
        # number or a paragraph holds answers (a one-row export with blank header cells).
        answers = any(_ANSWER.fullmatch(b) or len(b) > 80 for b in second)
        if generic >= 1 or (continued >= 2 and not answers):
            return 2
    return 1


_ANSWER = re.compile(r"[^@\s]+@[^@\s]+\.\w+|https?://\S+|[\d.,%\s-]*\d[\d.,%\s-]*")


def _text(value: object) -> str:
    return values.clean_text(value) or ""


def _split_question(cell: str) -> tuple[str, str] | None:
    """ "Question [Option]", "Question - Option" or "Question: Option" -> the two parts."""
    for pattern in (r"^(.+?)\s*\[([^\[\]]+)\]$", r"^(.+\S)\s+[-–—]\s+(.+)$", r"^([^:]+):\s*(.+)$"):
        if match := re.match(pattern, cell):
            return match[1].strip(), match[2].strip()
    return None


def _questions_of(column: Column) -> dict[str, str]:
    """Every question a column may be one option of, with the option, as its header says:
    an upper cell over a lower one, or "Question - Option" in one cell."""
    cells = [c for c in column.cells if c and not is_metadata(c)]
    found: dict[str, str] = {}
    for i, cell in enumerate(cells[:-1]):
        below = [c for c in cells[i + 1 :] if c != cell]
        if below and below[-1].casefold() not in _GENERIC:
            found.setdefault(cell, below[-1])
    for cell in cells:
        if split := _split_question(cell):
            found.setdefault(*split)
    return found


def _candidates(table: SurveyTable) -> list[Candidate]:
    """Neighbouring columns that share a question make one candidate; the others are one
    each."""
    columns = list(table.columns)
    questions = [_questions_of(c) for c in columns]
    result: list[Candidate] = []
    i = 0
    while i < len(columns):
        best, end = "", i + 1
        for question in questions[i]:
            j = i + 1
            while j < len(columns) and question in questions[j]:
                j += 1
            if j > end:
                best, end = question, j
        if best and best.casefold().startswith(_CONTACT_QUESTIONS):  # sub-fields: one each
            result.extend(
                Candidate(questions[k][best], [columns[k]], path=[best, questions[k][best]])
                for k in range(i, end)
            )
        elif best:
            options = [questions[k][best] for k in range(i, end)]
            result.append(Candidate(best, columns[i:end], options))
        else:
            result.append(_single(columns[i], columns))
        i = end
    for candidate in result:
        keys = [c.key for c in candidate.columns]
        candidate.cells = [
            row.cells[k]
            for row in table.rows[:_SAMPLE]
            for k in keys
            if not is_blank(row.cells.get(k))
        ]
    return result


def _single(column: Column, columns: Sequence[Column]) -> Candidate:
    """A column named by its most telling header cell that names no other column."""
    cells = [c for c in column.cells if c and not is_metadata(c) and c.casefold() not in _GENERIC]
    unique = [c for c in dict.fromkeys(cells) if find(columns, [c]) == [column]]
    if unique:
        return Candidate(max(unique, key=lambda c: len(words(c))), [column])
    telling = [c for c in dict.fromkeys(column.cells) if c and not is_metadata(c)]
    return Candidate(telling[-1] if telling else column.key, [column], path=telling)


def _fraction(cells: Sequence[object], test: Callable[[object], bool]) -> float:
    if not cells:
        return 0.0
    return sum(1 for cell in cells if _passes(test, cell)) / len(cells)


def _passes(test: Callable[[object], bool], cell: object) -> bool:
    try:
        return test(cell)
    except ValueError:
        return False


def _option_share(question: str, candidate: Candidate, separator: str) -> float:
    """How much of what the candidate holds is known options of the question."""
    if candidate.grouped:
        texts = candidate.options
        return sum(vocabulary.match(question, t) is not None for t in texts) / len(texts)
    cells = [values.parse_text(c) for c in candidate.cells]
    known = total = 0
    for cell in cells:
        if cell is None:
            continue
        split = vocabulary.split(question, cell, separator)
        known += len(split.keys)
        total += len(split.keys) + len(split.unknown)
    return known / total if total else 0.0


def _is_year(cell: object) -> bool:
    return values.parse_year(cell) is not None


def _is_population(cell: object) -> bool:
    count = values.parse_population(cell)
    return count is not None and not 1800 <= count <= 2200


def _is_term(cell: object) -> bool:
    term = values.parse_term(cell)
    return term is not None and term.end is not None


YES_NO_FIELDS = ("formal_strategy", "dedicated_funding")
_EVIDENCE: dict[str, Callable[[object], bool]] = {
    "formal_strategy": lambda c: values.parse_yes_no(c) is not None,
    "dedicated_funding": lambda c: values.parse_yes_no(c) is not None,
    "population": _is_population,
    "population_year": _is_year,
    "term": _is_term,
    "contact_email": lambda c: values.parse_email(c) is not None,
    "website": lambda c: values.parse_website(c) is not None,
}


def _score(name: str, candidate: Candidate, separator: str) -> float:
    score = wording(words(FIELD_WORDS[name]), words(candidate.name))
    kind = FIELDS.get(name)
    if name == DATA_SUFFICIENCY:
        if not candidate.grouped:
            return 0.0
        yes_no = _fraction(candidate.cells, lambda c: values.parse_yes_no(c) is not None)
        return score + _option_share(vocabulary.POLICY_AREAS, candidate, separator) + yes_no
    if candidate.grouped and (kind is None or kind.question is None):
        return 0.0
    if kind is not None and kind.question is not None:
        return score + _option_share(kind.question, candidate, separator)
    if name in _EVIDENCE and score > 0:  # answers confirm a wording; alone they prove little
        return score + _fraction(candidate.cells, _EVIDENCE[name])
    return score


def _separator(candidates: Sequence[Candidate]) -> str:
    """The separator that splits most single-column answers into several known options."""
    many = {kind.question for kind in FIELDS.values() if kind.many and kind.question}
    best, best_known = ";", 0
    for separator in SEPARATORS:
        known = 0
        for candidate in candidates:
            texts = [values.parse_text(c) for c in candidate.cells[:10]]
            for text in texts if not candidate.grouped else ():
                for question in many if text and separator in text else ():
                    keys = vocabulary.split(question, text, separator).keys  # type: ignore[arg-type]
                    known += len(keys) if len(keys) > 1 else 0
        if known > best_known:
            best, best_known = separator, known
    return best


def _unknown_answers(chosen: dict[str, Candidate], separator: str) -> dict[str, list[str]]:
    unknown: dict[str, list[str]] = {}
    for name, candidate in chosen.items():
        kind = FIELDS.get(name)
        question = vocabulary.POLICY_AREAS if name == DATA_SUFFICIENCY else kind and kind.question
        if name in YES_NO_FIELDS or name == DATA_SUFFICIENCY:
            texts = [t for c in candidate.cells if (t := values.parse_text(c))]
            odd = [t for t in texts if not _passes(lambda t: values.parse_yes_no(t) is not None, t)]
            for text in odd:
                if text not in unknown.setdefault(vocabulary.YES_NO, []):
                    unknown[vocabulary.YES_NO].append(text)
        if not question:
            continue
        found: list[str] = []
        if candidate.grouped:
            found = [o for o in candidate.options if vocabulary.match(question, o) is None]
            # "Other (please specify)": what respondents typed there is checked row by row
            found = [o for o in found if not o.casefold().startswith("other")]
        else:
            for cell in candidate.cells:
                answer = values.parse_text(cell)
                if answer and kind is not None and kind.many:
                    found += vocabulary.split(question, answer, separator).unknown
                elif answer and vocabulary.match(question, answer) is None:
                    found.append(answer)
        for text in found:
            if text not in unknown.setdefault(question, []):
                unknown[question].append(text)
    return {q: texts for q, texts in unknown.items() if texts}


def _quote(text: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's, but DEL must be escaped too)."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _printable(text: str) -> str:
    """A file's name as a TOML comment or string may hold it: what is not printable (a line
    break, a control character, a byte of a name that is not UTF-8) as a \\uXXXX escape."""
    return "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in text)


def _source(candidate: Candidate) -> str:
    if candidate.grouped:
        return f'{{ question = {_quote(candidate.name)}, layout = "columns" }}'
    if candidate.path:
        return "[" + ", ".join(_quote(c) for c in candidate.path) + "]"
    return _quote(candidate.name)


def _toml(
    path: Path,
    table: SurveyTable,
    header_rows: int,
    separator: str,
    order: list[str],
    chosen: dict[str, Candidate],
    missing: list[str],
    unused: list[Column],
    unknown: dict[str, list[str]],
) -> str:
    file = _printable(path.name)  # a line break in a file name would end the comment
    where = file + (f", sheet {_printable(repr(table.sheet))}" if table.sheet else "")
    out = [
        f"# Survey profile drafted by `snapshotpdf profile init` from {where}.",
        "# Review it: each field was matched to a column by its wording and its answers.",
        f"# Then: snapshotpdf check {file} --profile THIS_FILE",
        "",
        "[profile]",
        f"name = {_quote(_printable(path.stem))}",
        f"description = {_quote('Drafted from ' + file)}",
    ]
    if table.sheet:
        out.append(f"sheet = {_quote(table.sheet)}")
    out += [f"header_rows = {header_rows}", f"list_separator = {_quote(separator)}", "", "[fields]"]
    for name in order:
        candidate = chosen[name]
        note = candidate.letters + (
            f", {len(candidate.options)} options" if candidate.grouped else ""
        )
        out.append(f"{name} = {_source(candidate)}  # {note}")
    if missing:
        out += ["", "# Not found in this export (add the column by hand if it is there):"]
        out += [f'# {name} = ""' for name in missing]
    if unused:
        out += ["", "# Columns not used:"]
        out += [f"#   {c.letter} {c.key!r}" for c in unused]
    if unknown:
        out += [
            "",
            "# Answers that match no known option: map each one to an option key, or delete",
            "# the line (its answers are then dropped, with a warning per row).",
        ]
        for question, texts in unknown.items():
            out.append(f"# [answers.{question}]")
            out += [
                f'# {_quote(t)} = ""  # one of: {", ".join(vocabulary.options(question))}'
                for t in texts
            ]
    return "\n".join(out) + "\n"
