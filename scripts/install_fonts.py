"""Copy the script fonts fonts/scripts.toml lists from their system packages into fonts/.

`make setup` runs it after installing the packages (SYSTEM_PACKAGES in the Makefile). Each
file is found among the package's files (dpkg-query -L), else under /usr/share/fonts, else
in the folders given with --from, and copied unchanged; a file already in place is left
alone. A file whose sha256 differs from the one the list records is still copied, with a
warning: the package's version differs from the one the snapshots were checked with.

    python scripts/install_fonts.py            # copy what is missing or changed
    python scripts/install_fonts.py --check    # exit 1 when a listed file is missing
    python scripts/install_fonts.py --from ~/Downloads/noto   # not a Debian system
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

FONTS = Path(__file__).resolve().parent.parent / "fonts"
LIST = FONTS / "scripts.toml"
SYSTEM_FONTS = Path("/usr/share/fonts")


@dataclass(frozen=True)
class FontFile:
    name: str
    family: str
    package: str
    sha256: str


def listed(path: Path = LIST) -> list[FontFile]:
    """Every file of the list, in its order."""
    with path.open("rb") as f:
        data = tomllib.load(f)
    return [
        FontFile(name, font["family"], font["package"], digest)
        for font in data["fonts"]
        for name, digest in font["files"].items()
    ]


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def package_files(package: str) -> dict[str, Path]:
    """A package's files by name, as dpkg knows them; empty without dpkg."""
    try:
        out = subprocess.run(
            ["dpkg-query", "-L", package], capture_output=True, text=True, check=False
        ).stdout
    except OSError:
        return {}
    return {Path(line).name: Path(line) for line in out.splitlines() if line.strip()}


def find(font: FontFile, folders: list[Path], packages: dict[str, dict[str, Path]]) -> Path | None:
    """Where the file is on this machine: the package's copy, else a search."""
    if font.package not in packages:
        packages[font.package] = package_files(font.package)
    candidate = packages[font.package].get(font.name)
    if candidate and candidate.is_file():
        return candidate
    for folder in [*folders, SYSTEM_FONTS]:
        for found in sorted(folder.rglob(font.name)) if folder.is_dir() else ():
            if found.is_file():
                return found
    return None


def install(fonts: list[FontFile], folders: list[Path]) -> int:
    packages: dict[str, dict[str, Path]] = {}
    missing = []
    copied = 0
    for font in fonts:
        target = FONTS / font.name
        source = find(font, folders, packages)
        if source is None:
            if target.is_file():
                continue  # copied before; the package has since gone
            missing.append(font)
            continue
        digest = sha256(source)
        if digest != font.sha256:
            print(
                f"warning: {source} is not the file fonts/scripts.toml records (another"
                f" version of {font.package}?): {font.family} text may print differently"
                " from other machines",
                file=sys.stderr,
            )
        if target.is_file() and sha256(target) == digest:
            continue
        temporary = target.with_name(f".{target.name}.tmp")
        shutil.copyfile(source, temporary)
        os.replace(temporary, target)
        copied += 1
    if copied:
        print(f"fonts: {copied} script font file(s) copied into {FONTS}")
    if missing:
        for font in missing:
            print(f"error: {font.name} ({font.family}) not found", file=sys.stderr)
        names = sorted({font.package for font in missing})
        print(
            f"install the package(s) {' '.join(names)} (Debian names; `make setup` does),"
            " or pass --from FOLDER holding the files",
            file=sys.stderr,
        )
        return 1
    return 0


def check(fonts: list[FontFile]) -> int:
    absent = [font.name for font in fonts if not (FONTS / font.name).is_file()]
    for name in absent:
        print(f"missing: fonts/{name} (run `make setup`)", file=sys.stderr)
    return 1 if absent else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="copy nothing; list what is missing")
    parser.add_argument(
        "--from",
        dest="folders",
        type=Path,
        action="append",
        default=[],
        help="a folder holding the font files (searched after the packages)",
    )
    args = parser.parse_args(argv)
    fonts = listed()
    return check(fonts) if args.check else install(fonts, args.folders)


if __name__ == "__main__":
    sys.exit(main())
