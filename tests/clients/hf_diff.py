"""Field-by-field differences between our HF-shaped JSON and a recorded HF response.

`differences(ours, theirs)` walks both documents and names each difference by its path with
list positions folded (`[].paper.authors[].user.fullname`), as `missing` (HF sends it, we
don't), `extra` (we send it, HF doesn't) or `value`. Counting by path gives a table a
person can read: which field is off, and on how many items.
"""

from __future__ import annotations

from collections import Counter
from typing import Any


def _walk(ours: Any, theirs: Any, path: str, out: list[tuple[str, str]]) -> None:
    if isinstance(ours, dict) and isinstance(theirs, dict):
        for key in theirs.keys() | ours.keys():
            sub = f"{path}.{key}"
            if key not in ours:
                out.append((sub, "missing"))
            elif key not in theirs:
                out.append((sub, "extra"))
            else:
                _walk(ours[key], theirs[key], sub, out)
    elif isinstance(ours, list) and isinstance(theirs, list):
        if len(ours) != len(theirs):
            out.append((f"{path}[]", "length"))
        for a, b in zip(ours, theirs, strict=False):
            _walk(a, b, f"{path}[]", out)
    elif ours != theirs or type(ours) is not type(theirs):
        out.append((path, "value"))


def differences(ours: list[dict], theirs: list[dict]) -> Counter[tuple[str, str]]:
    """(path, kind) -> how many items differ there; items are paired by paper id."""
    by_id = {item["paper"]["id"]: item for item in ours}
    found: list[tuple[str, str]] = []
    for item in theirs:
        mine = by_id.get(item["paper"]["id"])
        if mine is None:
            found.append(("[]", "missing item"))
            continue
        _walk(mine, item, "[]", found)
    # one count per item and path, not per author
    return Counter(found)


def table(diffs: Counter[tuple[str, str]]) -> str:
    rows = [f"{count:4d}  {kind:8s} {path}" for (path, kind), count in sorted(diffs.items())]
    return "\n".join(rows) or "(no differences)"
