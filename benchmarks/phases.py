"""Where one steady city's time goes, phase by phase, so a change is measured, not guessed.

    .venv/bin/python benchmarks/phases.py [--city Lima] [--runs 20] [--variant screen]

One process, as a warm worker is: the layout, fonts and stylesheets are loaded once and
the city is rendered a few times before it is measured. Then it is rendered --runs times
under cProfile, and the cumulative time of the functions that begin each phase is
printed per city. Phases nest (the cascade is part of "parse, cascade and layout"; icons
are part of drawing), as the table's indentation shows; "other" is what the listed
top-level phases leave of the whole render. Profiling slows Python code down by a similar
factor everywhere, so read the shares and compare runs made the same way; the wall time
without the profiler is printed too.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from snapshotpdf.batch.plan import read
from snapshotpdf.batch.result import BuildResult
from snapshotpdf.batch.settings import creation_date
from snapshotpdf.models import Inputs
from snapshotpdf.render.html import Renderer
from snapshotpdf.render.layout import load_layout
from snapshotpdf.survey.figures import survey_figures


@dataclass(frozen=True)
class Phase:
    label: str
    depth: int  # 0: a top-level phase of one render; 1: part of the phase above it
    where: tuple[tuple[str, str], ...]  # (file path ending, function name) that begin it


PHASES = (
    Phase("Jinja (record -> HTML)", 0, (("snapshotpdf/render/html.py", "html"),)),
    Phase("parse, cascade and layout", 0, (("weasyprint/__init__.py", "render"),)),
    Phase("HTML parsing", 1, (("weasyprint/__init__.py", "__init__"),)),
    Phase("cascade", 1, (("weasyprint/css/__init__.py", "get_all_computed_styles"),)),
    Phase(
        "lazily computed CSS values",
        1,
        (("weasyprint/css/__init__.py", "__missing__"),),
    ),
    Phase(
        "box tree",
        1,
        (("weasyprint/formatting_structure/build.py", "build_formatting_structure"),),
    ),
    Phase("layout", 1, (("weasyprint/layout/__init__.py", "layout_document"),)),
    Phase("drawing", 0, (("weasyprint/draw/__init__.py", "draw_page"),)),
    Phase("images (the SVG icons)", 1, (("weasyprint/images.py", "draw"),)),
    Phase("tags", 0, (("weasyprint/pdf/tags.py", "add_tags"),)),
    Phase("font subsetting", 0, (("weasyprint/pdf/fonts.py", "subset"),)),
    Phase("serialisation", 0, (("pydyf/__init__.py", "write"),)),
)
WHOLE = (("snapshotpdf/render/pdf.py", "render"),)


def cumulative_ms(stats: pstats.Stats, where: tuple[tuple[str, str], ...], runs: int) -> float:
    """The time spent inside the named functions, per run, each moment counted once: a
    function entered from another listed one (ComputedStyle.__missing__ asking its
    parent's) is already inside that one's time."""

    def listed(key: tuple[str, int, str]) -> bool:
        return any(key[2] == name and key[0].endswith(ending) for ending, name in where)

    entries = stats.stats  # type: ignore[attr-defined]
    total = 0.0
    for key, (_cc, _nc, _tt, cumulative, callers) in entries.items():
        if listed(key):
            inner = sum(timing[3] for caller, timing in callers.items() if listed(caller))
            total += max(0.0, cumulative - inner)
    return total * 1000 / runs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("survey", nargs="?", type=Path, help="default: the bundled sample")
    parser.add_argument("--city", default="Lima")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--variant", default="screen")
    args = parser.parse_args(argv)

    from snapshotpdf.render.pdf import PdfMaker

    inputs = Inputs(survey=args.survey)
    records = read(inputs, BuildResult())
    figures = survey_figures(records)
    record = next((r for r in records if r.city == args.city), None)
    if record is None:
        print(f"no city {args.city!r} in {inputs.survey_path.name}", file=sys.stderr)
        return 2
    layout = load_layout()
    renderer = Renderer(layout)
    maker = PdfMaker.for_layout(layout, args.variant)
    created = creation_date(inputs.survey_path)

    def one() -> None:
        html = renderer.html(record, figures, "a4", created=created)
        maker.render(html, record, "snapshotpdf")

    for _ in range(3):  # warm: fonts, stylesheets, icons
        one()
    started = time.perf_counter()
    for _ in range(args.runs):
        one()
    wall = (time.perf_counter() - started) * 1000 / args.runs

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(args.runs):
        one()
    profiler.disable()
    stats = pstats.Stats(profiler)

    whole = cumulative_ms(stats, WHOLE, args.runs) + cumulative_ms(
        stats, PHASES[0].where, args.runs
    )
    print(
        f"{record.city}, {args.variant} variant: {wall:.0f} ms per city without the profiler"
        f" ({args.runs} runs, warm); {whole:.0f} ms under it, shared out:"
    )
    print(f"{'phase':<36}{'ms':>8}{'share':>8}")
    top = 0.0
    for phase in PHASES:
        ms = cumulative_ms(stats, phase.where, args.runs)
        if phase.depth == 0:
            top += ms
        label = ("  ↳ " if phase.depth else "") + phase.label
        print(f"{label:<36}{ms:>8.1f}{ms / whole:>8.0%}")
    print(f"{'other':<36}{whole - top:>8.1f}{(whole - top) / whole:>8.0%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
