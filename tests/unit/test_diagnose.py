"""render/diagnose.py: a layout's error with its file and line, as the preview and
`layout check` say it, for a template in a layout's own folder or in the one it extends."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest

from snapshotpdf.errors import LayoutError
from snapshotpdf.render.diagnose import Fault, diagnose


def render(folders: list[Path], name: str) -> BaseException:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(f) for f in folders]),
        undefined=jinja2.StrictUndefined,
    )
    with pytest.raises(Exception) as caught:
        try:
            env.get_template(name).render()
        except jinja2.TemplateError as exc:  # as render/html.py wraps it
            raise LayoutError(f"the layout failed: {exc}") from exc
    return caught.value


def test_a_template_that_does_not_compile_is_placed_in_the_folder_that_holds_it(
    tmp_path: Path,
) -> None:
    own, base = tmp_path / "mine", tmp_path / "base"
    (base / "parts").mkdir(parents=True)
    own.mkdir()
    (own / "page.j2").write_text('ok\n{% include "parts/x.j2" %}\n', "utf-8")
    (base / "parts" / "x.j2").write_text("one\n{{ 1 + }}\n", "utf-8")
    fault = diagnose(render([own, base], "page.j2"), [own, base])
    assert (fault.file, fault.line, fault.compiles) == ("parts/x.j2", 2, False)
    assert fault.source == "{{ 1 + }}"
    assert fault.short().startswith("parts/x.j2:2: ")
    assert str(fault).startswith("parts/x.j2, line 2: ")
    assert str(fault).endswith("\n\n    2 | {{ 1 + }}")


def test_a_name_that_is_not_there_is_placed_at_its_line(tmp_path: Path) -> None:
    (tmp_path / "page.j2").write_text("a\nb\n<p>{{ nothing.here }}</p>\n", "utf-8")
    fault = diagnose(render([tmp_path], "page.j2"), tmp_path)
    assert fault.short() == "page.j2:3: 'nothing' is undefined"
    assert fault.compiles


def test_an_error_with_no_place_is_its_message() -> None:
    assert diagnose(LayoutError("no layout named 'x'"), Path("/nowhere")) == Fault(
        "no layout named 'x'"
    )
    assert diagnose(ValueError("bad"), []).short() == "ValueError: bad"
