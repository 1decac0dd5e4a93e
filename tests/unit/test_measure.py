"""A line of text measured with the bundled fonts' advances, and cut to a width: the
footer's running title (render/measure.py)."""

from __future__ import annotations

from snapshotpdf.render.measure import ELLIPSIS, fit_line, width_em

FSI, PDI = "\u2068", "\u2069"
A4_TITLE = 0.75 * 180 * 72 / 25.4  # three quarters of A4 between 15 mm margins, in pt


def test_widths_come_from_the_font() -> None:
    assert width_em("") == 0
    assert width_em("iiii") < width_em("MMMM")
    assert width_em(FSI + "Lima" + PDI) == width_em("Lima")  # isolates print nothing
    assert width_em("星見市") == 3.0  # not in Noto Sans: counted full width


def test_a_title_that_fits_is_left_as_it_is() -> None:
    title = "City Innovation Snapshot · Lima, Peru"
    assert fit_line(title, A4_TITLE, 7.5) == title


def test_a_long_title_is_cut_short_to_the_width_with_an_ellipsis() -> None:
    city = "Santa María de los Ángeles del Río Grande y San Juan Bautista de la Frontera Norte"
    title = f"City Innovation Snapshot · {FSI}{city}{PDI}, {FSI}República Bolivariana{PDI}"
    cut = fit_line(title, A4_TITLE, 7.5)
    assert cut.endswith(ELLIPSIS + PDI)  # the isolate it cut into is closed again
    assert cut.startswith("City Innovation Snapshot · " + FSI + "Santa María")
    assert width_em(cut) * 7.5 <= A4_TITLE
    assert width_em(cut) * 7.5 > 0.8 * A4_TITLE  # cut at the width, not long before it
    no_spaces = fit_line("x" * 500, 100, 10)
    assert no_spaces.endswith(ELLIPSIS) and width_em(no_spaces) * 10 <= 100
