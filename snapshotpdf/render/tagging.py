"""The tagged PDF's last repair, on the objects WeasyPrint is about to write (through the
public `finisher` hook of render/pdf.py): content in no structure tree becomes an artifact.

WeasyPrint 70 tags the content of the page-margin boxes (the running footer, the header
band repeated on later pages) as marked content whose structure elements name the
Document as their parent but are not in it (tags.py: an Artifact element needs PDF 2.0).
A screen reader then finds text that is neither read nor marked as decoration. Here every
marked-content sequence whose structure element cannot be reached from the structure tree
root becomes a pagination artifact (`/Artifact <</Type /Pagination>> BDC`), the remaining
marked-content identifiers of its page are renumbered without gaps, the parent tree
follows, and the unreachable elements are emptied.

It also tags an inside ::marker (a list's ▶ or ✓) as the item's label: WeasyPrint gives it
an Lbl but leaves the item's text directly in its LI; here that text goes into an LBody
after the Lbl (LI > Lbl, LBody), as PDF 1.7 (14.8.4.3.3) and PDF/UA ask.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

import pydyf

_REFERENCE = re.compile(rb"^(\d+) 0 R$")


def _number(value: object) -> int | None:
    """The object number of an indirect reference (b"12 0 R"), else None."""
    if isinstance(value, bytes) and (found := _REFERENCE.match(value)):
        return int(found[1])
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
    wrap_list_bodies(pdf)
    return moved


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
                stream.stream[tag_index] = "/Artifact"
                properties.clear()
                properties["Type"] = "/Pagination"
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
