"""File names made from cities: readable ASCII, safe on every system, never shared by two
different cities by accident."""

from __future__ import annotations

import pytest

from snapshotpdf.files import MAX_STEM, pdf_name, slug


def test_names_in_any_script_become_readable_ascii() -> None:
    assert slug("Peru", "Lima") == "peru-lima"
    assert slug("Polska", "Łódź") == "polska-lodz"
    assert pdf_name("Ελλάδα", "Καλαμόπολη") == "ellada-kalamopoli.pdf"


@pytest.mark.parametrize("name", ["CON", "prn", "Aux", "NUL", "COM1", "lpt9"])
def test_windows_device_names_are_never_a_file_name(name: str) -> None:
    assert slug(name) == f"{name.lower()}-city"
    assert slug("Ruritania", name) == f"ruritania-{name.lower()}"  # not a device name


def test_names_without_letters_get_a_stable_name_of_their_own() -> None:
    first, second = slug("★", "☆"), slug("★", "✦")
    assert first.startswith("city-") and second.startswith("city-")
    assert first != second and slug("★", "☆") == first


def test_long_names_are_cut_but_never_collide() -> None:
    stem = "Saint " * 40
    first, second = slug("Ruritania", stem + "North"), slug("Ruritania", stem + "South")
    assert len(first) == len(second) == MAX_STEM
    assert first != second
    assert first.startswith("ruritania-saint-saint-")
