"""One palette, one brand: a user's layout that changes only a palette colour, the brand
(organisation and logo) and one block of the template, rendered from the sample. The
change shows in the PDF (the colour read from its content streams, the logo drawn and
announced, the block's text, the organisation as author), everything else is the bundled
layout's, and its print variant is still CMYK only."""

from __future__ import annotations

import io
import subprocess
from collections.abc import Callable
from pathlib import Path

import pikepdf
import pytest
from support.helpers import raw_text
from support.layouts import user_layout
from support.pdfcheck import (
    SECTIONS,
    colour_operators,
    outline,
    qpdf_check,
    struct_elements,
    untagged_operations,
)

from snapshotpdf.batch.build import build
from snapshotpdf.batch.result import BuildResult
from snapshotpdf.batch.settings import Settings
from snapshotpdf.models import Inputs
from snapshotpdf.render import colour, iconfont
from snapshotpdf.render.layout import load_layout

MAGENTA = "#c0185a"  # the palette's navy, changed
NAVY = "#0f3b57"  # the bundled navy, which must be gone
ORGANISATION = "Ciudades Unidas"
# A logo in CMYK, as a print shop wants it: the brand's own print colours.
LOGO = """<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40" viewBox="0 0 120 40">
  <rect width="40" height="40" rx="6" fill="device-cmyk(0 0.9 0.2 0)"/>
  <rect x="50" y="14" width="66" height="12" fill="device-cmyk(0.7 0.5 0.3 0.8)"/>
</svg>
"""
LOGO_CMYK = {(0.0, 0.9, 0.2, 0.0), (0.7, 0.5, 0.3, 0.8)}
# The one block it changes: the overview, as its own words.
TEMPLATE = """{% extends "snapshot/snapshot.html.j2" %}
{% block overview %}
<section id="overview" class="overview">
  <h2>At a glance</h2>
  <p>{{ record.city }} as {{ snapshot.brand.organisation }} sees it.</p>
</section>
{% endblock %}
"""

Build = Callable[[str], Path]


@pytest.fixture(scope="module")
def branded(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """Lima with the user's layout in a variant, built once per variant."""
    root = tmp_path_factory.mktemp("branded")
    folder = user_layout(
        root / "ciudades",
        f'[palette]\nnavy = "{MAGENTA}"\n'
        f'[brand]\norganisation = "{ORGANISATION}"\nlogo = "brand/logo.svg"\n',
        {"brand/logo.svg": LOGO, "snapshot.html.j2": TEMPLATE},
    )
    made: dict[str, Path] = {}

    def lima(variant: str) -> Path:
        if variant not in made:
            settings = Settings(
                inputs=Inputs(layout=str(folder)),
                outdir=root / variant,
                cities=("Lima",),
                variant=variant,
                jobs=0,
            )
            result: BuildResult = build(settings)
            assert result.exit_code() == 0, [str(p) for p in result.problems]
            made[variant] = settings.outdir / "peru-lima.pdf"
        return made[variant]

    return lima


def rgb(hex_colour: str) -> tuple[float, ...]:
    return tuple(round(int(hex_colour[i : i + 2], 16) / 255, 3) for i in (1, 3, 5))


def paints(pdf: pikepdf.Pdf, pages: slice = slice(None)) -> set[tuple[str, tuple[float, ...]]]:
    """Every colour set on the pages and in what they draw (forms: backgrounds, icons),
    with its operator: ("rg", (r, g, b)), ("scn", (c, m, y, k)) in DeviceCMYK, ..."""
    found: set[tuple[str, tuple[float, ...]]] = set()
    seen: set[tuple[int, int]] = set()

    def scan(stream: pikepdf.Object, resources: pikepdf.Object | None) -> None:
        for instruction in pikepdf.parse_content_stream(stream):
            operator = str(instruction.operator)
            if operator in ("rg", "RG", "k", "K", "sc", "scn", "SC", "SCN"):
                values = tuple(round(float(v), 3) for v in instruction.operands)
                found.add((operator, values))
        for child in (resources or {}).get("/XObject", {}).values():
            if isinstance(child, pikepdf.Stream) and child.objgen not in seen:
                seen.add(child.objgen)
                if child.get("/Subtype") == "/Form":
                    scan(child, child.get("/Resources", resources))

    for page in pdf.pages[pages]:
        scan(page.obj, page.obj.get("/Resources"))
    return found


def cmyk(painted: set[tuple[str, tuple[float, ...]]]) -> set[tuple[float, ...]]:
    return {values for _operator, values in painted if len(values) == 4}


def test_the_palette_colour_is_the_one_on_the_page(branded: Build) -> None:
    """The band, the bold words and the tiles in the new colour; the old one nowhere."""
    with pikepdf.open(branded("screen")) as pdf:
        painted = {values for _operator, values in paints(pdf)}
    assert rgb(MAGENTA) in painted
    assert rgb(NAVY) not in painted


def icon_colours(pdf: pikepdf.Pdf) -> set[tuple[float, ...]]:
    """The fill colours the icons' glyphs (the icon font, render/iconfont.py) are shown in."""
    found: set[tuple[float, ...]] = set()
    for page in pdf.pages:
        fonts = page.Resources.get("/Font", {})
        icons = {
            str(name)
            for name, font in fonts.items()
            if str(font.get("/BaseFont", "")).endswith(f"+{iconfont.FAMILY}")
        }
        font, fill = "", ()
        for operands, operator in pikepdf.parse_content_stream(page):
            op = str(operator)
            if op == "Tf":
                font = str(operands[0])
            elif op in ("rg", "k", "g"):
                fill = tuple(round(float(v), 3) for v in operands)
            elif op in ("Tj", "TJ") and font in icons:
                found.add(fill)
    return found


def test_icons_take_their_colour_from_the_css(branded: Build) -> None:
    """Each icon is painted in its element's colour, like text: white on the tiles, the
    palette's grey-dark for an area without sufficient data, never black."""
    palette = load_layout().settings.palette
    with pikepdf.open(branded("screen")) as pdf:
        colours = icon_colours(pdf)
    assert rgb(palette["paper"].screen) in colours
    assert rgb(palette["grey-dark"].screen) in colours
    assert (0.0, 0.0, 0.0) not in colours and () not in colours


def test_the_brand_is_in_the_band_and_the_metadata(branded: Build) -> None:
    with pikepdf.open(branded("screen")) as pdf:
        figures = [
            str(element.get("/Alt", ""))
            for kind, element, _ in struct_elements(pdf)
            if kind == "/Figure"
        ]
        on_each_page = [cmyk(paints(pdf, slice(n, n + 1))) for n in range(len(pdf.pages))]
        author = str(pdf.docinfo["/Author"])
        assert untagged_operations(pdf) == []
    assert figures.count("Logo") == 1  # announced once, in the first page's band
    assert all(found >= LOGO_CMYK for found in on_each_page)  # the band repeats it
    assert author == ORGANISATION  # no --author given: the layout's organisation
    first, second = raw_text(branded("screen")).split("\f")[:2]
    assert ORGANISATION in first and ORGANISATION in second


def test_one_block_changed_and_the_rest_inherited(branded: Build) -> None:
    path = branded("screen")
    text = " ".join(raw_text(path).split())
    assert "At a glance Lima as Ciudades Unidas sees it." in text
    assert "Population size" not in text  # the bundled overview's facts are gone
    with pikepdf.open(path) as pdf:
        assert len(pdf.pages) == 2
        # Every other section as the bundled layout has it, in its order.
        assert outline(pdf) == [("Lima, Peru", ["At a glance", *SECTIONS[1:]])]
    qpdf_check(path)


def test_its_print_variant_is_still_cmyk_only(branded: Build) -> None:
    path = branded("print")
    with pikepdf.open(path) as pdf:
        used = colour_operators(pdf)
        painted = paints(pdf)
        assert pdf.Root.OutputIntents[0].S == "/GTS_PDFX"
    assert not used & {"rg", "RG"}, used
    assert {op for op in used if op.startswith(("cs ", "CS "))} <= {
        "cs /DeviceCMYK",
        "CS /DeviceCMYK",
    }
    # The changed navy, converted for coated paper, is the one printed.
    layout = load_layout(str(path.parents[1] / "ciudades"))
    navy = colour.print_colours(layout, "coated")[1]["navy"]
    values = tuple(float(v) for v in navy.removeprefix("device-cmyk(")[:-1].split())
    assert any(found == values for _operator, found in painted), navy
    assert cmyk(painted) >= LOGO_CMYK


def test_a_png_logo_is_converted_to_cmyk_for_print_and_keeps_its_colours(tmp_path: Path) -> None:
    """A PNG logo (with transparency) stays RGB on screen; a print variant embeds it in CMYK
    for the paper, its red still red and its transparency laid on the paper."""
    from PIL import Image, ImageDraw

    logo = Image.new("RGBA", (300, 100), (0, 0, 0, 0))
    ImageDraw.Draw(logo).rectangle((0, 0, 99, 99), fill=(200, 20, 40, 255))
    logo.save(tmp_path / "logo.png")
    folder = user_layout(
        tmp_path / "png",
        '[brand]\nlogo = "brand/logo.png"\n',
        {"brand/logo.png": (tmp_path / "logo.png").read_bytes()},
    )
    spaces = {}
    for variant in ("screen", "print"):
        settings = Settings(
            inputs=Inputs(layout=str(folder)),
            outdir=tmp_path / variant,
            cities=("Lima",),
            variant=variant,
            jobs=0,
        )
        result = build(settings)
        assert not [p for p in result.problems if "logo" in p.message]  # nothing to warn of
        with pikepdf.open(settings.outdir / "peru-lima.pdf") as pdf:
            (image,) = {
                str(x.ColorSpace)
                for x in pdf.pages[0].get_images().values()
                if int(x.Width) == 300 and int(x.Height) == 100
            }
            spaces[variant] = image
            if variant == "print":
                (xobject,) = pdf.pages[0].get_images().values()
                picture = pikepdf.PdfImage(xobject).as_pil_image()
                assert picture.mode == "CMYK"
    assert spaces == {"screen": "/DeviceRGB", "print": "/DeviceCMYK"}
    # The red square, printed: much magenta and yellow, little cyan (whatever the inversion
    # a JPEG's Adobe marker asks for, the page shows red: tested by pixels too).
    page = subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "72",
            "-f",
            "1",
            "-l",
            "1",
            str(tmp_path / "print" / "peru-lima.pdf"),
        ],
        check=True,
        capture_output=True,
    ).stdout
    drawn = Image.open(io.BytesIO(page)).convert("RGB")
    data = drawn.tobytes()
    pixels = zip(data[0::3], data[1::3], data[2::3], strict=True)
    reds = [p for p in pixels if p[0] > 150 and p[1] < 80 and p[2] < 90]
    assert len(reds) > 100, "the logo's red square is not on the printed page"


def test_a_css_mistake_of_a_layout_is_said_once_by_build(tmp_path: Path) -> None:
    """WeasyPrint says what it ignores in a stylesheet as it reads it, before any page:
    build says it once, with the sheet's name, however many cities and workers."""
    folder = user_layout(
        tmp_path / "mine",
        'stylesheets = ["fonts.css", "snapshot.css", "mine.css"]\n',
        {"mine.css": ".overview {\n  colr: red;\n}\n"},
    )
    settings = Settings(
        inputs=Inputs(layout=str(folder)),
        outdir=tmp_path / "out",
        cities=("Lima", "Valderrosa", "Noordhaven"),
        jobs=2,
    )
    result = build(settings)
    said = [str(p) for p in result.warnings if "colr" in p.message]
    assert said == ["warning: mine.css: renderer: Ignored `colr: red` at 2:3, unknown property."]
    assert result.exit_code() == 0 and len(result.written) == 3


def test_an_icon_of_a_layout_is_drawn_as_its_svg_paints_it_and_its_text_is_said(
    tmp_path: Path,
) -> None:
    """An icon of your own replaces the bundled one of its name (its glyph is the one the
    PDF embeds), and what its glyph cannot draw (text) is said once by build."""
    own = (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" fill="none"'
        ' stroke="currentColor" stroke-width="2"><rect x="3" y="3" width="18" height="18"/>'
        '<text x="4" y="16">B</text></svg>'
    )
    folder = user_layout(tmp_path / "mine", 'extends = "snapshot"\n', {"icons/bus.svg": own})
    layout = load_layout(str(folder))
    assert layout.icon_files["bus"] == folder / "icons" / "bus.svg"
    assert layout.icon_font().unsupported == {"bus": ("text",)}
    settings = Settings(
        inputs=Inputs(layout=str(folder)), outdir=tmp_path / "out", cities=("Lima",), jobs=1
    )
    result = build(settings)
    said = [str(p) for p in result.warnings if "icons/bus.svg" in str(p)]
    assert said == ["warning: icons/bus.svg: renderer: not drawn in its glyph: text"]
    assert result.exit_code() == 0 and len(result.written) == 1


def test_a_warm_renderer_is_kept_until_a_file_of_its_layout_changes(tmp_path: Path) -> None:
    from snapshotpdf.batch.workers import warm_renderer

    folder = user_layout(tmp_path / "mine", 'extends = "snapshot"\n', {"mine.css": ""})
    first = warm_renderer(str(folder))
    assert warm_renderer(str(folder)) is first  # nothing changed: the same, warm
    (folder / "mine.css").write_text(".overview { color: var(--ink); }\n", encoding="utf-8")
    assert warm_renderer(str(folder)) is not first  # a changed file: made again
