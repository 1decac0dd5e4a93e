"""The live preview: one city's pages as images, made again whenever the layout or the
survey changes on disk, and every error in a layout said with its file and line instead of
stopping. The web page around it is `snapshotpdf preview` (cli/preview.py); this module
knows nothing of HTTP and prints nothing.

What is current is decided by a fingerprint (each watched file's path, modification time
and size), taken again on every request: a change shows at the next one. A change in the
layout makes a fresh renderer (layout, Jinja2 environment, WeasyPrint stylesheets and
fonts); a change in the survey reads it again. One render at a time (a lock): the page's
requests come from several threads.

Pages are rasterised by poppler's pdftoppm (installed with the other system packages, as
the tests already need it), run as a child process, and encoded as PNG with Pillow: no
further dependency, and a crash in the rasteriser cannot take the preview down.
"""

from __future__ import annotations

import hashlib
import io
import shutil
import subprocess
import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from snapshotpdf import files
from snapshotpdf.assets import folder_of
from snapshotpdf.batch import plan
from snapshotpdf.batch.result import BuildResult
from snapshotpdf.batch.workers import CityRenderer, Job
from snapshotpdf.errors import LayoutError, SnapshotError
from snapshotpdf.models import CityRecord, Inputs, SurveyFigures
from snapshotpdf.render.diagnose import describe
from snapshotpdf.render.layout import load_layout
from snapshotpdf.reporter import Reporter
from snapshotpdf.survey.figures import survey_figures

DPI = 96  # an A4 page is 794 x 1123 pixels: a screen's worth
CACHED_CITIES = 8  # the cities whose current pages are kept
RASTERISE_TIMEOUT = 120  # seconds pdftoppm may take for one PDF


@dataclass(frozen=True)
class City:
    """A city of the survey, as the preview names it: key is its file stem, unique among
    the survey's cities, and the only thing a request may choose a city by."""

    key: str
    name: str
    country: str

    @property
    def label(self) -> str:
        return f"{self.name}, {self.country}"


@dataclass(frozen=True)
class Snapshot:
    """What the preview shows: one city's pages as PNG images, or the error that stopped
    them, and what the renderer warned of. version changes exactly when any of it does."""

    city: City | None
    pages: tuple[bytes, ...] = ()
    error: str | None = None
    warnings: tuple[str, ...] = ()

    @property
    def version(self) -> str:
        digest = hashlib.sha256()
        for part in (
            self.city.key if self.city else "",
            self.error or "",
            *self.warnings,
            *(hashlib.sha256(page).hexdigest() for page in self.pages),
        ):
            digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
        return digest.hexdigest()[:16]


def layout_files(layout_name: str) -> list[Path]:
    """Every file whose change the preview shows: the layout's own (Layout.files(), which
    knows what a layout is made of), else, while the layout cannot be loaded (a broken
    layout.toml), every file of the folder the name stands for. The one place the preview
    asks render.layout which files a layout has."""
    try:
        return load_layout(layout_name).files()
    except Exception:  # a layout being edited: watch its folder until it loads again
        folder = folder_of(layout_name)
        return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []


def fingerprint(paths: list[Path]) -> tuple[tuple[str, int, int], ...]:
    """Each file's path, modification time (ns) and size; -1 for a file that is gone."""
    stamps = []
    for path in paths:
        try:
            stat = path.stat()
            stamps.append((str(path), stat.st_mtime_ns, stat.st_size))
        except OSError:
            stamps.append((str(path), -1, -1))
    return tuple(stamps)


class Previewer:
    """One survey and layout, previewed city by city. Thread-safe: every public call holds
    the lock, so one render happens at a time."""

    def __init__(
        self,
        inputs: Inputs,
        paper: str = "a4",
        variant: str = "screen",
        language: str | None = None,
        dpi: int = DPI,
        reporter: Reporter | None = None,
    ) -> None:
        self.inputs = inputs
        self.paper = paper
        self.variant = variant
        self.language = language
        self.dpi = dpi
        self.reporter = reporter or Reporter()
        self._lock = threading.Lock()
        self._layout_print: object = None
        self._survey_print: object = None
        self._renderer: CityRenderer | None = None
        self._layout_error: str | None = None
        self._read: BuildResult | None = None
        self._raw: list[CityRecord] = []
        self._survey_error: str | None = None
        self._records: dict[str, CityRecord] = {}
        self._cities: list[City] = []
        self._figures = SurveyFigures(0)
        self._cache: OrderedDict[str, Snapshot] = OrderedDict()

    def cities(self) -> list[City]:
        """The survey's valid cities, in file order (none while it cannot be read)."""
        with self._lock:
            self._refresh()
            return list(self._cities)

    def find(self, name: str) -> City:
        """The city a user named (its name or file stem, case aside); a SnapshotError with
        the closest names when none matches, or the survey's error when it cannot be read."""
        with self._lock:
            self._refresh()
            if self._survey_error:
                raise SnapshotError(self._survey_error)
            chosen, _unknown = files.choose(self._cities, [name], lambda c: (c.name, c.key))
            if not chosen:
                names = [c.name for c in self._cities]
                raise SnapshotError(
                    f"no valid row has the city {name!r}",
                    hint=files.unknown_city_hint(name, names),
                )
            return chosen[0]

    def snapshot(self, key: str | None = None) -> Snapshot:
        """The current pages of the city with this key (the first city when key is None or
        no longer in the survey): rendered now if the layout or survey changed since."""
        with self._lock:
            self._refresh()
            if self._survey_error:
                return Snapshot(None, error=self._survey_error)
            if not self._cities:
                return Snapshot(None, error="the survey has no valid city to show")
            city = next((c for c in self._cities if c.key == key), self._cities[0])
            if self._layout_error or self._renderer is None:
                return Snapshot(city, error=self._layout_error or "the layout did not load")
            if city.key in self._cache:
                self._cache.move_to_end(city.key)
                return self._cache[city.key]
            shown = self._render(self._renderer, city)
            self._cache[city.key] = shown
            while len(self._cache) > CACHED_CITIES:
                self._cache.popitem(last=False)
            return shown

    def write_pages(self, name: str, folder: Path) -> list[Path]:
        """A city's pages as FOLDER/<file stem>-1.png, -2.png, ...; a SnapshotError (a
        LayoutError for a layout that fails) when the city or its pages cannot be made."""
        city = self.find(name)
        shown = self.snapshot(city.key)
        if shown.error:
            raise LayoutError(shown.error)
        written = []
        for number, page in enumerate(shown.pages, start=1):
            path = folder / f"{city.key}-{number}.png"
            try:
                folder.mkdir(parents=True, exist_ok=True)
                files.write_atomic(path, page)
            except OSError as exc:
                raise files.write_error(path, exc) from None
            written.append(path)
        return written

    # Everything below runs under the lock.

    def _refresh(self) -> None:
        """Load again what changed on disk since the last call: the layout, the survey."""
        layout_print = fingerprint(layout_files(self.inputs.layout))
        watched = [self.inputs.survey_path, *([self.inputs.profile] if self.inputs.profile else [])]
        survey_print = fingerprint(watched)
        layout_changed = layout_print != self._layout_print
        survey_changed = survey_print != self._survey_print
        if not (layout_changed or survey_changed):
            return
        self._cache.clear()
        if layout_changed:
            self._layout_print = layout_print
            self._load_layout()
        if survey_changed:
            self._survey_print = survey_print
            self._read_survey()
        self._choose_languages()

    def _load_layout(self) -> None:
        """A fresh renderer: the layout, its Jinja2 environment, and (when first asked) the
        WeasyPrint stylesheets and fonts, none of them kept from before the change."""
        self._renderer, self._layout_error = None, None
        try:
            self._renderer = CityRenderer(self.inputs.layout)
        except Exception as exc:  # a layout being edited: said on the page, never fatal
            self._layout_error = describe(exc, self._layout_folder())

    def _read_survey(self) -> None:
        self._read, self._raw, self._survey_error = None, [], None
        result = BuildResult(reporter=self.reporter)
        try:
            self._raw = plan.read(self.inputs, result)
        except SnapshotError as exc:
            self._survey_error = str(exc)
        except Exception as exc:  # a survey caught half-saved, say: shown until it is fixed
            self._survey_error = f"{self.inputs.survey_path}: {type(exc).__name__}: {exc}"
        else:
            self._read = result
            self._figures = survey_figures(self._raw)

    def _choose_languages(self) -> None:
        """The cities and the language each is printed in (as a build chooses it)."""
        records = self._raw
        if self._renderer is not None and self._read is not None:
            try:
                records = plan.in_languages(
                    self._renderer.layout, records, self.language, self._read
                )
            except Exception as exc:
                self._layout_error = describe(exc, self._layout_folder())
        self._records, self._cities = {}, []
        for record in records:
            key = files.slug(record.country, record.city)
            if key not in self._records:  # a build refuses the second: show the first
                self._records[key] = record
                self._cities.append(City(key, record.city, record.country))

    def _layout_folder(self) -> Path:
        if self._renderer is not None:
            return self._renderer.layout.folder
        return folder_of(self.inputs.layout)

    def _render(self, renderer: CityRenderer, city: City) -> Snapshot:
        record = self._records[city.key]
        job = Job(0, record, self._figures, self.paper, None, self.variant)
        try:  # a template that does not compile: its file and line
            renderer.html.environment.get_template(renderer.layout.template)
        except Exception as exc:
            return Snapshot(city, error=describe(exc, renderer.layout.folders))
        outcome = renderer(job)
        if outcome.error or outcome.pdf is None:
            return Snapshot(city, error=self._diagnose(renderer, job) or outcome.error)
        try:
            pages = rasterise(outcome.pdf.data, self.dpi)
        except SnapshotError as exc:
            return Snapshot(city, error=str(exc))
        # What WeasyPrint said of a stylesheet as it read it (a property it ignores, with
        # its line), then of this city's pages.
        sheets = renderer.maker(self.variant).stylesheet_warnings
        said = (
            *(f"{sheet}: {message}" for sheet, message in sheets),
            *outcome.pdf.renderer_warnings,
        )
        return Snapshot(city, pages, warnings=said)

    def _diagnose(self, renderer: CityRenderer, job: Job) -> str | None:
        """Where a failed render went wrong: the HTML made again, to catch its exception
        (the renderer reports a failure as text, without the template's line); None when
        the HTML is made and the failure came later, from WeasyPrint."""
        try:
            renderer.html.html(job.record, job.figures, job.paper)
        except Exception as exc:
            return describe(exc, renderer.layout.folders)
        return None


def rasterise(pdf: bytes, dpi: int = DPI) -> tuple[bytes, ...]:
    """A PDF's pages as PNG images at dpi, through poppler's pdftoppm."""
    tool = shutil.which("pdftoppm")
    if tool is None:
        raise SnapshotError(
            "the preview needs pdftoppm, which is not installed",
            hint="install poppler-utils (make setup does)",
        )
    from PIL import Image

    with tempfile.TemporaryDirectory(prefix="snapshotpdf-preview-") as tmp:
        folder = Path(tmp)
        (folder / "in.pdf").write_bytes(pdf)
        try:  # PPM, encoded below: quicker than pdftoppm's own PNG (zlib at its slowest)
            subprocess.run(
                [tool, "-r", str(dpi), str(folder / "in.pdf"), str(folder / "page")],
                check=True,
                capture_output=True,
                timeout=RASTERISE_TIMEOUT,
            )
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
            said = getattr(exc, "stderr", b"") or b""
            raise SnapshotError(
                f"pdftoppm could not draw the pages: {said.decode(errors='replace') or exc}"
            ) from None
        made = sorted(folder.glob("page-*.ppm"), key=lambda p: int(p.stem.rpartition("-")[2]))
        pages = []
        for path in made:
            with Image.open(path) as image:
                out = io.BytesIO()
                image.save(out, "PNG", compress_level=1)
                pages.append(out.getvalue())
        return tuple(pages)
