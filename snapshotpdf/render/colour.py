"""The print colours: the layout's palette (sRGB, as on screen) converted to CMYK for one
output condition (the press's paper: coated, uncoated) through that condition's ICC
profile, with littleCMS (Pillow's ImageCms), never by hand.

layout.toml names each colour once ([palette]) and each output condition once
([conditions.NAME]: its profile file in the layout folder and what it is); a print variant
(render/variants.py) names its condition. The renderer adds the result as the first
stylesheet of the variant: the @color-profile rule that becomes the PDF's output intent and
every palette colour as a custom property, --NAME: device-cmyk(c m y k).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from snapshotpdf.errors import LayoutError

_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True)
class Condition:
    """An output condition: the printing it describes and the ICC profile of it."""

    name: str  # the layout's key: coated, uncoated
    profile: Path  # a CMYK output profile inside the layout folder
    description: str  # e.g. "FOGRA39: ISO 12647-2 offset, coated paper"


def condition(folder: Path, config: dict[str, Any], name: str) -> Condition:
    """The layout's output condition called name ([conditions.NAME] of layout.toml)."""
    conditions = config.get("conditions", {})
    if name not in conditions:
        raise LayoutError(
            f"the layout has no output condition {name!r} ([conditions.{name}] in layout.toml)",
            hint=f"conditions: {', '.join(conditions) or 'none'}",
        )
    entry = conditions[name]
    profile = (folder / str(entry.get("profile", ""))).resolve()
    if not profile.is_relative_to(folder.resolve()) or not profile.is_file():
        raise LayoutError(
            f"output condition {name!r}: no profile file {entry.get('profile')!r} in the"
            f" layout folder {folder}",
            hint="profile = a .icc file inside the layout folder (colour/README.md)",
        )
    return Condition(name, profile, str(entry.get("description", name)))


def palette(config: dict[str, Any]) -> dict[str, str]:
    """The layout's named colours, as "#rrggbb" (sRGB), checked."""
    colours = {str(k): str(v) for k, v in config.get("palette", {}).items()}
    bad = [f"{k} = {v!r}" for k, v in colours.items() if not _HEX.match(v)]
    if bad:
        raise LayoutError(
            f"[palette] in layout.toml: not a colour: {', '.join(bad)}",
            hint='write each colour as "#rrggbb" (sRGB, as on screen)',
        )
    return colours


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


def print_colours(folder: Path, config: dict[str, Any], name: str) -> tuple[str, dict[str, str]]:
    """(the CSS a print variant starts with, each palette colour as CSS) for the output
    condition called name: the condition's profile as the output intent (@color-profile)
    and every palette colour converted for it, as a custom property --NAME."""
    chosen = condition(folder, config, name)
    converted = {
        key: device_cmyk(value) for key, value in to_cmyk(palette(config), chosen.profile).items()
    }
    source = chosen.profile.relative_to(folder.resolve()).as_posix()
    lines = [
        f"/* Output condition {chosen.name}: {chosen.description} (render/colour.py) */",
        f'@color-profile device-cmyk {{ src: url("{source}");',
        "  components: cyan, magenta, yellow, black; }",
        ":root {",
        *(f"  --{key}: {value};" for key, value in converted.items()),
        "}",
    ]
    return "\n".join(lines) + "\n", converted


def tone_colours(tones: dict[str, str], converted: dict[str, str]) -> dict[str, str]:
    """The icon tones of a print variant ({stroke hex: palette name}) as converted colours."""
    unknown = sorted(set(tones.values()) - set(converted))
    if unknown:
        raise LayoutError(
            f"[variants.*.tones] in layout.toml names colours not in [palette]:"
            f" {', '.join(unknown)}",
            hint=f"palette: {', '.join(converted)}",
        )
    return {stroke: converted[name] for stroke, name in tones.items()}


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
