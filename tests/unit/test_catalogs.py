"""The layout's message catalogs (snapshotpdf.render.catalog): the source laid under each
language, string by string; plurals by CLDR category; completeness; which language a city
gets; the shipped catalogs complete and true to English's placeholders. No PDF."""

from __future__ import annotations

import html
import json
import re
import shutil
import string
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from snapshotpdf.cli.app import app
from snapshotpdf.errors import LayoutError, ProfileError
from snapshotpdf.models import CityRecord, Location, SurveyFigures
from snapshotpdf.render.catalog import best_language, choose_language, is_plural
from snapshotpdf.render.html import Renderer
from snapshotpdf.render.layout import Layout, load_layout
from snapshotpdf.survey.profile import load_profile

runner = CliRunner()
SHIPPED = ("en", "es", "fr", "pt")


def layout_copy(tmp_path: Path, **catalogs: str) -> Layout:
    """A copy of the bundled layout with these catalogs added (LANG=TOML text)."""
    folder = tmp_path / "snapshot"
    shutil.copytree(load_layout().folder, folder)
    for language, text in catalogs.items():
        (folder / "locales" / f"{language.replace('_', '-')}.toml").write_text(
            text, encoding="utf-8"
        )
    return load_layout(str(folder))


GERMAN = """
kicker = "Innovationsprofil der Stadt"
[overview]
heading = "Überblick"
innovation_lead = { one = "Innovationsleitung:", other = "Innovationsleitungen:" }
[vision]
heading = "Was ist die Innovationsvision der Stadt?"
strategy_yes = "Wie {percent} der befragten Städte hat {town} eine <strong>Strategie</strong>."
[booklet]
cities = { one = "{count} Stadt", other = "{count} Städte" }
"""


# --- loading: the source under each language -------------------------------------------


def test_a_missing_string_falls_back_to_the_source_and_is_listed(tmp_path: Path) -> None:
    layout = layout_copy(tmp_path, de=GERMAN)
    assert layout.languages == ("de", "en", "es", "fr", "pt")
    german = layout.catalog("de")
    english = layout.catalog("en")
    assert german.strings["kicker"] == "Innovationsprofil der Stadt"
    assert german.strings["overview"]["heading"] == "Überblick"
    assert german.strings["structure"]["heading"] == english.strings["structure"]["heading"]
    assert german.total == english.total and english.complete and not german.complete
    assert "structure.heading" in german.missing and "kicker" not in german.missing
    assert "overview.heading" not in german.missing
    assert german.translated == 5  # kicker, overview x2, vision.heading, booklet.cities
    assert german.translated + len(german.missing) == german.total
    assert len(set(german.missing)) == len(german.missing)  # each string once


def test_a_translation_with_a_placeholder_english_lacks_is_set_aside(tmp_path: Path) -> None:
    german = layout_copy(tmp_path, de=GERMAN).catalog("de")
    english = load_layout().catalog("en")
    assert german.strings["vision"]["strategy_yes"] == english.strings["vision"]["strategy_yes"]
    assert "vision.strategy_yes" in german.missing
    assert german.problems == (
        "vision.strategy_yes: {town} is not a placeholder of the source string",
    )


def test_a_table_of_other_keys_is_no_plural_and_is_set_aside(tmp_path: Path) -> None:
    text = '[approach]\npriorities = { uno = "x", other = "y" }\n'
    catalog = layout_copy(tmp_path, de=text).catalog("de")
    assert "approach.priorities" in catalog.missing
    assert "plural table" in catalog.problems[0]


def test_a_catalog_named_after_no_language_is_refused(tmp_path: Path) -> None:
    layout = layout_copy(tmp_path, xq='kicker = "?"\n')
    with pytest.raises(LayoutError, match="no language CLDR knows"):
        layout.catalog("xq")


def test_a_catalog_that_is_not_toml_is_refused(tmp_path: Path) -> None:
    layout = layout_copy(tmp_path, de="kicker = \n")
    with pytest.raises(LayoutError, match="not valid TOML"):
        layout.catalog("de")


# --- plurals ------------------------------------------------------------------------------


def record(language: str | None = None, **fields: object) -> CityRecord:
    return CityRecord(
        source=Location("s.xlsx", "Responses", 2),
        city="Lima",
        country="Peru",
        language=language,
        **fields,  # type: ignore[arg-type]
    )


def test_plural_strings_take_the_form_of_the_count(tmp_path: Path) -> None:
    layout = layout_copy(tmp_path, de=GERMAN)
    renderer = Renderer(layout)
    one = renderer.html(record("de", innovation_lead="Ana Ruiz"), SurveyFigures(1, {}))
    two = renderer.html(record("de", innovation_lead="Ana Ruiz; Luis Gómez"), SurveyFigures(1))
    assert "Innovationsleitung:" in one and "Innovationsleitungen:" not in one
    assert "Innovationsleitungen:" in two


@pytest.mark.parametrize(
    ("areas", "english"),
    [
        (("transport",), "The top priority policy area for the city's innovation work is:"),
        (
            ("transport", "health", "education"),
            "The top three priority policy areas for the city's innovation work are:",
        ),
    ],
)
def test_english_plurals_read_as_before(areas: tuple[str, ...], english: str) -> None:
    page = Renderer(load_layout()).html(record(priority_areas=areas), SurveyFigures(1, {}))
    assert english in html.unescape(page)


def test_every_plural_of_the_shipped_catalogs_has_other() -> None:
    for language in SHIPPED:
        for path, value in leaves(load_layout().catalog(language).strings):
            if isinstance(value, dict):
                assert is_plural(value), (language, path)


# --- the shipped catalogs -----------------------------------------------------------------


def leaves(node: Any, path: str = "") -> list[tuple[str, Any]]:
    """(key path, string, plural table or list) for every string of a catalog."""
    if isinstance(node, dict) and not is_plural(node):
        return [pair for k, v in node.items() for pair in leaves(v, f"{path}{k}.")]
    return [(path.rstrip("."), node)]


def placeholders(value: Any) -> set[str]:
    texts = value.values() if isinstance(value, dict) else [value]
    return {
        name
        for text in texts
        if isinstance(text, str)
        for _lit, name, _spec, _conv in string.Formatter().parse(text)
        if name is not None
    }


def texts(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [str(v) for v in value.values()]
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)]


@pytest.mark.parametrize("language", SHIPPED[1:])
def test_every_shipped_catalog_is_complete(language: str) -> None:
    catalog = load_layout().catalog(language)
    assert catalog.complete, catalog.missing
    assert not catalog.problems


@pytest.mark.parametrize("language", SHIPPED[1:])
def test_every_shipped_string_keeps_its_placeholders_and_bold(language: str) -> None:
    english = dict(leaves(load_layout().catalog("en").strings))
    for path, value in leaves(load_layout().catalog(language).strings):
        source = english[path]
        if isinstance(source, list):
            continue  # keywords, counts, bands, articles: the language's own words
        assert placeholders(value) == placeholders(source), (language, path)
        bold = [t.count("<strong>") for t in texts(value)]
        assert set(bold) == {texts(source)[0].count("<strong>")}, (language, path)
        assert "{percent}%" not in "".join(texts(value))  # the sign comes with the figure


def test_english_is_the_source_and_its_own_catalog() -> None:
    layout = load_layout()
    assert layout.default_language == "en"
    assert [c.language for c in layout.catalogs()] == list(SHIPPED)


# --- which language a city gets -----------------------------------------------------------


def test_the_first_language_the_layout_has_wins() -> None:
    have = ("en", "es", "fr", "pt")

    def choose(**asked: str | None) -> str:
        return choose_language(have, "en", **asked)

    assert choose() == "en"
    assert choose(profile="fr") == "fr"
    assert choose(own="es", profile="fr") == "es"
    assert choose(override="pt", own="es", profile="fr") == "pt"
    assert choose(own="es-pe") == "es" and choose(own="pt-br") == "pt"
    assert choose(own="de", profile="fr") == "fr"  # no German: the profile's
    assert choose(own="de") == "en"


@pytest.mark.parametrize("wanted", ["../fr", "fr/../../etc", "/etc/passwd", "", None, "fr\0"])
def test_a_language_only_ever_picks_one_of_the_catalogs(wanted: str | None) -> None:
    assert best_language(wanted, ("en", "fr"), "en") == "en"


def test_the_html_says_its_language_and_direction() -> None:
    layout = load_layout()
    for language in SHIPPED:
        page = Renderer(layout).html(record(language), SurveyFigures(1, {}))
        assert f'<html lang="{language}">' in page
    assert '<html lang="en">' in Renderer(layout).html(record("de"), SurveyFigures(1, {}))


def test_a_profile_may_name_its_cities_language(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text('[profile]\nlanguage = "pt_BR"\n[fields]\ncity = "C"\ncountry = "K"\n')
    assert load_profile(path).language == "pt-br"
    path.write_text('[profile]\nlanguage = "../x"\n[fields]\ncity = "C"\ncountry = "K"\n')
    with pytest.raises(ProfileError, match="language must be a language code"):
        load_profile(path)
    path.write_text('[fields]\ncity = "C"\ncountry = "K"\n')
    assert load_profile(path).language is None


# --- snapshotpdf languages ----------------------------------------------------------------


def test_the_languages_command_lists_each_catalog(tmp_path: Path) -> None:
    result = runner.invoke(app, ["languages"])
    assert result.exit_code == 0, result.output
    for language in SHIPPED:
        assert re.search(rf"^  {language}\s.+ (\d+)/\1 complete$", result.output, re.MULTILINE)
    layout = layout_copy(tmp_path, de=GERMAN)
    result = runner.invoke(app, ["languages", "--layout", str(layout.folder), "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    german = next(c for c in document["catalogs"] if c["language"] == "de")
    assert german["translated"] == 5 and "structure.heading" in german["missing"]
    assert german["mail_templates"] is False and german["name"] == "German"
    assert german["set_aside"] == [
        "vision.strategy_yes: {town} is not a placeholder of the source string"
    ]


def test_the_languages_command_names_a_layout_it_cannot_find(tmp_path: Path) -> None:
    result = runner.invoke(app, ["languages", "--layout", str(tmp_path)])
    assert result.exit_code == 2
    assert "is not a layout folder" in result.output
