"""Builds shared by the variant, visual, extreme and booklet tests, and PDF checks that
lean on tools nobody here wrote (qpdf, poppler's pdffonts and pdftotext, pikepdf).

The builds are made by make_build; tests get them through the session fixture `built`
(tests/conftest.py), so each (survey, variant) is rendered once per test session.
"""

from __future__ import annotations

import re
import subprocess
import tomllib
from collections.abc import Callable
from itertools import combinations
from pathlib import Path
from typing import NamedTuple

import pikepdf

from snapshotpdf.assets import fonts_dir
from snapshotpdf.batch.build import build
from snapshotpdf.batch.result import BuildResult
from snapshotpdf.batch.settings import Settings
from snapshotpdf.limits import MAX_ICONS
from snapshotpdf.models import Inputs
from snapshotpdf.render import iconfont
from support.extreme import CROWDED, EXTREME
from support.helpers import minimal_city, raw_text, write_survey

AUTHOR = "City Lab of the Test Suite"

# Only the fonts snapshotpdf ships (fonts/), by the names they carry inside a PDF.
BUNDLED_FONTS = {
    iconfont.FAMILY,  # the layout's icons as a font (render/iconfont.py)
    "Noto-Sans",
    "Noto-Sans-Bold",
    "Noto-Sans-Italic",
    "Noto-Sans-BoldItalic",
    "Noto-Sans-Symbols2",
}
# The script fonts of fonts/scripts.toml by the names they carry in a PDF:
# Noto-Sans-CJK-JP-Bold, Noto-Sans-Arabic, ...
SCRIPT_FONTS = {
    f"{family.replace(' ', '-')}{weight}"
    for font in tomllib.loads((fonts_dir() / "scripts.toml").read_text(encoding="utf-8"))["fonts"]
    for family in (font["family"], *font.get("also", []))
    for weight in ("", "-Bold")
}

# The section headings of a snapshot, in reading order.
SECTIONS = [
    "Overview",
    "What is the organisational structure?",
    "Spotlight",
    "What is the city's innovation vision?",
    "What is the city's innovation approach?",
    "What innovation partnerships exist?",
    "What funding is available?",
    "How is innovation helping the city?",
    "What makes it work?",
    "How is data used?",
    "How are outcomes measured?",
]
HEADINGS = SECTIONS[1:]  # the question headings, without the overview


def extreme_survey(folder: Path) -> Path:
    """An export with the extreme respondents and one ordinary one."""
    return write_survey(
        folder / "extreme.xlsx", [EXTREME, CROWDED, minimal_city("Alpha", "Ruritania")]
    )


def make_build(folder: Path, variant: str = "screen", survey: str = "sample") -> Built:
    """A build of the bundled sample or the extreme survey in one variant, into folder. The
    sample's screen build has every city; its other variants only the reference city, Lima
    (every other city's layout is the screen build's to check)."""
    sample = survey == "sample"
    folder.mkdir(parents=True, exist_ok=True)
    settings = Settings(
        inputs=Inputs(survey=None if sample else extreme_survey(folder)),
        outdir=folder / "out",
        cities=("Lima",) if sample and variant != "screen" else (),
        variant=variant,
        author=AUTHOR,
        jobs=0,
    )
    return Built(build(settings), settings.outdir)


BuildOf = Callable[..., "Built"]  # (variant="screen", survey="sample") -> Built


class Built(NamedTuple):
    result: BuildResult
    outdir: Path

    def pdf(self, stem: str) -> Path:
        return self.outdir / f"{stem}.pdf"


def qpdf_check(path: Path) -> None:
    """qpdf --check: the file's structure, cross-reference table and streams are sound."""
    done = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def fonts(path: Path) -> list[tuple[str, bool]]:
    """pdffonts: every font the PDF uses, with whether it is embedded."""
    lines = subprocess.run(
        ["pdffonts", str(path)], check=True, capture_output=True, text=True
    ).stdout.splitlines()[2:]
    found = []
    for line in lines:
        # name type... encoding emb sub uni object-id: the columns from the right are fixed
        parts = line.split()
        found.append((parts[0], parts[-5] == "yes"))
    return found


def assert_only_bundled_fonts_embedded(path: Path) -> None:
    used = fonts(path)
    assert used, path
    for name, embedded in used:
        assert embedded, (path.name, name)
        assert name.split("+", 1)[-1] in BUNDLED_FONTS, (path.name, name)


class Word(NamedTuple):
    x0: float
    y0: float
    x1: float
    y1: float
    text: str


def word_boxes(path: Path) -> list[tuple[float, float, list[Word]]]:
    """pdftotext -bbox-layout: per page its width, height and the box of every word."""
    out = subprocess.run(
        ["pdftotext", "-bbox-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    pages = []
    for page in re.findall(r"<page (.*?)</page>", out, re.S):
        size = re.search(r'width="([\d.]+)" height="([\d.]+)"', page)
        assert size
        words = [
            Word(float(a), float(b), float(c), float(d), text)
            for a, b, c, d, text in re.findall(
                r'<word xMin="([-\d.]+)" yMin="([-\d.]+)" xMax="([-\d.]+)" yMax="([-\d.]+)">'
                r"(.*?)</word>",
                page,
            )
        ]
        pages.append((float(size[1]), float(size[2]), words))
    return pages


def overlapping(words: list[Word]) -> list[tuple[Word, Word]]:
    """Pairs of words whose boxes intersect. A word's box is its font's full height, so
    lines set tighter than the font's ascent + descent touch: a pair counts when they share
    more than 0.5 pt across and a third of the smaller box's height."""
    found = []
    for a, b in combinations(words, 2):
        across = min(a.x1, b.x1) - max(a.x0, b.x0)
        down = min(a.y1, b.y1) - max(a.y0, b.y0)
        if across > 0.5 and down > min(a.y1 - a.y0, b.y1 - b.y0) / 3:
            found.append((a, b))
    return found


def is_icon(word: Word) -> bool:
    """An icon's glyph (render/iconfont.py: private-use characters from ICON_BASE on): a
    graphic, not text. A disc's ring is set over its icon on purpose."""
    return all(iconfont.ICON_BASE <= ord(c) < iconfont.ICON_BASE + MAX_ICONS for c in word.text)


def assert_no_overlap_or_clipping(path: Path) -> None:
    """No two words on a page overlap (icons' glyphs are graphics, not words), and every
    word and icon lies on its page."""
    for number, (width, height, words) in enumerate(word_boxes(path), 1):
        assert words, (path.name, number)
        text = [w for w in words if not is_icon(w)]
        assert not overlapping(text), (path.name, number, overlapping(text)[:3])
        outside = [w for w in words if w.x0 < 0 or w.y0 < 0 or w.x1 > width or w.y1 > height]
        assert not outside, (path.name, number, outside[:3])


PAINTING = {"Tj", "TJ", "'", '"', "f", "F", "f*", "B", "B*", "b", "b*", "S", "s", "Do", "sh"}


def untagged_operations(pdf: pikepdf.Pdf) -> list[tuple[int, str]]:
    """Painting operators outside any marked content (neither tagged nor an Artifact)."""
    found = []
    for number, page in enumerate(pdf.pages, 1):
        depth = 0
        for instruction in pikepdf.parse_content_stream(page):
            op = str(instruction.operator)
            if op in ("BDC", "BMC"):
                depth += 1
            elif op == "EMC":
                depth -= 1
            elif op in PAINTING and depth == 0:
                found.append((number, op))
            elif op == "INLINE IMAGE" and depth == 0:
                found.append((number, "BI"))
    return found


def colour_operators(pdf: pikepdf.Pdf) -> set[str]:
    """Every colour-setting operator of the pages and the forms and patterns they draw."""
    found: set[str] = set()
    seen: set[tuple[int, int]] = set()

    def scan(stream: pikepdf.Object, resources: pikepdf.Object | None) -> None:
        for instruction in pikepdf.parse_content_stream(stream):
            op = str(instruction.operator)
            if op in ("rg", "RG", "k", "K", "g", "G", "sc", "SC", "scn", "SCN"):
                found.add(op)
            if op in ("cs", "CS"):
                found.add(f"{op} {instruction.operands[0]}")
        for kind in ("/XObject", "/Pattern"):
            for child in (resources or {}).get(kind, {}).values():
                if child.objgen in seen or not isinstance(child, pikepdf.Stream):
                    continue
                seen.add(child.objgen)
                if child.get("/Subtype") == "/Image":
                    found.add(f"image {child.get('/ColorSpace')}")
                else:
                    scan(child, child.get("/Resources", resources))

    for page in pdf.pages:
        scan(page.obj, page.obj.get("/Resources"))
    return found


def struct_elements(pdf: pikepdf.Pdf) -> list[tuple[str, pikepdf.Dictionary, list[str]]]:
    """Every element of the structure tree: its type, itself and its parents' types."""
    found = []

    def walk(element: pikepdf.Dictionary, parents: list[str]) -> None:
        kind = str(element.S)
        found.append((kind, element, parents))
        kids = element.get("/K")
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                walk(kid, [*parents, kind])

    root = pdf.Root.StructTreeRoot.K
    for top in root if isinstance(root, pikepdf.Array) else [root]:
        walk(top, [])
    return found


def outline(pdf: pikepdf.Pdf) -> list[tuple[str, list[str]]]:
    """The bookmarks: each top-level title with the titles under it."""
    with pdf.open_outline() as tree:
        return [(item.title, [child.title for child in item.children]) for item in tree.root]


def page_texts(path: Path) -> list[str]:
    """Each page's text (pdftotext -raw), whitespace folded."""
    return [" ".join(page.split()) for page in raw_text(path).split("\f")[:-1]]


def kids(element: pikepdf.Dictionary) -> list[pikepdf.Object]:
    """A structure element's /K as a list (a single kid, an array, or none)."""
    found = element.get("/K")
    if found is None:
        return []
    return list(found) if isinstance(found, pikepdf.Array) else [found]


def marked_content_outside_tree(pdf: pikepdf.Pdf) -> list[tuple[int, int, str]]:
    """(page, MCID, tag) of every marked-content sequence with an MCID that is no Artifact
    and that no element of the structure tree claims, or that the parent tree maps to
    another element than the one claiming it: content a screen reader cannot place."""
    claimed: dict[tuple[tuple[int, int], int], tuple[int, int]] = {}
    for _kind, element, _parents in struct_elements(pdf):
        page = element.get("/Pg")
        for kid in kids(element):
            if isinstance(kid, int) and page is not None:
                claimed[page.objgen, int(kid)] = element.objgen
            elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                claimed[kid.get("/Pg", page).objgen, int(kid.MCID)] = element.objgen
    parent_tree = pikepdf.NumberTree(pdf.Root.StructTreeRoot.ParentTree)
    found = []
    for number, page in enumerate(pdf.pages, 1):
        key = page.obj.get("/StructParents")
        parents = parent_tree.get(int(key)) if key is not None else None
        for instruction in pikepdf.parse_content_stream(page):
            if str(instruction.operator) != "BDC":
                continue
            tag, properties = instruction.operands
            if str(tag) == "/Artifact" or not isinstance(properties, pikepdf.Dictionary):
                continue
            if "/MCID" not in properties:
                continue
            mcid = int(properties.MCID)
            owner = claimed.get((page.obj.objgen, mcid))
            mapped = parents[mcid] if parents is not None and mcid < len(parents) else None
            if owner is None or mapped is None or mapped.objgen != owner:
                found.append((number, mcid, str(tag)))
    return found


def artifact_kinds(pdf: pikepdf.Pdf) -> list[str]:
    """The /Type of every artifact's property list (/Pagination, ...; "" when it has none)."""
    found = []
    for page in pdf.pages:
        for instruction in pikepdf.parse_content_stream(page):
            operator = str(instruction.operator)
            if operator in ("BMC", "BDC") and str(instruction.operands[0]) == "/Artifact":
                properties = instruction.operands[1] if operator == "BDC" else None
                kind = properties.get("/Type") if properties is not None else None
                found.append(str(kind) if kind is not None else "")
    return found
