"""The Jinja2 sandbox a layout's templates run in (pages, the booklet, mail): they may
not reach into Python (jinja2.sandbox), nor make a string or list bigger than
limits.MAX_TEMPLATE_VALUE, with `*` or `%`, a string's methods (ljust, center, zfill,
expandtabs, replace, format, join) or the filters that make longer text (replace,
center, indent, format, join); nor raise a number to a power that takes minutes to
compute with `**`. Anything else a template does is bounded by its loops (a range is at
most jinja2.sandbox.MAX_RANGE items) and its time (budget.py)."""

from __future__ import annotations

import functools
import re
import string
from collections.abc import Callable, Iterable
from typing import Any

from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment, SandboxedEnvironment

from snapshotpdf import limits

# The largest exponent `**` takes: 2 ** 1000 has 302 digits; 10 ** 10 ** 9 never ends.
MAX_EXPONENT = 1_000


def _bounded(size: int, what: str) -> None:
    if size > limits.MAX_TEMPLATE_VALUE:
        raise SecurityError(
            f"{what} of {size:,} characters, more than a template may make"
            f" ({limits.MAX_TEMPLATE_VALUE:,}, limits.MAX_TEMPLATE_VALUE)"
        )


# A printf conversion's width and precision ("%1000000000s"), and a format spec's numbers
# ("{:>1000000000}"): each is at most the limit.
_PRINTF = re.compile(r"%[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")
_SPEC_NUMBER = re.compile(r"\d+")


def _printf(text: str, arguments: Any) -> None:
    values = arguments if isinstance(arguments, tuple) else (arguments,)
    for width, precision in _PRINTF.findall(text):
        for number in (width, precision):
            if number == "*":
                _bounded(max((v for v in values if isinstance(v, int)), default=0), "a width")
            elif number:
                _bounded(int(number), "a width")


def _format(text: str) -> None:
    for _, _, spec, _ in string.Formatter().parse(text):
        if spec and "{" in spec:
            raise SecurityError("a format spec with a field inside it")
        for number in _SPEC_NUMBER.findall(spec or ""):
            _bounded(int(number), "a width")


def _joined(items: Iterable[Any], separator: str) -> list[Any]:
    kept = list(items)
    _bounded(sum(len(str(i)) for i in kept) + len(separator) * max(len(kept) - 1, 0), "a join")
    return kept


def _replaced(text: str, old: str, new: str, count: int | None = None) -> None:
    found = text.count(old) if old else len(text) + 1
    if count is not None and count >= 0:
        found = min(found, count)
    _bounded(len(text) + found * (len(new) - len(old)), "a replace")


def _check_method(method: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
    """A str method's arguments checked (and a join's items made a list, to be measured)."""
    text, name = method.__self__, method.__name__
    if name in ("ljust", "rjust", "center", "zfill") and args and isinstance(args[0], int):
        _bounded(args[0], f"a {name}")
    elif name == "expandtabs":
        size = args[0] if args else kwargs.get("tabsize", 8)
        if isinstance(size, int):
            _bounded(len(text) + text.count("\t") * size, "an expandtabs")
    elif name == "replace" and len(args) >= 2 and isinstance(args[0], str):
        count = args[2] if len(args) > 2 else kwargs.get("count")
        _replaced(text, args[0], str(args[1]), count)
    elif name == "join" and args:
        return (_joined(args[0], text), *args[1:])
    return args


def _bounded_filter(name: str, check: Callable[..., Any]) -> Callable[[Any], Any]:
    """A filter of Jinja's that makes longer text, checked first by check(*its arguments)
    (the first argument after the eval context, when it takes one)."""

    def wrap(original: Any) -> Any:
        @functools.wraps(original)
        def bounded(*args: Any, **kwargs: Any) -> Any:
            given = args[1:] if name in _WITH_EVAL_CONTEXT else args
            check(*given, **kwargs)
            return original(*args, **kwargs)

        return bounded

    return wrap


def _check_indent(value: Any, width: Any = 4, first: bool = False, blank: bool = False) -> None:
    lines = str(value).count("\n") + 1
    pad = len(width) if isinstance(width, str) else width if isinstance(width, int) else 0
    _bounded(len(str(value)) + lines * pad, "an indent")


def _check_center(value: Any, width: Any = 80) -> None:
    if isinstance(width, int):
        _bounded(width, "a center")


def _check_replace(value: Any, old: Any, new: Any, count: Any = None) -> None:
    _replaced(str(value), str(old), str(new), count if isinstance(count, int) else None)


def _check_format(value: Any, *args: Any, **kwargs: Any) -> None:
    _printf(str(value), kwargs or args)


def _check_join(value: Any, d: Any = "", attribute: Any = None) -> None:
    if isinstance(value, list | tuple | str):  # else: an iterator, measured when it is made
        _joined(value, str(d))


_WITH_EVAL_CONTEXT = {"replace", "join"}
_BOUNDED_FILTERS: dict[str, Callable[..., None]] = {
    "replace": _check_replace,
    "center": _check_center,
    "indent": _check_indent,
    "format": _check_format,
    "join": _check_join,
}


class LayoutSandbox(SandboxedEnvironment):
    """SandboxedEnvironment, with `*`, `%`, `**`, the methods and filters that make long
    strings bounded."""

    intercepted_binops = frozenset({"*", "**", "%"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, check in _BOUNDED_FILTERS.items():
            self.filters[name] = _bounded_filter(name, check)(self.filters[name])

    def wrap_str_format(self, value: Any) -> Any:
        """str.format and format_map, which the sandbox wraps: their format specs checked."""
        wrapped = super().wrap_str_format(value)
        if wrapped is not None:
            _format(value.__self__)
        return wrapped

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        if isinstance(getattr(__obj, "__self__", None), str):
            args = _check_method(__obj, args, kwargs)
        return super().call(__context, __obj, *args, **kwargs)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "%" and isinstance(left, str):
            _printf(left, right)
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
