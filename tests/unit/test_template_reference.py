"""The template reference (scripts/template_reference.py -> docs/templates.md) covers what
the bundled templates use: every name they are given, every field of the record and every
helper of the context object they ask for, read from their Jinja2 syntax tree; and the
templates use the long names alone (no r, t, c)."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from types import ModuleType

import jinja2
import pytest
from jinja2 import nodes
from support.helpers import ROOT

from snapshotpdf.render.html import Renderer
from snapshotpdf.render.layout import load_layout

SNAPSHOT = "snapshot.html.j2"
BOOKLET = "booklet.html.j2"
OLD_NAMES = {"r", "t", "c"}


@pytest.fixture(scope="module")
def reference() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "template_reference", ROOT / "scripts" / "template_reference.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def environment() -> jinja2.Environment:
    return Renderer(load_layout()).environment


def tree(environment: jinja2.Environment, name: str) -> nodes.Template:
    source = (load_layout().folder / name).read_text(encoding="utf-8")
    return environment.parse(source)


def given_names(template: nodes.Template, environment: jinja2.Environment) -> set[str]:
    """The names a template reads that it does not set itself (set, for, macro and its
    arguments, Jinja2's own loop and globals): those it must be given. (jinja2.meta's
    find_undeclared_variables counts a name set in only one branch of an if too.)"""
    names = list(template.find_all(nodes.Name))
    own = {name.name for name in names if name.ctx in ("store", "param")}
    own |= {macro.name for macro in template.find_all(nodes.Macro)}
    own |= {"loop", "caller", "varargs", "kwargs", *environment.globals}
    return {name.name for name in names if name.ctx == "load"} - own


def asked(template: nodes.Template, variable: str) -> Iterator[str]:
    """The names a template asks of a variable: variable.NAME and variable['NAME']."""
    for node in template.find_all((nodes.Getattr, nodes.Getitem)):
        if isinstance(node.node, nodes.Name) and node.node.name == variable:
            if isinstance(node, nodes.Getattr):
                yield node.attr
            elif isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
                yield node.arg.value


def test_the_snapshot_template_uses_only_the_documented_names(
    reference: ModuleType, environment: jinja2.Environment
) -> None:
    template = tree(environment, SNAPSHOT)
    used = given_names(template, environment)
    given = {entry.name for entry in reference.variables()}
    assert used <= given, f"not given to the template: {sorted(used - given)}"
    assert {"record", "strings", "snapshot"} <= used
    assert not used & OLD_NAMES


def test_every_record_field_and_helper_the_template_asks_for_is_documented(
    reference: ModuleType, environment: jinja2.Environment
) -> None:
    template = tree(environment, SNAPSHOT)
    fields = {entry.name for entry in reference.record_fields()}
    record_names = set(asked(template, "record"))
    assert record_names, "the template prints the record"
    assert record_names <= fields, f"not record fields: {sorted(record_names - fields)}"
    helper_names = set(asked(template, "snapshot"))
    assert helper_names, "the template asks the context object"
    documented = reference.helper_names()
    assert helper_names <= documented, f"undocumented: {sorted(helper_names - documented)}"
    text = (ROOT / "docs" / "templates.md").read_text(encoding="utf-8")
    for name in sorted(record_names):
        assert f"`record.{name}`" in text
    for name in sorted(helper_names):
        assert f"`snapshot.{name}`" in text or f"`snapshot.{name}()`" in text


def test_the_catalog_keys_the_template_asks_for_are_documented(
    reference: ModuleType, environment: jinja2.Environment
) -> None:
    keys = {entry.name for entry in reference.catalog_keys()}
    for name in (SNAPSHOT, BOOKLET):
        used = set(asked(tree(environment, name), "strings"))
        assert used and used <= keys, f"{name}: {sorted(used - keys)}"


def test_the_booklet_template_has_the_catalog_as_strings(
    environment: jinja2.Environment,
) -> None:
    used = given_names(tree(environment, BOOKLET), environment)
    assert "strings" in used and not used & OLD_NAMES


def test_the_reference_lists_the_renderers_filters(reference: ModuleType) -> None:
    assert [entry.name for entry in reference.filters()] == ["display_url", "fill", "upper_text"]
