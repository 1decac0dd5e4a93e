"""Layouts, fonts and the sample ship inside the wheel and are found from there."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_wheel_carries_its_files_and_renders_from_them(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path / "dist"),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = (tmp_path / "dist").glob("snapshotpdf-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in (
        "snapshotpdf/_data/layouts/snapshot/snapshot.css",
        "snapshotpdf/_data/layouts/snapshot/locales/en.toml",
        "snapshotpdf/_data/layouts/snapshot/icons/LICENSE",
        "snapshotpdf/_data/fonts/NotoSans-Regular.ttf",
        "snapshotpdf/_data/fonts/OFL.txt",
        "snapshotpdf/_data/inputs/sample-survey.xlsx",
        "snapshotpdf/survey/vocabulary.toml",
        "snapshotpdf/survey/profiles/sample.toml",
    ):
        assert expected in names, expected

    unpacked = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(unpacked)
    workdir = tmp_path / "elsewhere"
    workdir.mkdir()
    code = (
        "from snapshotpdf.assets import data_root; print(data_root());"
        "from snapshotpdf.cli.app import main; main()"
    )
    env = {**os.environ, "PYTHONPATH": str(unpacked)}
    out = subprocess.run(
        [sys.executable, "-c", code, "build", "--city", "Lima", "-o", "pdfs", "-q"],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[0] == str(unpacked / "snapshotpdf" / "_data")
    assert (workdir / "pdfs" / "peru-lima.pdf").stat().st_size > 20_000
