"""How wide a line of text prints, from the bundled fonts' advance widths, and a line cut
to a width with an ellipsis: for the one-line running title of the footer, which must
never wrap (a wrapped footer pushes into the page number's line).

An estimate, not a layout: kerning and shaping are left out, so the budget keeps a margin
of safety (the layout's CSS clips, never wraps, whatever is still too wide). A character
Noto Sans lacks (a script font's, CJK) counts as wide as the widest Latin letters: more
than it takes, never less.
"""

from __future__ import annotations

import unicodedata
from functools import cache

from snapshotpdf.assets import fonts_dir

ELLIPSIS = "…"
SAFETY = 0.95  # of the width: what shaping, kerning and the estimate may take more
_WIDE = 1.0  # em: a full-width (CJK) character, and any character Noto Sans lacks
_ISOLATES = {"\u2066", "\u2067", "\u2068"}  # LRI, RLI, FSI: each closed by a PDI
_PDI = "\u2069"


@cache
def _advances() -> dict[int, float]:
    """Each character Noto Sans Regular maps, with its advance in em."""
    from fontTools.ttLib import TTFont  # only when a line is measured

    font = TTFont(fonts_dir() / "NotoSans-Regular.ttf", lazy=True)
    units = font["head"].unitsPerEm
    metrics = font["hmtx"]
    return {code: metrics[glyph][0] / units for code, glyph in font.getBestCmap().items()}


def width_em(text: str) -> float:
    """The text's width in em of its font size (no glyph for format characters)."""
    advances = _advances()
    total = 0.0
    for char in text:
        if unicodedata.category(char) in ("Cf", "Cc", "Mn", "Me"):
            continue
        total += advances.get(ord(char), _WIDE)
    return total


def fit_line(text: str, width_pt: float, size_pt: float) -> str:
    """The text as it is when it fits width_pt at size_pt; else cut short after a whole
    character, its trailing spaces and punctuation dropped, with an ellipsis. Directional
    isolates (FSI ... PDI) the cut leaves open are closed after the ellipsis."""
    budget = width_pt * SAFETY / size_pt
    if width_em(text) <= budget:
        return text
    room = budget - width_em(ELLIPSIS)
    kept, used = [], 0.0
    for char in text:
        extra = width_em(char)
        if used + extra > room:
            break
        kept.append(char)
        used += extra
    cut = "".join(kept).rstrip(" ,;:·-–—\u00a0")
    depth = 0
    for char in cut:
        if char in _ISOLATES:
            depth += 1
        elif char == _PDI and depth:
            depth -= 1
    return cut + ELLIPSIS + _PDI * depth
