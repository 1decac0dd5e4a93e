"""The layout's colours as CSS: its palette, named once in layout.toml ([palette]), as the
custom properties every stylesheet paints with (var(--navy)); no stylesheet of a layout
names a colour of its own.

On screen each is its sRGB value (screen_colours, the first stylesheet of every variant).
A print variant (render/variants.py) names an output condition (the press's paper: coated,
uncoated; [conditions.NAME]: its ICC profile in the layout folder and what it is), and its
next stylesheet (print_colours) gives every colour again in CMYK for it: the brand's own
CMYK where the palette gives one, else the screen colour converted through the condition's
profile with littleCMS (Pillow's ImageCms), never by hand; with the @color-profile rule
that becomes the PDF's output intent. Icons are painted in the CSS colour of the element
that shows them (render/pdf.py), so they follow too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from snapshotpdf.errors import LayoutError
from snapshotpdf.render.layout import Layout
from snapshotpdf.render.settings import Condition


def condition(layout: Layout, name: str) -> tuple[Condition, Path]:
    """The layout's output condition called name ([conditions.NAME] of layout.toml) and
    its ICC profile file."""
    conditions = layout.settings.conditions
    if name not in conditions:
        raise LayoutError(
            f"the layout has no output condition {name!r} ([conditions.{name}] in layout.toml)",
            hint=f"conditions: {', '.join(conditions) or 'none'}",
        )
    chosen = conditions[name]
    return chosen, layout.file(chosen.profile)


def to_cmyk(colours: dict[str, str], profile: Path) -> dict[str, tuple[int, int, int, int]]:
    """Each sRGB colour as whole percents of cyan, magenta, yellow and black under the
    profile (relative colorimetric)."""
    from PIL import Image

    transform = _transform(profile)
    names = list(colours)
    strip = Image.new("RGB", (max(len(names), 1), 1))
    for x, name in enumerate(names):
        strip.putpixel((x, 0), _rgb(colours[name]))
    converted = _apply(transform, strip)
    return {
        name: tuple(round(v * 100 / 255) for v in converted.getpixel((x, 0)))
        for x, name in enumerate(names)
    }


def device_cmyk(percents: tuple[int, int, int, int]) -> str:
    """CSS for a CMYK colour: device-cmyk(0.75 0.53 0.33 0.82)."""
    return "device-cmyk({})".format(" ".join(f"{p / 100:g}" for p in percents))


@dataclass(frozen=True)
class PaintedSheet:
    """A layout's stylesheet with its palette written in: each var(--NAME) of a palette
    colour replaced by the colour itself (WeasyPrint then resolves no custom property for
    it, element by element: about 2% of a city's work). path: the file, whose folder its
    relative URLs start at, and whose name its messages give."""

    path: Path
    text: str


_VAR = re.compile(r"var\(\s*--([A-Za-z0-9_-]+)\s*\)")
_DECLARED = re.compile(r"--([A-Za-z0-9_-]+)\s*:")


def painted(sheets: Sequence[Path], palette: Mapping[str, str]) -> list[Path | PaintedSheet]:
    """The sheets with the palette's colours written in for var(--NAME), in order. A name a
    sheet declares itself (--navy: ... in a rule of its own, which may hold in part of the
    page only) stays a var() everywhere, as does any other custom property; a sheet that is
    not UTF-8 is left as it is. The palette's custom properties are still declared (colour
    sheets above), for a template's own style attributes."""
    texts: dict[Path, str | None] = {}
    for sheet in sheets:
        try:
            texts[sheet] = sheet.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            texts[sheet] = None
    declared = {name for text in texts.values() if text for name in _DECLARED.findall(text)}
    known = {k: v for k, v in palette.items() if k not in declared}
    made: list[Path | PaintedSheet] = []
    for sheet in sheets:
        text = texts[sheet]
        if text is None or "var(" not in text:
            made.append(sheet)
            continue
        made.append(
            PaintedSheet(sheet, _VAR.sub(lambda m: known.get(m.group(1), m.group(0)), text))
        )
    return made


def screen_palette(layout: Layout) -> dict[str, str]:
    """Each palette colour as CSS, in sRGB as on screen."""
    return {key: colour.screen for key, colour in layout.settings.palette.items()}


def screen_colours(layout: Layout) -> str:
    """The CSS every variant starts with: each palette colour as the custom property
    --NAME, in sRGB as on screen."""
    lines = [
        "/* The layout's palette, as on screen ([palette] of layout.toml; render/colour.py) */",
        ":root {",
        *(f"  --{key}: {value};" for key, value in screen_palette(layout).items()),
        "}",
    ]
    return "\n".join(lines) + "\n"


def print_colours(layout: Layout, name: str) -> tuple[str, dict[str, str]]:
    """(the CSS a print variant starts with, each palette colour as CSS) for the output
    condition called name: the condition's profile as the output intent (@color-profile)
    and every palette colour for it, as a custom property --NAME: the brand's own CMYK
    where the palette gives one, else its screen colour converted through the profile."""
    chosen, profile = condition(layout, name)  # its URL: relative, found as any layout file
    palette = layout.settings.palette
    converted = to_cmyk({k: c.screen for k, c in palette.items() if c.print is None}, profile)
    fixed = {k: c.print for k, c in palette.items() if c.print is not None}
    colours = {key: device_cmyk(fixed.get(key) or converted[key]) for key in palette}
    lines = [
        f"/* Output condition {chosen.name}: {_comment(chosen.description)} (render/colour.py) */",
        profile_rule(layout, name),
        ":root {",
        *(f"  --{key}: {value};" for key, value in colours.items()),
        "}",
    ]
    return "\n".join(lines) + "\n", colours


def profile_rule(layout: Layout, name: str) -> str:
    """The @color-profile rule of an output condition: what device-cmyk() means. A sheet
    that writes device-cmyk() itself (colour.painted) is read after it, so that its colours
    are the profile's, as those the palette's custom properties give."""
    chosen = condition(layout, name)[0]
    return (
        f'@color-profile device-cmyk {{ src: url("{chosen.profile}");\n'
        "  components: cyan, magenta, yellow, black; }"
    )


def png_as_cmyk(data: bytes, profile: Path) -> bytes:
    """A PNG image (a logo) as a CMYK JPEG for the output profile: its transparency laid
    on white paper, its colours converted like the palette's (relative colorimetric), at
    a quality no press would see lost (95, no chroma subsampling)."""
    import io

    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        image.load()
        rgba = image.convert("RGBA")
    paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    rgb = Image.alpha_composite(paper, rgba).convert("RGB")
    cmyk = _apply(_transform(profile), rgb)
    out = io.BytesIO()
    cmyk.save(out, "JPEG", quality=95, subsampling=0)
    return out.getvalue()


def _comment(text: str) -> str:
    """Text to set inside a CSS comment: it cannot end the comment."""
    return text.replace("*/", "* /")


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


@cache
def _transform(profile: Path) -> Any:
    from PIL import ImageCms

    try:
        target = ImageCms.getOpenProfile(str(profile))
    except (OSError, ImageCms.PyCMSError) as exc:
        raise LayoutError(f"{profile}: not an ICC profile Pillow can read ({exc})") from None
    return ImageCms.buildTransform(  # relative colorimetric: paper white stays unprinted
        ImageCms.createProfile("sRGB"),
        target,
        "RGB",
        "CMYK",
        renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
    )


def _apply(transform: Any, image: Any) -> Any:
    from PIL import ImageCms

    return ImageCms.applyTransform(image, transform)
