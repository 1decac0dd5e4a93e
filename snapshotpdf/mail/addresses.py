"""What stops mailing. The checks of what may go into a header live in
snapshotpdf/addresses.py, below the survey's check, which holds contact e-mails to the
same rule."""

from __future__ import annotations

from snapshotpdf.errors import SnapshotError


class DeliveryError(SnapshotError):
    """Mailing stops: nothing more is sent (exit code 2). Partial failures are not errors."""
