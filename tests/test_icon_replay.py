"""snapshotpdf/icon_replay.py: SVG draws replayed from a recording give exactly the bytes
that drawing them again would give, and a draw that could not be replayed exactly is
never replayed.

WeasyPrint is imported inside the tests, never at the top: snapshotpdf.pdf must set up
fontconfig before WeasyPrint loads."""

from __future__ import annotations

import ast
import inspect
import logging
import textwrap
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from xml.etree import ElementTree

import pydyf
import pytest
from tinycss2.color4 import Color

from snapshotpdf.aggregate import survey_figures
from snapshotpdf.icon_replay import (
    DrawReplayCache,
    ReplayingSVGImage,
    ReplayStats,
)
from snapshotpdf.layout import load_layout
from snapshotpdf.models import CityRecord
from snapshotpdf.pdf import PdfMaker
from snapshotpdf.pipeline import BuildResult, Settings, read_and_normalise
from snapshotpdf.render import Renderer

CREATED = datetime(2024, 5, 1, 9, 30, tzinfo=UTC)  # the print variant dates its XMP with it
CITIES = (0, 4)  # Lima and a city with other icons (and Greek text)


# ----------------------------------------------------------------------------------------
# Whole documents: with the replay cache, exactly the bytes of a plain image cache
# ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def documents() -> list[tuple[CityRecord, str]]:
    records = read_and_normalise(Settings(), BuildResult())
    figures = survey_figures(records)
    renderer = Renderer(load_layout())
    chosen = [records[i] for i in CITIES]
    return [(record, renderer.html(record, figures, created=CREATED)) for record in chosen]


@pytest.mark.parametrize("variant", ["screen", "print", "archive"])
def test_replayed_documents_are_byte_identical(
    variant: str, documents: list[tuple[CityRecord, str]]
) -> None:
    layout = load_layout()
    maker = PdfMaker.for_layout(layout.folder, layout.config, variant)
    cache = maker.image_cache
    assert isinstance(cache, DrawReplayCache)  # PdfMaker's default
    # The reference: a plain dict, WeasyPrint's own behaviour (each icon parsed once, drawn
    # at every use). The same maker otherwise: its fonts and stylesheets are loaded once.
    maker.image_cache = {}
    expected = {record.city: maker.render(html, record) for record, html in documents}
    assert not any(isinstance(image, ReplayingSVGImage) for image in maker.image_cache.values())

    maker.image_cache = cache
    replayed = []
    for record, html in documents * 2:  # each city twice: the second time all replayed
        before = cache.stats.replayed
        assert maker.render(html, record) == expected[record.city], record.city
        replayed.append(cache.stats.replayed - before)
    assert all(replayed) and cache.stats.refused == 0, replayed
    # Each (icon, size) drawn for real twice at most: once recorded, once confirmed.
    images = [image for image in cache.values() if isinstance(image, ReplayingSVGImage)]
    assert images and cache.stats.drawn <= 2 * sum(len(i._recordings) for i in images)


# ----------------------------------------------------------------------------------------
# Real SVG images on real WeasyPrint streams
# ----------------------------------------------------------------------------------------

SVG_HEAD = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24" viewBox="0 0 24 24"'
    ' fill="none" stroke="#0f3b57" stroke-width="2" stroke-linecap="round"'
    ' stroke-linejoin="round">'
)
ICON = SVG_HEAD + '<path d="M5 12l5 5l10 -10" /><circle cx="12" cy="12" r="9" /></svg>'
# An opacity below 1 draws into a group: add_group returns a stream the SVG code goes on
# using. A clip path reads stream.ctm. Neither can be replayed.
TRANSLUCENT = SVG_HEAD + '<path opacity="0.5" d="M5 12l5 5l10 -10" /></svg>'
CLIPPED = (
    SVG_HEAD + '<clipPath id="c"><rect width="10" height="10" /></clipPath>'
    '<path clip-path="url(#c)" d="M5 12l5 5l10 -10" /></svg>'
)


def svg_image(source: str) -> Any:
    from weasyprint.images import SVGImage

    return SVGImage(ElementTree.fromstring(source), "file:///icons/test.svg", None, None)


def real_stream(stream_class: Any = None) -> Any:
    from weasyprint.pdf.stream import Stream

    resources = {
        kind: pydyf.Dictionary() for kind in ("ExtGState", "XObject", "Pattern", "Shading")
    }
    resources["ColorSpace"] = pydyf.Dictionary()
    return (stream_class or Stream)(
        fonts={},
        page_rectangle=(0, 0, 100, 100),
        resources=resources,
        images={},
        tags=None,
        color_profiles={},
        output_intent=None,
    )


def dump(stream: Any) -> tuple[Any, ...]:
    """Everything a draw leaves on a stream: operators, resources, state."""
    resources = [
        (kind, key, None if value is None else value.data)
        for kind in ("ExtGState", "XObject", "Pattern", "Shading")
        for key, value in stream._resources[kind].items()
    ]
    state = (
        stream.ctm,
        stream._ctm_stack,
        stream._current_color,
        stream._current_color_stroke,
        stream._current_alpha,
        stream._current_alpha_stroke,
    )
    return (list(stream.stream), stream.data, resources, state)


def draw_four_times(image: Any, stream_class: Any = None) -> list[tuple[Any, ...]]:
    dumps = []
    for size in (18.0, 18.0, 18.0, 18.0):
        stream = real_stream(stream_class)
        stream.push_state()  # something already on the stream, as on a page
        image.draw(stream, size, size, {"image_rendering": "auto"})
        dumps.append(dump(stream))
    return dumps


@pytest.mark.parametrize(
    ("source", "replays"), [(ICON, 2), (TRANSLUCENT, 0), (CLIPPED, 0)], ids=str
)
def test_real_svg_draws_replay_exactly_or_not_at_all(source: str, replays: int) -> None:
    stats = ReplayStats()
    replayed = draw_four_times(ReplayingSVGImage(svg_image(source), stats))
    assert replayed == draw_four_times(svg_image(source))
    assert (stats.replayed, stats.refused) == (replays, 0 if replays else 1)


def broken_stream_class() -> Any:
    from weasyprint.pdf.stream import Stream

    class BrokenStroke(Stream):  # type: ignore[misc]
        def stroke(self) -> None:
            raise RuntimeError("no ink")

    return BrokenStroke


def test_a_stream_that_raises_while_recording_is_handled_as_weasyprint_does(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="weasyprint")
    stats = ReplayStats()
    wrapped = draw_four_times(ReplayingSVGImage(svg_image(ICON), stats), broken_stream_class())
    wrapped_log = [(r.levelname, r.getMessage()) for r in caplog.records]
    caplog.clear()
    plain = draw_four_times(svg_image(ICON), broken_stream_class())
    assert wrapped == plain
    assert wrapped_log == [(r.levelname, r.getMessage()) for r in caplog.records]
    assert ("ERROR", "Failed to render SVG image file:///icons/test.svg") in wrapped_log
    assert (stats.drawn, stats.replayed, stats.refused) == (4, 0, 1)


def test_a_stream_that_raises_while_replaying_is_handled_as_weasyprint_does(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="weasyprint")
    stats = ReplayStats()
    image = ReplayingSVGImage(svg_image(ICON), stats)
    draw_four_times(image)  # recorded, confirmed, replayed twice
    caplog.clear()
    wrapped = draw_four_times(image, broken_stream_class())
    wrapped_log = [(r.levelname, r.getMessage()) for r in caplog.records]
    caplog.clear()
    plain = draw_four_times(svg_image(ICON), broken_stream_class())
    assert wrapped == plain
    assert wrapped_log == [(r.levelname, r.getMessage()) for r in caplog.records]
    assert len(wrapped_log) == 8  # an error and its traceback (debug) per draw
    # the first broken draw was a replay; the size is drawn for real from then on
    assert (stats.replayed, stats.refused) == (3, 1)


def test_the_draw_of_an_svg_image_does_not_depend_on_its_style() -> None:
    """The replay key is the size alone because WeasyPrint 70's SVGImage.draw ignores its
    style argument. Fails if a WeasyPrint update starts using it: then add what it reads
    (e.g. image_rendering) to the key in ReplayingSVGImage.draw."""
    from weasyprint.images import SVGImage

    tree = ast.parse(textwrap.dedent(inspect.getsource(SVGImage.draw)))
    definition = tree.body[0]
    assert isinstance(definition, ast.FunctionDef)
    style = definition.args.args[4].arg
    assert [arg.arg for arg in definition.args.args][:4] == [
        "self",
        "stream",
        "concrete_width",
        "concrete_height",
    ]
    used = {node.id for node in ast.walk(definition) if isinstance(node, ast.Name)}
    assert style not in used


def test_the_pdf_maker_cache_wraps_svg_images_only() -> None:
    cache = DrawReplayCache()
    cache["a.svg"] = svg_image(ICON)
    cache.setdefault("b.svg", svg_image(ICON))
    cache.update({"c.svg": svg_image(ICON)})
    cache["photo-source"] = b"\x89PNG"
    cache["missing.png"] = None
    assert all(isinstance(cache[key], ReplayingSVGImage) for key in ("a.svg", "b.svg", "c.svg"))
    assert cache["photo-source"] == b"\x89PNG" and cache["missing.png"] is None
    icon = cache["a.svg"]
    assert icon.get_intrinsic_size(1, 12) == (24, 24, 1)  # the SVGImage's own
    assert icon._base_url == "file:///icons/test.svg"


# ----------------------------------------------------------------------------------------
# The safety rules, with a fake image drawing on a fake stream
# ----------------------------------------------------------------------------------------


class FakeStream:
    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []
        self.ctm = (1, 0, 0, 1, 0, 0)

    def move_to(self, x: float, y: float) -> None:
        self.calls.append(("move_to", x, y))

    def take(self, value: Any) -> None:
        self.calls.append(("take", value))

    def add_group(self) -> object:
        self.calls.append(("add_group",))
        return object()

    def explode(self) -> None:
        raise ValueError("boom")


class FakeImage:
    """Draws with body(stream, draw number), like an SVG walking its tree."""

    _base_url = "file:///fake.svg"

    def __init__(self, body: Callable[[Any, int], None]) -> None:
        self.body = body
        self.draws = 0

    def draw(self, stream: Any, width: float, height: float, style: Any) -> None:
        self.draws += 1
        self.body(stream, self.draws)


def draw_n(
    body: Callable[[Any, int], None], n: int = 4, sizes: tuple[Any, ...] = (16.0,)
) -> tuple[FakeImage, ReplayStats, list[FakeStream]]:
    image, stats = FakeImage(body), ReplayStats()
    wrapped = ReplayingSVGImage(image, stats)
    streams = []
    for i in range(n):
        stream = FakeStream()
        size = sizes[i % len(sizes)]
        wrapped.draw(stream, size, size, None)
        streams.append(stream)
    return image, stats, streams


def test_a_clean_draw_is_recorded_confirmed_then_replayed() -> None:
    def body(stream: Any, n: int) -> None:
        stream.move_to(1, 2.5)
        stream.move_to(x=-0.0, y=3)

    image, stats, streams = draw_n(body)
    assert image.draws == 2  # recorded, then confirmed by a second real draw
    assert (stats.drawn, stats.replayed, stats.refused) == (2, 2, 0)
    assert all(s.calls == [("move_to", 1, 2.5), ("move_to", -0.0, 3)] for s in streams)


def test_each_size_has_its_own_recording_and_1_is_not_1_0() -> None:
    image, stats, _ = draw_n(lambda s, n: s.move_to(0, 0), n=9, sizes=(16.0, 12.0, 16))
    assert image.draws == 6 and stats.replayed == 3


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(lambda s, n: s.add_group(), id="a call returns a value"),
        pytest.param(lambda s, n: s.take(s.ctm), id="reads an attribute"),
        pytest.param(lambda s, n: setattr(s, "flag", n), id="sets an attribute"),
        pytest.param(lambda s, n: s.take(bool(s)), id="asks its truth"),
        pytest.param(lambda s, n: s.take([1, 2]), id="a list argument"),
        pytest.param(lambda s, n: s.take({"a": 1}), id="a dict argument"),
        pytest.param(lambda s, n: s.take(pydyf.Array([1])), id="a pydyf argument"),
        pytest.param(lambda s, n: s.move_to(n, 0), id="the second draw differs"),
        pytest.param(lambda s, n: s.move_to(1 if n == 1 else 1.0, 0), id="1 then 1.0"),
        pytest.param(lambda s, n: logging.getLogger("weasyprint").warning("odd SVG"), id="logs"),
    ],
)
def test_a_draw_that_cannot_be_replayed_exactly_is_always_drawn(body: Any) -> None:
    image, stats, streams = draw_n(body)
    assert image.draws == 4
    assert (stats.replayed, stats.refused) == (0, 1)
    unwrapped = FakeImage(body)
    for stream in streams:
        expected = FakeStream()
        unwrapped.draw(expected, 16.0, 16.0, None)
        assert stream.calls == expected.calls and vars(stream).keys() == vars(expected).keys()


def test_a_matrix_argument_is_refused() -> None:
    from weasyprint.matrix import Matrix

    image, stats, _ = draw_n(lambda s, n: s.take(Matrix(e=n)))
    assert image.draws == 4 and stats.refused == 1


def test_a_caught_stream_error_is_refused() -> None:
    """The SVG code went on after the stream raised: what it did depended on the stream."""

    def body(stream: Any, n: int) -> None:
        try:
            stream.explode()
        except ValueError:
            stream.move_to(0, 0)

    image, stats, streams = draw_n(body)
    assert image.draws == 4 and stats.refused == 1
    assert all(s.calls == [("move_to", 0, 0)] for s in streams)


def test_an_error_escaping_the_draw_is_raised_every_time() -> None:
    def body(stream: Any, n: int) -> None:
        stream.move_to(n, 0)
        raise KeyError(n)

    image, stats = FakeImage(body), ReplayStats()
    wrapped = ReplayingSVGImage(image, stats)
    for n in (1, 2, 3):
        stream = FakeStream()
        with pytest.raises(KeyError, match=str(n)):
            wrapped.draw(stream, 16.0, 16.0, None)
        assert stream.calls == [("move_to", n, 0)]
    assert image.draws == 3 and (stats.replayed, stats.refused) == (0, 1)


def test_a_colour_argument_is_copied_when_recorded_and_at_each_replay() -> None:
    colour = Color("srgb", (0.1, 0.2, 0.3), 1)
    image, stats, streams = draw_n(lambda s, n: s.take(colour))
    colour.alpha = 0.5  # the SVG code changes its colour after the draw: not the replay
    assert image.draws == 2 and stats.replayed == 2
    replayed = [s.calls[0][1] for s in streams[2:]]
    assert replayed[0] is not replayed[1] and replayed[0] is not colour
    assert all((c.space, c.coordinates, c.alpha) == ("srgb", (0.1, 0.2, 0.3), 1) for c in replayed)
