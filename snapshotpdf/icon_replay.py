"""SVG icons drawn once, then replayed: an image cache that records how WeasyPrint draws
an SVG image and replays the recording the next time the same image is drawn at the same
size.

Why: WeasyPrint parses an image once per image cache, but draws an SVG by walking its whole
tree again (CSS cascade, path parsing, graphical state) at every use. A snapshot draws the
same few Tabler icons about 38 times (46 in print, with the crop marks): 40-70 ms of a
~450-650 ms document, the same work every time.

How: PdfMaker's image cache is a DrawReplayCache. Each weasyprint.images.SVGImage that
WeasyPrint stores in it is wrapped (ReplayingSVGImage). A draw goes to the real stream
through a recording proxy, which forwards every call and notes (method, args, kwargs). A
draw at a size already recorded calls the same stream methods with the same arguments on
the new stream instead of walking the tree: the stream's own methods still run (transform,
set_color, push_state... keep the stream's state and resources as a real draw would), so
the output is byte for byte the same. A replayed draw costs about a third of a real one.

A recording is kept only when it is certain to replay exactly (else that size is drawn by
WeasyPrint every time, as without this cache):
- every call returned None (add_group, add_pattern, set_alpha_state... return objects the
  SVG code goes on using: their later use would not be recorded);
- the SVG code read nothing but methods from the stream (stream.ctm, stream.id, .extra
  ...), set no attribute on it and asked nothing of it (len, iteration, truth);
- every argument was an immutable value (None, bool, int, float, str, bytes, tuples of
  these) or a colour (copied when recorded and again at every replay; anything else, e.g.
  a Matrix, a list, a pydyf object, refuses the recording);
- nothing raised and WeasyPrint logged nothing while drawing (a replay would not log it
  again: renderer warnings must not go missing);
- a second real draw at the same size made exactly the same calls (values compared with
  their types, floats bit for bit): the SVG object keeps state between draws, and this
  checks that it does not change what a draw does.

What a draw depends on, in WeasyPrint 70: SVGImage.draw(stream, width, height, style)
ignores style (its parameter is `_style`; image-rendering inside the SVG comes from the
SVG's own attributes) and draws with the SVG tree, base URL and layout context fixed when
the image was parsed. So the key is the concrete (width, height), compared by type and
bits. tests/test_icon_replay.py fails if SVGImage.draw starts to use its style.
"""

from __future__ import annotations

import copy
import inspect
import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from tinycss2.color4 import Color

if TYPE_CHECKING:
    from weasyprint.images import SVGImage

# WeasyPrint itself is imported only once it uses this cache: snapshotpdf.pdf must set up
# fontconfig before WeasyPrint loads, and importing this module must not load it first.
_WEASYPRINT_LOGGER: Final = "weasyprint"
LOGGER: Final = logging.getLogger(_WEASYPRINT_LOGGER)  # weasyprint.logger.LOGGER
_IMMUTABLE: Final = frozenset({type(None), bool, int, float, str, bytes})


class _Unreplayable(Exception):
    """An argument that a recording could not safely hand to a later draw."""


@dataclass
class ReplayStats:
    """What the wrapped images did, summed over the cache (for measuring)."""

    drawn: int = 0  # draws that walked the SVG tree (recording or not)
    replayed: int = 0  # draws that replayed a recording
    refused: int = 0  # (image, size) pairs found not replayable: always drawn


@dataclass(frozen=True)
class _Call:
    name: str
    args: tuple[Any, ...]
    kwargs: tuple[tuple[str, Any], ...]
    has_colour: bool  # colours are copied again at every replay


_Recording = tuple[_Call, ...]
_REFUSED: Final = "refused"


class DrawReplayCache(dict[str, object]):
    """WeasyPrint's image cache (HTML.render(cache=...)) that wraps every SVG image stored
    in it in a ReplayingSVGImage. Everything else (raster images, their data, None for an
    image that failed) is stored as is."""

    def __init__(self) -> None:
        super().__init__()
        self.stats = ReplayStats()

    def _wrap(self, value: object) -> object:
        from weasyprint.images import SVGImage

        if isinstance(value, SVGImage):
            return ReplayingSVGImage(value, self.stats)
        return value

    def __setitem__(self, key: str, value: object) -> None:
        super().__setitem__(key, self._wrap(value))

    def setdefault(self, key: str, default: object = None) -> object:
        if key not in self:
            self[key] = default
        return self[key]

    def update(self, *args: Any, **kwargs: object) -> None:
        for key, value in dict(*args, **kwargs).items():
            self[key] = value


class ReplayingSVGImage:
    """An SVGImage whose draws at a size already recorded are replayed. Everything but
    draw() is the SVGImage's own."""

    def __init__(self, image: SVGImage, stats: ReplayStats | None = None) -> None:
        self._image = image
        self._stats = stats if stats is not None else ReplayStats()
        # By size: a recording not yet confirmed (list), a confirmed one (tuple), refused.
        self._recordings: dict[tuple[Any, ...], list[_Call] | _Recording | str] = {}

    def __getattr__(self, name: str) -> Any:
        image = self.__dict__.get("_image")  # absent in a copy being made
        if image is None:
            raise AttributeError(name)
        return getattr(image, name)

    def draw(self, stream: Any, concrete_width: Any, concrete_height: Any, style: Any) -> None:
        try:
            key = (_fingerprint(concrete_width), _fingerprint(concrete_height))
        except _Unreplayable:
            self._stats.drawn += 1
            self._image.draw(stream, concrete_width, concrete_height, style)
            return
        state = self._recordings.get(key)
        if isinstance(state, tuple):
            self._replay(key, state, stream)
            return
        self._stats.drawn += 1
        if state == _REFUSED:
            self._image.draw(stream, concrete_width, concrete_height, style)
            return
        recorder = _RecordingStream(stream)
        with _logged() as records:
            try:
                self._image.draw(recorder, concrete_width, concrete_height, style)
            except BaseException:
                self._refuse(key)
                raise
        calls = recorder.replay_calls()
        if calls is None or records:
            self._refuse(key)
        elif state is None:
            self._recordings[key] = calls  # confirmed (or not) by the next draw
        elif isinstance(state, list) and _same_calls(state, calls):
            self._recordings[key] = tuple(calls)
        else:
            self._refuse(key)

    def _refuse(self, key: tuple[Any, ...]) -> None:
        if self._recordings.get(key) != _REFUSED:
            self._recordings[key] = _REFUSED
            self._stats.refused += 1

    def _replay(self, key: tuple[Any, ...], calls: _Recording, stream: Any) -> None:
        self._stats.replayed += 1
        try:
            for call in calls:
                args, kwargs = call.args, dict(call.kwargs)
                if call.has_colour:
                    args, kwargs = _fresh(args), {k: _fresh(v) for k, v in kwargs.items()}
                getattr(stream, call.name)(*args, **kwargs)
        except BaseException as exception:
            # A stream method raised (it did not when recorded): handled as SVGImage.draw
            # handles whatever its drawing raises. This size is drawn for real from now on.
            self._refuse(key)
            LOGGER.error("Failed to render SVG image %s", self._image._base_url)
            LOGGER.debug("Error while rendering SVG image:", exc_info=exception)


class _RecordingStream:
    """Stands for a stream while an SVG draws itself: forwards everything to the stream
    and records the method calls, or notes why they cannot be replayed."""

    __slots__ = ("_replay_stream", "_replay_calls", "_replay_refusal")

    def __init__(self, stream: Any) -> None:
        object.__setattr__(self, "_replay_stream", stream)
        object.__setattr__(self, "_replay_calls", [])
        object.__setattr__(self, "_replay_refusal", None)

    def replay_calls(self) -> list[_Call] | None:
        """The recorded calls, or None when they cannot be replayed."""
        if self._replay_refusal is not None:
            return None
        calls: list[_Call] = self._replay_calls
        return calls

    def _refuse(self, reason: str) -> None:
        if self._replay_refusal is None:
            object.__setattr__(self, "_replay_refusal", reason)
            self._replay_calls.clear()

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._replay_stream, name)
        if inspect.ismethod(value) and value.__self__ is self._replay_stream:
            return self._recording(name, value)
        self._refuse(f"read stream.{name}")
        return value

    def _recording(self, name: str, method: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            recorded = None
            if self._replay_refusal is None:
                try:  # taken before the call: what the stream got, even if it changes it
                    snapshot = tuple(_snapshot(arg) for arg in args)
                    named = tuple((key, _snapshot(value)) for key, value in kwargs.items())
                    recorded = _Call(
                        name,
                        snapshot,
                        named,
                        _has_colour(args) or _has_colour(kwargs.values()),
                    )
                except _Unreplayable as exc:
                    self._refuse(f"stream.{name}() got {exc}")
            try:
                result = method(*args, **kwargs)
            except BaseException:
                self._refuse(f"stream.{name}() raised")
                raise
            if result is not None:
                self._refuse(f"stream.{name}() returned {type(result).__name__}")
            elif recorded is not None and self._replay_refusal is None:
                self._replay_calls.append(recorded)
            return result

        return call

    def __setattr__(self, name: str, value: Any) -> None:
        self._refuse(f"set stream.{name}")
        setattr(self._replay_stream, name, value)

    def __delattr__(self, name: str) -> None:
        self._refuse(f"deleted stream.{name}")
        delattr(self._replay_stream, name)

    def __bool__(self) -> bool:
        self._refuse("asked the stream's truth")
        return bool(self._replay_stream)

    def __len__(self) -> int:
        self._refuse("asked the stream's length")
        return len(self._replay_stream)

    def __iter__(self) -> Iterator[Any]:
        self._refuse("iterated the stream")
        return iter(self._replay_stream)

    def __getitem__(self, key: Any) -> Any:
        self._refuse("indexed the stream")
        return self._replay_stream[key]

    def __contains__(self, item: Any) -> bool:
        self._refuse("searched the stream")
        return item in self._replay_stream


def _snapshot(value: Any) -> Any:
    """The value as a recording keeps it: immutable values as they are, tuples of them
    rebuilt, colours copied; anything else raises _Unreplayable."""
    kind = type(value)
    if kind in _IMMUTABLE:
        return value
    if kind is tuple:
        return tuple(_snapshot(item) for item in value)
    if isinstance(value, Color):
        _colour_fingerprint(value)  # its parts are plain values
        return copy.copy(value)
    raise _Unreplayable(kind.__name__)


def _has_colour(values: Iterable[Any]) -> bool:
    return any(
        isinstance(value, Color) or (type(value) is tuple and _has_colour(value))
        for value in values
    )


def _fresh(value: Any) -> Any:
    """A colour copied again for one replay (a stream method may keep or change it)."""
    if isinstance(value, Color):
        return copy.copy(value)
    if type(value) is tuple:
        return tuple(_fresh(item) for item in value)
    return value


def _fingerprint(value: Any) -> Any:
    """The value, hashable and compared strictly: 1 != 1.0 != True, 0.0 != -0.0."""
    kind = type(value)
    if kind is float:
        return ("float", value.hex())
    if kind in _IMMUTABLE:
        return (kind.__name__, value)
    if kind is tuple:
        return ("tuple", tuple(_fingerprint(item) for item in value))
    if isinstance(value, Color):
        return _colour_fingerprint(value)
    raise _Unreplayable(kind.__name__)


def _colour_fingerprint(colour: Color) -> tuple[Any, ...]:
    if set(vars(colour)) != {"space", "coordinates", "alpha"}:
        raise _Unreplayable(f"{type(colour).__name__} with {sorted(vars(colour))}")
    return (
        type(colour).__qualname__,
        _fingerprint(colour.space),
        _fingerprint(colour.coordinates),
        _fingerprint(colour.alpha),
    )


def _call_fingerprint(call: _Call) -> tuple[Any, ...]:
    return (call.name, _fingerprint(call.args), _fingerprint(tuple(call.kwargs)))


def _same_calls(first: list[_Call], second: list[_Call]) -> bool:
    return len(first) == len(second) and all(
        _call_fingerprint(a) == _call_fingerprint(b) for a, b in zip(first, second, strict=True)
    )


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.NOTSET)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def _logged() -> Iterator[list[logging.LogRecord]]:
    """Whatever WeasyPrint logs (any level that gets through) while the block runs."""
    handler = _Records()
    logger = logging.getLogger(_WEASYPRINT_LOGGER)
    logger.addHandler(handler)
    try:
        yield handler.records
    finally:
        logger.removeHandler(handler)
