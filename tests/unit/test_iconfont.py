"""A layout's SVG icons as the glyphs of one font (render/iconfont.py): what each SVG
paints becomes its glyph's outline, the same icons make the same bytes, and a file that
is not a drawable SVG is a blank glyph that is reported, never a crash."""

from __future__ import annotations

import io

from fontTools.pens.boundsPen import BoundsPen
from fontTools.ttLib import TTFont

from snapshotpdf.render import iconfont
from snapshotpdf.render.layout import load_layout

SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" {attrs}>{body}</svg>'


def svg(body: str, attrs: str = 'fill="none" stroke="currentColor" stroke-width="2"') -> bytes:
    return SVG.format(attrs=attrs, body=body).encode()


def glyph_bounds(font: iconfont.IconFont, name: str) -> tuple[float, float, float, float] | None:
    """The outline's bounds of an icon's glyph, in font units (None: an empty glyph)."""
    parsed = TTFont(io.BytesIO(font.data))
    glyph = parsed.getBestCmap()[ord(font.characters[name])]
    pen = BoundsPen(parsed.getGlyphSet())
    parsed.getGlyphSet()[glyph].draw(pen)
    return pen.bounds


def test_a_stroke_becomes_an_outline_as_wide_as_the_stroke() -> None:
    font = iconfont.build({"rule": svg('<path d="M2 12h20" />')})
    x0, y0, x1, y1 = glyph_bounds(font, "rule") or (0, 0, 0, 0)
    unit = iconfont.UNITS / 24
    # Butt caps (the SVG default): from x=2 to 22; 2 wide around y=12 (y up from the bottom).
    assert (round(x0), round(x1)) == (round(2 * unit), round(22 * unit))
    assert (round(y0), round(y1)) == (round(11 * unit), round(13 * unit))


def test_round_caps_fills_and_group_transforms_are_drawn() -> None:
    font = iconfont.build(
        {
            "dot": svg('<path d="M12 12h0" stroke-linecap="round" />'),
            "half": svg(
                '<g transform="translate(12 0)"><rect width="12" height="24" fill="black" /></g>',
                attrs='stroke="none"',
            ),
            "nothing": svg('<path d="M2 2h20" stroke="none" />'),
        }
    )
    unit = iconfont.UNITS / 24
    dot = glyph_bounds(font, "dot")
    assert dot is not None and abs((dot[2] - dot[0]) - 2 * unit) <= 2  # a round dot
    half = glyph_bounds(font, "half")
    assert half is not None and (round(half[0]), round(half[2])) == (500, 1000)
    assert glyph_bounds(font, "nothing") is None


def test_what_cannot_be_drawn_is_reported_and_never_crashes() -> None:
    bomb = b'<!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]><svg>&b;</svg>'
    font = iconfont.build(
        {
            "words": svg('<text x="2" y="20">Hi</text><path d="M2 2h20" />'),
            "broken": b"<svg><path d=",
            "bomb": bomb,
            "bad-path": svg('<path d="M2 2 L x y z" />'),
        }
    )
    assert font.unsupported["words"] == ("text",)
    assert font.unsupported["broken"] == ("not a readable SVG file",)
    assert font.unsupported["bomb"] == ("not a readable SVG file",)
    assert glyph_bounds(font, "words") is not None  # the path is kept
    assert glyph_bounds(font, "broken") is None


def test_an_icon_no_glyph_can_hold_is_blank_and_said_and_the_others_are_drawn() -> None:
    """Coordinates of 1e308 made pathops fail, and 20,000 nested groups Python's recursion:
    each ended the renderer (a worker's traceback, blamed on the survey's first city)."""
    deep = "<g>" * 20_000 + '<path d="M2 2h20" />' + "</g>" * 20_000
    font = iconfont.build(
        {
            "huge": svg(
                '<path d="M0 0L1e308 1e308L-1e308 5 z" stroke="currentColor"'
                ' stroke-width="1e308"/>',
                attrs="",
            ),
            "far": svg('<path d="M0 0h2400000" />'),
            "deep": svg(deep),
            "fine": svg('<path d="M2 12h20" />'),
        }
    )
    for name in ("huge", "far", "deep"):
        [said] = font.unsupported[name]
        assert said.startswith("its shapes cannot be made into a glyph"), said
        assert glyph_bounds(font, name) is None
    assert "nest too deep" in font.unsupported["deep"][0]
    assert glyph_bounds(font, "fine") is not None and "fine" not in font.unsupported


def test_the_same_icons_make_the_same_bytes() -> None:
    icons = {p.stem: p.read_bytes() for p in load_layout().icon_files.values()}
    first = iconfont._build.__wrapped__("a", tuple(sorted(icons.items())))  # no cache
    second = iconfont._build.__wrapped__("a", tuple(sorted(icons.items())))
    assert first.data == second.data


def test_every_bundled_icon_is_a_glyph_at_the_character_the_html_uses() -> None:
    layout = load_layout()
    font = layout.icon_font()
    cmap = TTFont(io.BytesIO(font.data)).getBestCmap()
    assert set(layout.icon_characters) == set(layout.icon_files) and font.unsupported == {}
    for name, character in layout.icon_characters.items():
        assert ord(character) in cmap, name
        assert glyph_bounds(font, name) is not None, name
    parsed = TTFont(io.BytesIO(font.data))
    assert parsed["OS/2"].fsType == 0  # embedding allowed
    assert parsed["hhea"].ascent == iconfont.UNITS and parsed["hhea"].descent == 0


def test_alt_text_is_escaped_and_an_icon_without_it_is_decorative() -> None:
    said = iconfont.glyph_markup("\ue000", 'Parks: "<b>"')
    assert said == (
        '<span class="icon" role="img" aria-label="Parks: &#34;&lt;b&gt;&#34;">\ue000</span>'
    )
    assert iconfont.ICON_SPAN.match(said)
    plain = iconfont.glyph_markup("\ue001")
    assert plain == '<span class="icon" aria-hidden="true">\ue001</span>'


def test_a_dashed_stroke_is_drawn_dash_by_dash() -> None:
    """stroke-dasharray: a 24-unit line in dashes of 4 with gaps of 4 is three dashes; an
    odd list is repeated, as SVG says."""
    from fontTools.pens.recordingPen import RecordingPen

    font = iconfont.build(
        {
            "even": svg('<path d="M0 12h24" stroke-dasharray="4 4" />'),
            "odd": svg('<path d="M0 12h24" stroke-dasharray="4" />'),
        }
    )
    parsed = TTFont(io.BytesIO(font.data))
    for name in ("even", "odd"):
        pen = RecordingPen()
        parsed.getGlyphSet()[parsed.getBestCmap()[ord(font.characters[name])]].draw(pen)
        assert [op for op, _ in pen.value].count("closePath") == 3, name


def test_a_shapes_own_transform_is_drawn_once_whatever_its_kind() -> None:
    """Drawing programs put rotate(...) on the path itself: fontTools knew only matrix()
    (every city failed, the booklet showed a traceback), and applied a matrix a second
    time on top of ours."""
    cross = '<path d="M4 12h16M12 4v16" transform="rotate(45 12 12)" />'
    grouped = '<g transform="rotate(45 12 12)"><path d="M4 12h16M12 4v16" /></g>'
    moved = '<path d="M4 12h16" transform="matrix(1 0 0 1 0 5)" />'
    moved_group = '<g transform="matrix(1 0 0 1 0 5)"><path d="M4 12h16" /></g>'
    font = iconfont.build(
        {"a": svg(cross), "b": svg(grouped), "c": svg(moved), "d": svg(moved_group)}
    )
    assert not font.unsupported
    assert glyph_bounds(font, "a") == glyph_bounds(font, "b")
    assert glyph_bounds(font, "c") == glyph_bounds(font, "d")


def test_an_icon_of_too_many_curves_is_blank_and_said_not_minutes_of_work() -> None:
    curves = " ".join(
        f"C{i % 24} {i % 23} {i * 7 % 24} {i * 3 % 24} {i * 5 % 24} {i * 11 % 24}"
        for i in range(1200)
    )
    font = iconfont.build({"knot": svg(f'<path d="M0 0 {curves}" />')})
    (said,) = font.unsupported["knot"]
    assert "limits.MAX_ICON_SEGMENTS" in said
    assert glyph_bounds(font, "knot") is None
