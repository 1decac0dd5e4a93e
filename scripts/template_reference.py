"""Write docs/templates.md, the template reference, from the code: every name a snapshot
template is given (render/html.py's TemplateVariables), every field of the record with its
doc (models.py, `field(metadata=doc(...))`), every helper of the context object
(SnapshotContext) with its signature and the first paragraph of its docstring, the filters
the renderer registers, the source catalog's top-level keys and a profile's own fields.

Run: .venv/bin/python scripts/template_reference.py            (or `make docs`)
     .venv/bin/python scripts/template_reference.py --check    (`make lint`: exit 1 if stale)
"""

from __future__ import annotations

import inspect
import sys
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any, NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent))  # generated.py, beside us
from generated import COMMAND, ROOT, write_or_check  # noqa: E402

TARGET = ROOT / "docs" / "templates.md"
sys.path.insert(0, str(ROOT))

import jinja2  # noqa: E402

from snapshotpdf import limits  # noqa: E402
from snapshotpdf.models import (  # noqa: E402
    DOC,
    CityRecord,
    ExtraAnswers,
    Location,
    OwnOption,
    Population,
    Share,
    Term,
)
from snapshotpdf.render.html import (  # noqa: E402
    Block,
    GridCell,
    Renderer,
    SnapshotContext,
    TemplateVariables,
)
from snapshotpdf.render.layout import load_layout  # noqa: E402
from snapshotpdf.survey.fields import DEFAULT_EXTRA_KIND, EXTRA_KINDS  # noqa: E402

# The values a template meets inside the record and the helpers' results: where, and what.
NESTED: tuple[tuple[str, type], ...] = (
    ("record.term", Term),
    ("record.population", Population),
    ("record.source", Location),
    ("each of record.own_options", OwnOption),
    ("snapshot.share(question)", Share),
    ("each of snapshot.sufficiency()", GridCell),
    ("each of snapshot.blocks(text)", Block),
)
PLURAL_FORMS = {"zero", "one", "two", "few", "many", "other"}  # CLDR's plural categories


class Entry(NamedTuple):
    """One line of the reference: a name, its type or signature, what it is."""

    name: str
    kind: str
    about: str


def first_paragraph(obj: object) -> str:
    """An object's docstring up to its first blank line, as one line."""
    text = inspect.getdoc(obj)
    if not text:
        raise SystemExit(f"{getattr(obj, '__qualname__', obj)} has no docstring: give it one")
    return " ".join(text.split("\n\n")[0].split())


def documented(cls: type) -> list[Entry]:
    """A dataclass's fields, each with its type and its doc (models.doc)."""
    assert is_dataclass(cls)
    entries = []
    for spec in fields(cls):
        about = spec.metadata.get(DOC)
        if not about:
            raise SystemExit(
                f"{cls.__name__}.{spec.name} has no doc: give it field(metadata=doc(...))"
            )
        entries.append(Entry(spec.name, str(spec.type), about))
    return entries


def variables() -> list[Entry]:
    """The names a snapshot template is given."""
    return documented(TemplateVariables)


def record_fields() -> list[Entry]:
    """The fields of the record, in order."""
    return documented(CityRecord)


def signature(function: Callable[..., Any], skip_first: bool) -> str:
    """(name: type = default, ...) -> type, as the code declares it, without self."""
    sig = inspect.signature(function)
    params = list(sig.parameters.values())[1 if skip_first else 0 :]
    parts = []
    for param in params:
        text = param.name
        if param.kind is param.VAR_POSITIONAL:
            text = "*" + text
        elif param.kind is param.VAR_KEYWORD:
            text = "**" + text
        if param.annotation is not param.empty:
            text += f": {param.annotation}"
        if param.default is not param.empty:
            text += f" = {param.default!r}"
        parts.append(text)
    returns = sig.return_annotation
    return f"({', '.join(parts)})" + ("" if returns is sig.empty else f" -> {returns}")


def helpers() -> list[Entry]:
    """Every public attribute, property and method of the context object, in the order the
    class declares them; a method as name(...) with its signature."""
    entries = [Entry(e.name, e.kind, e.about) for e in documented(SnapshotContext)]
    names = {e.name for e in entries}
    for name, member in vars(SnapshotContext).items():
        if name.startswith("_") or name in names:
            continue
        if isinstance(member, property):
            assert member.fget is not None
            kind = str(inspect.signature(member.fget).return_annotation)
            entries.append(Entry(name, kind, first_paragraph(member.fget)))
        elif isinstance(member, staticmethod):
            function = member.__func__
            entries.append(
                Entry(f"{name}()", signature(function, False), first_paragraph(function))
            )
        elif inspect.isfunction(member):
            entries.append(Entry(f"{name}()", signature(member, True), first_paragraph(member)))
    return entries


def helper_names() -> set[str]:
    """The names a template may ask of `snapshot`."""
    return {entry.name.removesuffix("()") for entry in helpers()}


def environment() -> jinja2.Environment:
    return Renderer(load_layout()).environment


def filters() -> list[Entry]:
    """The filters the renderer registers beyond Jinja2's own (Jinja2's that the sandbox
    bounds, render/sandbox.py, are still Jinja2's)."""
    entries = []
    builtin = jinja2.Environment().filters
    for name, function in sorted(environment().filters.items()):
        jinjas = builtin.get(name)
        if jinjas is not None and jinjas in (function, getattr(function, "__wrapped__", None)):
            continue
        entries.append(Entry(name, signature(function, False), first_paragraph(function)))
    return entries


def catalog_keys() -> list[Entry]:
    """The source catalog's top-level keys: what each holds, and its English text."""
    layout = load_layout()
    path = layout.folder / "locales" / f"{layout.default_language}.toml"
    with path.open("rb") as f:
        strings: dict[str, Any] = tomllib.load(f)
    return [Entry(key, *_describe(value)) for key, value in strings.items()]


def _describe(value: object) -> tuple[str, str]:
    if isinstance(value, str):
        return "text", value
    if isinstance(value, list):
        if all(isinstance(item, dict) for item in value):
            keys = sorted({key for item in value for key in item})
            return f"list of {len(value)} tables", "each with " + _keys(keys)
        return f"list of {len(value)}", ", ".join(repr(item) for item in value)
    assert isinstance(value, dict)
    if value and set(value) <= PLURAL_FORMS:
        return "plural forms", " / ".join(str(v) for v in value.values())
    if all(isinstance(item, dict) for item in value.values()):
        return "table of tables", _keys(list(value))
    return "table", _keys(list(value))


def _keys(keys: list[str]) -> str:
    return ", ".join(f"`{key}`" for key in keys)


def _cell(text: str) -> str:
    """Text as one cell of a Markdown table (an <html> in it as text, not a tag)."""
    return " ".join(text.split()).replace("|", "\\|").replace("<", "&lt;")


def _code(text: str) -> str:
    """Text as a code span of a Markdown table cell."""
    text = text.replace("|", "\\|")
    ticks = "``" if "`" in text else "`"
    return f"{ticks}{text}{ticks}" if ticks == "`" else f"{ticks} {text} {ticks}"


def _table(header: tuple[str, str, str], rows: Iterator[tuple[str, str, str]]) -> list[str]:
    lines = [f"| {' | '.join(header)} |", "| --- | --- | --- |"]
    lines += [f"| {' | '.join(row)} |" for row in rows]
    return [*lines, ""]


def reference() -> str:
    """docs/templates.md's text."""
    parts = [
        "# Template reference",
        "",
        f"Generated from the code by `{COMMAND}` (scripts/template_reference.py); do not edit"
        " by hand. `make lint` fails when this file is out of date.",
        "",
        "A layout's template (`snapshot.html.j2`, see [Designing a layout](layouts.md)) is"
        " rendered once per city with the names below and nothing else. Every value is"
        " escaped (autoescape), and a name that is not here stops the render with an error"
        " that names it and its line (`{{ record.no_such_field }}`), which the preview"
        " shows. Jinja2's own [filters and tests](https://jinja.palletsprojects.com/en/stable/"
        "templates/#list-of-builtin-filters) are there too.",
        "",
        "## Top-level variables",
        "",
    ]
    parts += _table(
        ("name", "type", "what it is"),
        ((_code(e.name), _code(e.kind), _cell(e.about)) for e in variables()),
    )
    parts += [
        "## record: the city's answers",
        "",
        "A city's answers after reading and checking (`snapshotpdf/models.py`, `CityRecord`):"
        " an answer the city did not give is `None`, or `()` for several options. Option"
        " answers are keys of the [answer vocabulary](vocabulary.md); print them with"
        " `snapshot.label()`, `snapshot.labels()` or `snapshot.listed()`, which know a"
        " profile's own options and answers printed as typed.",
        "",
    ]
    parts += _table(
        ("name", "type", "what it is"),
        ((_code(f"record.{e.name}"), _code(e.kind), _cell(e.about)) for e in record_fields()),
    )
    parts += ["### Values inside", ""]
    for where, cls in NESTED:
        parts += [f"**{_code(where)}**, `{cls.__name__}`: {first_paragraph(cls)}", ""]
        if is_dataclass(cls):
            rows = documented(cls)
            properties = [
                Entry(name, str(inspect.signature(m.fget).return_annotation), first_paragraph(m))
                for name, m in vars(cls).items()
                if isinstance(m, property) and m.fget is not None
            ]
            parts += _table(
                ("name", "type", "what it is"),
                ((_code(e.name), _code(e.kind), _cell(e.about)) for e in rows + properties),
            )
        else:  # a named tuple: unpacked in a for loop, or by name
            names = ", ".join(f"`{name}`" for name in cls._fields)  # type: ignore[attr-defined]
            parts += [f"Its items, in order: {names}.", ""]
    parts += _extra_section()
    parts += [
        "## snapshot: helpers",
        "",
        "The context object (`snapshotpdf/render/html.py`, `SnapshotContext`): what a"
        " template asks of the record beyond its fields, in the city's language: labels,"
        " lists, plurals, numbers, dates, comparisons with every city surveyed, icons.",
        "",
    ]
    parts += _table(
        ("name", "signature or type", "what it does"),
        ((_code(f"snapshot.{e.name}"), _code(e.kind), _cell(e.about)) for e in helpers()),
    )
    parts += [
        "## Filters",
        "",
        "The renderer's own filters (`value | name(...)`), beside Jinja2's:",
        "",
    ]
    parts += _table(
        ("filter", "signature", "what it does"),
        ((_code(e.name), _code(e.kind), _cell(e.about)) for e in filters()),
    )
    layout = load_layout()
    parts += [
        "## strings: the catalog",
        "",
        f"Every fixed word of the `{layout.name}` layout, from its source catalog"
        f" `layouts/{layout.name}/locales/{layout.default_language}.toml`; a city gets the"
        " catalog of its language, string by string over the source ([Languages](languages.md))."
        " Sentences are trusted markup with `{placeholders}`: fill them with"
        " `strings.KEY | fill(name=value)`, which escapes the values. The top-level keys:",
        "",
    ]
    parts += _table(
        ("key", "holds", "English"),
        ((_code(f"strings.{e.name}"), e.kind, _cell(e.about)) for e in catalog_keys()),
    )
    parts += [
        "## The booklet's template",
        "",
        "The conference booklet's own pages (`[booklet] template` in `layout.toml`: the"
        " cover, the contents, the back cover) are a template of their own, rendered by"
        " `snapshotpdf/batch/booklet.py` with `strings` (the booklet language's catalog, as"
        " above) and the cover's lines and the contents' entries, which the top of the"
        f" bundled `layouts/{layout.name}/booklet.html.j2` describes. Each city's pages in"
        " the booklet are its snapshot template, as above.",
        "",
    ]
    return "\n".join(parts).rstrip("\n") + "\n"


def _extra_section() -> list[str]:
    kinds = list(EXTRA_KINDS.items())
    reserved = ", ".join(
        f"`{name}`" for name in sorted(n for n in dir(ExtraAnswers) if not n.startswith("_"))
    )
    lines = [
        "### record.extra: the profile's own fields",
        "",
        "A survey profile may read columns this program does not know into the record, each"
        " under a name of its own, in its `[extra]` table ([Own fields](profiles.md#own-fields)):"
        " the answers are in `record.extra`, a read-only mapping from each name to its typed"
        " value. Every field the profile names is there, `None` where the city gave no answer,"
        " where its answer was dropped (a warning at its cell says why) or where the export"
        " lacks the column; a name the profile does not give stops the render, as any unknown"
        " name does. The type (`type = ...`, default"
        f' `"{DEFAULT_EXTRA_KIND}"`) says what a template gets:',
        "",
    ]
    lines += _table(
        ("type", "value", "read from the cell"),
        ((_code(name), _code(kind.value), _cell(kind.about)) for name, kind in kinds),
    )
    lines += [
        "A name is a lower-case identifier (`climate_pledge`) that is not a field of the"
        f" record nor one of {reserved}; a profile names at most {limits.MAX_EXTRA_FIELDS}"
        " (`limits.MAX_EXTRA_FIELDS`). For example, with this profile:",
        "",
        "```toml",
        "[extra]",
        'pledge = "Climate pledge"',
        'pledge_signed = { column = "Date the pledge was signed", type = "date" }',
        'budget = { column = "Innovation budget (EUR)", type = "number" }',
        'networks = { column = "City networks", type = "list", separator = "," }',
        "```",
        "",
        "a template prints them so:",
        "",
        "```jinja",
        "{% if record.extra.pledge %}",
        '<section id="pledge">',
        "  <h2>Climate pledge</h2>",
        "  <p>{{ record.extra.pledge }}</p>",
        "  {% if record.extra.pledge_signed %}",
        "  <p>Signed on {{ snapshot.date(record.extra.pledge_signed) }}.</p>",
        "  {% endif %}",
        "  {% if record.extra.budget is not none %}",
        "  <p>Budget: EUR {{ snapshot.number(record.extra.budget) }}</p>",
        "  {% endif %}",
        "  {% if record.extra.networks %}",
        "  <p>Member of {{ snapshot.joined(record.extra.networks) }}.</p>",
        "  {% endif %}",
        "</section>",
        "{% endif %}",
        "```",
        "",
        "(A layout meant for more than one language puts its words in its catalogs, as"
        " `strings.KEY`, rather than in the template.)",
        "",
    ]
    return lines


def main(argv: list[str]) -> int:
    return write_or_check(__file__, TARGET, reference(), "the code", argv)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
