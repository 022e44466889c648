"""Character offsets between Python (code points) and JavaScript tools (UTF-16 code units).

Label Studio and doccano compute offsets in the browser, where a string is a sequence of UTF-16
code units: a character outside the Basic Multilingual Plane (an emoji, a CJK Extension B
character such as 𠀋) counts 2, every other character 1. Python counts code points. The two
agree on all-BMP text, which most Chinese text is, and drift apart after the first astral
character.

>>> text = "😀8684万元"
>>> to_utf16(text, 1), to_utf16(text, 5)
(2, 6)
>>> from_utf16(text, 6), from_utf16(text, 1) is None
(5, True)
"""
from __future__ import annotations

from functools import lru_cache

#: Largest code point stored as one UTF-16 code unit.
_BMP_MAX = 0xFFFF


def has_astral(text: str) -> bool:
    """True when ``text`` holds a character that takes two UTF-16 code units.

    >>> has_astral("万元"), has_astral("𠀋")
    (False, True)
    """
    return any(ord(ch) > _BMP_MAX for ch in text)


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units.

    >>> utf16_len("a😀")
    3
    """
    return len(text) + sum(1 for ch in text if ord(ch) > _BMP_MAX)


@lru_cache(maxsize=256)
def _prefix_units(text: str) -> tuple[int, ...]:
    """``out[i]`` = UTF-16 units before code point ``i``; ``len(out) == len(text) + 1``."""
    out = [0]
    for ch in text:
        out.append(out[-1] + (2 if ord(ch) > _BMP_MAX else 1))
    return tuple(out)


def to_utf16(text: str, offset: int) -> int:
    """Convert a Python offset (0..len(text)) into a UTF-16 offset.

    >>> to_utf16("𠀋万元", 2)
    3
    """
    if not has_astral(text):
        return offset
    return _prefix_units(text)[offset]


def from_utf16(text: str, offset: int) -> int | None:
    """Convert a UTF-16 offset into a Python offset; ``None`` if it falls inside a surrogate pair
    or outside the text.

    >>> from_utf16("𠀋万元", 3), from_utf16("𠀋万元", 1), from_utf16("万元", 9)
    (2, None, None)
    """
    if not has_astral(text):
        return offset if 0 <= offset <= len(text) else None
    prefix = _prefix_units(text)
    lo, hi = 0, len(prefix) - 1
    while lo <= hi:  # binary search: prefix is strictly increasing
        mid = (lo + hi) // 2
        if prefix[mid] == offset:
            return mid
        if prefix[mid] < offset:
            lo = mid + 1
        else:
            hi = mid - 1
    return None
