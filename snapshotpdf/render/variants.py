"""Output variants: the right PDF for each destination, as named bundles of options.

The same snapshot goes three ways: to a mayor's inbox (screen), to a print shop (print) and
into an archive (archive). Each variant is data, like WeasyPrint's own pdf/pdfua.py,
pdfx.py and pdfa.py: the renderer asks the variant what to do and never branches on its
name. A layout may add stylesheets and icon colours per variant ([variants.NAME] in its
layout.toml; the snapshot layout's print.css adds bleed, crop marks and CMYK colours).
No heavy imports here: the command line reads the names.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date

from snapshotpdf.errors import LayoutError
from snapshotpdf.files import slug
from snapshotpdf.models import CityRecord


@dataclass(frozen=True)
class Variant:
    name: str
    use: str  # what it is for, in a few words (README, --help)
    standard: str  # WeasyPrint's pdf_variant: the standard the file claims and follows
    tagged: bool = False  # structure tree, alternative texts, artifacts (PDF/UA)
    bleed_mm: float = 0.0  # the BleedBox this far outside the TrimBox on every side
    attach_record: bool = False  # the city's record inside the PDF, as JSON
    condition: str | None = None  # print: the output condition ([conditions.NAME], colour.py)
    layout_table: str = ""  # its [variants.NAME] of layout.toml: its own name unless given

    @property
    def table(self) -> str:
        return self.layout_table or self.name


VARIANTS: dict[str, Variant] = {
    variant.name: variant
    for variant in (
        Variant(
            "screen",
            "e-mail and screen: tagged PDF/UA-1, read aloud by screen readers, small",
            "pdf/ua-1",
            tagged=True,
        ),
        Variant(
            "print",
            "the print shop, coated paper: PDF/X-4 in CMYK for FOGRA39, 3 mm bleed, crop marks",
            "pdf/x-4",
            bleed_mm=3.0,
            condition="coated",
        ),
        Variant(
            "print-uncoated",
            "the print shop, uncoated paper: as print, its CMYK for FOGRA29",
            "pdf/x-4",
            bleed_mm=3.0,
            condition="uncoated",
            layout_table="print",
        ),
        Variant(
            "archive",
            "the archive: PDF/A-3b carrying the city's record as a JSON attachment",
            "pdf/a-3b",
            tagged=True,
            attach_record=True,
        ),
    )
}
DEFAULT = "screen"


def get_variant(name: str) -> Variant:
    try:
        return VARIANTS[name]
    except KeyError:
        raise LayoutError(
            f"unknown output variant {name!r}", hint=f"variants: {', '.join(VARIANTS)}"
        ) from None


def attachment_name(record: CityRecord) -> str:
    """The file name of the record inside an archive PDF (the PDF's own stem + .json)."""
    return f"{slug(record.country, record.city)}.json"


def record_json(record: CityRecord) -> str:
    """The normalised record as it is embedded: every field, keys sorted, UTF-8 text (a
    date, which a profile's own field may hold, as ISO 8601: 2024-02-20)."""
    return json.dumps(asdict(record), ensure_ascii=False, sort_keys=True, default=_iso_date)


def _iso_date(value: object) -> str:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")
