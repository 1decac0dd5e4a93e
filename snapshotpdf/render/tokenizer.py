"""tinyhtml5's character scans made once, not once a call.

WeasyPrint 70 parses HTML with tinyhtml5. Its tokenizer reads text, attribute values and
the like with `chars_until(characters, opposite)`, which keeps the regular expression of
each set of characters in a module dict, `characters_until_regex`, keyed by
`(characters, opposite)`. tinyhtml5 2.1 stores it with
`characters = characters_until_regex[(characters, opposite)] = regex`: Python assigns the
targets left to right, so the key is `(regex, opposite)`, never found again. Every call
builds the pattern anew (a join over the characters, and re.compile's own cache): about
900 calls a city.

primed() calls chars_until once for each set of characters the tokenizer asks for
(tokenizer_scans), lets tinyhtml5 build the expression itself, and files it under the key
it is looked up by. The parse is the same: the expressions are tinyhtml5's own. A
tinyhtml5 that files them right already has them; one without the dict is left alone.
"""

from __future__ import annotations

from typing import Any


def tokenizer_scans(space: frozenset[str], letters: frozenset[str]) -> list[tuple[Any, bool]]:
    """The (characters, opposite) pairs tinyhtml5 2.1's tokenizer passes to chars_until,
    equal, hence found, to the ones it passes: text, attribute values in double, single and
    no quotes, comments, CDATA, bogus comments, and the white space and letters it skips.
    space, letters: tinyhtml5.constants' space_characters and ascii_letters."""
    nul = "\u0000"
    return [
        (space, True),
        (("&", "<", nul), False),
        (("<", nul), False),
        (nul, False),
        (("<", "-", nul), False),
        (letters, True),
        (('"', "&", nul), False),
        (("'", "&", nul), False),
        (frozenset(("&", ">", '"', "'", "=", "<", "`", nul)) | space, False),
        (">", False),
        (("-", nul), False),
        ("]", False),
    ]


def primed() -> int:
    """File tinyhtml5's expression of each tokenizer_scans() pair under that pair. Returns
    how many were filed here (0 when tinyhtml5 has them already, or is not as expected)."""
    try:
        from tinyhtml5 import constants, inputstream

        scans = tokenizer_scans(constants.space_characters, constants.ascii_letters)
    except (ImportError, AttributeError, TypeError):  # not the tinyhtml5 this knows
        return 0
    cache = getattr(inputstream, "characters_until_regex", None)
    stream_type = getattr(inputstream, "HTMLUnicodeInputStream", None)
    if not isinstance(cache, dict) or stream_type is None:
        return 0
    filed = 0
    for characters, opposite in scans:
        key = (characters, opposite)
        if key in cache:
            continue
        scratch: dict[Any, Any] = {}  # what this one call files, wherever it files it
        inputstream.characters_until_regex = scratch
        try:
            stream_type("x").chars_until(characters, opposite)
        except Exception:  # noqa: BLE001 - a tinyhtml5 unlike 2.1: leave it as it is
            return filed
        finally:
            inputstream.characters_until_regex = cache
        if len(scratch) == 1:
            cache[key] = next(iter(scratch.values()))
            filed += 1
    return filed
