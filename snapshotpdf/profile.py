"""Survey profiles: which column of an export feeds which record field (a TOML file)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from snapshotpdf import vocabulary
from snapshotpdf.assets import package_file
from snapshotpdf.errors import ProfileError
from snapshotpdf.normalise import FIELD_PARSERS, REQUIRED_FIELDS

# Fields read together with another one rather than on their own.
COMPANION_FIELDS = {"population_year"}


@dataclass(frozen=True)
class Profile:
    name: str
    path: Path
    fields: dict[str, str]  # record field -> column header
    data_sufficiency: dict[str, str]  # policy area -> column header
    list_separator: str = ";"
    sheet: str | None = None
    header_rows: int = 1

    def headers(self) -> list[str]:
        return [*self.fields.values(), *self.data_sufficiency.values()]


def default_profile_path() -> Path:
    return package_file("profiles/sample.toml")


def load_profile(path: Path | None = None) -> Profile:
    path = path or default_profile_path()
    try:
        with path.open("rb") as f:
            raw = tomllib.load(f)
    except FileNotFoundError:
        raise ProfileError(f"profile not found: {path}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ProfileError(f"profile {path} is not valid TOML: {exc}") from None

    meta = raw.get("profile", {})
    fields = raw.get("fields", {})
    grid = raw.get("data_sufficiency", {})
    known = set(FIELD_PARSERS) | COMPANION_FIELDS
    unknown = sorted(set(fields) - known)
    if unknown:
        raise ProfileError(
            f"profile {path}: unknown field(s) {', '.join(unknown)}",
            hint=f"known fields: {', '.join(sorted(known))}",
        )
    missing = [f for f in REQUIRED_FIELDS if f not in fields]
    if missing:
        raise ProfileError(f"profile {path}: [fields] must name the column of {', '.join(missing)}")
    bad_areas = sorted(set(grid) - set(vocabulary.policy_areas()))
    if bad_areas:
        raise ProfileError(
            f"profile {path}: unknown policy area(s) in [data_sufficiency]: {', '.join(bad_areas)}",
            hint=f"policy areas: {', '.join(vocabulary.policy_areas())}",
        )
    if not all(isinstance(v, str) and v.strip() for v in [*fields.values(), *grid.values()]):
        raise ProfileError(f"profile {path}: every column header must be a non-empty string")
    return Profile(
        name=str(meta.get("name", path.stem)),
        path=path,
        fields=dict(fields),
        data_sufficiency=dict(grid),
        list_separator=str(meta.get("list_separator", ";")),
        sheet=meta.get("sheet"),
        header_rows=int(meta.get("header_rows", 1)),
    )
