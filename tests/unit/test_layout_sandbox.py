"""A layout folder may come from anyone: its templates, catalogs, stylesheets and mail
templates never run code, never read a file outside the layout and never hang the run. What
they try instead is a layout error that says where (the file, its line or key)."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from support.layouts import user_layout
from typer.testing import CliRunner

from snapshotpdf.cli.app import app
from snapshotpdf.errors import LayoutError
from snapshotpdf.limits import MAX_CATALOG_BYTES, MAX_TEMPLATE_BYTES
from snapshotpdf.mail.message import MailTemplates
from snapshotpdf.models import CityRecord, Location, SurveyFigures
from snapshotpdf.render import wording
from snapshotpdf.render.html import Renderer
from snapshotpdf.render.layout import load_layout

LIMA = CityRecord(source=Location("s.xlsx", "Responses", 2), city="Lima", country="Peru")
FIGURES = SurveyFigures(1, {})
EXTENDS = 'extends = "snapshot"\n'
# The classic escape from a Jinja2 template: through a string's class to every class of the
# process, to os.popen.
ESCAPE = (
    "{% for c in ''.__class__.__mro__[1].__subclasses__() %}{% if c.__name__ == '_wrap_close'"
    " %}{{ c.__init__.__globals__['popen']('echo escaped').read() }}{% endif %}{% endfor %}"
)


def page(folder: Path) -> str:
    return Renderer(load_layout(str(folder))).html(LIMA, FIGURES)


def mail(folder: Path) -> str:
    context = {"city": "Lima", "country": "Peru", "names": [], "file": "f.pdf", "pages": 2}
    return MailTemplates(str(folder)).render("en", context).text


@pytest.mark.parametrize("template", [ESCAPE, "x\n{{ ''.__class__.__mro__ }}"])
def test_a_page_template_cannot_reach_into_python(tmp_path: Path, template: str) -> None:
    folder = user_layout(tmp_path / "mine", EXTENDS, {"snapshot.html.j2": template})
    line = template.count("\n") + 1
    with pytest.raises(LayoutError) as caught:
        page(folder)
    assert f"snapshot.html.j2:{line}: templates may not reach into Python objects" in str(
        caught.value
    )
    assert "escaped" not in str(caught.value)


def test_a_mail_template_cannot_reach_into_python(tmp_path: Path) -> None:
    folder = user_layout(tmp_path / "mine", EXTENDS, {"mail/body.en.txt": ESCAPE})
    with pytest.raises(LayoutError, match=re.escape("mail/body.en.txt:1: templates may not")):
        mail(folder)


def test_a_template_may_still_build_a_list(tmp_path: Path) -> None:
    template = "{% set xs = [] %}{% set _ = xs.append(record.city) %}{{ xs | join }}"
    folder = user_layout(tmp_path / "mine", EXTENDS, {"snapshot.html.j2": template})
    assert page(folder) == "Lima"


def test_a_huge_range_is_refused_at_once(tmp_path: Path) -> None:
    template = "{% for i in range(100000000) %}{{ i }}{% endfor %}"
    folder = user_layout(tmp_path / "mine", EXTENDS, {"snapshot.html.j2": template})
    started = time.monotonic()
    with pytest.raises(LayoutError, match=re.escape("snapshot.html.j2:1: OverflowError")):
        page(folder)
    assert time.monotonic() - started < 5


@pytest.mark.parametrize(
    ("template", "said"),
    [
        ("{{ 'x' * 1000000000 }}", "a value of 1 x 1000000000 items"),
        ("{{ (['x'] * 100000) * 100000 }}", "a value of 100000 x 100000 items"),
        ("{{ 2 ** 100000000 }}", "an exponent of 100000000"),
    ],
)
def test_a_template_cannot_make_a_value_that_fills_the_memory(
    tmp_path: Path, template: str, said: str
) -> None:
    folder = user_layout(tmp_path / "mine", EXTENDS, {"snapshot.html.j2": template})
    started = time.monotonic()
    with pytest.raises(LayoutError, match=re.escape(said)):
        page(folder)
    assert time.monotonic() - started < 5


def test_a_template_file_over_the_limit_is_refused_unread(tmp_path: Path) -> None:
    template = "<p>{{ record.city }}</p>" + " " * MAX_TEMPLATE_BYTES
    folder = user_layout(tmp_path / "mine", EXTENDS, {"snapshot.html.j2": template})
    with pytest.raises(LayoutError, match="limits.MAX_TEMPLATE_BYTES"):
        page(folder)


@pytest.fixture()
def secret(tmp_path: Path) -> Path:
    """A file outside any layout, which no layout may show."""
    path = tmp_path / "secret.txt"
    path.write_text('kicker = "the secret"\n', encoding="utf-8")
    return path


def linked(folder: Path, relative: str, target: Path) -> Path:
    (folder / relative).parent.mkdir(parents=True, exist_ok=True)
    (folder / relative).symlink_to(target)
    return folder


LINKED_OUT = "a link to {}, outside the layout folder"


def test_an_included_link_to_outside_is_refused(tmp_path: Path, secret: Path) -> None:
    include = '{% include "part.html" %}'
    folder = user_layout(tmp_path / "mine", EXTENDS, {"snapshot.html.j2": include})
    linked(folder, "part.html", secret)
    with pytest.raises(LayoutError, match=re.escape(LINKED_OUT.format(secret))) as caught:
        page(folder)
    assert "part.html" in str(caught.value) and "the secret" not in str(caught.value)


def test_a_template_in_a_linked_folder_outside_is_refused(tmp_path: Path, secret: Path) -> None:
    include = '{% include "parts/secret.txt" %}'
    folder = user_layout(tmp_path / "mine", EXTENDS, {"snapshot.html.j2": include})
    linked(folder, "parts", secret.parent)
    with pytest.raises(LayoutError, match="outside the layout folder"):
        page(folder)


def test_a_link_inside_the_layout_is_followed(tmp_path: Path) -> None:
    include = '{% include "part.html" %}'
    folder = user_layout(
        tmp_path / "mine", EXTENDS, {"snapshot.html.j2": include, "parts/real.html": "inside"}
    )
    linked(folder, "part.html", Path("parts/real.html"))
    assert page(folder) == "inside"


@pytest.mark.parametrize(
    "relative", ["snapshot.css", "locales/en.toml", "layout.toml", "icons/bus.svg"]
)
def test_a_layout_file_linked_to_outside_is_refused(
    tmp_path: Path, secret: Path, relative: str
) -> None:
    folder = user_layout(tmp_path / "mine", EXTENDS if relative != "layout.toml" else "")
    linked(folder, relative, secret)
    with pytest.raises(LayoutError, match=re.escape(f"{relative}: {LINKED_OUT.format(secret)}")):
        layout = load_layout(str(folder))
        layout.stylesheets  # noqa: B018 - what a render reads first
        layout.catalog("en")
        layout.icon_files  # noqa: B018
        layout.files()


def test_a_mail_template_linked_to_outside_is_refused(tmp_path: Path, secret: Path) -> None:
    folder = linked(user_layout(tmp_path / "mine", EXTENDS), "mail/body.en.txt", secret)
    with pytest.raises(LayoutError, match=re.escape(LINKED_OUT.format(secret))):
        mail(folder)


def test_a_catalog_sentence_is_filled_with_names_alone() -> None:
    filled = wording.fill("{{<strong>{city}</strong>}} {percent}", city="<L>", percent=8)
    assert filled == "{<strong>&lt;L&gt;</strong>} 8"
    assert wording.substitute("{start}–{end}", start=2019, end=2022) == "2019–2022"


@pytest.mark.parametrize(
    "text",
    ["{city.__class__.__mro__}", "{city[0]}", "{percent:>20000000}", "{city!r}", "{0}", "{}"],
)
def test_a_placeholder_is_a_name_alone(text: str) -> None:
    started = time.monotonic()
    with pytest.raises(ValueError, match=re.escape(f"{text} is not a placeholder")):
        wording.fill(f"Like {text}", city="Lima", percent="8%")
    with pytest.raises(ValueError, match="is not a placeholder"):
        wording.substitute(text, city="Lima", percent="8%")
    assert time.monotonic() - started < 1


def test_a_catalog_string_reaching_into_python_is_a_catalog_error(tmp_path: Path) -> None:
    catalog = (
        "[vision]\n"
        'strategy_yes = "Like {percent} {city.__class__.__mro__} {city}"\n'
        'strategy_no = "Like {percent:>20000000} {city}"\n'
    )
    folder = user_layout(tmp_path / "mine", EXTENDS, {"locales/en.toml": catalog})
    where = f"{folder / 'locales' / 'en.toml'}: vision."
    with pytest.raises(LayoutError) as caught:
        page(folder)
    assert f"{where}strategy_yes: {{city.__class__.__mro__}} is not a placeholder" in str(
        caught.value
    )
    assert f"{where}strategy_no: {{percent:>20000000}} is not a placeholder" in str(caught.value)
    listed = CliRunner().invoke(app, ["languages", "--layout", str(folder)])
    assert listed.exit_code == 2 and "strategy_yes: {city.__class__.__mro__}" in listed.output


def test_a_catalog_over_its_limit_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    folder = user_layout(tmp_path / "mine", EXTENDS)
    big = folder / "locales" / "en.toml"
    big.parent.mkdir()
    big.write_text('kicker = "' + "x" * (50 * 1024 * 1024) + '"\n', encoding="utf-8")
    started = time.monotonic()
    with pytest.raises(LayoutError, match=re.escape(f"{big}: more than the {MAX_CATALOG_BYTES:,}")):
        load_layout(str(folder)).catalog("en")
    assert time.monotonic() - started < 2


def test_a_template_that_is_not_text_is_named(tmp_path: Path) -> None:
    folder = user_layout(tmp_path / "mine", EXTENDS, {"snapshot.html.j2": b"\x89PNG\r\n\x1a\n"})
    with pytest.raises(LayoutError, match=re.escape("snapshot.html.j2: not a template: byte 0")):
        page(folder)


def test_a_catalog_value_unlike_the_one_it_replaces_is_named_with_its_key(
    tmp_path: Path,
) -> None:
    catalog = 'kicker = 5\n[vision]\nstrategy_yes = { one = "a" }\nheading = ["x"]\n'
    folder = user_layout(tmp_path / "mine", EXTENDS, {"locales/en.toml": catalog})
    where = folder / "locales" / "en.toml"
    expected = [
        f"{where}: kicker: expected a string, found a number",
        f"{where}: vision.strategy_yes: a plural table has CLDR categories",
        f"{where}: vision.heading: expected a string, found a list",
    ]
    with pytest.raises(LayoutError) as caught:
        page(folder)
    assert all(line in str(caught.value) for line in expected)
    listed = CliRunner().invoke(app, ["languages", "--layout", str(folder)])
    assert listed.exit_code == 2 and expected[0] in listed.output


@pytest.mark.parametrize(
    "markup",
    ["<a href='javascript:alert(1)'>x</a>", "<img src='file:///etc/passwd'>", "<script>x"],
)
def test_a_catalog_holds_no_link_image_or_script(tmp_path: Path, markup: str) -> None:
    catalog = f'[vision]\nstrategy_yes = "Like {{percent}} {markup} {{city}}"\n'
    folder = user_layout(tmp_path / "mine", EXTENDS, {"locales/en.toml": catalog})
    tag = re.match(r"<[^>]*>", markup)
    assert tag is not None
    with pytest.raises(LayoutError, match=re.escape(f"strategy_yes: {tag.group(0)} is markup")):
        page(folder)


def test_a_catalog_may_bold_emphasise_and_break(tmp_path: Path) -> None:
    kicker = 'kicker = "<strong>City</strong> <em>Innovation</em><br>Profile"\n'
    folder = user_layout(tmp_path / "mine", EXTENDS, {"locales/en.toml": kicker})
    assert load_layout(str(folder)).catalog("en").strings["kicker"].startswith("<strong>")


def test_layout_check_reads_no_imported_stylesheet_linked_to_outside(tmp_path: Path) -> None:
    """`layout check` reads the stylesheets itself, @import included, looking a file up in
    the layout it extends as the renderer does: a link out of that layout was read."""
    from snapshotpdf.render.overflow import CheckCopier

    secret = tmp_path / "secret.css"
    secret.write_text("p { color: red }", encoding="utf-8")
    mine, base = tmp_path / "mine", tmp_path / "base"
    mine.mkdir()
    base.mkdir()
    (mine / "main.css").write_text('@import "evil.css";\np { margin: 0 }', encoding="utf-8")
    (base / "evil.css").symlink_to(secret)  # in the layout it extends
    with pytest.raises(LayoutError, match="outside the layout folder"):
        CheckCopier([mine / "main.css"], [mine, base])


def test_a_renderer_message_about_a_layout_file_is_the_layouts(tmp_path: Path) -> None:
    """What WeasyPrint says of a layout's own file (an image it refuses) is said once, as
    the layout's file, not at every city's row (batch/build.py, batch/booklet.py)."""
    folder = user_layout(tmp_path / "mine", EXTENDS)
    layout = load_layout(str(folder))
    image = (folder / "images" / "big image.png").resolve().as_uri()
    assert layout.file_in(f"Failed to load image at '{image}': too big") == "images/big image.png"
    bundled = (load_layout().folder / "snapshot.css").as_uri()
    assert layout.file_in(f"Ignored `x` at 1:1 in '{bundled}'") == "snapshot.css"
    assert layout.file_in("Failed to load image at 'file:///etc/passwd'") is None
    assert layout.file_in("Anchor defined twice: #lima") is None
