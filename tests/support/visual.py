"""Visual regression: a few fixture snapshots rasterised small and compared with the
approved images in tests/approved/ (one PNG per page, 40 dpi).

After a deliberate change of the look, approve the new images with `make approve`
(tests/support/approve_images.py), look at them, and commit them with the change.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path

from PIL import Image, ImageChops, ImageStat

from snapshotpdf.files import slug
from support.extreme import EXTREME
from support.pdfcheck import BuildOf, Built, make_build

APPROVED = Path(__file__).resolve().parent.parent / "approved"
DPI = 40
# A page passes when at most this share of its pixels differ markedly (anti-aliasing and
# another poppler's rounding move a few) and the average difference stays small.
MAX_CHANGED_SHARE = 0.004
CHANGED = 64  # a pixel differs markedly when a channel moves more than this (of 255)
MAX_MEAN_DIFFERENCE = 1.5


# Approved name -> the build (variant, survey) and the PDF of it: the reference city (screen
# and print), a city a little too long for two pages (set smaller on them), a sparse city
# (one finished page) and the extreme respondent (far too long: flowing onto a third).
CASES: dict[str, tuple[str, str, str]] = {
    "screen-peru-lima": ("screen", "sample", "peru-lima"),
    "print-peru-lima": ("print", "sample", "peru-lima"),
    "screen-united-kingdom-port-ashcombe": ("screen", "sample", "united-kingdom-port-ashcombe"),
    "screen-sparse": ("screen", "sample", "canada-kestrel-falls"),
    # Every script and the city's own language (the sample's cities of issue 11).
    "screen-japanese": ("screen", "sample", "nippon-hoshimi-shi"),
    "screen-hebrew": ("screen", "sample", "ysr-l-gv-t-hzyt"),
    "screen-arabic-in-french": ("screen", "sample", "twns-mdynh-lwhh"),
    "screen-thai": ("screen", "sample", "praethsaithy-emueongdokaekw"),
    "screen-spanish": ("screen", "sample", "colombia-villanueva-del-rio"),
    "screen-extreme": ("screen", "extreme", slug(str(EXTREME["country"]), str(EXTREME["city"]))),
}


def case_pdf(built: BuildOf, name: str) -> Path:
    variant, survey, stem = CASES[name]
    return built(variant, survey).pdf(stem)


def rasterise(pdf: Path) -> list[Image.Image]:
    """Every page of a PDF as an RGB image (pdftoppm, DPI dots per inch)."""
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(["pdftoppm", "-png", "-r", str(DPI), str(pdf), f"{folder}/page"], check=True)
        return [Image.open(p).convert("RGB") for p in sorted(Path(folder).glob("page-*.png"))]


def approved_paths(name: str) -> list[Path]:
    return sorted(APPROVED.glob(f"{name}-p*.png"))


def page_path(name: str, number: int) -> Path:
    return APPROVED / f"{name}-p{number}.png"


def difference(actual: Image.Image, approved: Image.Image) -> tuple[float, float, Image.Image]:
    """(share of markedly changed pixels, mean difference, the difference image)."""
    diff = ImageChops.difference(actual, approved)
    grey = diff.convert("L")
    changed = sum(grey.point(lambda v: 255 if v > CHANGED else 0).histogram()[255:])
    mean = sum(ImageStat.Stat(diff).mean) / 3
    return changed / (grey.width * grey.height), mean, diff


def save_approved(image: Image.Image, path: Path) -> None:
    """An approved page image: 64 colours keep a page near 16 kB; they move no pixel
    markedly."""
    small = image.quantize(64, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    small.save(path, optimize=True)


def mismatches(pages: Iterable[tuple[Image.Image, Path]]) -> list[str]:
    """What differs between rendered pages and their approved images: one message per page
    that changed markedly, with the page and its difference saved to a temporary folder."""
    failures = []
    for page, path in pages:
        reference = Image.open(path).convert("RGB")
        if page.size != reference.size:
            failures.append(f"{path.name}: size {page.size}, approved {reference.size}")
            continue
        changed, mean, diff = difference(page, reference)
        if changed > MAX_CHANGED_SHARE or mean > MAX_MEAN_DIFFERENCE:
            folder = Path(tempfile.mkdtemp(prefix="snapshotpdf-visual-"))
            page.save(folder / path.name)
            diff.save(folder / f"diff-{path.name}")
            failures.append(
                f"{path.name}: {changed:.2%} of pixels changed, mean difference {mean:.2f};"
                f" see {folder}"
            )
    return failures


def approve() -> list[Path]:
    """Render every case and write its pages as the approved images."""
    folder = Path(tempfile.mkdtemp(prefix="snapshotpdf-approve-"))
    made: dict[tuple[str, str], Built] = {}

    def built(variant: str = "screen", survey: str = "sample") -> Built:
        if (variant, survey) not in made:
            made[variant, survey] = make_build(folder / f"{survey}-{variant}", variant, survey)
        return made[variant, survey]

    written = []
    for name in CASES:
        for old in approved_paths(name):
            old.unlink()
        for number, image in enumerate(rasterise(case_pdf(built, name)), 1):
            path = page_path(name, number)
            save_approved(image, path)
            written.append(path)
    return written
