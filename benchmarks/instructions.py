"""What cities cost in instructions, not time: the same count on a busy machine as on a quiet one.

    .venv/bin/python benchmarks/instructions.py [SURVEY] [--cities 2] [--css PART.css ...]

Times on these shared machines move by a tenth from one run to the next, more than most
changes to a layout buy. An instruction count does not move: each variant runs in its own
process under valgrind's callgrind, with Python's hash seed fixed and the garbage collector
off while it is measured, and the count is on only while the cities are laid out and
written (a client request, from a small C helper compiled at the start), as a warm worker
renders them: no start-up, no warm-up, no survey reading. The same run gives the same
count to within 0.1%.

Each --css stylesheet is a variant: the layout with that sheet added after its own. A sheet
that takes a part away says what the part costs, e.g. `.outcomes { display: none }`, the
outcomes grid; a sheet that writes a part another way says what that buys. The report is
each variant's instructions per city and its share of the layout's own.

Instructions are not time: memory stalls and the garbage collector do not show (batch.py
measures time). Needs valgrind with its headers (valgrind/callgrind.h) and a C compiler;
says so when one is missing. About a minute per variant for two cities, two at a time.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import ctypes
import gc
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HELPER = r"""
#include <valgrind/callgrind.h>
void measure_start(void) { CALLGRIND_ZERO_STATS; CALLGRIND_START_INSTRUMENTATION;
                           CALLGRIND_TOGGLE_COLLECT; }
void measure_stop(void) { CALLGRIND_TOGGLE_COLLECT; CALLGRIND_DUMP_STATS;
                          CALLGRIND_STOP_INSTRUMENTATION; }
"""
COLLECTED = re.compile(r"Collected\s*:\s*(\d+)")
BASE = "the layout"


def helper(folder: Path) -> Path | str:
    """The helper library that turns counting on and off, compiled into folder, or why it
    cannot be."""
    missing = [tool for tool in ("valgrind", "cc") if shutil.which(tool) is None]
    if missing:
        return f"{' and '.join(missing)} not found: install valgrind and a C compiler"
    source, library = folder / "measure.c", folder / "libmeasure.so"
    source.write_text(HELPER)
    made = subprocess.run(
        ["cc", "-O2", "-shared", "-fPIC", "-o", str(library), str(source)],
        capture_output=True,
        text=True,
    )
    if made.returncode:
        return f"cannot compile the helper (valgrind's headers missing?): {made.stderr.strip()}"
    return library


def count(survey: str, cities: int, css: str, library: Path, folder: Path) -> int | str:
    """The instructions of one variant's cities, or what went wrong."""
    command = [
        "valgrind",
        "--tool=callgrind",
        "--instr-atstart=no",
        "--collect-atstart=no",
        f"--callgrind-out-file={folder}/callgrind.%p",
        sys.executable,
        __file__,
        "_measure",
        survey,
        str(cities),
        css,
        str(library),
    ]
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    found = COLLECTED.findall(done.stderr)
    if done.returncode or not found:
        return done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "no count"
    return int(found[-1])


def measure(survey: str, cities: int, css: str, library: str) -> None:
    """In the process under valgrind: render the first `cities` cities of the survey as a
    warm worker does (the layout's own stylesheets, and css after them unless "-"), with
    the count on only around their layout and writing."""
    from snapshotpdf.batch import workers
    from snapshotpdf.batch.plan import read
    from snapshotpdf.batch.result import BuildResult
    from snapshotpdf.models import Inputs
    from snapshotpdf.survey.figures import survey_figures

    toggle = ctypes.CDLL(library)
    records = read(Inputs(survey=Path(survey) if survey != "-" else None), BuildResult())
    if len(records) <= cities:
        raise SystemExit(f"the survey has {len(records)} cities: fewer than --cities + 1")
    figures = survey_figures(records)
    render = workers.CityRenderer("snapshot")
    render.warm("screen")
    maker = render.maker("screen")
    extra = [maker.css(Path(css).read_text(encoding="utf-8"))] if css != "-" else []

    def html(index: int) -> str:
        return render.html.html(records[index], figures, "a4", created=None)

    pages = [html(index) for index in range(cities)]
    with workers.rendering_collector():
        maker.write(maker.layout_document(html(cities), extra), "warm")  # the variant, warm
        gc.disable()
        toggle.measure_start()
        for page in pages:
            maker.write(maker.layout_document(page, extra), page)
        toggle.measure_stop()


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["_measure"]:
        measure(argv[1], int(argv[2]), argv[3], argv[4])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("survey", nargs="?", default="-", help="default: the bundled sample")
    parser.add_argument("--cities", type=int, default=2, help="cities measured (the first)")
    parser.add_argument("--css", action="append", default=[], help="a variant's extra sheet")
    args = parser.parse_args(argv)
    survey = str(Path(args.survey).resolve()) if args.survey != "-" else "-"
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        library = helper(folder)
        if isinstance(library, str):
            print(f"error: {library}", file=sys.stderr)
            return 2
        variants = {BASE: "-", **{Path(css).name: str(Path(css).resolve()) for css in args.css}}
        with concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 1) as pool:
            counts = dict(
                zip(
                    variants,
                    pool.map(
                        lambda css: count(survey, args.cities, css, library, folder),
                        variants.values(),
                    ),
                    strict=True,
                )
            )
    base = counts[BASE]
    print(f"{args.cities} cities, instructions per city (millions), and the share of {BASE}'s:")
    for name, found in counts.items():
        if isinstance(found, str):
            print(f"  {name:<32} failed: {found}")
            continue
        share = f"{found / base:8.1%}" if isinstance(base, int) else ""
        print(f"  {name:<32}{found / args.cities / 1e6:10.1f}{share}")
    return 0 if all(isinstance(found, int) for found in counts.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
