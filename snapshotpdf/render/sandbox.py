"""The Jinja2 sandbox a layout's templates run in (pages, the booklet, mail): they may
not reach into Python (jinja2.sandbox), nor make a string or list bigger than
limits.MAX_TEMPLATE_VALUE with `*`, nor raise a number to a power that takes minutes
to compute with `**`. Anything else a template does is bounded by its loops (a range is
at most jinja2.sandbox.MAX_RANGE items)."""

from __future__ import annotations

from typing import Any

from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment, SandboxedEnvironment

from snapshotpdf import limits

# The largest exponent `**` takes: 2 ** 1000 has 302 digits; 10 ** 10 ** 9 never ends.
MAX_EXPONENT = 1_000


class LayoutSandbox(SandboxedEnvironment):
    """SandboxedEnvironment, with `*` and `**` bounded."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            for sequence, times in ((left, right), (right, left)):
                sized = isinstance(sequence, str | list | tuple) and isinstance(times, int)
                if sized and len(sequence) * times > limits.MAX_TEMPLATE_VALUE:
                    raise SecurityError(
                        f"a value of {len(sequence)} x {times} items, more than a template"
                        f" may make ({limits.MAX_TEMPLATE_VALUE:,}, limits.MAX_TEMPLATE_VALUE)"
                    )
        if operator == "**" and isinstance(right, int | float) and abs(right) > MAX_EXPONENT:
            raise SecurityError(f"an exponent of {right}, more than {MAX_EXPONENT}")
        return super().call_binop(context, operator, left, right)


class ImmutableLayoutSandbox(LayoutSandbox, ImmutableSandboxedEnvironment):
    """LayoutSandbox where a template changes no list or dict it is given (mail)."""
