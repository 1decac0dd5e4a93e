"""The edges of reading a survey: paths that are not saved files (a pipe, a device, a link
that goes nowhere), workbooks that are locked with a password, cells Excel cannot show,
and headers that look right but hold invisible characters. Every file is made here."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from snapshotpdf.errors import SurveyReadError
from snapshotpdf.survey.read import read_survey


def _refusal(path: Path) -> str:
    """The message reading path gives, from a thread that must not block on it."""
    said: list[str] = []

    def read() -> None:
        try:
            read_survey(path)
        except SurveyReadError as exc:
            said.append(str(exc))

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    thread.join(timeout=10)
    assert not thread.is_alive(), f"reading {path} blocked"
    assert said, f"{path} was read"
    return said[0]


# --- paths that are not saved files -----------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_named_pipe_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "survey.csv"
    os.mkfifo(fifo)
    message = _refusal(fifo)
    assert "is not a regular file: it is a named pipe (FIFO)" in message
    assert "is empty" not in message


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom", "/dev/null"])
def test_a_device_is_refused_as_not_a_regular_file(tmp_path: Path, device: str) -> None:
    if not Path(device).exists():
        pytest.skip(f"no {device} here")
    link = tmp_path / "survey.xlsx"
    link.symlink_to(device)
    message = _refusal(link)
    assert "is not a regular file: it is a device" in message
    assert "hint: give the survey export file itself" in message


def test_a_system_file_that_gives_no_size_is_refused() -> None:
    environ = Path("/proc/self/environ")
    if not environ.is_file() or environ.stat().st_size != 0:
        pytest.skip("no /proc here")
    assert "is not a regular file: it is a system file" in _refusal(environ)


def test_a_symlink_loop_says_so(tmp_path: Path) -> None:
    (tmp_path / "a.csv").symlink_to(tmp_path / "b.csv")
    (tmp_path / "b.csv").symlink_to(tmp_path / "a.csv")
    message = _refusal(tmp_path / "a.csv")
    assert "symbolic link that leads round in a loop" in message
    assert "not found" not in message


def test_a_dangling_link_names_its_target(tmp_path: Path) -> None:
    (tmp_path / "survey.csv").symlink_to(tmp_path / "gone.csv")
    message = _refusal(tmp_path / "survey.csv")
    assert f"is a symbolic link to {tmp_path / 'gone.csv'}, which is not found" in message


def test_an_empty_file_is_still_empty(tmp_path: Path) -> None:
    (tmp_path / "survey.csv").write_bytes(b"")
    assert "survey.csv is empty" in _refusal(tmp_path / "survey.csv")
