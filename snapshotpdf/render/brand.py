"""Who publishes the snapshots: the organisation and its logo, layout settings ([brand] of
layout.toml: the snapshot's header, the booklet's cover, the PDFs' author), and the checks
every logo passes, the layout's and a booklet's --logo alike, before anything is read.

A logo is an SVG or a PNG (by its content, not only its name) of at most
limits.MAX_LOGO_BYTES and, for a PNG, limits.MAX_IMAGE_PIXELS; an SVG with a DOCTYPE or
entities is refused. The renderer reads that one file through its restricted fetcher, and
nothing it names. A print variant converts a PNG to CMYK for its output condition; an
SVG is printed in its own colours, and one in RGB is said by the run (print_warning).
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from snapshotpdf import files
from snapshotpdf.errors import SnapshotError
from snapshotpdf.limits import MAX_IMAGE_PIXELS, MAX_LOGO_BYTES, MAX_LOGO_SVG_USES

LOGO_TYPES = (".svg", ".png")
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_AGAIN = "save the logo again as SVG or PNG and give that file"


def logo_problem(path: Path) -> tuple[str, str] | None:
    """What is wrong with a logo file, as (what, what to do); None for a good one."""
    kind = path.suffix.lower()
    if kind not in LOGO_TYPES:
        return (
            f"a logo is an SVG or PNG file, not {kind or 'a file without'}"
            f"{' (its extension)' if kind else ' an extension'}",
            "save the logo as SVG (best, for print) or PNG",
        )
    size = path.stat().st_size
    if size > MAX_LOGO_BYTES:
        return (
            f"{files.size_text(size)}, more than a logo may be ({files.size_text(MAX_LOGO_BYTES)})",
            "save it smaller: a logo needs about 1,000 pixels across, or an SVG",
        )
    data = path.read_bytes()
    problem = _png_problem(data) if kind == ".png" else _svg_problem(data)
    return (problem, _AGAIN) if problem else None


def check_logo(path: Path) -> Path:
    """A logo given as a path on this machine (booklet --logo), resolved; a SnapshotError
    for a web address (never fetched), a missing file or a logo_problem."""
    if found := re.match(r"^([a-z][a-z0-9+.-]*):/+", str(path), re.IGNORECASE):
        address = f"{found[1]}://{str(path)[found.end() :]}"  # as typed: a path has one /
        raise SnapshotError(
            f"logo {address}: a web address; a logo is read from a file, never fetched",
            hint="save the logo and give its path: --logo logo.svg",
        )
    if not path.is_file():
        raise SnapshotError(
            f"logo {path}: {'not a file' if path.exists() else 'no such file'}",
            hint="give the path of the logo, an SVG or PNG file: --logo logo.svg",
        )
    problem = logo_problem(path)
    if problem:
        raise SnapshotError(f"logo {path}: {problem[0]}", hint=problem[1])
    return path.resolve()


def print_warning(path: Path) -> str | None:
    """What a print variant's run is told of a logo in RGB, at a glance (an SVG that does
    not use device-cmyk()); None for a logo in CMYK, and for a PNG, which the renderer
    converts to CMYK for the output condition (colour.png_as_cmyk)."""
    if path.suffix.lower() == ".png":
        return None
    if "device-cmyk(" in path.read_text("utf-8-sig"):
        return None
    return (
        f"logo {path.name}: printed in its own colours, RGB, which the print shop may"
        " have to convert to CMYK (give an SVG whose colours are device-cmyk(C M Y K),"
        " or a PNG, which is converted for the paper)"
    )


def _png_problem(data: bytes) -> str | None:
    """What is wrong with a PNG file's header: its signature, its size in pixels."""
    if not data.startswith(_PNG_SIGNATURE) or data[12:16] != b"IHDR" or len(data) < 24:
        return "not a PNG image (its content is not PNG, whatever its name)"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    if not width or not height:
        return "not a PNG image (its header says it has no pixels)"
    if width * height > MAX_IMAGE_PIXELS:
        return f"{width} x {height} pixels, more than a logo may be ({MAX_IMAGE_PIXELS:,} in all)"
    from PIL import Image, ImageFile

    # All of it: the renderer leaves out, without a word, a PNG it cannot decode. Its
    # chunks' checksums, then its pixels, not as WeasyPrint has Pillow read a cut image
    # (LOAD_TRUNCATED_IMAGES, which it sets for the whole process when imported).
    tolerant, ImageFile.LOAD_TRUNCATED_IMAGES = ImageFile.LOAD_TRUNCATED_IMAGES, False
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
    except Exception as exc:  # noqa: BLE001 - Pillow raises many kinds for a damaged file
        return f"a damaged PNG image ({exc or type(exc).__name__})"
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = tolerant
    return None


def _svg_problem(data: bytes) -> str | None:
    """What is wrong with an SVG file at a glance: not text, no <svg>, or a DOCTYPE (whose
    entities can make a small file huge when parsed)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return "not an SVG image (not UTF-8 text)"
    if "<svg" not in text:
        return "not an SVG image (it has no <svg> element)"
    if re.search(r"<!(DOCTYPE|ENTITY)", text, re.IGNORECASE):
        return "an SVG with a DOCTYPE or entities, which snapshotpdf does not read"
    from defusedxml import ElementTree

    try:  # whole, with <svg> as its root: the renderer leaves out, without a word, one not
        root = ElementTree.fromstring(data)
    except Exception as exc:  # noqa: BLE001 - not XML (cut short), or what defusedxml refuses
        return f"not an SVG image: its XML cannot be read ({exc or type(exc).__name__})"
    if not isinstance(root.tag, str) or root.tag.rpartition("}")[2] != "svg":
        return "not an SVG image (its root element is not <svg>)"
    uses = len(re.findall(r"<(?:\w+:)?use\b", text))
    if uses > MAX_LOGO_SVG_USES:  # <use> of a <use> of ...: a few KB drawn a billion times
        return (
            f"an SVG with {uses} <use> elements, more than a logo may have"
            f" ({MAX_LOGO_SVG_USES}, limits.MAX_LOGO_SVG_USES)"
        )
    return None
