"""HTML -> PDF bytes. With fonts.py, the only WeasyPrint user (an import-linter contract
says so).

Two guarantees live here:
- nothing is fetched but the layout's and fonts' own files (RestrictedFetcher);
- no system font is ever used (fonts.isolate_fontconfig, before WeasyPrint loads).

Two reach-ins past WeasyPrint's public API remain, each in one documented function, each
kept because a test (tests/integration/test_reproducible.py) shows the output is not
byte-reproducible without it: _stable_uuid and _StableProfile.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import os
import re
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit
from xml.sax.saxutils import escape as xml_escape

from snapshotpdf.assets import fonts_dir
from snapshotpdf.models import CityRecord
from snapshotpdf.render import colour, fitting, tagging
from snapshotpdf.render.fonts import isolate_fontconfig
from snapshotpdf.render.variants import (
    DEFAULT,
    Variant,
    attachment_name,
    get_variant,
    layout_options,
    record_json,
)

isolate_fontconfig()  # before WeasyPrint loads

import pydyf  # noqa: E402
import weasyprint  # noqa: E402  (fontconfig must be configured first)
import weasyprint.pdf.metadata  # noqa: E402
from weasyprint.css import ColorProfile  # noqa: E402
from weasyprint.text.fonts import FontConfiguration  # noqa: E402
from weasyprint.urls import URLFetcher, URLFetcherResponse  # noqa: E402

_HEX_COLOUR = re.compile(r"[0-9a-fA-F]{6}")
_INVISIBLE_BOX = b'<path stroke="none" d="M0 0h24v24H0z" fill="none" />'


class RestrictedFetcher(URLFetcher):  # type: ignore[misc]
    """Serves file: URLs inside the allowed folders; refuses everything else (http, data,
    other files). WeasyPrint logs a refused URL as a warning and renders without it."""

    def __init__(self, roots: list[Path], colours: Mapping[str, str] | None = None) -> None:
        super().__init__(allowed_protocols={"file"}, allow_redirects=False)
        self.roots = [root.resolve() for root in roots]
        # An icon's stroke by its hex colour, in another colour space (CMYK for print).
        self.colours = {hex_.lower(): paint for hex_, paint in (colours or {}).items()}

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
        parts = urlsplit(url)
        if parts.scheme != "file":
            raise ValueError(f"snapshotpdf fetches no {parts.scheme or 'relative'} URLs: {url}")
        path = Path(unquote(parts.path)).resolve()
        if not any(path.is_relative_to(root) for root in self.roots) or not path.is_file():
            raise ValueError(f"snapshotpdf fetches only layout and font files, not {url}")
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if path.suffix == ".css":
            mime = "text/css"
        body = path.read_bytes()
        stroke = parse_qs(parts.query).get("stroke", [""])[0]
        if path.suffix == ".svg" and _HEX_COLOUR.fullmatch(stroke):
            paint = self.colours.get(stroke.lower(), f"#{stroke}")
            body = body.replace(b'stroke="currentColor"', f'stroke="{paint}"'.encode())
            body = body.replace(_INVISIBLE_BOX, b"")  # Tabler's empty bounding path
        return URLFetcherResponse(url, body, {"Content-Type": mime})


@dataclass(frozen=True)
class RenderedPdf:
    data: bytes
    pages: int
    anchors_by_page: tuple[frozenset[str], ...]  # element ids found on each page
    renderer_warnings: tuple[str, ...] = field(default=())


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


class PdfMaker:
    """One per process and variant: the font configuration, stylesheets and colour
    profiles are loaded once. The variant (snapshotpdf/variants.py) says which standard
    the PDF follows and what it carries; stylesheets are the layout's plus the variant's."""

    def __init__(
        self,
        base_dir: Path,
        stylesheets: Sequence[Path | str],
        variant: str = DEFAULT,
        colours: Mapping[str, str] | None = None,
    ) -> None:
        """stylesheets: files, or CSS text (a str: made by colour.py), in cascade order."""
        self.base_dir = base_dir
        self.variant: Variant = get_variant(variant)
        self.fetcher = RestrictedFetcher([base_dir, fonts_dir()], colours)
        self.font_config = FontConfiguration()
        # Each icon is fetched and parsed once per process (WeasyPrint's own image cache).
        self.image_cache: dict[str, object] = {}
        # Filled by @color-profile rules (print.css). The same dict must reach the
        # stylesheets and render(): given to one only, the output intent is silently lost.
        self.color_profiles: dict[str, Any] = {}
        self.stylesheets = [
            weasyprint.CSS(
                **(
                    {"filename": str(sheet)}
                    if isinstance(sheet, Path)
                    else {"string": sheet, "base_url": str(base_dir) + os.sep}
                ),
                url_fetcher=self.fetcher,
                font_config=self.font_config,
                color_profiles=self.color_profiles,
            )
            for sheet in stylesheets
        ]
        for profile in self.color_profiles.values():
            _StableProfile.adopt(profile, self.fetcher)

    @classmethod
    def for_layout(
        cls,
        folder: Path,
        config: dict[str, Any],
        variant: str = DEFAULT,
        extra: Sequence[str] = (),
    ) -> PdfMaker:
        """A maker for a layout folder (its layout.toml as config) and an output variant.
        Stylesheets: the layout's, then extra (file names in the folder), then a print
        variant's colours for its output condition (colour.py), then the variant's own."""
        chosen = get_variant(variant)
        variant_sheets, tones = layout_options(config, chosen)
        sheets: list[Path | str] = [folder / name for name in [*config["stylesheets"], *extra]]
        colours: dict[str, str] = {}
        if chosen.condition:
            css, converted = colour.print_colours(folder, config, chosen.condition)
            sheets.append(css)
            colours = colour.tone_colours(tones, converted)
        sheets += [folder / name for name in variant_sheets]
        return cls(folder, sheets, variant, colours)

    def render(
        self,
        html: str,
        record: CityRecord | None = None,
        author: str | None = None,
        overflow: tuple[int, Callable[[], str]] | None = None,
    ) -> RenderedPdf:
        """The PDF of one HTML document. record: the city it shows (an archive PDF carries
        it); author: the organisation named as the document's author. overflow: (pages,
        other) when a document longer than pages must be laid out again from other() HTML
        (its sections flowing), and a sparse one (render/fitting.py: its content would fit
        on fewer pages) is laid out flowing too, kept when that takes fewer pages. That is
        decided before anything is drawn, so such a city costs one layout more, not a whole
        PDF more."""
        with capture_warnings() as messages:
            document = self.layout_document(html)
            if overflow and len(document.pages) > overflow[0]:
                messages.clear()  # what the discarded layout said is not true of the PDF
                html = overflow[1]()
                document = self.layout_document(html)
            elif overflow and fitting.sparse(document.pages):
                before = len(messages)
                flowed_html = overflow[1]()
                flowed = self.layout_document(flowed_html)
                if len(flowed.pages) < len(document.pages):
                    del messages[:before]  # only what the kept layout said
                    html, document = flowed_html, flowed
                else:
                    del messages[before:]
            anchors = tuple(frozenset(page.anchors) for page in document.pages)
            data = self.write(document, html, [record] if record else [], author)
        return RenderedPdf(data, len(document.pages), anchors, tuple(messages))

    def layout_document(self, html: str, extra: Sequence[Any] = ()) -> Any:
        """HTML laid out into pages (a weasyprint Document), not yet a PDF. extra: more
        stylesheets (from css()), applied after the layout's and the variant's."""
        return weasyprint.HTML(
            string=html, base_url=str(self.base_dir) + os.sep, url_fetcher=self.fetcher
        ).render(
            stylesheets=[*self.stylesheets, *extra],
            font_config=self.font_config,
            cache=self.image_cache,
            color_profiles=self.color_profiles,
            pdf_variant=self.variant.standard,
        )

    def css(self, text: str) -> Any:
        """A stylesheet from text, resolved against the layout folder like the others."""
        return weasyprint.CSS(
            string=text,
            base_url=str(self.base_dir) + os.sep,
            url_fetcher=self.fetcher,
            font_config=self.font_config,
            color_profiles=self.color_profiles,
        )

    def write(
        self,
        document: Any,
        seed: str,
        records: Sequence[CityRecord] = (),
        author: str | None = None,
    ) -> bytes:
        """A laid-out weasyprint Document as this variant's PDF bytes. seed (the HTML) makes
        the file identifier: the same input gives byte-identical files. records: the cities
        it shows, attached as JSON when the variant carries its data (archive)."""
        metadata = document.metadata
        if author:
            metadata.authors = [author]
        # Dates come from the document (dcterms.created), never the clock.
        metadata.modified = metadata.modified or metadata.created
        identifier = hashlib.sha256(
            f"{self.variant.name}\0{author or ''}\0{seed}".encode()
        ).digest()[:16]
        when = _pdf_date(metadata.created)
        attachments = [
            weasyprint.Attachment(
                string=record_json(record),
                name=attachment_name(record),
                description=f"The survey record of {record.city}, {record.country}",
                created=when,
                modified=when,
                relationship="Data",
            )
            for record in (records if self.variant.attach_record else ())
        ]
        with _stable_uuid(identifier):
            data = document.write_pdf(
                pdf_identifier=identifier,
                pdf_variant=self.variant.standard,
                pdf_tags=self.variant.tagged,
                attachments=attachments,
                finisher=_Finisher(self.variant.bleed_mm),
            )
        assert data is not None
        return bytes(data)


@contextmanager
def capture_warnings() -> Iterator[list[str]]:
    """WeasyPrint's warnings and errors while the block runs, as messages."""
    capture = _Capture()
    wp_logger = logging.getLogger("weasyprint")
    wp_logger.addHandler(capture)
    try:
        yield capture.messages
    finally:
        wp_logger.removeHandler(capture)


def _pdf_date(created: str | None) -> datetime:
    """An attachment's date: the document's creation date, else a fixed one (never now)."""
    if created:
        with suppress(ValueError):
            return datetime.fromisoformat(created).astimezone(UTC)
    return datetime(2000, 1, 1, tzinfo=UTC)


@contextmanager
def _stable_uuid(identifier: bytes) -> Iterator[None]:
    """PDF/X-4's XMP DocumentID is a random uuid4 in WeasyPrint 70: derive it from the
    file identifier instead, so the same input still gives the same bytes."""
    module: Any = weasyprint.pdf.metadata
    original = module.uuid4
    module.uuid4 = lambda: uuid.UUID(bytes=identifier)
    try:
        yield
    finally:
        module.uuid4 = original


class _StableProfile(ColorProfile):  # type: ignore[misc]
    """A colour profile written into the PDF as its file's own bytes. WeasyPrint writes
    what Pillow's ImageCms re-serialises, and that moves from one call to the next (tag
    offsets change): the same input would no longer give the same PDF."""

    file_bytes: bytes

    @classmethod
    def adopt(cls, profile: Any, fetcher: RestrictedFetcher) -> None:
        profile.__class__ = cls
        profile.file_bytes = fetcher.fetch(profile.src).read()

    @property
    def content(self) -> bytes:
        return self.file_bytes


def _tag_subsets_by_content(objects: Sequence[Any]) -> None:
    """Name every embedded font subset after its own bytes ("ABCDEF+Noto-Sans" with ABCDEF
    from a digest of the subset). WeasyPrint derives the six letters from the font alone,
    so every PDF would give the same name to different subsets of one font, which a press
    that merges files into one job may take for one font (PDF 1.7, 9.6.4: the tag must
    differ between subsets)."""
    renamed: dict[bytes, bytes] = {}
    for obj in objects:
        if not isinstance(obj, dict) or obj.get("Type") != "/FontDescriptor":
            continue
        name, stream = obj.get("FontName"), _font_file(obj, objects)
        if not isinstance(name, bytes) or stream is None or not _SUBSET_TAG.match(name):
            continue
        digest = hashlib.sha256(b"".join(_stream_bytes(stream))).digest()
        tag = bytes(65 + byte % 26 for byte in digest[:6])
        renamed[name] = obj["FontName"] = b"/" + tag + name[7:]
    for obj in objects:
        if isinstance(obj, dict) and obj.get("Type") == "/Font":
            base = obj.get("BaseFont")
            if isinstance(base, bytes) and base in renamed:
                obj["BaseFont"] = renamed[base]


_SUBSET_TAG = re.compile(rb"^/[A-Z]{6}\+")


def _font_file(descriptor: dict[str, Any], objects: Sequence[Any]) -> Any:
    """The font file stream of a font descriptor (an indirect reference: b"7 0 R")."""
    for key in ("FontFile2", "FontFile3", "FontFile"):
        reference = descriptor.get(key)
        if isinstance(reference, bytes) and (found := _REFERENCE.match(reference)):
            number = int(found[1])
            if number < len(objects) and isinstance(objects[number], pydyf.Stream):
                return objects[number]
    return None


_REFERENCE = re.compile(rb"^(\d+) 0 R$")


def _stream_bytes(stream: Any) -> Iterator[bytes]:
    for part in getattr(stream, "stream", ()):
        yield part if isinstance(part, bytes) else str(part).encode()


def _declare_language(objects: Sequence[Any], language: str | None) -> None:
    """dc:language in the XMP metadata, as the catalog's /Lang says it (WeasyPrint writes
    only /Lang): archives and screen readers that read the XMP see the document's
    language too (PDF/UA-1 7.2, PDF/A's XMP)."""
    if not language:
        return
    declared = (
        f'<rdf:Description xmlns:dc="{_DC}" rdf:about="">'
        f"<dc:language><rdf:Bag><rdf:li>{xml_escape(language)}</rdf:li></rdf:Bag>"
        "</dc:language></rdf:Description>"
    ).encode()
    for obj in objects:
        if isinstance(obj, pydyf.Stream) and obj.extra.get("Type") == "/Metadata":
            xmp = b"".join(_stream_bytes(obj))
            if b"</rdf:RDF>" in xmp and b"<dc:language>" not in xmp:
                obj.stream = [xmp.replace(b"</rdf:RDF>", declared + b"</rdf:RDF>", 1)]


_DC = "http://purl.org/dc/elements/1.1/"


class _Finisher:
    """Last touches on the PDF objects before WeasyPrint writes them:
    - every font subset gets a name of its own (_tag_subsets_by_content);
    - the XMP metadata names the document's language (_declare_language);
    - empty /Pattern and /Shading resource dictionaries are dropped (WeasyPrint always
      writes them; PDF/A validators do not accept them);
    - with a bleed, every page's BleedBox is put exactly that far outside its TrimBox
      (WeasyPrint puts it up to 10 pt out; the CSS bleed, the MediaBox, also holds the crop
      marks, beyond the bleed);
    - in a tagged PDF, content outside the structure tree (the page-margin boxes: footer,
      the header band on later pages) becomes a pagination artifact
      (tagging.repair), and a list item's text is put in an LBody beside its label."""

    def __init__(self, bleed_mm: float) -> None:
        self.bleed = bleed_mm * 72 / 25.4

    def __call__(self, document: Any, pdf: Any) -> None:
        _tag_subsets_by_content(pdf.objects)
        _declare_language(pdf.objects, document.metadata.lang)
        tagging.repair(pdf)
        for obj in pdf.objects:
            if not isinstance(obj, dict):
                continue
            for key in ("Pattern", "Shading"):
                if key in obj and isinstance(obj[key], dict) and not obj[key]:
                    del obj[key]
            if self.bleed and obj.get("Type") == "/Page" and "TrimBox" in obj:
                left, top, right, bottom = (float(v) for v in obj["TrimBox"])
                d = self.bleed
                obj["BleedBox"] = pydyf.Array([left - d, top - d, right + d, bottom + d])
