"""HTML -> PDF bytes. The only WeasyPrint user.

Two guarantees live here:
- nothing is fetched but the layout's and fonts' own files (RestrictedFetcher);
- no system font is ever used: fontconfig is pointed at the bundled fonts folder alone,
  before WeasyPrint loads, so a machine without those fonts renders identically.
"""

from __future__ import annotations

import atexit
import hashlib
import logging
import mimetypes
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from snapshotpdf.assets import fonts_dir

_FONTCONFIG_DIR = Path(tempfile.mkdtemp(prefix="snapshotpdf-fc-"))
atexit.register(shutil.rmtree, _FONTCONFIG_DIR, ignore_errors=True)


def _isolate_fontconfig() -> None:
    conf = _FONTCONFIG_DIR / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        f"  <dir>{fonts_dir()}</dir>\n  <cachedir>{_FONTCONFIG_DIR / 'cache'}</cachedir>\n"
        "</fontconfig>\n",
        encoding="utf-8",
    )
    os.environ["FONTCONFIG_FILE"] = str(conf)


_isolate_fontconfig()

import weasyprint  # noqa: E402  (fontconfig must be configured first)
from weasyprint.text.fonts import FontConfiguration  # noqa: E402
from weasyprint.urls import URLFetcher, URLFetcherResponse  # noqa: E402

LOGGER = logging.getLogger("snapshotpdf.problems")
_HEX_COLOUR = re.compile(r"[0-9a-fA-F]{6}")
_INVISIBLE_BOX = b'<path stroke="none" d="M0 0h24v24H0z" fill="none" />'


class RestrictedFetcher(URLFetcher):  # type: ignore[misc]
    """Serves file: URLs inside the allowed folders; refuses everything else (http, data,
    other files). WeasyPrint logs a refused URL as a warning and renders without it."""

    def __init__(self, roots: list[Path]) -> None:
        super().__init__(allowed_protocols={"file"}, allow_redirects=False)
        self.roots = [root.resolve() for root in roots]

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
            body = body.replace(b'stroke="currentColor"', f'stroke="#{stroke}"'.encode())
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
    """One per process: the font configuration and stylesheets are loaded once."""

    def __init__(self, base_dir: Path, stylesheets: list[Path]) -> None:
        self.base_dir = base_dir
        self.fetcher = RestrictedFetcher([base_dir, fonts_dir()])
        self.font_config = FontConfiguration()
        self.image_cache: dict[str, object] = {}  # each icon parsed once per process
        self.stylesheets = [
            weasyprint.CSS(
                filename=str(path), url_fetcher=self.fetcher, font_config=self.font_config
            )
            for path in stylesheets
        ]

    def render(self, html: str) -> RenderedPdf:
        capture = _Capture()
        wp_logger = logging.getLogger("weasyprint")
        wp_logger.addHandler(capture)
        try:
            document = weasyprint.HTML(
                string=html, base_url=str(self.base_dir) + os.sep, url_fetcher=self.fetcher
            ).render(
                stylesheets=self.stylesheets, font_config=self.font_config, cache=self.image_cache
            )
            anchors = tuple(frozenset(page.anchors) for page in document.pages)
            data = document.write_pdf(
                pdf_identifier=hashlib.sha256(html.encode()).digest()[:16],
            )
        finally:
            wp_logger.removeHandler(capture)
        assert data is not None
        return RenderedPdf(data, len(document.pages), anchors, tuple(capture.messages))
