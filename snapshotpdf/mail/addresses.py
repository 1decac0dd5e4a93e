"""What stops mailing, and the header checks mail uses (snapshotpdf/addresses.py, where
they live below the survey's check, which holds contact e-mails to the same rule)."""

from __future__ import annotations

from snapshotpdf.addresses import (
    check_header_value,
    name_too_long,
    normalise_address,
    printable,
    shown,
    split_addresses,
    unsafe_character,
)
from snapshotpdf.errors import SnapshotError

__all__ = [
    "DeliveryError",
    "check_header_value",
    "name_too_long",
    "normalise_address",
    "printable",
    "shown",
    "split_addresses",
    "unsafe_character",
]


class DeliveryError(SnapshotError):
    """Mailing stops: nothing more is sent (exit code 2). Partial failures are not errors."""
