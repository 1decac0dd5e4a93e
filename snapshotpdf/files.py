"""Files: names made from cities, atomic writes, sizes as people read them, and picking
cities by name or file stem."""

from __future__ import annotations

import difflib
import hashlib
import os
import re
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from anyascii import anyascii

T = TypeVar("T")


MAX_STEM = 120  # characters of a file name made from a city, before its extension
# Names Windows keeps for devices, whatever the extension: never a file of ours.
_RESERVED = {"con", "prn", "aux", "nul", *(f"{d}{n}" for d in ("com", "lpt") for n in range(10))}


def slug(*parts: str) -> str:
    """Safe ASCII file stem from names in any script: ("Peru", "Lima") -> "peru-lima".
    Names that give no letters, or too many, end in a short digest of the names, so two
    cities never share a stem by accident; a Windows device name gets "-city" after it."""
    text = "-".join(anyascii(part) for part in parts).lower()
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    digest = hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:10]
    if not text:
        return f"city-{digest}"
    if len(text) > MAX_STEM:
        text = f"{text[: MAX_STEM - len(digest) - 1].rstrip('-')}-{digest}"
    return f"{text}-city" if text in _RESERVED else text


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


def size_text(size: int | None) -> str:
    """A size as people read it: "812 bytes", "10 KB", "3.4 MB", "200 MB" ("-" for none)."""
    if size is None:
        return "-"
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{round(size / 1024)} KB"
    return f"{size / 1024 / 1024:.1f}".removesuffix(".0") + " MB"


def choose(
    items: Sequence[T], wanted: Sequence[str], names: Callable[[T], tuple[str, str]]
) -> tuple[list[T], list[str]]:
    """The items a user asked for by city name or file stem (case aside), and the names
    that matched nothing. names(item) gives (city, file stem). One picker for every
    command's --city."""
    keys = {w.casefold(): w for w in wanted}
    chosen = [i for i in items if any(n.casefold() in keys for n in names(i))]
    found = {n.casefold() for i in chosen for n in names(i)}
    return chosen, [name for key, name in keys.items() if key not in found]


def unknown_city_hint(unknown: str, cities: Sequence[str]) -> str:
    """What to say of a --city that matched nothing: the closest names, and how many exist."""
    close = difflib.get_close_matches(unknown, cities, n=3, cutoff=0.6)
    folded = {c.casefold(): c for c in cities}
    close += [
        folded[c]
        for c in difflib.get_close_matches(unknown.casefold(), list(folded), n=3, cutoff=0.6)
        if folded[c] not in close
    ]
    count = f"{len(cities)} cit{'y' if len(cities) == 1 else 'ies'} in all"
    if close:
        return f"did you mean {' or '.join(repr(c) for c in close[:3])}? ({count})"
    listed = ", ".join(cities[:12]) + (" …" if len(cities) > 12 else "")
    return f"give a city name or file stem; {count}: {listed}"
