"""`snapshotpdf preview`: a city's pages in the browser, made again as the layout or the
survey changes (a web page on 127.0.0.1 only), or written as PNG images with --png.

The library part (what is current, rendering, rasterising, errors with file and line) is
batch/preview.py; this module is the command and a small HTTP server around it. Routes:
/ (the page), /version (JSON: what the page shows now), /page/N.png, /error. A request
chooses a city only by its file stem among the survey's cities, never a path.
"""

from __future__ import annotations

import html
import json
import re
import secrets
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import parse_qs, urlsplit

import typer

from snapshotpdf.cli.options import (
    LangOpt,
    LayoutOpt,
    Paper,
    PaperOpt,
    ProfileOpt,
    QuietOpt,
    SheetOpt,
    SurveyArg,
    Variant,
    VariantOpt,
    inputs,
)
from snapshotpdf.cli.output import TerminalReporter, reported_errors, terminal_safe

if TYPE_CHECKING:
    from snapshotpdf.batch.preview import Previewer

HOST = "127.0.0.1"  # loopback only: the preview is for the person at this machine
TEXT = "text/plain; charset=utf-8"
POLL_MS = 500  # how often the page asks whether its pages changed
IDLE_SECONDS = 30  # a connection idle this long (a request half sent) is closed
_PAGE_PATH = re.compile(r"/page/([1-9][0-9]{0,3})\.png")


def preview(
    survey: SurveyArg = None,
    layout: LayoutOpt = "snapshot",
    port: Annotated[
        int,
        typer.Option(
            min=0, max=65535, help="The port on 127.0.0.1 (loopback only); 0: any free port."
        ),
    ] = 8765,
    png: Annotated[
        str | None,
        typer.Option(
            "--png",
            metavar="CITY",
            help="Write this city's pages (name or file stem) as OUTDIR/<file stem>-1.png,"
            " -2.png, ... and stop: no server, no browser.",
        ),
    ] = None,
    outdir: Annotated[
        Path, typer.Option("--outdir", "-o", help="Folder for the --png images.")
    ] = Path("outputs/preview"),
    dpi: Annotated[int, typer.Option(min=24, max=600, help="Resolution of the page images.")] = 96,
    paper: PaperOpt = Paper.a4,
    variant: VariantOpt = Variant.screen,
    profile: ProfileOpt = None,
    sheet: SheetOpt = None,
    lang: LangOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Show a city's pages in the browser, made again within a second or two of a change
    to the layout's files or the survey; a layout that fails shows its error (file and
    line) on the page and the preview keeps running. Ctrl-C stops it."""
    from snapshotpdf.batch.preview import Previewer

    previewer = Previewer(
        inputs(survey, profile, sheet, layout),
        paper=paper.value,
        variant=variant.value,
        language=lang,
        dpi=dpi,
        reporter=TerminalReporter(quiet),
    )
    with reported_errors():
        if png is not None:
            for path in previewer.write_pages(png, outdir):
                typer.echo(terminal_safe(str(path)))
            return
        serve(previewer, port)


def serve(previewer: Previewer, port: int) -> None:
    """The preview's web server on 127.0.0.1:port until Ctrl-C."""
    import signal
    import threading
    from http.server import ThreadingHTTPServer

    class Server(ThreadingHTTPServer):
        def handle_error(self, request: Any, client_address: Any) -> None:
            """A client that went away mid-request (a reset, a broken pipe) is no error of
            the preview's: nothing is printed (the standard library prints a traceback)."""

    routes = Routes(previewer)
    try:
        server = Server((HOST, port), _handler(routes))
    except OSError as exc:
        from snapshotpdf.errors import SnapshotError

        raise SnapshotError(
            f"cannot listen on {HOST}:{port}: {exc.strerror or exc}",
            hint="choose another --port, or --port 0 for any free one",
        ) from None
    server.daemon_threads = True  # a render in progress does not hold Ctrl-C up
    chosen = routes.port = server.server_address[1]
    # Ctrl-C, and a plain kill, stop it cleanly, also when started in the background (where
    # the shell has Python ignore SIGINT).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    threading.Thread(target=previewer.snapshot, daemon=True).start()  # the first city, now
    typer.echo(f"Preview on http://{HOST}:{chosen}/ (Ctrl-C to stop)")
    try:
        server.serve_forever(poll_interval=0.25)
    except KeyboardInterrupt:
        typer.echo("preview stopped", err=True)
    finally:
        server.server_close()


Response = tuple[int, str, bytes]


class Routes:
    """The preview's answers, one per path: (status, content type, body). Every survey
    value in a page is escaped; JSON carries it as data for the page to set as text."""

    def __init__(self, previewer: Previewer, port: int = 0) -> None:
        self.previewer = previewer
        self.port = port  # the server's: a request naming another host is refused

    def allowed_host(self, host: str | None) -> bool:
        return host is None or host in {f"{HOST}:{self.port}", f"localhost:{self.port}"}

    @staticmethod
    def allowed_site(fetch_site: str | None) -> bool:
        """Whether a request may come from where the browser says it comes from
        (Sec-Fetch-Site): the preview's own page, or the address typed; never another web
        page open in the same browser, which could make it render again and again."""
        return fetch_site in (None, "same-origin", "none")

    def get(self, target: str, nonce: str) -> Response:
        parts = urlsplit(target)
        key = parse_qs(parts.query).get("city", [None])[0]
        if parts.path == "/":
            return 200, "text/html; charset=utf-8", self.page(key, nonce).encode()
        if parts.path == "/version":
            return 200, "application/json", json.dumps(self.version(key)).encode()
        if parts.path == "/error":
            error = self.previewer.snapshot(key).error or ""
            return 200, TEXT, error.encode()
        if match := _PAGE_PATH.fullmatch(parts.path):
            pages = self.previewer.snapshot(key).pages
            number = int(match[1])
            if number <= len(pages):
                return 200, "image/png", pages[number - 1]
            return 404, TEXT, b"no such page"
        return 404, TEXT, b"not found"

    def version(self, key: str | None) -> dict[str, Any]:
        shown = self.previewer.snapshot(key)
        return {
            "version": shown.version,
            "city": shown.city.key if shown.city else None,
            "label": shown.city.label if shown.city else "",
            "pages": len(shown.pages),
            "error": shown.error,
            "warnings": list(shown.warnings),
        }

    def page(self, key: str | None, nonce: str) -> str:
        cities = self.previewer.cities()
        chosen = key if any(c.key == key for c in cities) else (cities[0].key if cities else "")
        options = "".join(
            '<option value="{}"{}>{}</option>'.format(
                html.escape(c.key), " selected" if c.key == chosen else "", html.escape(c.label)
            )
            for c in cities
        )
        page = _PAGE.replace("{{nonce}}", nonce).replace("{{poll}}", str(POLL_MS))
        return page.replace("{{options}}", options)  # last: survey text is never a placeholder


def _handler(routes: Routes) -> type[Any]:
    """The request handler class, made when the server starts (http.server loads then)."""
    import contextlib
    from http.server import BaseHTTPRequestHandler

    class Handler(BaseHTTPRequestHandler):
        server_version = "snapshotpdf-preview"
        timeout = IDLE_SECONDS  # a connection that sends nothing is closed, not held open

        def do_GET(self) -> None:
            self.answer(body=True)

        def do_HEAD(self) -> None:
            self.answer(body=False)

        def answer(self, body: bool) -> None:
            nonce = secrets.token_urlsafe(16)
            if not routes.allowed_host(self.headers.get("Host")):
                status, kind, data = 403, TEXT, b"preview: wrong host"
            elif not routes.allowed_site(self.headers.get("Sec-Fetch-Site")):
                status, kind, data = 403, TEXT, b"preview: asked from another site"
            else:
                try:
                    status, kind, data = routes.get(self.path, nonce)
                except Exception as exc:  # a bug: said to the browser, the server goes on
                    status, kind = 500, TEXT
                    data = f"preview failed: {type(exc).__name__}: {exc}".encode()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Cache-Control", "no-store")
                self.send_header("X-Content-Type-Options", "nosniff")
                self.send_header(
                    "Content-Security-Policy",
                    f"default-src 'none'; script-src 'nonce-{nonce}'; style-src"
                    f" 'nonce-{nonce}'; img-src 'self'; connect-src 'self'",
                )
                self.end_headers()
                if body:
                    self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the page asks twice a second."""

    return Handler


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>snapshotpdf preview</title>
<style nonce="{{nonce}}">
  body { margin: 0; font: 14px system-ui, sans-serif; background: #e8eaed; color: #1f2b37; }
  header { position: sticky; top: 0; padding: 8px 16px; background: #0f3b57; color: #fff;
    display: flex; gap: 16px; align-items: center; }
  #state { color: #ffd27a; }
  #error { margin: 16px; padding: 12px 16px; background: #fdecea; color: #8a1c1c;
    border-left: 6px solid #c62828; white-space: pre-wrap; font: 13px ui-monospace, monospace; }
  #warnings { margin: 8px 16px; color: #8a5a00; }
  #pages { display: flex; flex-wrap: wrap; gap: 16px; padding: 16px; }
  #pages img { max-width: 100%; background: #fff; box-shadow: 0 1px 4px rgba(0,0,0,.3); }
</style>
</head>
<body>
<header>
  <label>City <select id="city">{{options}}</select></label>
  <span id="state" role="status"></span>
</header>
<pre id="error" role="alert" hidden></pre>
<ul id="warnings"></ul>
<main id="pages"></main>
<script nonce="{{nonce}}">
const select = document.getElementById("city");
const pages = document.getElementById("pages");
const errorBox = document.getElementById("error");
const warnings = document.getElementById("warnings");
const state = document.getElementById("state");
let shown = null, timer = null, busy = false;

async function poll() {
  clearTimeout(timer);
  if (busy) return;
  busy = true;
  const city = select.value;
  try {
    const response = await fetch("/version?city=" + encodeURIComponent(city), {cache: "no-store"});
    const now = await response.json();
    state.textContent = "";
    if (city === select.value && now.version !== shown) show(now);
  } catch (e) {
    state.textContent = "not connected: is snapshotpdf preview still running?";
  } finally {
    busy = false;
    timer = setTimeout(poll, {{poll}});
  }
}

function show(now) {
  shown = now.version;
  document.body.dataset.version = now.version;
  errorBox.textContent = now.error || "";
  errorBox.hidden = !now.error;
  warnings.replaceChildren(...now.warnings.map((text) => {
    const item = document.createElement("li");
    item.textContent = text;
    return item;
  }));
  const images = [];
  for (let n = 1; n <= now.pages; n++) {
    const img = pages.children[n - 1] || document.createElement("img");
    img.alt = "Page " + n + " of " + now.label;
    img.src = "/page/" + n + ".png?city=" + encodeURIComponent(now.city) + "&v=" + now.version;
    images.push(img);
  }
  pages.replaceChildren(...images);
}

select.addEventListener("change", () => {
  history.replaceState(null, "", "/?city=" + encodeURIComponent(select.value));
  poll();
});
poll();
</script>
</body>
</html>
"""
