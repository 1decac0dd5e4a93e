"""The sandbox a layout's templates run in (render/sandbox.py): no expression makes a
string past limits.MAX_TEMPLATE_VALUE, by any of the ways Jinja and Python's strings offer
(a mail subject template made 3 GB with "x".ljust(3 * 10 ** 9)); ordinary uses still work."""

from __future__ import annotations

import pytest
from jinja2.exceptions import SecurityError

from snapshotpdf.render.sandbox import ImmutableLayoutSandbox, LayoutSandbox

HUGE = {
    "* on a string": '{{ "x" * 10 ** 9 }}',
    "% width": '{{ "%1000000000s" % "x" }}',
    "% width from *": '{{ "%*s" % (10 ** 9, "x") }}',
    "format filter": '{{ "%1000000000s"|format("x") }}',
    "str.format width": '{{ "{:>1000000000}".format("x") }}',
    "str.format nested width": '{{ "{0:{1}}".format("x", 10 ** 9) }}',
    "ljust": '{{ "x".ljust(3 * 10 ** 9) }}',
    "center method": '{{ "x".center(10 ** 9) }}',
    "zfill": '{{ "1".zfill(10 ** 9) }}',
    "expandtabs": '{{ ("\t" * 1000000).expandtabs(1000) }}',
    "replace method": '{{ ("a" * 1000000).replace("a", "b" * 1000) }}',
    "replace filter": '{{ ("a" * 1000000)|replace("a", "b" * 1000) }}',
    "center filter": '{{ "x"|center(10 ** 9) }}',
    "indent filter": '{{ ("a\n" * 500000)|indent(1000) }}',
    "join method": '{{ ("x" * 1000000).join(["a"] * 1000) }}',
    "join filter": '{{ (["x" * 1000000] * 1000)|join }}',
}
FINE = {
    '{{ "Lima"|replace("i", "I") }}': "LIma",
    '{{ "%s has %d" % ("Lima", 3) }}': "Lima has 3",
    '{{ "%5.1f"|format(2.25) }}': "  2.2",
    '{{ "{} {:>3}".format("a", "b") }}': "a   b",
    '{{ ["a", "b"]|join(", ") }}': "a, b",
    '{{ "x"|center(5) }}': "  x  ",
    '{{ "a\nb"|indent(2, first=True) }}': "  a\n  b",
    '{{ "7".zfill(3) }}': "007",
    '{{ ", ".join(["a", "b"]) }}': "a, b",
}


@pytest.mark.parametrize("sandbox", [LayoutSandbox, ImmutableLayoutSandbox])
@pytest.mark.parametrize("name", list(HUGE))
def test_no_expression_makes_a_string_past_the_limit(sandbox: type, name: str) -> None:
    with pytest.raises(SecurityError, match="more than a template may make|a field inside"):
        sandbox().from_string(HUGE[name]).render()


@pytest.mark.parametrize(("source", "made"), list(FINE.items()))
def test_ordinary_uses_still_work(source: str, made: str) -> None:
    assert LayoutSandbox().from_string(source).render() == made
