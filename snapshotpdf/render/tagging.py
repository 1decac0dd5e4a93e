"""The tagged PDF's last repairs, on the objects WeasyPrint is about to write (through the
public `finisher` hook of render/pdf.py): content in no structure tree becomes an artifact.

WeasyPrint 70 tags the content of the page-margin boxes (the running footer, the header
band repeated on later pages) as marked content whose structure elements name the
Document as their parent but are not in it (tags.py: an Artifact element needs PDF 2.0).
A screen reader then finds text that is neither read nor marked as decoration. Here every
marked-content sequence whose structure element cannot be reached from the structure tree
root becomes a pagination artifact (`/Artifact <</Type /Pagination>> BDC`), the remaining
marked-content identifiers of its page are renumbered without gaps, the parent tree
follows, and the unreachable elements are emptied.

Decorative icons become layout artifacts the same way (tag_icons takes them out of the
tree first), and icons with alt text figures.

It also tags an inside ::marker (a list's ▶ or ✓) as the item's label: WeasyPrint gives it
an Lbl but leaves the item's text directly in its LI; here that text goes into an LBody
after the Lbl (LI > Lbl, LBody), as PDF 1.7 (14.8.4.3.3) and PDF/UA ask.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import pydyf


def _number(value: object) -> int | None:
    """The object number of an indirect reference (b"12 0 R"), else None. (Called for
    every kid of every element: a test of the bytes, not a regular expression.)"""
    if type(value) is bytes and value.endswith(b" 0 R"):
        number = value[:-4]
        if number.isdigit():
            return int(number)
    return None


def _reference(obj: Any) -> bytes:
    """The indirect reference (b"12 0 R") of an object added to the PDF."""
    return bytes(obj.reference)


def _kids(element: dict[str, Any]) -> list[Any]:
    kids = element.get("K")
    if isinstance(kids, list):
        return kids
    return [] if kids is None else [kids]


def _reachable(objects: Sequence[Any], root: dict[str, Any]) -> set[int]:
    """The object numbers of every structure element under the structure tree root."""
    seen: set[int] = set()
    stack = [n for kid in _kids(root) if (n := _number(kid)) is not None]
    while stack:
        number = stack.pop()
        if number in seen or not isinstance(objects[number], dict):
            continue
        seen.add(number)
        stack.extend(n for kid in _kids(objects[number]) if (n := _number(kid)) is not None)
    return seen


def _marked(stream: Any) -> Iterator[tuple[int, pydyf.Dictionary]]:
    """(index of the tag, property list) of every marked-content sequence with an MCID."""
    items = stream.stream
    for index, item in enumerate(items):
        if isinstance(item, dict) and "MCID" in item and index > 0:
            yield index - 1, item


def repair(pdf: Any) -> int:
    """Both repairs on a pydyf PDF about to be written; returns how many marked-content
    sequences became artifacts. A PDF without a structure tree is left alone."""
    moved = artifact_untagged_content(pdf.objects, pdf.catalog)
    flatten_nested_lists(pdf.objects)
    wrap_list_bodies(pdf)
    return moved


def flatten_nested_lists(objects: Sequence[Any]) -> None:
    """A list laid out as a table (display: table, a row of facts) is one L, its items
    directly in it: WeasyPrint tags each box the list's element makes (the table's wrapper,
    the table, its row) as an L inside the one before. An L directly in an L, holding
    elements only, gives its kids to the outer one."""
    for element in objects:
        if not isinstance(element, dict) or element.get("S") != "/L":
            continue
        kids = _kids(element)
        flat = _list_kids(objects, kids, _reference(element))
        if flat != kids:
            element["K"] = pydyf.Array(flat)


def _list_kids(objects: Sequence[Any], kids: list[Any], parent: bytes) -> list[Any]:
    flat: list[Any] = []
    for kid in kids:
        number = _number(kid)
        inner = objects[number] if number is not None else None
        if (
            isinstance(inner, dict)
            and inner.get("S") == "/L"
            and all(_number(k) is not None for k in _kids(inner))
        ):
            flat += _list_kids(objects, _kids(inner), parent)
            inner.clear()  # emptied: no longer in the tree
            continue
        if isinstance(inner, dict):
            inner["P"] = parent
        flat.append(kid)
    return flat


def wrap_list_bodies(pdf: Any) -> None:
    """Every list item's kids other than its label (Lbl) into one LBody, after the label."""
    for element in list(pdf.objects):
        if not isinstance(element, dict) or element.get("S") != "/LI":
            continue
        kids = list(_kids(element))
        kinds = [_kind(pdf.objects, kid) for kid in kids]
        # Elements only (a marked-content id stays where the parent tree says it is).
        loose = [
            kid
            for kid, kind in zip(kids, kinds, strict=True)
            if kind not in _ITEM_PARTS and _number(kid) is not None
        ]
        if not loose:
            continue
        body = pydyf.Dictionary({"Type": "/StructElem", "S": "/LBody"})
        body["K"], body["P"] = pydyf.Array(loose), _reference(element)
        if "Pg" in element:
            body["Pg"] = element["Pg"]
        pdf.add_object(body)
        for kid in loose:
            if (number := _number(kid)) is not None and isinstance(pdf.objects[number], dict):
                pdf.objects[number]["P"] = body.reference
        labels = [kid for kid, kind in zip(kids, kinds, strict=True) if kind == "/Lbl"]
        bodies = [kid for kid, kind in zip(kids, kinds, strict=True) if kind == "/LBody"]
        others = [kid for kid in kids if _number(kid) is None]
        element["K"] = pydyf.Array([*labels, body.reference, *bodies, *others])


_ITEM_PARTS = ("/Lbl", "/LBody")


def _kind(objects: Sequence[Any], kid: object) -> str | None:
    """The structure type (/Lbl, /Span, ...) of a kid given by reference, else None."""
    number = _number(kid)
    if number is None or not isinstance(objects[number], dict):
        return None
    kind = objects[number].get("S")
    return str(kind) if kind is not None else None


def artifact_untagged_content(objects: Sequence[Any], catalog: dict[str, Any]) -> int:
    """Make every marked-content sequence outside the structure tree a pagination artifact;
    return how many there were. A PDF without a structure tree is left alone."""
    root_number = _number(catalog.get("StructTreeRoot"))
    if root_number is None:
        return 0
    root = objects[root_number]
    reachable = _reachable(objects, root)
    parent_tree = objects[_number(root["ParentTree"]) or 0]
    nums = parent_tree["Nums"]
    by_key = {nums[i]: i + 1 for i in range(0, len(nums) - 1, 2)}  # key -> index of value
    renumbered: dict[bytes, dict[int, int]] = {}  # page reference -> old MCID -> new
    moved = 0
    for page in objects:
        if not isinstance(page, dict) or page.get("Type") != "/Page":
            continue
        key = page.get("StructParents")
        contents = _number(page.get("Contents"))
        if key not in by_key or contents is None:
            continue
        parents = nums[by_key[key]]
        if not isinstance(parents, list):
            continue
        mapping: dict[int, int] = {}
        stream = objects[contents]
        for tag_index, properties in _marked(stream):
            old = int(properties["MCID"])
            if old < len(parents) and _number(parents[old]) in reachable:
                mapping[old] = properties["MCID"] = len(mapping)
            else:
                owner = objects[_number(parents[old]) or 0] if old < len(parents) else None
                decorative = isinstance(owner, dict) and owner.get("S") == _DECORATIVE
                stream.stream[tag_index] = "/Artifact"
                properties.clear()
                properties["Type"] = "/Layout" if decorative else "/Pagination"
                moved += 1
        kept = sorted(mapping, key=mapping.__getitem__)
        nums[by_key[key]] = pydyf.Array([parents[old] for old in kept])
        renumbered[_reference(page)] = mapping
    for number in reachable:
        element = objects[number]
        page_reference = element.get("Pg")
        kids = element.get("K")
        if page_reference not in renumbered or not isinstance(kids, list):
            continue
        mapping = renumbered[page_reference]
        element["K"] = pydyf.Array(
            mapping[kid] if isinstance(kid, int) and kid in mapping else kid for kid in kids
        )
    if moved:
        for number, obj in enumerate(objects):
            if (
                isinstance(obj, dict)
                and obj.get("Type") == "/StructElem"
                and number not in reachable
            ):
                obj.clear()  # no longer referenced: an empty dictionary, nothing to read
    return moved


def tag_icons(pdf: Any, font: str, icons: Sequence[str | None]) -> int:
    """The icons of a tagged PDF, glyphs of the icon font (render/iconfont.py) that
    WeasyPrint tags as the text of a Span: each becomes a Figure with its alt text, or, when
    it has none (decorative), leaves the structure tree, so repair() makes its glyph a
    layout artifact. icons: each icon's alt text or None, in document order, which is the
    order of the structure tree. Returns how many icons were tagged; when the icons found
    are not as many as `icons` says, nothing is changed (0). font: the font's name in the
    PDF (its BaseFont after the subset tag)."""
    root_number = _number(pdf.catalog.get("StructTreeRoot"))
    if root_number is None or not icons:
        return 0
    objects = pdf.objects
    found = _icon_elements(objects, objects[root_number], _icon_mcids(objects, font))
    if len(found) != len(icons):
        return 0
    for number, alt in zip(found, icons, strict=True):
        element = objects[number]
        if alt is None:
            parent = objects[_number(element.get("P")) or 0]
            if isinstance(parent, dict):
                parent["K"] = pydyf.Array(k for k in _kids(parent) if _number(k) != number)
            element["S"] = _DECORATIVE
        else:
            element["S"] = "/Figure"
            element["Alt"] = pydyf.String(alt)
    return len(found)


_DECORATIVE = (
    "/Artifact"  # a structure element taken out of the tree: its content a layout artifact
)


def _icon_mcids(objects: Sequence[Any], font: str) -> dict[bytes, set[int]]:
    """By page reference: the marked-content ids whose text is set in the icon font."""
    suffix = f"+{font}".encode()
    fonts = {
        number
        for number, obj in enumerate(objects)
        if isinstance(obj, dict)
        and obj.get("Type") == "/Font"
        and isinstance(obj.get("BaseFont"), bytes)
        and obj["BaseFont"].endswith(suffix)
    }
    references = {b"%d 0 R" % number for number in fonts}
    names = {
        f"/{key}".encode()
        for obj in objects
        if isinstance(obj, dict) and obj.get("Type") != "/Font"
        for key, value in obj.items()
        if type(value) is bytes and value in references
    }
    found: dict[bytes, set[int]] = {}
    for page in objects:
        if not isinstance(page, dict) or page.get("Type") != "/Page":
            continue
        contents = _number(page.get("Contents"))
        if contents is None:
            continue
        found[_reference(page)] = _mcids_in_font(objects[contents].stream, names)
    return found


def _mcids_in_font(items: Sequence[Any], names: set[bytes]) -> set[int]:
    """The marked-content ids of a content stream whose text is shown in one of the fonts
    (their resource names: b"/KYBYEI")."""
    found: set[int] = set()
    marked: list[int | None] = []
    current = False
    for index, item in enumerate(items):
        kind = type(item)
        if kind is bytes:
            token = item
        elif kind is str:
            token = item.encode()
        elif isinstance(item, dict):
            continue
        else:
            token = str(item).encode()
        if token == b"BDC":
            properties = items[index - 1] if index else None
            mcid = properties.get("MCID") if isinstance(properties, dict) else None
            marked.append(int(mcid) if mcid is not None else None)
        elif token.endswith(b"BMC"):
            marked.append(None)
        elif token == b"EMC":
            if marked:
                marked.pop()
        elif token.endswith(b" Tf"):
            current = token.split(b" ", 1)[0] in names
        elif current and (token.endswith(b"TJ") or token.endswith(b"Tj")):
            mcid = next((m for m in reversed(marked) if m is not None), None)
            if mcid is not None:
                found.add(mcid)
    return found


def _icon_elements(
    objects: Sequence[Any], root: dict[str, Any], mcids: dict[bytes, set[int]]
) -> list[int]:
    """The structure elements, in tree order, whose only content is icon glyphs."""
    found: list[int] = []
    stack = [n for kid in reversed(_kids(root)) if (n := _number(kid)) is not None]
    seen: set[int] = set()
    while stack:
        number = stack.pop()
        element = objects[number]
        if number in seen or not isinstance(element, dict):
            continue
        seen.add(number)
        kids = _kids(element)
        own = [kid for kid in kids if isinstance(kid, int)]
        icons = mcids.get(element.get("Pg", b""), set())
        if own and len(own) == len(kids) and all(kid in icons for kid in own):
            found.append(number)
            continue
        stack.extend(n for kid in reversed(kids) if (n := _number(kid)) is not None)
    return found
