"""The layout contract: layout.toml read into typed settings, every mistake at once with its
file and key; a user's layout holding only what it changes, the rest inherited."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from snapshotpdf.cli.app import app
from snapshotpdf.errors import LayoutError
from snapshotpdf.models import CityRecord, Location, SurveyFigures
from snapshotpdf.render.html import Renderer
from snapshotpdf.render.layout import load_layout
from snapshotpdf.render.pdf import RestrictedFetcher
from tests.support.layouts import user_layout

runner = CliRunner()


def test_the_bundled_layout_reads_into_typed_settings() -> None:
    layout = load_layout()
    settings = layout.settings
    assert layout.folders == (layout.folder,)
    assert settings.pages == 2 and settings.template == "snapshot.html.j2"
    assert settings.palette["navy"].screen == "#0f3b57" and settings.palette["navy"].print is None
    assert settings.icons.marks == {
        "sufficient": "check",
        "insufficient": "minus",
        "ring_no": "ring-dashed",
        "ring_none": "ring-dotted",
    }
    assert settings.conditions["coated"].profile == "colour/FOGRA39L-300.icc"
    assert settings.brand.organisation is None and settings.brand.logo is None


def test_a_user_layout_holds_only_what_it_changes(tmp_path: Path) -> None:
    bundled = load_layout()
    folder = user_layout(
        tmp_path / "brand",
        'pages = 3\n[palette]\nnavy = "#c0185a"\n[brand]\norganisation = "Ciudades Unidas"\n',
        {"icons/bus.svg": "<svg/>", "locales/en.toml": 'kicker = "Our Snapshot"\n'},
    )
    layout = load_layout(str(folder))
    assert layout.name == "brand" and layout.folders == (folder, bundled.folder)
    assert layout.pages == 3 and layout.settings.palette["navy"].screen == "#c0185a"
    assert layout.settings.palette["teal"] == bundled.settings.palette["teal"]  # inherited
    assert layout.settings.brand.organisation == "Ciudades Unidas"
    assert layout.template == bundled.template and layout.stylesheets == bundled.stylesheets
    assert layout.find("icons/bus.svg") == folder / "icons/bus.svg"  # its own
    assert layout.find("icons/home.svg") == bundled.folder / "icons/home.svg"  # inherited
    assert layout.find("../layout.toml") is None
    # The catalog: its own string over the bundled one, every other string inherited.
    strings = layout.catalog("en").strings
    assert strings["kicker"] == "Our Snapshot"
    assert strings["options"] == bundled.catalog("en").strings["options"]
    assert layout.languages == bundled.languages
    # The fingerprinted files: its own where it has one, the bundled layout's elsewhere.
    used = layout.files()
    assert folder / "icons/bus.svg" in used and bundled.folder / "icons/bus.svg" not in used
    assert bundled.folder / "snapshot.css" in used


def test_a_user_file_replaces_the_bundled_one_wherever_it_is_asked_for(tmp_path: Path) -> None:
    """A bundled stylesheet's url(marks/...) finds the user's file first."""
    bundled = load_layout()
    folder = user_layout(
        tmp_path / "mine", 'extends = "snapshot"\n', {"marks/crop-tl.svg": "<svg/>"}
    )
    layout = load_layout(str(folder))
    fetcher = RestrictedFetcher(layout.folders)
    asked = (bundled.folder / "marks" / "crop-tl.svg").as_uri()
    assert fetcher.fetch(asked).read() == b"<svg/>"
    assert fetcher.fetch((folder / "icons" / "bus.svg").as_uri()).read().startswith(b"<svg")


def test_a_symlink_out_of_a_user_layout_is_not_followed(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("password", "utf-8")
    folder = user_layout(tmp_path / "mine", 'extends = "snapshot"\n')
    (folder / "icons").mkdir()
    (folder / "icons" / "bus.svg").symlink_to(secret)
    with pytest.raises(LayoutError, match="outside the layout folder"):
        load_layout(str(folder))  # the layout refuses it; so would the renderer's fetcher:
    fetcher = RestrictedFetcher((folder, load_layout().folder))
    with pytest.raises(ValueError, match="fetches only"):
        fetcher.fetch((folder / "icons" / "bus.svg").as_uri())


# Typical mistakes in layout.toml: each one clear message with its file and key.
MISTAKES = [
    ("pagez = 2\n", "pagez: unknown key"),
    ('pages = "two"\n', "pages: must be a whole number from 1 to 1,000"),
    (
        '[icons.policy_areas]\ntransport = "tram"\n',
        "[icons.policy_areas] transport: no icon file icons/tram.svg",
    ),
    ('[palette]\nnavy = "navy blue"\n', "[palette] navy: 'navy blue' is not a colour"),
    ('[icons.tones]\nmuted = "grey-dark"\n', "[icons] tones: unknown key"),  # colours: CSS
    ('stylesheets = ["brand.css"]\n', "stylesheets: no file 'brand.css' in the layout"),
    ('template = "mine.html.j2"\n', "template: no file 'mine.html.j2'"),
    ('[wording]\nshares = "prose"\n', "[wording] shares: 'prose' is not a style"),
    (
        '[palette]\nnavy = { screen = "#0f3b57", print = "cmyk(120 0 0 0)" }\n',
        "[palette.navy] print: 'cmyk(120 0 0 0)' is not a print colour",
    ),
    (
        '[conditions.uncoated]\nprofile = "../../etc/passwd"\n',
        "[conditions.uncoated] profile: '../../etc/passwd' must be a path inside the layout",
    ),
    ('[brand]\nlogo = "logo.jpg"\n', "[brand] logo: 'logo.jpg': a logo is an .svg or .png file"),
    ("[papers]\na4 = 210\n", "[papers] a4: must be text in quotes, not 210"),
    (  # a paper is set into the stylesheet: nothing but a page size may reach it
        '[papers]\na4 = "A4; } body { background: url(file:///etc/passwd) }"\n',
        "[papers] a4: must be a page size as CSS writes it",
    ),
    (
        "pages = 1000000\n",
        "pages: must be a whole number from 1 to 1,000 (limits.MAX_LAYOUT_PAGES)",
    ),
]


@pytest.mark.parametrize(("toml", "message"), MISTAKES)
def test_a_mistake_in_layout_toml_names_its_file_and_key(
    tmp_path: Path, toml: str, message: str
) -> None:
    folder = user_layout(tmp_path / "mine", toml)
    with pytest.raises(LayoutError) as caught:
        load_layout(str(folder))
    text = str(caught.value)
    assert f"{folder / 'layout.toml'}: {message}" in text, text
    assert text.startswith(str(folder)) and "mistakes" not in text  # one mistake, one line


def test_every_mistake_is_listed_at_once(tmp_path: Path) -> None:
    toml = "".join(toml for toml, _ in MISTAKES[:3]) + '[wording]\nshares = "prose"\n'
    with pytest.raises(LayoutError, match="4 mistakes in layout.toml") as caught:
        load_layout(str(user_layout(tmp_path / "mine", toml)))
    for _, message in [*MISTAKES[:3], MISTAKES[7]]:
        assert message in str(caught.value)


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("pages = \n", "not valid TOML: Invalid value (at line 1, column 9)"),
        ('extends = "fancy"\n', "extends = 'fancy' is not a bundled layout"),
        ("", "is not a layout folder: it has no layout.toml"),
    ],
)
def test_a_layout_that_cannot_be_read_says_why(tmp_path: Path, toml: str, message: str) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    if toml:
        (folder / "layout.toml").write_text(toml, "utf-8")
    with pytest.raises(LayoutError, match=re.escape(message)):
        load_layout(str(folder))


def test_a_bad_layout_is_an_error_line_and_exit_code_2_on_every_command(tmp_path: Path) -> None:
    folder = user_layout(tmp_path / "mine", "pages = 0\n")
    survey = str(Path(__file__).parents[2] / "inputs" / "sample-survey.xlsx")
    for command in (
        ["check", survey],
        ["build", "--outdir", str(tmp_path / "out")],
        ["booklet", "-o", str(tmp_path / "b.pdf")],
        ["languages"],
        ["preview", "--png", "Lima", "-o", str(tmp_path / "png")],
    ):
        result = runner.invoke(app, [*command, "--layout", str(folder)])
        assert result.exit_code == 2, (command, result.output)
        assert "pages: must be a whole number from 1 to 1,000" in result.output
        assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("block", "message"),
    [
        ("<p>{{ record.city }</p>", "snapshot.html.j2:2: unexpected '}'"),
        ("<p>{{ record.no_such_field }}</p>", "snapshot.html.j2:2: 'snapshotpdf.models.CityRecord"),
        ("{{ snapshot.icon('nogroup', 'x') }}", "snapshot.html.j2:2: KeyError: 'nogroup'"),
        ("{{ 1 / 0 }}", "snapshot.html.j2:2: ZeroDivisionError: division by zero"),
        (
            '{% include "nowhere.html" %}',
            "snapshot.html.j2:2: no template 'nowhere.html' in the layout",
        ),
    ],
)
def test_a_template_mistake_names_its_file_and_line(
    tmp_path: Path, block: str, message: str
) -> None:
    template = '{% extends "snapshot/snapshot.html.j2" %}\n'
    template += "{% block overview %}" + block + "{% endblock %}\n"
    folder = user_layout(
        tmp_path / "mine", 'extends = "snapshot"\n', {"snapshot.html.j2": template}
    )
    record = CityRecord(source=Location("s.xlsx", "Responses", 2), city="Lima", country="Peru")
    with pytest.raises(LayoutError, match=re.escape(message)):
        Renderer(load_layout(str(folder))).html(record, SurveyFigures(1, {}))


def test_a_mail_template_mistake_names_its_file_and_line(tmp_path: Path) -> None:
    from snapshotpdf.mail.message import MailTemplates

    folder = user_layout(
        tmp_path / "mine",
        'extends = "snapshot"\n',
        {"mail/subject.en.txt": "Your snapshot\n{{ 1 / 0 }}\n"},
    )
    with pytest.raises(LayoutError, match=re.escape("mail/subject.en.txt:2: ZeroDivisionError")):
        MailTemplates(str(folder)).render("en", {})
