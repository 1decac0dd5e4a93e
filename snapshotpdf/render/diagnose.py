"""An error of a layout as its designer needs it: the file of the layout and the line it is
on, with that line, instead of a traceback. Used wherever a layout is tried out: the live
preview (batch/preview.py: on the page) and `snapshotpdf layout check`
(batch/layoutcheck.py: one line per city).

Where the line comes from: a template that does not compile says it (jinja2's
TemplateSyntaxError); any other error raised while a template runs (a name it uses that is
not there) is placed at the deepest frame of its traceback inside the layout's folders, which
is a template's own line (Jinja2 compiles each template with its file name and maps its
code back to the template's lines).
"""

from __future__ import annotations

import contextlib
import tomllib
import traceback
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import jinja2

from snapshotpdf.budget import render_budget
from snapshotpdf.errors import LayoutError, SnapshotError


@dataclass(frozen=True)
class Fault:
    """What went wrong, and where in the layout when that is known."""

    message: str
    file: str | None = None  # inside the layout folder that holds it: "snapshot.html.j2"
    line: int | None = None
    source: str | None = None  # that line of the file, as it is written
    compiles: bool = True  # False: a template that does not compile (the same for any city)

    @property
    def where(self) -> str | None:
        """file:line, as an editor takes it; None when the fault has no place."""
        return f"{self.file}:{self.line}" if self.file and self.line else None

    def short(self) -> str:
        """One line: "snapshot.html.j2:12: message"."""
        return f"{self.where}: {self.message}" if self.where else self.message

    def __str__(self) -> str:
        """As the preview shows it: the file, the line and its message, then the line."""
        if not self.where:
            return self.message
        text = f"{self.file}, line {self.line}: {self.message}"
        if self.source is not None:
            text += f"\n\n{self.line:>5} | {self.source}"
        return text


def diagnose(exc: BaseException, folders: Path | Sequence[Path]) -> Fault:
    """The fault an exception stands for. folders: the layout's (Layout.folders; a file
    is named inside the one that holds it)."""
    roots = [folders] if isinstance(folders, Path) else list(folders)
    chain = _chain(exc)
    for error in chain:
        if isinstance(error, jinja2.TemplateSyntaxError) and error.lineno:
            where = error.filename or error.name or "?"
            return _at(where, error.lineno, error.message or str(error), roots, compiles=False)
    for error in chain:
        frames = [
            f for f in traceback.extract_tb(error.__traceback__) if _inside(f.filename, roots)
        ]
        if frames and frames[-1].lineno:
            return _at(frames[-1].filename, frames[-1].lineno, _message(error), roots)
    if isinstance(exc, tomllib.TOMLDecodeError):  # layout.toml read as it is
        return Fault(f"layout.toml is not valid TOML: {exc}")
    if isinstance(exc, SnapshotError):
        return Fault(str(exc))
    return Fault(f"{type(exc).__name__}: {exc}")


def describe(exc: BaseException, folders: Path | Sequence[Path]) -> str:
    """The fault as text, as the preview shows it (Fault.__str__)."""
    return str(diagnose(exc, folders))


def _message(error: BaseException) -> str:
    if isinstance(error, jinja2.TemplateNotFound):  # an {% include %} of no file
        return f"no template {error.name!r} in the layout"
    if isinstance(error, jinja2.exceptions.SecurityError):  # {{ x.__class__ }}: the sandbox
        return f"templates may not reach into Python objects: {error}"
    if isinstance(error, jinja2.TemplateError | SnapshotError):
        return str(error)
    return f"{type(error).__name__}: {error}"  # a helper called wrongly: KeyError: 'x'


@contextmanager
def template_errors(folders: Path | Sequence[Path], what: str, making: str) -> Iterator[None]:
    """Whatever a layout's template raises while it runs, as one LayoutError: what failed,
    then the template's file and line. A template is the layout's own code, and a helper
    it calls wrongly (an icon group that does not exist, a number divided by zero) raises
    anything; none of it is a traceback. It runs within the time limit (budget.py, its
    loops in loops): making names what it makes in the limit's message."""
    try:
        with render_budget(making):
            yield
    except SnapshotError:
        raise
    except Exception as exc:  # noqa: BLE001 - a template may raise anything
        raise LayoutError(f"{what}: {diagnose(exc, folders).short()}") from exc


def _chain(exc: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def _root_of(filename: str, roots: list[Path]) -> Path | None:
    try:
        path = Path(filename).resolve()
        return next((root for root in roots if path.is_relative_to(root.resolve())), None)
    except (OSError, ValueError):
        return None


def _inside(filename: str, roots: list[Path]) -> bool:
    return _root_of(filename, roots) is not None


def _at(filename: str, line: int, message: str, roots: list[Path], compiles: bool = True) -> Fault:
    path = Path(filename)
    if not path.is_absolute():  # a template's name: in the first folder that has it
        path = next((r / filename for r in roots if (r / filename).is_file()), roots[0] / filename)
    root = _root_of(str(path), roots)
    name = path.resolve().relative_to(root.resolve()).as_posix() if root else path.name
    source = None
    with contextlib.suppress(OSError, UnicodeDecodeError, IndexError):  # the line itself
        source = path.read_text(encoding="utf-8").splitlines()[line - 1]
    return Fault(message, name, line, source, compiles)
