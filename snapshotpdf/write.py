"""Owns the output folder: file names, refusals of clashes, atomic writes."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from anyascii import anyascii


def slug(*parts: str) -> str:
    """Safe ASCII file stem from names in any script: ("Peru", "Lima") -> "peru-lima"."""
    text = "-".join(anyascii(part) for part in parts).lower()
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return text[:120].rstrip("-") or "city"


def pdf_name(country: str, city: str) -> str:
    return f"{slug(country, city)}.pdf"


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file beside the target, flush to disk, then rename into place:
    a crash never leaves a truncated file under the final name."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def clean_stale_temporaries(outdir: Path) -> None:
    """Remove the temporary files a killed build left behind (never a final file)."""
    for stale in outdir.glob(".*.tmp"):
        stale.unlink(missing_ok=True)
