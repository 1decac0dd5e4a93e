"""HTML -> PDF bytes. With fonts.py, the only WeasyPrint user (an import-linter contract
says so).

Two guarantees live here:
- nothing is fetched but the layout's and fonts' own files (RestrictedFetcher);
- no system font is ever used (fonts.isolate_fontconfig, before WeasyPrint loads).

Only WeasyPrint's public API is used: HTML, CSS, FontConfiguration, URLFetcher, the
Document it lays out (pages, anchors, metadata) and write_pdf's `finisher`, which makes the
last changes on the PDF objects before they are written (_Finisher): what WeasyPrint 70
leaves random or unstable is made reproducible there (_stabilise), the icon glyphs are
tagged (tagging.tag_icons), and the tags repaired (tagging.repair).
"""

from __future__ import annotations

import hashlib
import io
import logging
import mimetypes
import os
import re
import uuid
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import unescape as html_unescape
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from xml.sax.saxutils import escape as xml_escape

from snapshotpdf.assets import fonts_dir
from snapshotpdf.limits import MAX_IMAGE_PIXELS
from snapshotpdf.models import CityRecord, date_text
from snapshotpdf.render import colour, fitting, iconfont, serialise, tagging, tokenizer
from snapshotpdf.render.fonts import isolate_fontconfig
from snapshotpdf.render.layout import Layout
from snapshotpdf.render.libraries import found_in_loader_cache
from snapshotpdf.render.overflow import Overflow, overflowing
from snapshotpdf.render.variants import (
    DEFAULT,
    Variant,
    attachment_name,
    get_variant,
    record_json,
)

isolate_fontconfig()  # before WeasyPrint loads

with found_in_loader_cache():  # its libraries, without running gcc (render/libraries.py)
    import pydyf
    import weasyprint  # (fontconfig must be configured first)
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher, URLFetcherResponse

tokenizer.primed()  # its HTML parser's scans made once (render/tokenizer.py)


class RestrictedFetcher(URLFetcher):  # type: ignore[misc]
    """Serves file: URLs inside the allowed folders; refuses everything else (http, data,
    other files). WeasyPrint logs a refused URL as a warning and renders without it.

    layers: a layout's folders, its own first, then the layout it extends. A file under
    any of them is looked up by its path inside the layout, in that order, so a layout
    holding only the files it changes has them used by every stylesheet and page,
    including the ones it inherits. others: more folders (the fonts) or single files."""

    def __init__(
        self,
        layers: Sequence[Path],
        others: Sequence[Path] = (),
        cmyk: Path | None = None,
        made: dict[str, bytes] | None = None,
    ) -> None:
        """cmyk: a print variant's output profile: a PNG (a logo) is served converted to
        CMYK for it (colour.png_as_cmyk), so the print PDF holds no RGB image. made: files
        made in memory, by their path inside the layout folder (the icon font)."""
        super().__init__(allowed_protocols={"file"}, allow_redirects=False)
        self.layers = [layer.resolve() for layer in layers]
        self.roots = [root.resolve() for root in others]
        self.cmyk = cmyk
        self.made = {self.layers[0] / name: data for name, data in (made or {}).items()}
        # The colour profiles served (an @color-profile's .icc), as their files' bytes.
        self.profiles: list[bytes] = []

    def find(self, path: Path) -> Path | None:
        """The file a URL's path stands for, inside the allowed folders; else None."""
        for layer in self.layers:
            if path.is_relative_to(layer):
                relative = path.relative_to(layer)
                for other in self.layers:
                    found = (other / relative).resolve()  # a symlink stays inside its layer
                    if found.is_file() and found.is_relative_to(other):
                        return found
                return None
        inside = any(path.is_relative_to(root) for root in self.roots)  # a folder or a file
        return path if inside and path.is_file() else None

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
        parts = urlsplit(url)
        if parts.scheme != "file":
            raise ValueError(f"snapshotpdf fetches no {parts.scheme or 'relative'} URLs: {url}")
        wanted = Path(unquote(parts.path)).resolve()
        if wanted in self.made:
            return URLFetcherResponse(url, self.made[wanted], {"Content-Type": "font/ttf"})
        path = self.find(wanted)
        if path is None:
            raise ValueError(f"snapshotpdf fetches only layout and font files, not {url}")
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if path.suffix == ".css":
            mime = "text/css"
        body = path.read_bytes()
        if path.suffix.lower() in _RASTER:
            _check_pixels(path.name, body)
        if path.suffix.lower() in (".icc", ".icm") and body not in self.profiles:
            self.profiles.append(body)
        if self.cmyk and path.suffix.lower() == ".png":
            converted = colour.png_as_cmyk(body, self.cmyk)
            return _Converted(url, converted, {"Content-Type": "image/jpeg"})
        return URLFetcherResponse(url, body, {"Content-Type": mime})


_RASTER = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp", ".tif", ".tiff")


def _check_pixels(name: str, body: bytes) -> None:
    """Refuse a raster image of more than limits.MAX_IMAGE_PIXELS, from its header (nothing
    is decoded): WeasyPrint leaves it out and says why. Pillow's own bomb warning, which
    would reach the terminal, is never raised."""
    from PIL import Image

    size = "far more pixels"  # Pillow refuses to open a bomb at all
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(body)) as image:
                width, height = image.size
        if width * height <= MAX_IMAGE_PIXELS:
            return
        size = f"{width} x {height} pixels"
    except Image.DecompressionBombError:
        pass
    except Exception:  # noqa: BLE001 - not an image Pillow reads: WeasyPrint says so
        return
    raise ValueError(
        f"{name} is {size}, more than an image of a layout may have"
        f" ({MAX_IMAGE_PIXELS:,} pixels, limits.MAX_IMAGE_PIXELS): save it smaller"
    )


class _Converted(URLFetcherResponse):  # type: ignore[misc]
    """A response whose bytes are not its file's (a PNG converted to CMYK): it names no
    path, so WeasyPrint keeps these bytes rather than reading the file again."""

    @property
    def path(self) -> None:
        return None


@dataclass(frozen=True)
class RenderedPdf:
    data: bytes
    pages: int
    anchors_by_page: tuple[frozenset[str], ...]  # element ids found on each page
    renderer_warnings: tuple[str, ...] = field(default=())
    # Boxes that run out of the page area (render/overflow.py): found when render() is
    # asked to (inspect_boxes: `snapshotpdf layout check`), else none.
    overflows: tuple[Overflow, ...] = field(default=())
    # How the city was fitted to its pages (render/fitting.py: "set with tighter spacing
    # to fit its 2 pages", "flowed onto 3 pages"); None: laid out as designed.
    fitted: str | None = None


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


# A stylesheet as PdfMaker takes it: a layout's file, the same with its palette written in
# (colour.py), or CSS text made here (the palette's colours).
Sheet = Path | colour.PaintedSheet | str


class PdfMaker:
    """One per process and variant: the font configuration, stylesheets and colour
    profiles are loaded once. The variant (snapshotpdf/variants.py) says which standard
    the PDF follows and what it carries; stylesheets are the layout's plus the variant's."""

    def __init__(
        self,
        layers: Sequence[Path],
        stylesheets: Sequence[Sheet],
        variant: str = DEFAULT,
        allow: Sequence[Path] = (),
        cmyk: Path | None = None,
        made: dict[str, bytes] | None = None,
    ) -> None:
        """layers: the layout's folders (Layout.folders); relative URLs start at the first.
        stylesheets: files (as they are, or with the palette written in: colour.painted),
        or CSS text (a str: made by colour.py), in cascade order.
        allow: files outside the layout the documents may show (a booklet's logo).
        cmyk: a print variant's output profile, which PNG images are converted for.
        made: files made in memory (the icon font), by their path inside the layout."""
        self.base_dir = layers[0]
        self.variant: Variant = get_variant(variant)
        self.fetcher = RestrictedFetcher(layers, [fonts_dir(), *allow], cmyk, made)
        self.font_config = FontConfiguration()
        # Each image is fetched and parsed once per process (WeasyPrint's own image cache).
        self.image_cache: dict[str, Any] = {}
        # Filled by @color-profile rules (print.css). The same dict must reach the
        # stylesheets and render(): given to one only, the output intent is silently lost.
        self.color_profiles: dict[str, Any] = {}
        self.stylesheets: list[Any] = []
        # What WeasyPrint says of a stylesheet as it reads it, once, not at each page (an
        # unknown property: "Ignored `colr: red` at 12:3, unknown property."), with the
        # sheet's name: (name, message) in cascade order.
        self.stylesheet_warnings: list[tuple[str, str]] = []
        for sheet in stylesheets:
            with capture_warnings() as said:
                self.stylesheets.append(
                    weasyprint.CSS(
                        **_source(sheet, self.base_dir),
                        url_fetcher=self.fetcher,
                        font_config=self.font_config,
                        color_profiles=self.color_profiles,
                    )
                )
            name = _sheet_name(sheet, layers)
            self.stylesheet_warnings += [(name, message) for message in said]

    @classmethod
    def for_layout(
        cls,
        layout: Layout,
        variant: str = DEFAULT,
        extra: Sequence[str] = (),
        allow: Sequence[Path] = (),
    ) -> PdfMaker:
        """A maker for a layout and an output variant. Stylesheets: the palette's colours
        (colour.py), the layout's, then extra (files of the layout), then a print variant's
        colours for its output condition (colour.py), then the variant's own
        ([variants.NAME])."""
        chosen = get_variant(variant)
        own = [*layout.stylesheets, *(layout.file(name) for name in extra)]
        variants = layout.variant_stylesheets(chosen.table)
        palette, printing, profile = colour.screen_palette(layout), None, None
        if chosen.condition:
            printing, palette = colour.print_colours(layout, chosen.condition)
            profile = colour.condition(layout, chosen.condition)[1]
        written = colour.painted([*own, *variants], palette)
        sheets: list[Sheet] = [
            *([colour.profile_rule(layout, chosen.condition)] if chosen.condition else []),
            iconfont.stylesheet(),
            colour.screen_colours(layout),
            *written[: len(own)],
            *([printing] if printing else []),
            *written[len(own) :],
        ]
        icons = layout.icon_font()
        maker = cls(
            layout.folders, sheets, variant, allow, profile, {iconfont.FONT_FILE: icons.data}
        )
        # What an icon file has that its glyph does not draw, said as a stylesheet's is.
        maker.stylesheet_warnings += [
            (f"{iconfont.ICONS}/{name}.svg", f"not drawn in its glyph: {', '.join(lost)}")
            for name, lost in icons.unsupported.items()
        ]
        return maker

    def render(
        self,
        html: str,
        record: CityRecord | None = None,
        author: str | None = None,
        refit: fitting.Refit | None = None,
        inspect_boxes: bool = False,
        created: datetime | None = None,
    ) -> RenderedPdf:
        """The PDF of one HTML document. record: the city it shows (an archive PDF carries
        it); author: the organisation named as the document's author; created: the date
        it carries (None: the one its HTML names, dcterms.created, if any). refit: how to lay
        the document out again when it does not fit its pages (copy-fitting, then flowing)
        or is sparse (flowing onto fewer pages): render/fitting.py decides from the pages
        laid out, before anything is drawn, so a city costs a layout more, not a PDF more.
        inspect_boxes: find the boxes that run out of the page area too
        (render/overflow.py), in the layout kept."""
        fitted = self.fitted(html, refit)
        kept = fitted.attempt
        document = kept.document
        anchors = tuple(frozenset(page.anchors) for page in document.pages)
        outside = tuple(overflowing(document.pages)) if inspect_boxes else ()
        with capture_warnings() as messages:
            data = self.write(document, kept.html, [record] if record else [], author, created)
        return RenderedPdf(
            data,
            len(document.pages),
            anchors,
            (*kept.messages, *messages),  # only what the kept layout said
            outside,
            fitted.says(),
        )

    def fitted(
        self, html: str, refit: fitting.Refit | None, extra: Sequence[Any] = ()
    ) -> fitting.Fitted:
        """A document laid out, and again as refit says when it does not fit its pages or
        is sparse (render/fitting.py); extra: more stylesheets, as for layout_document()."""
        first = self._attempt(html, extra)
        if refit is None:
            return fitting.Fitted(first)
        return fitting.fit(
            first,
            refit.pages,
            refit.steps,
            lambda flow, steps: self._attempt(refit.html(flow, steps), extra),
        )

    def _attempt(self, html: str, extra: Sequence[Any] = ()) -> fitting.Attempt:
        """One layout of a document, with what WeasyPrint said while making it."""
        with capture_warnings() as messages:
            document = self.layout_document(html, extra)
        return fitting.Attempt(html, document, tuple(messages))

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
        created: datetime | None = None,
    ) -> bytes:
        """A laid-out weasyprint Document as this variant's PDF bytes. seed (the HTML) makes
        the file identifier, with the date: the same input gives byte-identical files.
        records: the cities it shows, attached as JSON when the variant carries its data
        (archive). created: the date it carries, else the document's (dcterms.created)."""
        _keep_web_links(document.pages)
        metadata = document.metadata
        if author:
            metadata.authors = [author]
        # Dates come from the caller or the document, never the clock.
        if created is not None:
            metadata.created = date_text(created)
        metadata.modified = metadata.modified or metadata.created
        identifier = hashlib.sha256(
            f"{self.variant.name}\0{author or ''}\0{metadata.created or ''}\0{seed}".encode()
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
        data = document.write_pdf(
            pdf_identifier=identifier,
            pdf_variant=self.variant.standard,
            pdf_tags=self.variant.tagged,
            attachments=attachments,
            finisher=_Finisher(
                self.variant.bleed_mm, identifier, self.fetcher.profiles, _icon_alts(seed)
            ),
        )
        assert data is not None
        return bytes(data)


# Where a link a layout's template writes is said to be left out: WeasyPrint's own
# logger's child, so the run reports it with what WeasyPrint says (capture_warnings).
_LINKS = logging.getLogger("weasyprint").getChild("links")
WEB_SCHEMES = ("http", "https")


def _keep_web_links(pages: Sequence[Any]) -> None:
    """Only http(s) links reach the PDF, whoever wrote them: the survey's website is
    checked as it is read, but a layout's template may write any <a href> (javascript:,
    file:, data:). Any other link is left out of its page (its text stays), and said."""
    for page in pages:
        kept = []
        for link in page.links:
            kind, target = link[0], str(link[1])
            if kind == "external" and urlsplit(target).scheme.lower() not in WEB_SCHEMES:
                _LINKS.warning(
                    "a link to %r was left out: only http:// and https:// links are kept",
                    target[:80],
                )
                continue
            kept.append(link)
        page.links[:] = kept


def _source(sheet: Sheet, base_dir: Path) -> dict[str, str]:
    """weasyprint.CSS's arguments for a sheet: a file by its name; a file with its palette
    written in, as text whose URLs start at the file; text made here, at the layout."""
    if isinstance(sheet, Path):
        return {"filename": str(sheet)}
    if isinstance(sheet, colour.PaintedSheet):
        return {"string": sheet.text, "base_url": str(sheet.path)}
    return {"string": sheet, "base_url": str(base_dir) + os.sep}


def _sheet_name(sheet: Sheet, layers: Sequence[Path]) -> str:
    """A stylesheet as a layout's designer knows it: its path inside the layout folder
    that holds it; a stylesheet made as text (colour.py's) by what it is."""
    if isinstance(sheet, colour.PaintedSheet):
        sheet = sheet.path
    if not isinstance(sheet, Path):
        if sheet.startswith("/* Output condition"):
            return "the print colours (generated from [palette])"
        return "the palette's colours (generated from [palette])"
    for layer in layers:
        if sheet.is_relative_to(layer):
            return sheet.relative_to(layer).as_posix()
    return sheet.name


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


def _icon_alts(html: str) -> list[str | None]:
    """The icons of a page in document order: each one's alt text (an icon that says
    something), or None (decorative), as iconfont.glyph_markup wrote them."""
    return [
        html_unescape(found[1]) if found[1] else None for found in iconfont.ICON_SPAN.finditer(html)
    ]


_XMP_DOCUMENT_ID = re.compile(rb"xmp\.did:[0-9a-f-]{36}")


def _stabilise(objects: Sequence[Any], identifier: bytes, profiles: Sequence[bytes]) -> None:
    """What WeasyPrint 70 writes differently from one run to the next, made the same:
    - PDF/X-4's XMP DocumentID is a random uuid4: it becomes one derived from the file
      identifier (itself from the input);
    - a colour profile (the output intent's) is written as Pillow's ImageCms re-serialises
      it, and that moves from one call to the next (tag offsets change): it becomes the
      .icc file's own bytes, matched by device class and colour space."""
    stable = f"xmp.did:{uuid.UUID(bytes=identifier)}".encode()
    for obj in objects:
        if not isinstance(obj, pydyf.Stream):
            continue
        if obj.extra.get("Type") == "/Metadata":
            xmp = b"".join(_stream_bytes(obj))
            if _XMP_DOCUMENT_ID.search(xmp):
                obj.stream = [_XMP_DOCUMENT_ID.sub(stable, xmp)]
        elif "N" in obj.extra and len(obj.stream) == 1 and isinstance(obj.stream[0], bytes):
            written = obj.stream[0]
            if written[36:40] != b"acsp" or written in profiles:
                continue
            same_kind = [p for p in profiles if p[12:20] == written[12:20]]
            if len(same_kind) == 1:
                obj.stream = [same_kind[0]]


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
    - the same input gives the same bytes (_stabilise);
    - every font subset gets a name of its own (_tag_subsets_by_content);
    - the XMP metadata names the document's language (_declare_language);
    - empty /Pattern and /Shading resource dictionaries are dropped (WeasyPrint always
      writes them; PDF/A validators do not accept them);
    - with a bleed, every page's BleedBox is put exactly that far outside its TrimBox
      (WeasyPrint puts it up to 10 pt out; the CSS bleed, the MediaBox, also holds the crop
      marks, beyond the bleed);
    - in a tagged PDF, content outside the structure tree (the page-margin boxes: footer,
      the header band on later pages) becomes a pagination artifact
      (tagging.repair), and a list item's text is put in an LBody beside its label;
    - in a tagged PDF, an icon's glyph is a figure with its alt text, or a decorative
      artifact (tagging.tag_icons; icons: each icon's alt text, or None, in page order);
    - last, every object is made into its bytes once, its streams deflated once
      (serialise.write_once; pydyf would make them twice)."""

    def __init__(
        self,
        bleed_mm: float,
        identifier: bytes,
        profiles: Sequence[bytes],
        icons: Sequence[str | None],
    ) -> None:
        self.bleed = bleed_mm * 72 / 25.4
        self.identifier = identifier
        self.profiles = profiles
        self.icons = icons

    def __call__(self, document: Any, pdf: Any) -> None:
        _stabilise(pdf.objects, self.identifier, self.profiles)
        _tag_subsets_by_content(pdf.objects)
        _declare_language(pdf.objects, document.metadata.lang)
        tagging.tag_icons(pdf, iconfont.FAMILY, self.icons)
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
        serialise.write_once(pdf)  # last: no object changes after it
